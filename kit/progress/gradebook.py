"""Graded work from nbgrader's gradebook: one :class:`GradedCell` per grade or task cell of each
submission, their :class:`Totals`, and the cells as attempts.

Every total the kit shows (``kit grade``'s summary, ``projects.csv``, ``skills.csv``) is a
:class:`Totals` of these cells, so autograded cells, answers graded by hand and task cells count
the same way everywhere, as they do in nbgrader's gradebook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.course import Course
from kit.course.notebooks import cell_skill, grade_cells, read_notebook
from kit.progress.attempts import Attempt

Skills = dict[tuple[str, str, str], str]
"""(project, notebook name, grade_id) -> skill."""


def grade_cell_skills(course: Course) -> Skills:
    """(project, notebook name, grade_id) -> skill, from the projects' source notebooks: each
    grade and task cell's own skill, else its project's ``skill:``."""
    skills: Skills = {}
    for project in course.manifest.projects:
        for path in sorted(course.project_dir(project).glob("*.ipynb")):
            notebook = read_notebook(path).notebook
            if notebook is None:
                continue
            for _, cell in grade_cells(notebook):
                skill = cell_skill(cell, project.skill)
                grade_id = cell.metadata.nbgrader.get("grade_id")
                if isinstance(skill, str) and grade_id:
                    skills[(project.id, Path(path).stem, grade_id)] = skill
    return skills


@dataclass(frozen=True)
class GradedCell:
    """One grade or task cell of one learner's submission, as the gradebook holds it.

    ``awaiting_manual`` is nbgrader's ``needs_manual_grade``: no one has graded the cell by
    hand yet (a task cell, an answer without tests) or its grade awaits review in the
    formgrader; its ``score`` is not final.
    """

    learner: str
    project: str
    notebook: str
    cell: str
    score: float
    max_score: float
    skill: str | None
    time: dt.datetime
    awaiting_manual: bool = False

    def attempt(self, course_id: str) -> Attempt | None:
        """The cell as an attempt on its skill (correct = score / max score, at the
        submission's time); None for a cell without a skill or points, or one awaiting manual
        grading (no answer yet)."""
        if self.skill is None or not self.max_score or self.awaiting_manual:
            return None
        return Attempt(
            learner=self.learner,
            skill=self.skill,
            item=f"{self.project}/{self.cell}",
            correct=min(1.0, max(0.0, self.score / self.max_score)),
            time=self.time,
            source="grading",
            course=course_id,
        )


@dataclass(frozen=True)
class Totals:
    """Points of some graded cells: earned, the most there are, and of those the points of
    cells awaiting manual grading (part of ``max_score``; what they earn so far is in
    ``score``)."""

    score: float = 0.0
    max_score: float = 0.0
    awaiting_manual: float = 0.0

    @classmethod
    def of(cls, cells: Iterable[GradedCell]) -> Totals:
        """The totals of ``cells``."""
        score = top = awaiting = 0.0
        for cell in cells:
            score += cell.score
            top += cell.max_score
            awaiting += cell.max_score if cell.awaiting_manual else 0.0
        return cls(score, top, awaiting)

    @property
    def fraction(self) -> float | None:
        """Score over maximum (None without points)."""
        return round(self.score / self.max_score, 4) if self.max_score else None


def graded_cells(
    course: Course,
    url: str,
    *,
    project: str | None = None,
    learner: str | None = None,
    skills: Skills | None = None,
) -> Iterator[GradedCell]:
    """Every grade and task cell of every submission of the course's projects (or of
    ``project``, of ``learner``) in the gradebook at ``url``, with the skill its source cell
    measures (None when it names none); ``skills`` from :func:`grade_cell_skills` when given."""
    from nbgrader.api import Gradebook, MissingEntry

    from kit.databases import driver_url

    skills = grade_cell_skills(course) if skills is None else skills
    ids = [p.id for p in course.manifest.projects if project in (None, p.id)]
    with Gradebook(driver_url(url), course_id=course.id) as gradebook:
        for project_id in ids:
            try:
                assignment = gradebook.find_assignment(project_id)
            except MissingEntry:
                continue
            for submission in _submissions(gradebook, assignment, learner):
                when = submission.timestamp or dt.datetime.now(dt.timezone.utc)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        yield GradedCell(
                            learner=submission.student.id,
                            project=project_id,
                            notebook=notebook.name,
                            cell=grade.cell.name,
                            score=float(grade.score or 0.0),
                            max_score=float(grade.max_score or 0.0),
                            skill=skills.get((project_id, notebook.name, grade.cell.name)),
                            time=when,
                            awaiting_manual=bool(grade.needs_manual_grade),
                        )


def _submissions(gradebook: Any, assignment: Any, learner: str | None) -> list[Any]:
    """The assignment's submissions in the gradebook (only ``learner``'s, when given)."""
    from nbgrader.api import MissingEntry

    if learner is None:
        return list(assignment.submissions)
    try:
        return [gradebook.find_submission(assignment.name, learner)]
    except MissingEntry:
        return []


def attempts_from_gradebook(course: Course, url: str) -> list[Attempt]:
    """Every graded cell with a skill, as an attempt (:meth:`GradedCell.attempt`)."""
    cells = (cell.attempt(course.id) for cell in graded_cells(course, url))
    return [attempt for attempt in cells if attempt is not None]
