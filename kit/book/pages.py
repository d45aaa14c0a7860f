"""The generated pages of a course's book, as MyST Markdown, and its table of contents.

Everything here is a pure function of the course (and the book's settings): the same course
gives the same text, so a rebuild rewrites only what changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from kit.book.config import BookError, KitSettings
from kit.course import Course, Lesson, Project, Track

MORE_LESSONS = "More lessons"


@dataclass(frozen=True)
class Layout:
    """Where each page of a book lives (document names: paths without a suffix).

    Attributes
    ----------
    start:
        The course's ``start.ipynb`` (the path selector), or "" when it has none.
    landing:
        Landing pages other than the index, from the book's base folder.
    project_notebooks:
        Release notebooks of each project, by project id (file names).
    """

    start: str = ""
    landing: tuple[str, ...] = ()
    project_notebooks: Mapping[str, Sequence[str]] = field(default_factory=dict)
    faq: str = ""
    """The FAQ page, or "" when the course's FAQ is empty."""

    index = "index"
    skills = "skills"
    mentors = "mentors"

    @staticmethod
    def lesson(lesson: Lesson) -> str:
        """A lesson's page: its notebook's path in the course folder."""
        return str(PurePosixPath(lesson.notebook).with_suffix(""))

    @staticmethod
    def track(track: Track | str) -> str:
        """A track's page."""
        return f"tracks/{track if isinstance(track, str) else track.id}"

    @staticmethod
    def project(project: Project | str) -> str:
        """A project's brief."""
        return f"projects/{project if isinstance(project, str) else project.id}/index"

    def notebooks(self, project: Project) -> list[str]:
        """The pages of a project's release notebooks."""
        return [
            f"projects/{project.id}/{PurePosixPath(name).stem}"
            for name in self.project_notebooks.get(project.id, ())
        ]


def text(value: str) -> str:
    """Course text (a title, a description) as literal Markdown inline text."""
    escaped = re.sub(r"([\\`*_\[\]<>|{}$])", r"\\\1", " ".join(value.split()))
    return escaped


def link(label: str, source: str, target: str, suffix: str = ".md") -> str:
    """A Markdown link from page ``source`` to page ``target`` (document names)."""
    up = len(PurePosixPath(source).parts) - 1
    path = PurePosixPath(*([".."] * up), target + suffix) if up else PurePosixPath(target + suffix)
    return f"[{text(label)}]({path})"


def _hours(minutes: int) -> str:
    hours = minutes / 60
    return f"{hours:.1f}".rstrip("0").rstrip(".") + (" hour" if hours == 1 else " hours")


def _contact(contact: str) -> str:
    contact = contact.strip()
    if re.fullmatch(r"[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>()]+", contact):
        return f"[{text(contact)}](mailto:{contact})"
    if re.fullmatch(r"https?://\S+", contact):
        return f"<{contact}>"
    return text(contact) if contact else "ask through the course"


def lesson_suffix(course: Course, lesson: Lesson) -> str:
    """The file suffix of a lesson's page source."""
    return PurePosixPath(lesson.notebook).suffix or ".ipynb"


def lesson_groups(course: Course, settings: KitSettings) -> list[tuple[str, list[Lesson]]]:
    """Lessons grouped for the table of contents, each group in course.yml order.

    By track: each lesson goes under the first track (in course.yml order) that needs it, the
    rest under "More lessons". By layer: under the depth, in the skill graph, of the most basic
    skill it teaches. A course without tracks is grouped by layer.
    """
    lessons = list(course.manifest.lessons)
    groups: list[tuple[str, list[Lesson]]] = []
    if settings.lesson_groups == "track" and course.manifest.tracks:
        claimed: set[str] = set()
        for track in course.manifest.tracks:
            needed = set(course.graph.closure(track.goals))
            chosen = [x for x in lessons if x.id not in claimed and needed & set(x.skills)]
            claimed.update(x.id for x in chosen)
            if chosen:
                groups.append((track.title, chosen))
        rest = [x for x in lessons if x.id not in claimed]
        if rest:
            groups.append((MORE_LESSONS, rest))
        return groups
    depth = course.graph.depth
    layers: dict[int, list[Lesson]] = {}
    for lesson in lessons:
        layers.setdefault(min(depth[s] for s in lesson.skills), []).append(lesson)
    for number, (_, members) in enumerate(sorted(layers.items()), start=1):
        groups.append((f"Skill layer {number}", members))
    return groups


