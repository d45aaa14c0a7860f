"""Grading jobs started from the API: which project, how far, how it ended."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from kit.progress.attempts import utcnow
from kit.state.database import CourseRecords, as_utc
from kit.state.schema import grading_jobs


@dataclass(frozen=True)
class GradingJob:
    """One run of the grader on one project."""

    id: int
    project: str
    state: str
    """``running``, ``finished`` or ``failed``."""
    done: int
    total: int | None
    message: str
    started: dt.datetime
    finished: dt.datetime | None


class JobStore(CourseRecords):
    """The grading jobs of one course."""

    def start(self, project: str) -> GradingJob:
        """Record a job that starts now."""
        values = {
            "course": self.course,
            "project": project,
            "state": "running",
            "done": 0,
            "total": None,
            "message": "starting",
            "started": utcnow(),
        }
        key = self.writing(
            lambda conn: conn.execute(grading_jobs.insert().values(**values)).inserted_primary_key
        )
        assert key is not None
        job = self.get(int(key[0]))
        assert job is not None
        return job

    def update(
        self,
        job_id: int,
        *,
        done: int | None = None,
        total: int | None = None,
        message: str | None = None,
        state: str | None = None,
    ) -> None:
        """Change what is given; a job that is no longer running gets its end time."""
        values: dict[str, object] = {
            k: v
            for k, v in {"done": done, "total": total, "message": message, "state": state}.items()
            if v is not None
        }
        if state is not None and state != "running":
            values["finished"] = utcnow()
        self.writing(
            lambda conn: conn.execute(
                grading_jobs.update().where(grading_jobs.c.id == job_id).values(**values)
            )
        )

    def get(self, job_id: int) -> GradingJob | None:
        """One job."""
        found = self._select(grading_jobs.c.id == job_id)
        return found[0] if found else None

    def latest(self, project: str) -> GradingJob | None:
        """The project's newest job."""
        found = self._select(grading_jobs.c.project == project)
        return found[-1] if found else None

    def abandon_running(self, message: str) -> int:
        """Mark every job still ``running`` as failed (its server stopped); returns how many."""
        j = grading_jobs.c
        return int(
            self.writing(
                lambda conn: (
                    conn.execute(
                        grading_jobs.update()
                        .where(j.course == self.course, j.state == "running")
                        .values(state="failed", message=message, finished=utcnow())
                    ).rowcount
                )
            )
        )

    def _select(self, *where: sa.ColumnElement[bool]) -> list[GradingJob]:
        j = grading_jobs.c
        stmt = sa.select(grading_jobs).where(j.course == self.course, *where).order_by(j.id)
        rows = self.reading(lambda conn: list(conn.execute(stmt).mappings()))
        return [
            GradingJob(
                r["id"],
                r["project"],
                r["state"],
                r["done"],
                r["total"],
                r["message"],
                as_utc(r["started"]),
                as_utc(r["finished"]) if r["finished"] else None,
            )
            for r in rows
        ]
