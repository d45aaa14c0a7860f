"""The attempt log: one row per answer to something that measures a skill.

Self-checks in lessons, placement checks and graded project cells all write the same record,
so the progress models, the path planner and the instructor's reports read one history.
The store is any SQLAlchemy database URL; a learner's own log is an SQLite file.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.databases import (
    advisory_lock_xact,
    check_reachable,
    create_engine,
    retrying,
    sqlite_file,
)

__all__ = ["Attempt", "AttemptStore", "StoreRecovered", "set_aside", "sqlite_file", "utcnow"]


def utcnow() -> dt.datetime:
    """Now, in UTC, to the microsecond."""
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class Attempt:
    """One answer by one learner to one item that measures one skill.

    Attributes
    ----------
    learner:
        Learner id (the JupyterHub user name, or nbgrader's student id).
    skill:
        Skill id from course.yml.
    item:
        What was answered: a self-check id, or a graded cell as ``<project>/<grade_id>``
        (nbgrader's grade ids are unique only within one assignment).
    correct:
        1.0 right, 0.0 wrong; partial credit in between (points earned / points possible).
    time:
        When, in UTC.
    source:
        Where it came from: ``self-check``, ``placement``, ``grading`` or ``import``.
    course:
        Course id.
    """

    learner: str
    skill: str
    item: str
    correct: float
    time: dt.datetime = field(default_factory=utcnow)
    source: str = "self-check"
    course: str = ""

    def __post_init__(self) -> None:
        # NaN fails the comparison too
        if not (isinstance(self.correct, int | float) and 0.0 <= self.correct <= 1.0):
            raise ValueError(f"correct must be a number from 0 to 1, not {self.correct!r}")
        for name in ("learner", "skill", "item"):
            if not getattr(self, name):
                raise ValueError(f"{name} must not be empty")
        if self.time.tzinfo is None:
            object.__setattr__(self, "time", self.time.replace(tzinfo=dt.timezone.utc))


def set_aside(path: Path) -> Path:
    """Rename a damaged file to ``<name>.corrupt-<UTC time>`` beside it; returns the new path."""
    aside = path.with_name(f"{path.name}.corrupt-{utcnow().strftime('%Y%m%dT%H%M%S%fZ')}")
    path.replace(aside)
    return aside


class StoreRecovered(UserWarning):
    """A corrupt attempt file was set aside and a new one started."""


class AttemptStore:
    """Attempts in a database: SQLite by default, any SQLAlchemy URL for a shared store.

    Parameters
    ----------
    url:
        A SQLAlchemy database URL, e.g. ``sqlite:////home/ada/attempts.sqlite`` or
        ``postgresql://USER@HOST/NAME`` (psycopg 3). An SQLite file's folder is created when
        missing; a server that cannot be reached is a
        :class:`kit.databases.DatabaseUnreachable`, before anything is written.

    Each method is one transaction, run again where the server drops its connection
    (:func:`kit.databases.retrying`); several processes may write one store at once.
    """

    def __init__(self, url: str) -> None:
        import sqlalchemy as sa

        self.url = url
        self.engine = create_engine(url)
        file = sqlite_file(url)
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        else:
            check_reachable(self.engine, url, "the attempt log")
        self._metadata = sa.MetaData()
        self.table = sa.Table(
            "attempts",
            self._metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("course", sa.String(128), nullable=False, default=""),
            sa.Column("learner", sa.String(256), nullable=False, index=True),
            sa.Column("skill", sa.String(128), nullable=False, index=True),
            sa.Column("item", sa.String(256), nullable=False),
            sa.Column("correct", sa.Float, nullable=False),
            sa.Column("time", sa.DateTime(timezone=True), nullable=False),
            sa.Column("source", sa.String(32), nullable=False),
        )
        retrying(self._create)

    def _create(self) -> None:
        """Create the table where it is missing (one process at a time on a server)."""
        with self.engine.begin() as conn:
            advisory_lock_xact(conn, "kit-attempts-create")
            self._metadata.create_all(conn)

    @classmethod
    def open_file(cls, path: str | Path) -> AttemptStore:
        """Open (or create) an SQLite attempt file, surviving a corrupt one.

        A file that is not a readable database is renamed ``<name>.corrupt-<UTC time>`` and a
        new, empty store is started; a :class:`StoreRecovered` warning says where the old
        file went. Nothing else is touched.
        """
        import sqlalchemy as sa

        path = Path(path)
        try:
            store = cls(f"sqlite:///{path}")
            with store.engine.connect() as conn:
                conn.execute(sa.select(sa.func.count()).select_from(store.table)).scalar_one()
                if conn.execute(sa.text("PRAGMA quick_check")).scalar_one() != "ok":
                    raise sa.exc.DatabaseError("quick_check", None, Exception("corrupt"))
            return store
        except sa.exc.DatabaseError:
            aside = set_aside(path)
            warnings.warn(
                f"the attempt log {path} was damaged and has been set aside as {aside.name}; "
                "a new log was started (your profile and other files are untouched)",
                StoreRecovered,
                stacklevel=2,
            )
            return cls(f"sqlite:///{path}")

    def add(self, attempts: Attempt | Iterable[Attempt]) -> int:
        """Append attempts in one transaction; returns how many were written."""
        rows = [attempts] if isinstance(attempts, Attempt) else list(attempts)
        if not rows:
            return 0
        values = [self._row(a) for a in rows]

        def insert() -> None:
            with self.engine.begin() as conn:
                conn.execute(self.table.insert(), values)

        retrying(insert)
        return len(rows)

    def query(
        self,
        *,
        course: str | None = None,
        learner: str | None = None,
        skills: Sequence[str] | None = None,
        source: str | None = None,
    ) -> list[Attempt]:
        """Attempts matching every filter given, oldest first."""
        import sqlalchemy as sa

        t = self.table
        stmt = sa.select(t).order_by(t.c.time, t.c.id)
        if course is not None:
            stmt = stmt.where(t.c.course == course)
        if learner is not None:
            stmt = stmt.where(t.c.learner == learner)
        if skills is not None:
            stmt = stmt.where(t.c.skill.in_(list(skills)))
        if source is not None:
            stmt = stmt.where(t.c.source == source)

        def read() -> list[Attempt]:
            with self.engine.connect() as conn:
                return [_attempt(row) for row in conn.execute(stmt).mappings()]

        return retrying(read)

    def replace(
        self,
        learner: str,
        item_prefix: str,
        source: str,
        attempts: Iterable[Attempt],
        *,
        course: str = "",
    ) -> int:
        """Swap a learner's attempts whose item starts with ``item_prefix`` (from ``source``)
        for ``attempts``, in one transaction: regrading a project replaces its grades.

        Two processes replacing the same attempts at once (two graders of one project) take
        turns, so the store ends with one set of them, never both."""
        import sqlalchemy as sa

        values = [self._row(a) for a in attempts]
        t = self.table

        def swap() -> None:
            with self.engine.begin() as conn:
                advisory_lock_xact(conn, "kit-attempts", course, learner, source, item_prefix)
                conn.execute(
                    sa.delete(t).where(
                        t.c.learner == learner,
                        t.c.course == course,
                        t.c.source == source,
                        t.c.item.startswith(item_prefix, autoescape=True),
                    )
                )
                if values:
                    conn.execute(t.insert(), values)

        retrying(swap)
        return len(values)

    @staticmethod
    def _row(a: Attempt) -> dict[str, Any]:
        return {
            "course": a.course,
            "learner": a.learner,
            "skill": a.skill,
            "item": a.item,
            "correct": float(a.correct),
            "time": a.time.astimezone(dt.timezone.utc),
            "source": a.source,
        }

    def count(self) -> int:
        """Number of attempts stored."""
        import sqlalchemy as sa

        def read() -> int:
            with self.engine.connect() as conn:
                return int(
                    conn.execute(sa.select(sa.func.count()).select_from(self.table)).scalar_one()
                )

        return retrying(read)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def _attempt(row: Any) -> Attempt:
    time = row["time"]
    if time.tzinfo is None:  # SQLite keeps no zone; we always store UTC
        time = time.replace(tzinfo=dt.timezone.utc)
    return Attempt(
        learner=row["learner"],
        skill=row["skill"],
        item=row["item"],
        correct=row["correct"],
        time=time,
        source=row["source"],
        course=row["course"],
    )
