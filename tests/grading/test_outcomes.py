"""What `kit grade` says of each submission: a cell stopped at its time limit, a killed kernel
and a limit hit are in the notes (the table's notes column and the JSON) of that submission; a
submission skipped as unchanged shows the score and notes it was graded with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kit.course import load_course
from kit.course.scaffold import new_course
from kit.grading.nbgrader_course import NbgraderCourse
from tests.conftest import run_cli as run

from .submissions import make_submission

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

PROJECT = "first-project"
GRADING = (
    "grading:\n  timeout_cell: 3\n  timeout_notebook: 120\n  memory_mb: 256\n  file_mb: 1\n"
    "  cpu_seconds: 120\n"
)
RIGHT = "def count_evens(numbers):\n    return sum(1 for n in numbers if n % 2 == 0)"
LEARNERS = {
    "honest": (RIGHT, 3.0, []),
    "sleeper": (
        "import time\ntime.sleep(600)\n" + RIGHT,
        0.0,
        ["a cell ran longer than 3 s and was stopped"],
    ),
    "quitter": ("import os\nos._exit(3)", 0.0, ["the kernel died"]),
    "hoarder": (
        "with open('big.bin', 'wb') as f:\n    f.write(b'x' * 3 * 2**20)\n" + RIGHT,
        0.0,
        ["the file size limit (1 MB) refused a write"],
    ),
    "greedy": ("hog = bytearray(2**31)\n" + RIGHT, 0.0, ["the memory limit (256 MB)"]),
}
"""learner -> the code of the solution cell, the score it earns, and words its notes hold."""


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new course with tight limits, every learner's submission collected."""
    root = new_course(tmp_path_factory.mktemp("outcomes") / "course")
    (root / "course.yml").write_text((root / "course.yml").read_text() + GRADING)
    loaded = load_course(root)
    nbg = NbgraderCourse(loaded)
    nbg.assign(PROJECT)
    for learner, (code, _, _) in LEARNERS.items():
        folder = nbg.submitted(PROJECT) / learner / PROJECT
        make_submission(loaded, PROJECT, folder, {"count-evens": code})
    return root


@pytest.fixture(scope="module")
def first(course: Path) -> dict[str, dict]:
    code, out = run("grade", str(course), PROJECT, "--workers", "2", "--json")
    assert code == 0, out
    return {o["learner"]: o for o in json.loads(out)}


@pytest.mark.parametrize("learner", sorted(LEARNERS))
def test_the_reason_is_in_the_notes(first: dict[str, dict], learner: str) -> None:
    _, score, words = LEARNERS[learner]
    outcome = first[learner]
    assert outcome["status"] == "graded" and outcome["score"] == score
    assert outcome["max_score"] == 3 and outcome["awaiting_manual"] == 0
    notes = " | ".join(outcome["notes"])
    for word in words:
        assert word in notes, notes
    if not words:
        assert notes == ""


def test_a_skipped_submission_shows_what_it_was_graded_with(
    course: Path, first: dict[str, dict]
) -> None:
    code, out = run("grade", str(course), PROJECT, "--json")
    assert code == 0, out
    again = {o["learner"]: o for o in json.loads(out)}
    for learner, outcome in again.items():
        assert outcome["status"] == "skipped"
        assert (outcome["score"], outcome["max_score"]) == (
            first[learner]["score"],
            first[learner]["max_score"],
        )
        assert outcome["notes"] == ["unchanged since graded", *first[learner]["notes"]]
        assert outcome["isolation"] == first[learner]["isolation"]
    code, out = run("grade", str(course), PROJECT, "--learner", "honest")
    row = next(line for line in out.splitlines() if "honest" in line)
    assert "skipped" in row and "3/3" in row, out
