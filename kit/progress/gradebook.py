"""Graded work from nbgrader's gradebook, as attempts: one per grade cell of each submission."""

from __future__ import annotations

import datetime as dt
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


def attempts_from_gradebook(course: Course, url: str) -> list[Attempt]:
    """Every graded cell of every submission of the course's projects in the gradebook at
    ``url``: correct = score / max score, time = the submission's timestamp."""
    from nbgrader.api import Gradebook, MissingEntry

    skills = grade_cell_skills(course)
    attempts: list[Attempt] = []
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
                        skill = skills.get((project.id, notebook.name, grade.cell.name))
                        if skill is None or not grade.max_score:
                            continue
                        score = grade.score or 0.0
                        attempts.append(
                            Attempt(
                                learner=submission.student.id,
                                skill=skill,
                                item=f"{project.id}/{grade.cell.name}",
                                correct=min(1.0, max(0.0, score / grade.max_score)),
                                time=when,
                                source="grading",
                                course=course.id,
                            )
                        )
    return attempts
