"""``kit grade``: nbgrader's autograde, in parallel, sandboxed, resumable and visible.

nbgrader's own preprocessors do what decides scores, so the results are nbgrader's: the
submission is sanitized (outputs cleared, locked and test cells restored from the gradebook,
hidden tests put back, kernel spec reset, metadata checked), executed, and scored
(``SaveAutoGrades``). What changes is how it runs:

- sanitizing and scoring happen in this process, the only one that touches the gradebook;
- execution happens in worker processes, each on a kernel started ahead of need, inside the
  sandbox of :mod:`kit.grading.sandbox`, in a folder holding only that submission's files;
- a journal records each finished submission with a digest of its files: a re-run grades only
  what is new or changed (``force`` regrades all), and a run killed at any point loses nothing;
- every graded cell also becomes an attempt for the progress models.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.course import Course
from kit.grading.executor import Executor, local_executor, nbgrader_steps, run_job
from kit.grading.nbgrader_course import NbgraderCourse


@dataclass
class Outcome:
    """What happened to one learner's submission."""

    learner: str
    status: str  # graded, failed, skipped
    score: float = 0.0
    max_score: float = 0.0
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
            "notes": self.notes,
            "isolation": self.isolation,
            "seconds": round(self.seconds, 2),
        }


class _Refused(Exception):
    """nbgrader's sanitizing refused a notebook."""


class Journal:
    """Finished submissions, kept in an SQLite file: committed only once a submission's grades
    and autograded notebooks are written, so a killed run leaves no false entries."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS graded (project TEXT, learner TEXT, digest TEXT, "
            "status TEXT, detail TEXT, finished TEXT, PRIMARY KEY (project, learner))"
        )
        self.db.commit()

    def done(self, project: str, learner: str, digest: str) -> bool:
        row = self.db.execute(
            "SELECT digest FROM graded WHERE project = ? AND learner = ?", (project, learner)
        ).fetchone()
        return row is not None and row[0] == digest

    def record(self, project: str, outcome: Outcome, digest: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO graded VALUES (?, ?, ?, ?, ?, ?)",
            (
                project,
                outcome.learner,
                digest,
                outcome.status,
                json.dumps(outcome.to_dict()),
                dt.datetime.now(dt.timezone.utc).isoformat(),
            ),
        )
        self.db.commit()

    def close(self) -> None:
        self.db.close()


def digest_of(folder: Path) -> str:
    """A digest of every file in ``folder`` (names and contents)."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


