"""A PostgreSQL server for the tests: a database of their own, or the test skipped with the reason.

``KIT_TEST_POSTGRES`` names the server (default ``postgresql://postgres@127.0.0.1:5432/test``,
a database the tests only connect to). A test session creates one uniquely named database there
and drops it at the end; each test that asks for it gets it empty. Where no server answers, the
tests skip and say so; where ``KIT_REQUIRE_POSTGRES=1`` (CI), they fail instead, so a CI run can
never pass by skipping them.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from kit.databases import create_engine, masked

ENV = "KIT_TEST_POSTGRES"
REQUIRE = "KIT_REQUIRE_POSTGRES"
DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Postgres:
    """The tests' database: its URL, and an engine on it for checks and for dropping its
    connections (:meth:`terminate`)."""

    url: str
    admin: sa.Engine
    name: str

    def terminate(self) -> int:
        """End every other connection to the tests' database (``pg_terminate_backend``), as a
        restarted server or a proxy's timeout would; returns how many were ended."""
        with self.admin.connect() as conn:
            ended = conn.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": self.name},
            ).scalar_one()
        return int(ended)

    @contextlib.contextmanager
    def dropping(self, pattern: str, times: int) -> Iterator[list[str]]:
        """While the block runs, the first ``times`` statements (of any engine in this process)
        that match the regular expression ``pattern`` lose their connection just before they
        are sent: the server ends it (``pg_terminate_backend``), as a restarted server would.
        Yields the statements that were hit."""
        from sqlalchemy import event

        hit: list[str] = []
        wanted = re.compile(pattern, re.IGNORECASE | re.DOTALL)

        def drop(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            if len(hit) >= times or not wanted.search(statement):
                return
            if conn.dialect.name != "postgresql":
                return
            pid = conn.connection.dbapi_connection.info.backend_pid
            hit.append(statement)
            with self.admin.connect() as admin:
                admin.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

        event.listen(sa.Engine, "before_cursor_execute", drop)
        try:
            yield hit
        finally:
            event.remove(sa.Engine, "before_cursor_execute", drop)

    def scalar(self, sql: str, **params: object) -> object:
        """One value the tests' database returns for ``sql``."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(sa.text(sql), params).scalar_one()
        finally:
            engine.dispose()


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason}; {REQUIRE}=1, so the PostgreSQL tests must run", pytrace=False)
    pytest.skip(reason)


def server() -> Iterator[Postgres]:
    """Create the session's database on the server of ``KIT_TEST_POSTGRES``; drop it after."""
    base = os.environ.get(ENV, "").strip() or DEFAULT
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except sa.exc.SQLAlchemyError as exc:
        admin.dispose()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        _missing(
            f"no PostgreSQL server at {masked(base)} ({masked(reason)}); set {ENV} to the URL "
            "of one whose user may create databases"
        )
    name = f"kit_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    # the kit maps the driver itself: hand it the URL as a user writes it
    url = url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        yield Postgres(url, admin, name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def emptied(pg: Postgres) -> Postgres:
    """The database with nothing in it (its public schema made anew)."""
    pg.terminate()
    engine = create_engine(pg.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return pg
