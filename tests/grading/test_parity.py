"""`kit grade` gives nbgrader's own scores, cell by cell: on nbgrader's user guide, on
nbgrader's autograde test notebooks (changed, locked-cell-changed, grade-cell-changed, cheat
attempts) and on the sample course's project."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kit.course import load_course
from kit.grading.engine import Outcome, grade
from kit.grading.nbgrader_course import NbgraderCourse

from .helpers import (
    APP_FILES,
    collect_guide_submissions,
    guide_course,
    nbgrader_scores,
    run_nbgrader_autograde,
    tag_grade_cells,
)

pytestmark = [pytest.mark.kernel, pytest.mark.slow]


def _kit_and_nbgrader(
    root: Path, make: Callable[[Path], Path], submit: Callable[[Path], None]
) -> tuple[dict[tuple[str, str, str], float], dict[tuple[str, str, str], float], list[Outcome]]:
    """Build the same course twice; grade one with kit, the other with `nbgrader autograde`."""
    results = []
    outcomes: list[Outcome] = []
    for side in ("kit", "nbgrader"):
        course = load_course(make(root / side))
        nbg = NbgraderCourse(course)
        nbg.assign("ps1")
        submit(nbg.root)
        if side == "kit":
            outcomes = grade(course, "ps1", workers=2)
        else:
            run_nbgrader_autograde(nbg.root, "ps1")
        results.append(nbgrader_scores(nbg.db_url, course.id, "ps1"))
    return results[0], results[1], outcomes


def test_user_guide_ps1(tmp_path: Path) -> None:
    kit, reference, outcomes = _kit_and_nbgrader(tmp_path, guide_course, collect_guide_submissions)
    assert kit == reference
    assert len(reference) == 18  # 2 learners x 9 grade cells
    assert {o.learner: o.status for o in outcomes} == {"bitdiddle": "graded", "hacker": "graded"}


APP_SUBMISSIONS = {
    "foo": "submitted-unchanged.ipynb",
    "bar": "submitted-changed.ipynb",
    "spam": "submitted-cheat-attempt.ipynb",
    "eggs": "submitted-cheat-attempt-alternative.ipynb",
    "ham": "submitted-locked-cell-changed.ipynb",
    "baz": "submitted-grade-cell-changed.ipynb",
}


def test_nbgrader_autograde_test_notebooks(tmp_path: Path) -> None:
    def make(root: Path) -> Path:
        course = guide_course(root)
        source = course / "projects" / "ps1"
        shutil.rmtree(source)
        source.mkdir()
        shutil.copy(APP_FILES / "submitted-unchanged.ipynb", source / "p1.ipynb")
        points = tag_grade_cells(source)
        text = re.sub(r"points: [\d.]+", f"points: {points}", (course / "course.yml").read_text())
        (course / "course.yml").write_text(text)
        return course

    def submissions(nbgrader_root: Path) -> None:
        for learner, name in APP_SUBMISSIONS.items():
            folder = nbgrader_root / "submitted" / learner / "ps1"
            folder.mkdir(parents=True)
            shutil.copy(APP_FILES / name, folder / "p1.ipynb")

    kit, reference, _ = _kit_and_nbgrader(tmp_path, make, submissions)
    assert kit == reference
    assert {k[0] for k in reference} == set(APP_SUBMISSIONS)
    # what nbgrader's own tests assert: the cheat attempts earn no more than the honest failure
    total = {
        learner: sum(v for k, v in kit.items() if k[0] == learner) for learner in APP_SUBMISSIONS
    }
    assert total["foo"] == 1 and total["spam"] == 1 and total["eggs"] == 1


def test_sample_course_project(tmp_path: Path, sample_course: Path) -> None:
    from .submissions import sample_submissions

    def make(root: Path) -> Path:
        course = root / "python-ml"
        shutil.copytree(sample_course, course, ignore=shutil.ignore_patterns("_kit"))
        return course

    kit_side = load_course(make(tmp_path / "kit"))
    ref_side = load_course(make(tmp_path / "nbgrader"))
    scores = []
    for course in (kit_side, ref_side):
        nbg = NbgraderCourse(course)
        nbg.assign("pandas-analysis")
        sample_submissions(course, nbg.root / "submitted")
        if course is kit_side:
            grade(course, "pandas-analysis", workers=2)
        else:
            run_nbgrader_autograde(nbg.root, "pandas-analysis")
        scores.append(nbgrader_scores(nbg.db_url, course.id, "pandas-analysis"))
    assert scores[0] == scores[1]
    earned = {(learner, cell) for (learner, _, cell), score in scores[0].items() if score}
    solved = {"test-load-survey", "test-clean-columns", "test-clean-rows"}  # the first half
    every = {cell for (_, _, cell) in scores[0]}
    assert earned == {("strong", cell) for cell in every} | {("partial", c) for c in solved}
    totals: dict[str, float] = {}
    for (learner, _, _), score in scores[0].items():
        totals[learner] = totals.get(learner, 0.0) + score
    assert totals == {"strong": 10.0, "partial": 5.0, "untouched": 0.0}
