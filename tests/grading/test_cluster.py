"""Grading on a Dask cluster (`kit grade --scheduler`): the same scores as the local pool; a
worker killed mid-run loses nothing and grades nothing twice; a scheduler that cannot be
reached is one clear message."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from kit.course import load_course
from kit.course.scaffold import new_course
from kit.grading.cluster import DaskExecutor, masked
from kit.grading.engine import Outcome, grade
from kit.grading.errors import GradingError
from kit.grading.nbgrader_course import NbgraderCourse
from kit.progress.cohort import load_attempts

from .helpers import jail_or_skip, nbgrader_scores
from .submissions import make_submission, sample_submissions

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

SLOW_RIGHT = (
    "import time\ntime.sleep(1)\n"
    "def count_evens(numbers):\n    return sum(1 for n in numbers if n % 2 == 0)"
)


def test_a_local_cluster_gives_the_local_pools_scores(course_copy: Path) -> None:
    jail_or_skip()
    scores = {}
    for side, scheduler in (("pool", ""), ("cluster", "local:2")):
        course = load_course(course_copy)
        nbg = NbgraderCourse(course)
        if side == "pool":
            nbg.assign("pandas-analysis")
            sample_submissions(course, nbg.submitted("pandas-analysis"))
        outcomes = grade(course, "pandas-analysis", force=True, scheduler=scheduler)
        assert {o.status for o in outcomes} == {"graded"}
        scores[side] = nbgrader_scores(nbg.db_url, course.id, "pandas-analysis")
        if side == "cluster":
            isolation = {m for o in outcomes for m in o.isolation}
            assert "jail (bubblewrap)" in isolation  # the same jail on the workers
    assert scores["cluster"] == scores["pool"]
    assert len(scores["pool"]) == 18  # 3 learners x 6 grade cells


def test_a_killed_worker_loses_nothing_and_grades_nothing_twice(tmp_path: Path) -> None:
    jail_or_skip()
    course = load_course(new_course(tmp_path / "course"))
    nbg = NbgraderCourse(course)
    nbg.assign("first-project")
    learners = [f"learner{i}" for i in range(6)]
    for learner in learners:
        make_submission(
            course,
            "first-project",
            nbg.submitted("first-project", learner),
            {"count-evens": SLOW_RIGHT},
        )
    executor = DaskExecutor("local:2")
    pids = executor._client.run(os.getpid)
    done: list[Outcome] = []

    def kill_one(outcome: Outcome) -> None:
        done.append(outcome)
        if len(done) == 1:  # the other worker is in the middle of its notebook
            os.kill(next(iter(pids.values())), signal.SIGKILL)

    try:
        outcomes = grade(course, "first-project", executor=executor, on_done=kill_one)
        assert set(executor._client.run(os.getpid).values()) != set(pids.values())  # replaced
    finally:
        executor.close()
    assert sorted(o.learner for o in outcomes) == learners  # each once
    assert all(o.status == "graded" and o.score == 3 for o in outcomes), outcomes
    scores = nbgrader_scores(nbg.db_url, course.id, "first-project")
    assert len(scores) == 2 * len(learners) and set(scores.values()) == {1.0, 2.0}
    assert sorted(o.learner for o in done) == learners  # each recorded once, as it finished
    attempts = [a for a in load_attempts(course) if a.source == "grading"]
    assert sorted(a.learner for a in attempts) == sorted(learners * 2)  # 2 graded cells each


def test_an_unreachable_scheduler_is_one_clear_message(tmp_path: Path) -> None:
    course = load_course(new_course(tmp_path / "course"))
    nbg = NbgraderCourse(course)
    nbg.assign("first-project")
    make_submission(
        course, "first-project", nbg.submitted("first-project", "ada"), {"count-evens": "x = 1"}
    )
    began = time.monotonic()
    with pytest.raises(GradingError, match=r"127\.0\.0\.1:9") as failure:
        grade(course, "first-project", scheduler="tcp://127.0.0.1:9")
    assert time.monotonic() - began < 120
    assert "dask scheduler" in failure.value.fix
    assert not nbg.autograded("first-project", "ada").exists()  # nothing graded, nothing written


def test_passwords_in_addresses_are_masked() -> None:
    assert masked("tls://kit:s3cret@grader:8786") == "tls://kit:***@grader:8786"
    assert masked("tcp://10.0.0.1:8786") == "tcp://10.0.0.1:8786"


def test_local_takes_a_number_of_workers() -> None:
    with pytest.raises(GradingError, match="local: takes a number"):
        DaskExecutor("local:many")