IGNORE = (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback")
"""Files nbgrader leaves out of the autograded folder."""

WRITE = ("SaveAutoGrades", "AssignLatePenalties")
"""nbgrader's steps that write the gradebook: they run here, the one writer. The others
(:data:`kit.grading.executor.BEFORE` and ``AFTER``) only read it and run in the workers."""


class Grader:
    """Grades one project's submissions. Use :func:`grade`."""

    def __init__(
        self, course: Course, project: str, *, workers: int = 0, executor: Executor | None = None
    ) -> None:
        from nbgrader.api import Gradebook

        self.course = course
        self.project = project
        self.nbg = NbgraderCourse(course)
        self.nbg.project(project)
        self.settings = course.manifest.grading
        self.config = self.nbg.config()
        self.nbg.prepare()
        with Gradebook(self.nbg.db_url, course.id) as gb:
            names = (
                [nb.name for nb in gb.find_assignment(project).notebooks] if self._known(gb) else []
            )
        if not names:
            self.nbg.assign(project)  # puts the source cells (and hidden tests) in the gradebook
            with Gradebook(self.nbg.db_url, course.id) as gb:
                names = [nb.name for nb in gb.find_assignment(project).notebooks]
        self.notebooks = names
        cpu = os.cpu_count() or 1
        self.workers = workers or self.settings.workers or cpu
        self.executor = executor
        self.journal = Journal(course.root / "_kit" / "grading" / "journal.sqlite")
        self._skills: dict[tuple[str, str, str], str] | None = None
        self._store: Any = None
        self.limits = {
            "memory_mb": self.settings.memory_mb,
            "cpu_seconds": self.settings.cpu_seconds,
            "processes": self.settings.processes,
            "file_mb": self.settings.file_mb,
            "network": self.settings.network,
            "hide": [str(course.root.resolve())],
            "preload": self._preload(),
        }

    def _preload(self) -> list[str] | None:
        """What the kernel template imports (None: no template)."""
        from kit.grading.zygote import imports_of

        if not self.settings.fork_kernels:
            return None
        if self.settings.preload is not None:
            return list(self.settings.preload)
        return imports_of(sorted(self.course.project_dir(self.project).glob("*.ipynb")))

    def _known(self, gb: Any) -> bool:
        from nbgrader.api import MissingEntry

        try:
            return bool(gb.find_assignment(self.project).notebooks)
        except MissingEntry:
            return False

    def learners(self) -> list[str]:
        """Learners with a submission of this project."""
        folder = self.nbg.submitted(self.project)
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if (p / self.project).is_dir())

    # -- one submission, gradebook side ---------------------------------------------------------
    def _begin(self, learner: str) -> tuple[Path, dict[str, Any], list[str]]:
        """Register the submission and lay out its autograded folder.

        Returns the staging folder, the notebooks to run (name -> (path, resources)), and notes
        on notebooks that could not be graded (scored zero here)."""
        from nbgrader.api import Gradebook
        from nbgrader.coursedir import CourseDirectory

        submitted = self.nbg.submitted(self.project, learner)
        staging = self.nbg.root / "autograded" / learner / f".{self.project}.staging"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(submitted, staging, symlinks=False, ignore=shutil.ignore_patterns(*IGNORE))
        source = self.nbg.root / "source" / self.project
        for path in source.rglob("*"):  # instructors' files win over learners' (as nbgrader)
            ignored = any(path.match(pattern) for pattern in IGNORE) or any(
                part in IGNORE for part in path.relative_to(source).parts
            )
            if path.is_file() and path.suffix != ".ipynb" and not ignored:
                target = staging / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
        timestamp = CourseDirectory(config=self.config).get_existing_timestamp(str(submitted))
        notes: list[str] = []
        jobs: dict[str, tuple[Any, dict[str, Any]]] = {}
        with Gradebook(self.nbg.db_url, self.course.id) as gb:
            gb.update_or_create_student(learner)
            if timestamp:
                gb.update_or_create_submission(self.project, learner, timestamp=timestamp)
            else:
                gb.update_or_create_submission(self.project, learner)
        for name in self.notebooks:
            path = submitted / f"{name}.ipynb"
            problem = self._readable(path)
            if problem:
                notes.append(f"{name}.ipynb: {problem}; its cells score 0")
                self._zero(learner, name)
                continue
            jobs[name] = (path, self._resources(learner, name))
        return staging, jobs, notes

    @staticmethod
    def _readable(path: Path) -> str:
        from kit.course.notebooks import read_notebook

        if not path.exists():
            return "not submitted"
        result = read_notebook(path)
        return result.problem.message if result.problem else ""

    def _resources(self, learner: str, name: str) -> dict[str, Any]:
        return {
            "unique_key": name,
            "output_files_dir": f"{name}_files",
            "nbgrader": {
                "student": learner,
                "assignment": self.project,
                "notebook": name,
                "db_url": self.nbg.db_url,
                "course_id": self.course.id,
            },
        }

    def _zero(self, learner: str, name: str) -> None:
        from nbgrader.api import Gradebook

        with Gradebook(self.nbg.db_url, self.course.id) as gb:
            notebook = gb.find_submission_notebook(name, self.project, learner)
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
            gb.db.commit()

    def _finish(
        self, learner: str, staging: Path, name: str, executed: Any, resources: dict[str, Any]
    ) -> None:
        """Score an executed notebook (nbgrader's preprocessors) and write it out."""
        import nbformat

        nb, _ = nbgrader_steps(WRITE, executed, resources, self.config)
        target = staging / f"{name}.ipynb"
        nbformat.write(nb, target)

    def _publish(self, learner: str, staging: Path) -> Path:
        final = self.nbg.autograded(self.project, learner)
        old = final.with_name(f".{self.project}.old")
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        return final

    def _scores(self, learner: str) -> tuple[float, float, list[tuple[str, str, float, float]]]:
        from nbgrader.api import Gradebook

        cells = []
        with Gradebook(self.nbg.db_url, self.course.id) as gb:
            submission = gb.find_submission(self.project, learner)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    cells.append(
                        (notebook.name, grade.cell.name, grade.score or 0.0, grade.max_score or 0.0)
                    )
            return float(submission.score), float(submission.max_score), cells

    def _attempts(self, learner: str, cells: list[tuple[str, str, float, float]]) -> None:
        from kit.progress.attempts import Attempt, AttemptStore
        from kit.progress.cohort import default_attempts_url
        from kit.progress.gradebook import grade_cell_skills

        if self._skills is None:
            self._skills = grade_cell_skills(self.course)
        skills = self._skills
        now = dt.datetime.now(dt.timezone.utc)
        rows = [
            Attempt(
                learner,
                skills[(self.project, nb, cell)],
                f"{self.project}/{cell}",
                min(1.0, max(0.0, score / top)),
                now,
                "grading",
                self.course.id,
            )
            for nb, cell, score, top in cells
            if top and (self.project, nb, cell) in skills
        ]
        if self._store is None:
            self._store = AttemptStore(default_attempts_url(self.course))
        self._store.replace(learner, f"{self.project}/", "grading", rows, course=self.course.id)

    # -- the run -------------------------------------------------------------------------------
    def run(
        self,
        learners: list[str] | None = None,
        *,
        force: bool = False,
        on_done: Callable[[Outcome], None] | None = None,
        on_start: Callable[[int], None] | None = None,
    ) -> list[Outcome]:
        """Grade the submissions of ``learners`` (default: all)."""
        import nbformat

        available = self.learners()
        wanted = learners or available
        missing = [x for x in wanted if x not in available]
        outcomes: list[Outcome] = [
            Outcome(x, "failed", notes=["no submission collected"]) for x in missing
        ]
        todo = []
        for learner in [x for x in wanted if x in available]:
            digest = digest_of(self.nbg.submitted(self.project, learner))
            final = self.nbg.autograded(self.project, learner)
            if not force and final.is_dir() and self.journal.done(self.project, learner, digest):
                outcomes.append(Outcome(learner, "skipped", notes=["unchanged since graded"]))
                continue
            todo.append((learner, digest))
        if on_start:
            on_start(len(todo))
        executor = self.executor or local_executor(min(self.workers, max(1, len(todo))))
        try:
            pending: dict[Future[dict[str, Any]], tuple[str, str]] = {}
            state: dict[str, dict[str, Any]] = {}

            def start(learner: str, digest: str) -> None:
                began = time.perf_counter()
                staging, jobs, notes = self._begin(learner)
                state[learner] = {
                    "staging": staging,
                    "left": set(jobs),
                    "notes": notes,
                    "isolation": [],
                    "began": began,
                    "digest": digest,
                    "jobs": jobs,
                }
                for name, (path, resources) in jobs.items():
                    job = {
                        "path": str(path),
                        "resources": resources,
                        "config": self.config,
                        "files": str(staging),
                        "limits": self.limits,
                        "timeout_cell": self.settings.timeout_cell,
                        "timeout_notebook": self.settings.timeout_notebook,
                        "output_bytes": self.settings.output_kb * 1024,
                    }
                    pending[executor.submit(run_job, job)] = (learner, name)
                if not jobs:
                    complete(learner)

            def complete(learner: str) -> None:
                info = state.pop(learner)
                self._publish(learner, info["staging"])
                score, top, cells = self._scores(learner)
                self._attempts(learner, cells)
                status = "failed" if info["notes"] and not info["jobs"] else "graded"
                outcome = Outcome(
                    learner,
                    status,
                    score,
                    top,
                    info["notes"],
                    sorted(set(info["isolation"])),
                    time.perf_counter() - info["began"],
                )
                self.journal.record(self.project, outcome, info["digest"])
                outcomes.append(outcome)
                if on_done:
                    on_done(outcome)

            queue = list(todo)
            # keep the workers busy with a couple of submissions each, not all at once
            while queue or pending:
                while queue and len(pending) < 2 * self.workers:
                    start(*queue.pop(0))
                if not pending:
                    continue
                future = next(iter(_first_done(pending)))
                learner, name = pending.pop(future)
                info = state[learner]
                _, resources = info["jobs"][name]
                try:
                    result = future.result()
                    if result.get("refused"):
                        raise _Refused(result["refused"])
                    executed = nbformat.reads(result["notebook"], as_version=4)
                    info["notes"] += [f"{name}.ipynb: {n}" for n in result["notes"]]
                    info["isolation"] += result["isolation"]
                except _Refused as exc:  # nbgrader refuses tampered metadata, among others
                    info["notes"].append(
                        f"{name}.ipynb could not be prepared for grading: {exc}; its cells score 0"
                    )
                    self._zero(learner, name)
                    executed = None
                except Exception as exc:  # a worker crashed: the notebook earns nothing
                    info["notes"].append(f"{name}.ipynb: grading failed ({exc}); its cells score 0")
                    self._zero(learner, name)
                    executed = None
                if executed is not None:
                    self._finish(learner, info["staging"], name, executed, resources)
                info["left"].discard(name)
                if not info["left"]:
                    complete(learner)
        finally:
            if self.executor is None:
                executor.shutdown(wait=True, cancel_futures=True)
            self.journal.close()
            if self._store is not None:
                self._store.close()
        return outcomes


def _first_done(pending: dict[Future[dict[str, Any]], Any]) -> set[Future[dict[str, Any]]]:
    from concurrent.futures import FIRST_COMPLETED, wait

    done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    return done


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
    on_done: Callable[[Outcome], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Autograde ``project``'s collected submissions; see the module's description."""
    import warnings

    _quick_sqlite_commits()

    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        # nbgrader 0.9.6's gradebook adds submissions in a way SQLAlchemy 2 warns about; the
        # rows are written all the same (the parity tests compare them with nbgrader's)
        warnings.filterwarnings("ignore", message="Object of type <Submitted", category=SAWarning)
        grader = Grader(course, project, workers=workers, executor=executor)
        return grader.run(learners, force=force, on_done=on_done, on_start=on_start)
