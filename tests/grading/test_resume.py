"""Killing `kit grade` with SIGKILL mid-run loses nothing: a re-run grades each remaining
submission once, skips the finished ones, and the gradebook ends consistent."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit.course import load_course
from kit.course.scaffold import new_course
from kit.grading.nbgrader_course import NbgraderCourse

from .helpers import nbgrader_scores
from .submissions import make_submission

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

SLOW_RIGHT = (
    "import time\ntime.sleep(1.5)\n"
    "def count_evens(numbers):\n    return sum(1 for n in numbers if n % 2 == 0)"
)


def _journal(course_dir: Path) -> set[str]:
    path = course_dir / "_kit" / "grading" / "journal.sqlite"
    if not path.exists():
        return set()
    try:
        with sqlite3.connect(path) as db:
            return {row[0] for row in db.execute("SELECT learner FROM graded")}
    except sqlite3.OperationalError:
        return set()


def test_kill_then_resume(tmp_path: Path) -> None:
    course_dir = new_course(tmp_path / "course")
    course = load_course(course_dir)
    nbg = NbgraderCourse(course)
    nbg.assign("first-project")
    learners = [f"learner{i}" for i in range(8)]
    for learner in learners:
        make_submission(
            course,
            "first-project",
            nbg.root / "submitted" / learner / "first-project",
            {"count-evens": SLOW_RIGHT},
        )
    kit = [
        str(Path(sys.executable).parent / "kit"),
        "grade",
        str(course_dir),
        "first-project",
        "--workers",
        "2",
        "--json",
    ]
    first = subprocess.Popen(kit, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while len(_journal(course_dir)) < 2 and time.time() < deadline and first.poll() is None:
        time.sleep(0.1)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    time.sleep(2)  # the killed grader's workers follow it
    leftover = subprocess.run(
        ["pgrep", "-f", f"kit grade {course_dir}"], capture_output=True, text=True
    ).stdout.split()
    assert leftover == [], "workers of a killed grader must not linger"
    done_before = _journal(course_dir)
    assert 2 <= len(done_before) < len(learners), "kill while submissions remain"

    second = subprocess.run(kit, capture_output=True, text=True, timeout=300)
    outcomes = {o["learner"]: o["status"] for o in json.loads(second.stdout)}
    assert set(outcomes) == set(learners)
    assert {x for x, s in outcomes.items() if s == "skipped"} == done_before
    assert {x for x, s in outcomes.items() if s == "graded"} == set(learners) - done_before
    assert _journal(course_dir) == set(learners)

    scores = nbgrader_scores(nbg.db_url, course.id, "first-project")
    totals: dict[str, float] = {}
    for (learner, _, _), score in scores.items():
        totals[learner] = totals.get(learner, 0.0) + score
    assert totals == dict.fromkeys(learners, 3.0)
    autograded = nbg.root / "autograded"
    assert sorted(p.name for p in autograded.iterdir()) == sorted(learners)
    assert not list(autograded.glob("*/.*staging"))
