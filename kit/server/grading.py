"""Grading from the API: a project's status (submitted, graded, mean score, last run) and grading
runs started in the background, one process each (:mod:`kit.server.grading_job`), whose progress
is kept in the course's database for the panel to poll. Under a hub, a finished run's attempts
go to the kit service (:meth:`~kit.server.forwarding.Forwarder.post_attempts`)."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import sys
from collections import Counter, deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kit.course import Course
from kit.server.errors import ApiError
from kit.server.forwarding import Forwarder
from kit.state import CourseState, GradingJob

STOPPED = "the server stopped while grading; start it again"
LINE_LIMIT = 16 * 1024 * 1024
"""The longest line read from the grader (its last one lists every submission's outcome)."""


def journal_entries(course: Course, project: str) -> list[tuple[dict[str, Any], str]]:
    """The grading journal's finished submissions of ``project``: (outcome, finished at).

    Read without creating anything: a course never graded has no journal.
    """
    path = course.workspace / "grading" / "journal.sqlite"
    if not path.is_file():
        return []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute(
                "SELECT detail, finished FROM graded WHERE project = ?", (project,)
            ).fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return []
    return [(json.loads(detail), finished) for detail, finished in rows]


def submitted(course: Course, project: str) -> int:
    """How many learners' submissions of ``project`` were collected."""
    from kit.grading.nbgrader_course import NbgraderCourse

    folder = NbgraderCourse(course).submitted(project)
    if not folder.is_dir():
        return 0
    return sum(1 for p in folder.iterdir() if (p / project).is_dir())


def graded_attempts(
    state: CourseState, project: str, learners: Sequence[str]
) -> list[dict[str, Any]]:
    """The graded cells of ``project`` of ``learners`` in the course's attempt log, as
    ``POST /attempts/batch`` takes them."""
    prefix = f"{project}/"
    return [
        {
            "learner": a.learner,
            "skill": a.skill,
            "item": a.item,
            "correct": a.correct,
            "time": a.time.isoformat(),
            "source": "grading",
        }
        for a in state.attempts.query(course=state.questions.course, source="grading")
        if a.learner in learners and a.item.startswith(prefix)
    ]


def project_status(course: Course, project: str, job: GradingJob | None) -> dict[str, Any]:
    """One entry of ``GET /grading``."""
    from kit.server.views import job as job_view

    entries = journal_entries(course, project)
    graded = [outcome for outcome, _ in entries if outcome.get("status") == "graded"]
    scores = [float(o.get("score", 0.0)) for o in graded]
    last = max((finished for _, finished in entries), default=None)
    return {
        "project": project,
        "title": course.projects[project].title,
        "submitted": submitted(course, project),
        "graded": len(graded),
        "mean_score": round(sum(scores) / len(scores), 4) if scores else None,
        "max_score": course.projects[project].points,
        "last_run": last,
        "job": job_view(job) if job else None,
    }


class GradingRunner:
    """Grading processes started by this server, at most one per project.

    Parameters
    ----------
    log:
        Where a failed run is reported.
    forwarder:
        Under a hub: where each finished run's attempts are sent.
    """

    def __init__(
        self, log: logging.Logger | None = None, forwarder: Forwarder | None = None
    ) -> None:
        self.log = log or logging.getLogger(__name__)
        self.forwarder = forwarder
        self._running: dict[tuple[Path, str], asyncio.subprocess.Process] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def running(self, course: Course, project: str) -> bool:
        """Whether this server is grading ``project`` now."""
        return (course.root.resolve(), project) in self._running

    async def start(
        self,
        course: Course,
        state: CourseState,
        project: str,
        *,
        force: bool = False,
        learners: Sequence[str] = (),
    ) -> GradingJob:
        """Start grading ``project``; returns the job, running.

        Raises
        ------
        ApiError
            409 when the project is being graded already.
        """
        key = (course.root.resolve(), project)
        if key in self._running:
            raise ApiError(
                409,
                f"{project} is being graded already",
                f"poll GET /kit/api/v1/grading/{project}/job until it ends",
            )
        args = [sys.executable, "-m", "kit.server.grading_job", str(course.root), project]
        args += ["--force"] if force else []
        for learner in learners:
            args += ["--learner", learner]
        job = state.jobs.start(project)
        try:
            process = await asyncio.create_subprocess_exec(
                *args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                limit=LINE_LIMIT,
            )
        except OSError as exc:
            state.jobs.update(job.id, state="failed", message=f"cannot start the grader: {exc}")
            raise ApiError(409, f"cannot start the grader: {exc}", "see the server's log") from exc
        self._running[key] = process
        task = asyncio.create_task(self._follow(key, process, state, job.id, project))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def _follow(
        self,
        key: tuple[Path, str],
        process: asyncio.subprocess.Process,
        state: CourseState,
        job_id: int,
        project: str,
    ) -> None:
        """Read the process's events into the job until it ends (and under a hub, send the
        attempts)."""
        assert process.stdout is not None and process.stderr is not None
        errors = asyncio.ensure_future(_tail(process.stderr))
        done, end = 0, None
        try:
            async for line in process.stdout:
                event = _event(line)
                kind = event.get("event")
                if kind == "start":
                    state.jobs.update(job_id, total=int(event["total"]), message="grading")
                elif kind == "done":
                    done += 1
                    note = f"{event.get('learner')}: {event.get('status')}"
                    state.jobs.update(job_id, done=done, message=note)
                elif kind in ("end", "error"):
                    end = event
            code = await process.wait()
            ending = _ending(code, end, await errors)
            if ending["state"] == "finished" and self.forwarder is not None and end is not None:
                sent = await self._publish(state, project, end.get("outcomes", []))
                ending = {**sent, "message": f"{ending['message']}; {sent['message']}"}
            state.jobs.update(job_id, **ending)
        except asyncio.CancelledError:
            state.jobs.update(job_id, state="failed", message=STOPPED)
            raise
        finally:
            self._running.pop(key, None)

    async def _publish(
        self, state: CourseState, project: str, outcomes: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Send the grading attempts of ``project`` of every learner not failed in this run to
        the kit service (each learner's replace the ones it had: sending them again is safe);
        the job's ending message, amended."""
        assert self.forwarder is not None
        course = state.questions.course
        learners = sorted({str(o["learner"]) for o in outcomes if o.get("status") != "failed"})
        rows = graded_attempts(state, project, learners)
        try:
            sent = await self.forwarder.post_attempts(course, project, learners, rows)
        except ApiError as exc:
            self.log.warning(
                "Mentor Kit: %s's attempts did not reach the kit service: %s", project, exc.message
            )
            return {
                "state": "failed",
                "message": f"the attempts did not reach the kit service ({exc.message}); "
                "grade again to send them",
            }
        return {
            "state": "finished",
            "message": f"{sent} attempts of {len(learners)} learners sent to the kit service",
        }

    async def close(self) -> None:
        """Stop every grading process (their jobs fail, saying so)."""
        for process in list(self._running.values()):
            if process.returncode is None:
                process.terminate()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def _tail(stream: asyncio.StreamReader, keep: int = 20) -> str:
    """The last ``keep`` lines of a stream, read to its end (a grader's log can be long)."""
    lines: deque[bytes] = deque(maxlen=keep)
    try:
        async for line in stream:
            lines.append(line)
    except ValueError:  # a line over the limit: what came before it says enough
        pass
    return b"".join(lines).decode(errors="replace")


def _event(line: bytes) -> dict[str, Any]:
    """A line of the grading process's output as an event ({} for any other output)."""
    try:
        event = json.loads(line)
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


def _ending(code: int, end: dict[str, Any] | None, stderr: str) -> dict[str, Any]:
    """How a finished grading process's job ends."""
    if code == 0 and end is not None and end.get("event") == "end":
        outcomes = end.get("outcomes", [])
        count = Counter(o.get("status") for o in outcomes)
        message = (
            f"graded {count['graded']}, failed {count['failed']}, unchanged {count['skipped']}"
        )
        if count["not graded"]:
            message += f", not graded {count['not graded']} (a kernel did not start: grade again)"
        return {"state": "finished", "message": message}
    if end is not None and end.get("event") == "error":
        fix = f" ({end['fix']})" if end.get("fix") else ""
        return {"state": "failed", "message": f"{end.get('error', '')}{fix}"}
    last = stderr.strip().splitlines()[-1:] or [f"exit code {code}"]
    return {"state": "failed", "message": f"the grader stopped: {last[0]}"}
