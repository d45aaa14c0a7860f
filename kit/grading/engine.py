"""``kit grade``: nbgrader's autograde, in parallel, sandboxed, resumable and visible.

nbgrader's own preprocessors do what decides scores, so the results are nbgrader's: the
submission is sanitized (outputs cleared, locked and test cells restored from the gradebook,
hidden tests put back, kernel spec reset, metadata checked), executed, and scored
(``SaveAutoGrades``). What changes is how it runs:

- sanitizing and execution happen in worker processes (:mod:`kit.grading.executor`), each
  on a kernel started ahead of need, inside the sandbox of :mod:`kit.grading.sandbox`, in a
  folder holding only that submission's files;
- scoring happens in this process, the only one that writes the gradebook
  (:class:`kit.grading.desk.Desk`);
- a journal (:mod:`kit.grading.journal`) records each finished submission with a digest of
  its files: a re-run grades only what is new or changed (``force`` regrades all), and a run
  killed at any point loses nothing;
- every graded cell also becomes an attempt for the progress models.
"""

from __future__ import annotations

import functools
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any

from kit.course import Course
from kit.grading import jail
from kit.grading.desk import Desk
from kit.grading.errors import GradingError
from kit.grading.executor import LocalExecutor
from kit.grading.jobs import Executor, JobResult
from kit.grading.journal import Journal, digest_of, journal_path
from kit.grading.submission import Outcome, Submission
from kit.progress.gradebook import Totals

__all__ = ["Grader", "Outcome", "grade"]


