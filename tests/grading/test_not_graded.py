"""A submission whose kernel never started is "not graded": the grading machine failed, not
the learner, so nothing is scored, published or recorded as an attempt, and the next run of
`kit grade` grades it."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from kit.course import load_course
from kit.course.scaffold import new_course
from kit.grading import executor as executor_module
from kit.grading.engine import grade
from kit.grading.jobs import Job, JobResult
from kit.grading.nbgrader_course import NbgraderCourse
from kit.grading.sandbox import Limits
from kit.progress.attempts import AttemptStore
from kit.progress.cohort import default_attempts_url

from .submissions import make_submission

PROJECT = "first-project"
RIGHT = "def count_evens(numbers):\n    return sum(1 for n in numbers if n % 2 == 0)"


class NoKernels:
    """An executor on a machine where no kernel starts."""

    def __init__(self) -> None:
        self.jobs = 0

    def submit(self, job: Job) -> Future[JobResult]:
        self.jobs += 1
        done: Future[JobResult] = Future()
        done.set_result(JobResult(not_run="the kernel did not start (no such kernel)"))
        return done

    def close(self) -> None:
        pass


@pytest.mark.kernel
def test_not_graded_then_graded_by_the_next_run(tmp_path: Path) -> None:
    root = new_course(tmp_path / "course")
    course = load_course(root)
    nbg = NbgraderCourse(course)
    nbg.assign(PROJECT)
    make_submission(
        course, PROJECT, nbg.submitted(PROJECT) / "ana" / PROJECT, {"count-evens": RIGHT}
    )

    broken = NoKernels()
    (outcome,) = grade(course, PROJECT, executor=broken)
    assert broken.jobs == 1
    assert outcome.status == "not graded" and outcome.score == 0
    notes = " | ".join(outcome.notes)
    assert "the kernel did not start" in notes and "run kit grade again" in notes
    assert not nbg.autograded(PROJECT, "ana").exists()
    store = AttemptStore(default_attempts_url(course))
    try:
        assert store.query(learner="ana") == []
    finally:
        store.close()

    (again,) = grade(course, PROJECT, workers=1)  # not skipped as unchanged
    assert again.status == "graded" and again.score == 3, again
    store = AttemptStore(default_attempts_url(course))
    try:
        assert store.query(learner="ana"), "the graded cells were not recorded"
    finally:
        store.close()


class _Kernel:
    def __init__(self) -> None:
        self.stopped = 0

    def stop(self) -> None:
        self.stopped += 1


class _Kernels:
    def __init__(self) -> None:
        self.made: list[_Kernel] = []

    def _new(self, *_: Any) -> _Kernel:
        self.made.append(_Kernel())
        return self.made[-1]

    take = start = _new

    def prestart(self, *_: Any) -> None:
        pass


def _job() -> Job:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    return Job(
        files="",
        limits=Limits(memory_mb=256, cpu_seconds=10, processes=8, file_mb=1, network=False),
        timeout_cell=5,
        timeout_notebook=10,
        output_bytes=1024,
        notebook=nbformat.writes(nb),
    )


def test_a_kernel_that_never_starts_twice_runs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    kernels = _Kernels()
    tries: list[Any] = []

    def never(nb: Any, job: Job, kernel: Any) -> Any:
        tries.append(kernel)
        raise executor_module._NoStart("kernel died before replying to kernel_info")

    monkeypatch.setattr(executor_module, "worker_kernels", lambda: kernels)
    monkeypatch.setattr(executor_module, "_execute", never)
    result = executor_module.run_job(_job())
    assert result.not_run == (
        "the kernel did not start (kernel died before replying to kernel_info)"
    )
    assert result.notebook == ""
    assert len(tries) == 2 and tries[0] is not tries[1]  # once more on a new kernel
    assert all(k.stopped >= 1 for k in kernels.made)


def test_a_kernel_that_starts_the_second_time_runs_the_notebook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kernels = _Kernels()
    calls: list[Any] = []

    def second_time(nb: Any, job: Job, kernel: Any) -> Any:
        calls.append(kernel)
        if len(calls) == 1:
            raise executor_module._NoStart("template ended")
        return nb, ["ran"], ["jail"]

    monkeypatch.setattr(executor_module, "worker_kernels", lambda: kernels)
    monkeypatch.setattr(executor_module, "_execute", second_time)
    result = executor_module.run_job(_job())
    assert result.not_run == "" and result.notes == ("ran",) and result.notebook