def toc(course: Course, layout: Layout, settings: KitSettings) -> dict[str, Any]:
    """The ``_toc.yml`` (Jupyter Book's ``jb-book`` format)."""
    start = [*layout.landing, *([layout.start] if layout.start else [])]
    parts: list[dict[str, Any]] = [
        {"caption": "Start here", "chapters": [{"file": f} for f in start]},
        {
            "caption": "The course",
            "chapters": [
                {"file": layout.skills},
                {"file": layout.mentors},
                *([{"file": layout.faq}] if layout.faq else []),
            ],
        },
        {
            "caption": "Tracks",
            "chapters": [{"file": layout.track(t)} for t in course.manifest.tracks],
        },
    ]
    for caption, lessons in lesson_groups(course, settings):
        title = caption if caption == MORE_LESSONS else f"Lessons: {caption}"
        parts.append({"caption": title, "chapters": [{"file": layout.lesson(x)} for x in lessons]})
    projects = []
    for project in course.manifest.projects:
        entry: dict[str, Any] = {"file": layout.project(project)}
        notebooks = layout.notebooks(project)
        if notebooks:
            entry["sections"] = [{"file": n} for n in notebooks]
        projects.append(entry)
    parts.append({"caption": "Projects", "chapters": projects})
    return {
        "format": "jb-book",
        "root": layout.index,
        "parts": [part for part in parts if part["chapters"]],
    }


# -- the landing pages ------------------------------------------------------------------------
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def render_template(template: str, values: Mapping[str, str], where: Path) -> str:
    """Fill ``{{ name }}`` placeholders; an unknown name is an error naming the file."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            line = template.count("\n", 0, match.start()) + 1
            raise BookError(
                f"{where}:{line}: unknown placeholder '{{{{ {name} }}}}' "
                f"(known: {', '.join(sorted(values))})"
            )
        return values[name]

    return PLACEHOLDER.sub(fill, template)


def _track_plan(course: Course, track: Track, settings: KitSettings) -> Any:
    from kit.paths import LearnerProfile, PlanError, plan_path

    try:
        return plan_path(
            course, LearnerProfile(track=track.id, hours_per_week=settings.hours_per_week)
        )
    except PlanError as exc:
        raise BookError(f"{course.manifest_path}: track '{track.id}': {exc}") from exc


def landing_values(
    course: Course, layout: Layout, settings: KitSettings, page: str
) -> dict[str, str]:
    """The values of the landing pages' placeholders, with links made from page ``page``."""
    manifest = course.manifest
    counts = [
        f"{len(manifest.lessons)} lesson{'s' if len(manifest.lessons) != 1 else ''}",
        f"{len(manifest.projects)} project{'s' if len(manifest.projects) != 1 else ''}",
        f"{len(manifest.skills)} skill{'s' if len(manifest.skills) != 1 else ''}",
        f"{len(manifest.tracks)} track{'s' if len(manifest.tracks) != 1 else ''}",
    ]
    tracks = []
    for track in manifest.tracks:
        plan = _track_plan(course, track, settings)
        audience = f": {text(track.audience)}" if track.audience else ""
        tracks.append(
            f"- **{link(track.title, page, layout.track(track))}** "
            f"(about {_hours(plan.minutes)} from scratch){audience}"
        )
    lessons = []
    for caption, members in lesson_groups(course, settings):
        lessons.append(f"**{text(caption)}**\n")
        for lesson in members:
            target = link(lesson.title, page, layout.lesson(lesson), lesson_suffix(course, lesson))
            lessons.append(f"- {target} ({lesson.minutes} min, {lesson.level.value})")
        lessons.append("")
    projects = [
        f"- {link(p.title, page, layout.project(p))} ({p.points:g} points, "
        f"about {_hours(p.minutes)})"
        for p in manifest.projects
    ]
    start = (
        f"**New here?** {link('Start here', page, layout.start, '.ipynb')}: choose a track, "
        "say what you already know, and get a path through the course at your pace."
        if layout.start
        else ""
    )
    return {
        "title": text(course.title),
        "summary": text(manifest.summary),
        "version": text(manifest.version),
        "counts": ", ".join(counts),
        "start": start,
        "tracks": "\n".join(tracks) or "This course has no tracks yet.",
        "lessons": "\n".join(lessons).strip() or "This course has no lessons yet.",
        "projects": "\n".join(projects) or "This course has no projects yet.",
        "skill_map": link("the skill map", page, layout.skills),
        "mentors": link("the mentors", page, layout.mentors),
        "mentor_names": ", ".join(text(m.name) for m in manifest.mentors) or "none yet",
    }


# -- generated pages --------------------------------------------------------------------------
def skills_page(course: Course, layout: Layout, picture: str) -> str:
    """The skill map: the picture, then every skill with what it needs, where it is taught, and
    who mentors it."""
    page = layout.skills
    lines = [
        "# The skill map",
        "",
        f"{text(course.title)} teaches {len(course.skills)} skills. An arrow goes from a skill "
        "to the skills that build on it; each track has a colour (a dot under every skill it "
        "needs, a thick border around its goals).",
        "",
        f"![The skill graph of {text(course.title)}]({picture})",
        "",
        "## Skills, prerequisites first",
        "",
        "| Skill | Needs | Taught in | Mentors |",
        "| --- | --- | --- | --- |",
    ]
    for skill_id in course.graph.order:
        skill = course.skills[skill_id]
        what = f"**{text(skill.title)}**"
        if skill.description:
            what += f": {text(skill.description)}"
        needs = ", ".join(text(course.skills[p].title) for p in skill.prerequisites) or "-"
        taught = (
            ", ".join(
                link(x.title, page, layout.lesson(x), lesson_suffix(course, x))
                for x in course.lessons_teaching(skill_id)
            )
            or "no lesson yet"
        )
        mentors = ", ".join(text(m.name) for m in course.mentors_for(skill_id)) or "-"
        lines.append(f"| {what} | {needs} | {taught} | {mentors} |")
    return "\n".join(lines) + "\n"


