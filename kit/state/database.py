"""A course's database: one SQLAlchemy URL (the attempt log's) for everything the kit keeps about
its learners, brought to the newest schema by Alembic when it is opened.

A database made before migrations existed (an ``attempts`` table made by
:class:`kit.progress.attempts.AttemptStore`, nothing else) is stamped at the first revision,
which is that table, and upgraded from there; nothing in it is lost.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from kit.databases import (
    advisory_lock_xact,
    check_reachable,
    create_engine,
    masked,
    retrying,
    sqlite_file,
)
from kit.errors import KitError

VERSION_TABLE = "kit_schema_version"
"""Alembic's version table; not ``alembic_version``, which nbgrader's gradebook uses, so the two
can share a database."""

MIGRATIONS = Path(__file__).parent / "migrations"
FIRST_REVISION = "0001"
"""The revision that is today's ``attempts`` table, where an unversioned database starts."""

_upgrading = threading.Lock()
_T = TypeVar("_T")


def as_utc(value: dt.datetime) -> dt.datetime:
    """A time read back from the database, in UTC (SQLite keeps no zone; the kit stores UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


class DatabaseError(KitError):
    """A course database that cannot be opened or upgraded."""


def _config(connection: sa.Connection | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision of the schema."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    """The database's revision (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest), stamping an unversioned one
    that holds the attempt log at the first revision; all in one transaction, which on
    PostgreSQL one process at a time runs (the others find the work done)."""
    from alembic import command

    with _upgrading, engine.begin() as connection:
        advisory_lock_xact(connection, "kit-schema-upgrade")
        tables = set(sa.inspect(connection).get_table_names())
        config = _config(connection)
        if VERSION_TABLE not in tables and "attempts" in tables:
            command.stamp(config, FIRST_REVISION)
        command.upgrade(config, revision)


class CourseDatabase:
    """The database at ``url``, upgraded to the newest schema on opening.

    Parameters
    ----------
    url:
        A SQLAlchemy URL; an SQLite file's folder is created when missing.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        file = sqlite_file(url)
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        else:
            check_reachable(self.engine, url, "the course database")
        try:
            retrying(self._upgrade)
        except sa.exc.SQLAlchemyError as exc:
            self.engine.dispose()
            raise DatabaseError(
                f"{masked(url)}: the course database cannot be opened or upgraded "
                f"({exc.__class__.__name__})",
                fix="check that the file is a database the kit made and can be written; "
                "move it aside to start a new one",
            ) from exc

    def _upgrade(self) -> None:
        if current_revision(self.engine) != head_revision():
            upgrade(self.engine)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()


class CourseRecords:
    """The base of each store: one kind of record of one course, in the course's database.

    Parameters
    ----------
    database:
        The course's database (or an engine on it, to read it as it is, not upgraded).
    course:
        The course id.
    """

    def __init__(self, database: CourseDatabase | sa.Engine, course: str) -> None:
        self.engine = database if isinstance(database, sa.Engine) else database.engine
        self.course = course

    def writing(self, unit: Callable[[sa.Connection], _T]) -> _T:
        """Run ``unit`` in one transaction and return what it returns; run it again where the
        server drops the connection (:func:`kit.databases.retrying`)."""

        def run() -> _T:
            with self.engine.begin() as connection:
                return unit(connection)

        return retrying(run)

    def reading(self, unit: Callable[[sa.Connection], _T]) -> _T:
        """Run ``unit`` on a connection and return what it returns; again where the server
        drops the connection."""

        def run() -> _T:
            with self.engine.connect() as connection:
                return unit(connection)

        return retrying(run)
