"""Courses for grading tests: nbgrader's own user-guide assignment wrapped as a kit course."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbgrader

GUIDE = Path(nbgrader.__file__).parent / "docs" / "source" / "user_guide"
APP_FILES = Path(nbgrader.__file__).parent / "tests" / "apps" / "files"

COURSE_YML = """\
id: {course_id}
title: Grading test course
skills:
  - id: python
    title: Python
lessons:
  - id: intro
    notebook: lessons/intro.ipynb
    title: Intro
    skills: [python]
    minutes: 10
projects:
  - id: ps1
    source: projects/ps1
    title: Problem set 1
    skills: [python]
    points: {points}
grading:
  timeout_cell: {timeout}
  memory_mb: 512
  output_kb: 64
"""


def tag_grade_cells(folder: Path, skill: str = "python") -> float:
    """Add the kit's skill tag to every grade cell of the notebooks in ``folder``; return the
    total points."""
    total = 0.0
    for path in folder.glob("*.ipynb"):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade"):
                cell["metadata"]["kit"] = {"skill": skill}
                total += float(meta.get("points", 0))
        path.write_text(json.dumps(nb, indent=1))
    return total


def guide_course(root: Path, course_id: str = "course101", timeout: int = 30) -> Path:
    """A kit course whose project ps1 is nbgrader's user-guide ps1, with the guide's two
    submissions (bitdiddle, hacker) collected."""
    course = root / course_id
    (course / "lessons").mkdir(parents=True)
    shutil.copytree(GUIDE / "source" / "ps1", course / "projects" / "ps1")
    points = tag_grade_cells(course / "projects" / "ps1")
    shutil.copy(GUIDE / "source" / "header.ipynb", course / "lessons" / "intro.ipynb")
    nb = json.loads((course / "lessons" / "intro.ipynb").read_text())
    nb["metadata"]["kit"] = {"skills": ["python"]}
    (course / "lessons" / "intro.ipynb").write_text(json.dumps(nb))
    (course / "course.yml").write_text(
        COURSE_YML.format(course_id=course_id, points=points, timeout=timeout)
    )
    return course


def collect_guide_submissions(
    nbgrader_root: Path, learners: tuple[str, ...] = ("bitdiddle", "hacker")
) -> None:
    """Put the user guide's submissions where `nbgrader collect` would."""
    for learner in learners:
        shutil.copytree(
            GUIDE / "submitted" / learner / "ps1", nbgrader_root / "submitted" / learner / "ps1"
        )


def nbgrader_scores(
    db_url: str, course_id: str, assignment: str
) -> dict[tuple[str, str, str], float]:
    """(learner, notebook, grade cell) -> score, from a gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(db_url, course_id) as gb:
        for submission in gb.find_assignment(assignment).submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores[(submission.student.id, notebook.name, grade.cell.name)] = float(
                        grade.score or 0.0
                    )
    return scores


def run_nbgrader_autograde(nbgrader_root: Path, assignment: str, *, check: bool = True) -> None:
    """`nbgrader autograde ASSIGNMENT --force` in a course directory (the reference). With
    ``check=False`` a run that fails some submissions (nbgrader then exits 1) is accepted:
    what it could grade is in the gradebook."""
    exe = Path(sys.executable).parent / "nbgrader"
    subprocess.run(
        [str(exe), "autograde", assignment, "--force"],
        cwd=nbgrader_root,
        check=check,
        capture_output=True,
        text=True,
    )
