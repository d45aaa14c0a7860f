"""A loaded course: the manifest, its folder, and the questions every part of the kit asks."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kit.course.graph import SkillGraph
from kit.course.manifest import WORKSPACE_NAME, Lesson, Manifest, Mentor, Project, Skill, Track

__all__ = ["WORKSPACE_NAME", "Course", "TrackSummary"]


@dataclass(frozen=True)
class TrackSummary:
    """What a track asks of a learner who starts from nothing."""

    track: Track
    skills: list[str]
    lessons: list[Lesson]
    projects: list[Project]

    @property
    def minutes(self) -> int:
        """Estimated minutes of all its lessons and projects."""
        return sum(x.minutes for x in self.lessons) + sum(p.minutes for p in self.projects)

    @property
    def hours(self) -> float:
        """Estimated hours, rounded to a tenth."""
        return round(self.minutes / 60, 1)


@dataclass(frozen=True)
class Course:
    """A valid course. Build one with :func:`kit.course.load_course`.

    Attributes
    ----------
    root:
        The course folder (the one holding course.yml).
    manifest:
        The parsed course.yml.
    """

    root: Path
    manifest: Manifest

    @property
    def id(self) -> str:
        """The course id."""
        return self.manifest.id

    @property
    def title(self) -> str:
        """The course title."""
        return self.manifest.title

    @property
    def manifest_path(self) -> Path:
        """Path of course.yml."""
        return self.root / "course.yml"

    @property
    def workspace(self) -> Path:
        """The course's workspace: ``<course>/_kit``, where the kit keeps what it generates (the
        attempt log, nbgrader's course folder, the router, builds and reports); never content."""
        return self.root / WORKSPACE_NAME

    @cached_property
    def graph(self) -> SkillGraph:
        """The skill graph."""
        return SkillGraph(self.manifest.skills)

    @cached_property
    def skills(self) -> dict[str, Skill]:
        """Skills by id, in declaration order."""
        return {s.id: s for s in self.manifest.skills}

    @cached_property
    def lessons(self) -> dict[str, Lesson]:
        """Lessons by id, in declaration order."""
        return {lesson.id: lesson for lesson in self.manifest.lessons}

    @cached_property
    def projects(self) -> dict[str, Project]:
        """Projects by id, in declaration order."""
        return {p.id: p for p in self.manifest.projects}

    @cached_property
    def tracks(self) -> dict[str, Track]:
        """Tracks by id, in declaration order."""
        return {t.id: t for t in self.manifest.tracks}

    @cached_property
    def mentors(self) -> dict[str, Mentor]:
        """Mentors by id, in declaration order."""
        return {m.id: m for m in self.manifest.mentors}

    def notebook_path(self, lesson: Lesson | str) -> Path:
        """Absolute path of a lesson's notebook."""
        lesson = self.lessons[lesson] if isinstance(lesson, str) else lesson
        return self.root / lesson.notebook

    def project_dir(self, project: Project | str) -> Path:
        """Absolute path of a project's nbgrader source folder."""
        project = self.projects[project] if isinstance(project, str) else project
        return self.root / project.source

    def lessons_teaching(self, skill_id: str) -> list[Lesson]:
        """The lessons that teach ``skill_id``, in declaration order."""
        return [lesson for lesson in self.manifest.lessons if skill_id in lesson.skills]

    def projects_assessing(self, skill_id: str) -> list[Project]:
        """The projects that assess ``skill_id``, in declaration order."""
        return [p for p in self.manifest.projects if skill_id in p.skills]

    def mentors_for(self, skill_id: str) -> list[Mentor]:
        """The mentors who cover ``skill_id``."""
        return [m for m in self.manifest.mentors if skill_id in m.skills]

    def track_summary(self, track: Track | str) -> TrackSummary:
        """The skills, lessons and projects of a track for a learner starting from nothing.

        Lessons are those teaching any skill the track needs (its goals and all their
        prerequisites), ordered by the first such skill they teach; projects are those whose
        assessed skills all lie within the track.
        """
        track = self.tracks[track] if isinstance(track, str) else track
        skills = self.graph.closure(track.goals)
        position = {skill: index for index, skill in enumerate(skills)}
        needed = set(skills)
        lessons = [lesson for lesson in self.manifest.lessons if needed & set(lesson.skills)]
        lessons.sort(key=lambda lesson: min(position[s] for s in lesson.skills if s in needed))
        projects = [p for p in self.manifest.projects if set(p.skills) <= needed]
        projects.sort(key=lambda p: max(position[s] for s in p.skills))
        return TrackSummary(track, skills, lessons, projects)
