"""One learner's submission through grading, and what came of it."""

from __future__ import annotations

import shutil
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.grading.desk import Desk
from kit.grading.jobs import Job, JobResult
from kit.progress.gradebook import Totals


@dataclass
class Outcome:
    """What happened to one learner's submission.

    Parameters
    ----------
    learner:
        The learner.
    status:
        ``graded``, ``failed`` (nothing could be graded), ``skipped`` (unchanged since
        graded) or ``not graded`` (a kernel could not be started: the grading machine's
        failure, so nothing was scored or recorded; the next run grades it).
    score, max_score:
        Points earned, and the most there are: every grade and task cell, autograded or
        graded by hand, as nbgrader's gradebook counts them.
    awaiting_manual:
        Of ``max_score``, the points of cells awaiting manual grading in the formgrader (task
        cells, answers without tests); what they earn is not in ``score`` yet.
    notes:
        What went wrong, notebook by notebook.
    isolation:
        The sandbox measures applied to its kernels.
    seconds:
        Time from its start to its end.
    """

    learner: str
    status: str
    score: float = 0.0
    max_score: float = 0.0
    awaiting_manual: float = 0.0
    notes: list[str] = field(default_factory=list)
    isolation: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "learner": self.learner,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "awaiting_manual": self.awaiting_manual,
            "notes": self.notes,
            "isolation": self.isolation,
            "seconds": round(self.seconds, 2),
        }


@dataclass
class Submission:
    """One learner's submission being graded: :meth:`start` stages it and makes a job of each
    gradable notebook, :meth:`absorb` takes each job's result, :meth:`finish` publishes it and
    gives its :class:`Outcome` once :attr:`done`.

    Parameters
    ----------
    desk:
        The project's grading side (gradebook, folders).
    learner:
        The learner.
    digest:
        A digest of the submitted files (for the journal).
    staging:
        The folder the autograded submission is assembled in.
    jobs:
        Notebook name -> the job that runs it.
    notes:
        What went wrong so far.
    """

    desk: Desk = field(repr=False)
    learner: str
    digest: str
    staging: Path
    jobs: dict[str, Job]
    notes: list[str]
    left: set[str] = field(default_factory=set)
    isolation: list[str] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    """Why notebooks could not be run at all (then the submission is not graded)."""
    began: float = field(default_factory=time.perf_counter)

    @classmethod
    def start(cls, desk: Desk, learner: str, digest: str) -> Submission:
        """Stage the submission, register it in the gradebook, and make its jobs; a notebook
        that cannot be read scores zero at once."""
        began = time.perf_counter()
        staging = desk.stage(learner)
        desk.register(learner)
        notes: list[str] = []
        jobs: dict[str, Job] = {}
        for name in desk.notebooks:
            path = desk.submitted(learner) / f"{name}.ipynb"
            problem = desk.unreadable(path)
            if problem:
                notes.append(f"{name}.ipynb: {problem}; its cells score 0")
                desk.zero(learner, name)
                continue
            jobs[name] = desk.job(learner, name, path, staging)
        return cls(desk, learner, digest, staging, jobs, notes, set(jobs), began=began)

    @property
    def done(self) -> bool:
        """Whether every job's result is in."""
        return not self.left

    def absorb(self, name: str, future: Future[JobResult]) -> None:
        """Take the result of notebook ``name``'s job: score it, or score it zero where it
        was refused or its worker failed."""
        import nbformat

        try:
            result = future.result()
            unusable = result.refused or result.not_run
            executed = None if unusable else nbformat.reads(result.notebook, as_version=4)
        except Exception as exc:  # a worker crashed: the notebook earns nothing
            self._zero(name, f"{name}.ipynb: grading failed ({exc}); its cells score 0")
        else:
            if result.not_run:
                self.not_run.append(f"{name}.ipynb: {result.not_run}")
            elif executed is None:  # nbgrader refuses tampered metadata, among others
                self._zero(
                    name,
                    f"{name}.ipynb could not be prepared for grading: {result.refused}; "
                    "its cells score 0",
                )
            else:
                self.notes += [f"{name}.ipynb: {n}" for n in result.notes]
                self.isolation += result.isolation
                self.desk.score(self.staging, name, executed, self.jobs[name].resources)
        self.left.discard(name)

    def _zero(self, name: str, note: str) -> None:
        self.notes.append(note)
        self.desk.zero(self.learner, name)

    def finish(self) -> Outcome:
        """Publish the autograded submission and record its graded cells as attempts; its
        outcome. Where a notebook could not be run at all, nothing is published or recorded:
        the submission is ``not graded``, and the autograded folder of an earlier grading
        stays as it was."""
        if self.not_run:
            shutil.rmtree(self.staging, ignore_errors=True)
            return Outcome(
                self.learner,
                "not graded",
                notes=[
                    *self.not_run,
                    *self.notes,
                    "nothing was scored: run kit grade again once kernels start on this machine",
                ],
                isolation=sorted(set(self.isolation)),
                seconds=time.perf_counter() - self.began,
            )
        self.desk.publish(self.learner, self.staging)
        cells = self.desk.scores(self.learner)
        self.desk.attempts(self.learner, cells)
        totals = Totals.of(cells)
        status = "failed" if self.notes and not self.jobs else "graded"
        return Outcome(
            self.learner,
            status,
            totals.score,
            totals.max_score,
            totals.awaiting_manual,
            self.notes,
            sorted(set(self.isolation)),
            time.perf_counter() - self.began,
        )