class Grader:
    """Grades one project's submissions. Use :func:`grade`.

    Parameters
    ----------
    course, project:
        The project to grade.
    workers:
        Notebooks run at once (0: course.yml's ``workers``, else one per CPU core).
    executor:
        Where notebooks run (default: a :class:`kit.grading.executor.LocalExecutor` of
        ``workers`` processes, or the Dask cluster of ``scheduler``, made for the run and
        closed after it).
    scheduler:
        A Dask scheduler's address (``tcp://host:8786``, or ``local:N``); default
        course.yml's ``grading.scheduler``; "" grades on this machine.
    """

    def __init__(
        self,
        course: Course,
        project: str,
        *,
        workers: int = 0,
        executor: Executor | None = None,
        scheduler: str | None = None,
    ) -> None:
        self.project = project
        self.desk = Desk(course, project)
        self.workers = workers or self.desk.settings.workers or os.cpu_count() or 1
        self.executor = executor
        self.scheduler = self.desk.settings.scheduler if scheduler is None else scheduler
        self.journal = Journal(journal_path(course.workspace))

    def _todo(
        self, learners: list[str] | None, force: bool
    ) -> tuple[list[Outcome], list[tuple[str, str]]]:
        """Outcomes known before grading (no submission; unchanged since graded), and the
        (learner, digest) of each submission to grade."""
        available = self.desk.learners()
        wanted = learners or available
        outcomes = [
            Outcome(x, "failed", notes=["no submission collected"])
            for x in wanted
            if x not in available
        ]
        todo = []
        for learner in [x for x in wanted if x in available]:
            digest = digest_of(self.desk.submitted(learner))
            final = self.desk.autograded(learner)
            if not force and final.is_dir() and self.journal.done(self.project, learner, digest):
                outcomes.append(self._skipped(learner))
                continue
            todo.append((learner, digest))
        return outcomes, todo

    def _skipped(self, learner: str) -> Outcome:
        """An unchanged submission, not graded again: its score as the gradebook holds it now
        (with manual grades given since), and the notes and isolation of its grading."""
        totals = Totals.of(self.desk.scores(learner))
        recorded = self.journal.recorded(self.project, learner)
        return Outcome(
            learner,
            "skipped",
            totals.score,
            totals.max_score,
            totals.awaiting_manual,
            ["unchanged since graded", *recorded.get("notes", [])],
            list(recorded.get("isolation", [])),
        )

    def run(
        self,
        learners: list[str] | None = None,
        *,
        force: bool = False,
        on_done: Callable[[Outcome], None] | None = None,
        on_start: Callable[[int], None] | None = None,
        on_note: Callable[[str], None] | None = None,
    ) -> list[Outcome]:
        """Grade the submissions of ``learners`` (default: all); ``on_start`` is told how
        many will be graded, ``on_done`` given each outcome as it comes, ``on_note`` what the
        user should know about the run as a whole (once each)."""
        outcomes, todo = self._todo(learners, force)
        if todo:
            self._check_jail(on_note)
        if on_start:
            on_start(len(todo))
        executor = self.executor or self._executor(len(todo))
        pending: dict[Future[JobResult], tuple[Submission, str]] = {}

        def finish(submission: Submission) -> None:
            outcome = submission.finish()
            if outcome.status != "not graded":  # else the next run grades it again
                self.journal.record(self.project, outcome, submission.digest)
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)

        queue = deque(todo)
        try:
            while queue or pending:
                # keep the workers busy with a couple of submissions each, not all at once
                while queue and len(pending) < 2 * self.workers:
                    submission = Submission.start(self.desk, *queue.popleft())
                    for name, job in submission.jobs.items():
                        pending[executor.submit(job)] = (submission, name)
                    if submission.done:
                        finish(submission)
                if not pending:
                    continue
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                future = next(iter(done))
                submission, name = pending.pop(future)
                submission.absorb(name, future)
                if submission.done:
                    finish(submission)
        finally:
            if self.executor is None:
                executor.close()
            self.journal.close()
            self.desk.close()
        return outcomes

    def _executor(self, jobs: int) -> Executor:
        """The executor made for this run: the Dask cluster of :attr:`scheduler`, or a pool of
        processes here."""
        if self.scheduler:
            from kit.grading.cluster import DaskExecutor

            return DaskExecutor(self.scheduler, user=self.desk.limits.user)
        return LocalExecutor(min(self.workers, max(1, jobs)))

    def _check_jail(self, on_note: Callable[[str], None] | None) -> None:
        """Say, once, that learners' code runs without a jail where this machine allows none;
        refuse to grade instead where course.yml requires the jail."""
        limits = self.desk.limits
        if self.scheduler:  # the cluster's workers check for themselves, and must jail
            return
        why = jail.available(limits.user) if limits.jail else ""
        if why and limits.require_jail:
            raise GradingError(
                f"learners' code cannot be jailed on this machine: {why}",
                fix="install bubblewrap and allow user namespaces, grade elsewhere, or set "
                "grading: require_sandbox: false in course.yml to grade with the limits alone",
            )
        if why and on_note:
            on_note(f"learners' code runs without a jail: {why}")


@functools.cache  # one listener per process
def _quick_sqlite_commits() -> None:
    """Write SQLite databases opened through SQLAlchemy (the gradebook, the attempt log) in WAL
    mode with ``synchronous=NORMAL``: a commit no longer waits for the disk (nbgrader commits
    once per grade cell), and a killed grader still leaves every committed row in place; only
    a power cut can lose the last few commits, which a re-run grades again."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        if isinstance(connection, sqlite3.Connection):
            cursor = connection.cursor()
            if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()


def grade(
    course: Course,
    project: str,
    learners: list[str] | None = None,
    *,
    workers: int = 0,
    force: bool = False,
    executor: Executor | None = None,
    scheduler: str | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> list[Outcome]:
    """Autograde ``project``'s collected submissions; see the module's description."""
    import warnings

    _quick_sqlite_commits()

    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        # nbgrader 0.9.6's gradebook adds submissions in a way SQLAlchemy 2 warns about; the
        # rows are written all the same (the parity tests compare them with nbgrader's)
        warnings.filterwarnings("ignore", message="Object of type <Submitted", category=SAWarning)
        grader = Grader(course, project, workers=workers, executor=executor, scheduler=scheduler)
        return grader.run(
            learners, force=force, on_done=on_done, on_start=on_start, on_note=on_note
        )
