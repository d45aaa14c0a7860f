"""Graded work from nbgrader's gradebook, as attempts: one per grade cell of each submission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kit.course import Course
from kit.course.notebooks import grade_cells, kit_metadata, read_notebook
from kit.progress.attempts import Attempt


def grade_cell_skills(course: Course) -> dict[tuple[str, str, str], str]:
    """(project, notebook name, grade_id) -> skill, from the projects' source notebooks."""
    skills: dict[tuple[str, str, str], str] = {}
    for project in course.manifest.projects:
        for path in sorted(course.project_dir(project).glob("*.ipynb")):
            notebook = read_notebook(path).notebook
            if notebook is None:
                continue
            for _, cell in grade_cells(notebook):
                skill = kit_metadata(cell).get("skill")
                grade_id = cell.metadata.nbgrader.get("grade_id")
                if isinstance(skill, str) and grade_id:
                    skills[(project.id, Path(path).stem, grade_id)] = skill
    return skills


@dataclass(frozen=True)
class GradedCell:
    """One grade cell of one learner's submission, as the gradebook holds it."""

    learner: str
    project: str
    notebook: str
    cell: str
    score: float
    max_score: float
    skill: str | None
    time: dt.datetime


def graded_cells(course: Course, url: str) -> Iterator[GradedCell]:
    """Every grade cell of every submission of the course's projects in the gradebook at
    ``url``, with the skill its source cell names (None when it names none)."""
    from nbgrader.api import Gradebook, MissingEntry

    skills = grade_cell_skills(course)
    with Gradebook(url, course_id=course.id) as gradebook:
        for project in course.manifest.projects:
            try:
                assignment = gradebook.find_assignment(project.id)
            except MissingEntry:
                continue
            for submission in assignment.submissions:
                when = submission.timestamp or dt.datetime.now(dt.timezone.utc)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        yield GradedCell(
                            learner=submission.student.id,
                            project=project.id,
                            notebook=notebook.name,
                            cell=grade.cell.name,
                            score=float(grade.score or 0.0),
                            max_score=float(grade.max_score or 0.0),
                            skill=skills.get((project.id, notebook.name, grade.cell.name)),
                            time=when,
                        )


def attempts_from_gradebook(course: Course, url: str) -> list[Attempt]:
    """Every graded cell with a skill, as an attempt: correct = score / max score, time = the
    submission's timestamp."""
    return [
        Attempt(
            learner=cell.learner,
            skill=cell.skill,
            item=f"{cell.project}/{cell.cell}",
            correct=min(1.0, max(0.0, cell.score / cell.max_score)),
            time=cell.time,
            source="grading",
            course=course.id,
        )
        for cell in graded_cells(course, url)
        if cell.skill is not None and cell.max_score
    ]
