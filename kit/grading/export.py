"""Grades out of the gradebook: a CSV of learner x project scores and one of learner x skill."""

from __future__ import annotations

import csv
from pathlib import Path

from kit.course import Course
from kit.grading.nbgrader_course import NbgraderCourse
from kit.progress.gradebook import GradedCell, Totals, graded_cells


def export_grades(course: Course, folder: str | Path) -> tuple[Path, Path]:
    """Write ``projects.csv`` (learner, project, score, max_score, awaiting_manual) and
    ``skills.csv`` (learner, skill, score, max_score, fraction, awaiting_manual) from the
    gradebook; returns both paths.

    Both count every grade and task cell, as ``kit grade`` does; ``awaiting_manual`` is the part
    of ``max_score`` that waits for an instructor in the formgrader.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    per_project: dict[tuple[str, str], list[GradedCell]] = {}
    per_skill: dict[tuple[str, str], list[GradedCell]] = {}
    for cell in graded_cells(course, NbgraderCourse(course).db_url):
        per_project.setdefault((cell.learner, cell.project), []).append(cell)
        if cell.skill is not None:
            per_skill.setdefault((cell.learner, cell.skill), []).append(cell)
    projects_csv = folder / "projects.csv"
    with projects_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "project", "score", "max_score", "awaiting_manual"])
        for (learner, project), cells in sorted(per_project.items()):
            t = Totals.of(cells)
            writer.writerow([learner, project, t.score, t.max_score, t.awaiting_manual])
    skills_csv = folder / "skills.csv"
    with skills_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "skill", "score", "max_score", "fraction", "awaiting_manual"])
        for (learner, skill), cells in sorted(per_skill.items()):
            t = Totals.of(cells)
            fraction = "" if t.fraction is None else t.fraction
            writer.writerow([learner, skill, t.score, t.max_score, fraction, t.awaiting_manual])
    return projects_csv, skills_csv
