"""Learner submissions of a project built from its release version: the reference solution
(strong), the release untouched, half of the solutions (partial), and hostile ones."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat

from kit.course import Course
from kit.grading.nbgrader_course import NbgraderCourse


def _solutions(course: Course, project: str) -> dict[str, str]:
    """grade_id -> solution source without nbgrader's markers, from the source notebooks."""
    found = {}
    for path in course.project_dir(project).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                text = re.sub(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", "", cell.source, flags=re.M)
                found[meta["grade_id"]] = text
    return found


def make_submission(course: Course, project: str, folder: Path, fill: dict[str, str]) -> Path:
    """Copy the release version to ``folder`` and put ``fill[grade_id]`` into solution cells."""
    return fill_release(NbgraderCourse(course).root / "release" / project, folder, fill)


def fill_release(release: Path, folder: Path, fill: dict[str, str]) -> Path:
    """Copy the release folder ``release`` to ``folder`` and put ``fill[grade_id]`` into the
    cells of those ids, as a learner writes their answers."""
    shutil.copytree(release, folder)
    for path in folder.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in fill:
                cell.source = fill[grade_id]
        nbformat.write(nb, path)
    return folder


def sample_submissions(course: Course, submitted: Path, project: str = "pandas-analysis") -> None:
    """strong, partial and untouched submissions of the sample project."""
    solutions = _solutions(course, project)
    half = dict(list(solutions.items())[: len(solutions) // 2])
    for learner, fill in (("strong", solutions), ("partial", half), ("untouched", {})):
        make_submission(course, project, submitted / learner / project, fill)
