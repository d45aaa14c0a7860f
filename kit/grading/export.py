"""Grades out of the gradebook: a CSV of learner x project scores and one of learner x skill."""

from __future__ import annotations

import csv
from pathlib import Path

from kit.course import Course
from kit.grading.nbgrader_course import NbgraderCourse
from kit.progress.gradebook import graded_cells


def export_grades(course: Course, folder: str | Path) -> tuple[Path, Path]:
    """Write ``projects.csv`` (learner, project, score, max_score) and ``skills.csv`` (learner,
    skill, score, max_score, fraction) from the gradebook; returns both paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    per_project: dict[tuple[str, str], list[float]] = {}
    per_skill: dict[tuple[str, str], list[float]] = {}

    def add(
        table: dict[tuple[str, str], list[float]], key: tuple[str, str], score: float, top: float
    ) -> None:
        total = table.setdefault(key, [0.0, 0.0])
        total[0] += score
        total[1] += top

    for cell in graded_cells(course, NbgraderCourse(course).db_url):
        add(per_project, (cell.learner, cell.project), cell.score, cell.max_score)
        if cell.skill is not None:
            add(per_skill, (cell.learner, cell.skill), cell.score, cell.max_score)
    projects_csv = folder / "projects.csv"
    with projects_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "project", "score", "max_score"])
        for (learner, project), (score, top) in sorted(per_project.items()):
            writer.writerow([learner, project, score, top])
    skills_csv = folder / "skills.csv"
    with skills_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "skill", "score", "max_score", "fraction"])
        for (learner, skill), (score, top) in sorted(per_skill.items()):
            writer.writerow([learner, skill, score, top, round(score / top, 4) if top else ""])
    return projects_csv, skills_csv