def track_page(
    course: Course, track: Track, layout: Layout, settings: KitSettings, picture: str
) -> str:
    """A track: who it is for, its goals, and the path of a learner starting from nothing."""
    page = layout.track(track)
    plan = _track_plan(course, track, settings)
    goals = ", ".join(text(course.skills[g].title) for g in track.goals)
    weeks = len(plan.weeks)
    hours = f"{settings.hours_per_week:g}"
    lines = [f"# Track: {text(track.title)}", ""]
    if track.audience:
        lines += [f"*{text(track.audience)}*", ""]
    lines += [
        f"**Goal:** {goals}. **Skills on the way:** {len(plan.needed)}.",
        "",
        f"From scratch this track takes **{len(plan.items)} steps, about {_hours(plan.minutes)}**: "
        f"{weeks} week{'s' if weeks != 1 else ''} at {hours} hours a week.",
        "",
        f"![The skills of the {text(track.title)} track on the skill map]({picture})",
        "",
        "## The path",
        "",
    ]
    if plan.items:
        lines += ["| # | Week | Step | Time | Why |", "| ---: | ---: | --- | ---: | --- |"]
        for number, item in enumerate(plan.items, start=1):
            if item.kind == "lesson":
                lesson = course.lessons[item.id]
                what = link(item.title, page, layout.lesson(lesson), lesson_suffix(course, lesson))
            else:
                what = "Project: " + link(item.title, page, layout.project(item.id))
            lines.append(
                f"| {number} | {item.week} | {what} | {item.minutes} min | {text(item.reason)} |"
            )
        lines.append("")
    lines += [f"```{{note}}\n{text(m)}\n```\n" for m in plan.messages]
    mentors = [m for m in course.manifest.mentors if set(m.skills) & set(plan.needed)]
    if mentors:
        lines += ["## Mentors on this track", ""]
        for mentor in mentors:
            covered = ", ".join(
                text(course.skills[s].title)
                for s in course.graph.sort(mentor.skills)
                if s in plan.needed
            )
            lines.append(f"- **{text(mentor.name)}** ({covered}): {_contact(mentor.contact)}")
        lines.append("")
    if layout.start:
        start = link("the start page", page, layout.start, ".ipynb")
        lines += [
            f"Already know some of this? Open {start} in JupyterLab: rate yourself or take the "
            "placement check, and your path skips what you know and follows your weekly time.",
            "",
        ]
    return "\n".join(lines)


def mentors_page(course: Course, layout: Layout) -> str:
    """The mentors: who covers which skills and how to reach them."""
    lines = [
        "# Mentors",
        "",
        "Each skill has a mentor who answers questions on it. Ask early: a question asked at "
        "the right time saves hours.",
        "",
    ]
    if course.manifest.mentors:
        lines += ["| Mentor | Skills | Contact |", "| --- | --- | --- |"]
        for mentor in course.manifest.mentors:
            skills = ", ".join(
                text(course.skills[s].title) for s in course.graph.sort(mentor.skills)
            )
            lines.append(f"| **{text(mentor.name)}** | {skills} | {_contact(mentor.contact)} |")
        lines += ["", "## Who to ask, skill by skill", "", "| Skill | Ask |", "| --- | --- |"]
        for skill_id in course.graph.order:
            who = ", ".join(text(m.name) for m in course.mentors_for(skill_id)) or "no mentor yet"
            lines.append(f"| {text(course.skills[skill_id].title)} | {who} |")
    else:
        lines.append("This course has no mentors yet.")
    return "\n".join(lines) + "\n"


def project_page(course: Course, project: Project, layout: Layout, brief: str | None) -> str:
    """A project's brief: its README (when there is one), then what it measures and its
    notebooks as learners receive them."""
    page = layout.project(project)
    lines = [brief.rstrip(), ""] if brief else [f"# Project: {text(project.title)}", ""]
    skills = ", ".join(text(course.skills[s].title) for s in project.skills)
    lines += [
        "## At a glance",
        "",
        f"- **Skills measured:** {skills}",
        f"- **Points:** {project.points:g}, graded automatically",
        f"- **Time:** about {_hours(project.minutes)}",
    ]
    notebooks = layout.notebooks(project)
    if notebooks:
        links = ", ".join(
            link(PurePosixPath(n).name + ".ipynb", page, n, ".ipynb") for n in notebooks
        )
        lines.append(f"- **Notebooks:** {links}")
    lines += [
        "",
        "The notebooks here are the version learners receive: solutions and hidden tests are "
        "not in them. Fetch the project in JupyterLab (the Assignments tab), work through it, "
        "run the Validate button, and submit it.",
        "",
    ]
    return "\n".join(lines)
