"""Grades out of the gradebook: a CSV of learner x project scores and one of learner x skill."""

from __future__ import annotations

import csv
from pathlib import Path

from kit.course import Course
from kit.grading.nbgrader_course import NbgraderCourse
from kit.progress.gradebook import grade_cell_skills


def export_grades(course: Course, folder: str | Path) -> tuple[Path, Path]:
    """Write ``projects.csv`` (learner, project, score, max_score) and ``skills.csv`` (learner,
    skill, score, max_score, fraction) from the gradebook; returns both paths."""
    from nbgrader.api import Gradebook, MissingEntry

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    nbg = NbgraderCourse(course)
    skills = grade_cell_skills(course)
    per_project: list[tuple[str, str, float, float]] = []
    per_skill: dict[tuple[str, str], list[float]] = {}
    with Gradebook(nbg.db_url, course.id) as gb:
        for project in course.manifest.projects:
            try:
                assignment = gb.find_assignment(project.id)
            except MissingEntry:
                continue
            for submission in assignment.submissions:
                learner = submission.student.id
                per_project.append(
                    (learner, project.id, float(submission.score), float(submission.max_score))
                )
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        skill = skills.get((project.id, notebook.name, grade.cell.name))
                        if skill is None:
                            continue
                        total = per_skill.setdefault((learner, skill), [0.0, 0.0])
                        total[0] += float(grade.score or 0.0)
                        total[1] += float(grade.max_score or 0.0)
    projects_csv = folder / "projects.csv"
    with projects_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "project", "score", "max_score"])
        writer.writerows(sorted(per_project))
    skills_csv = folder / "skills.csv"
    with skills_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "skill", "score", "max_score", "fraction"])
        for (learner, skill), (score, top) in sorted(per_skill.items()):
            writer.writerow([learner, skill, score, top, round(score / top, 4) if top else ""])
    return projects_csv, skills_csv
