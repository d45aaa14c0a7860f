"""Database URLs: the one place where a URL the user gave becomes a SQLAlchemy engine.

The kit keeps three databases, each named by a SQLAlchemy URL: the attempt log and the course
database (one URL, course.yml's ``database:``), and nbgrader's gradebook (``grading:
gradebook:``). Each is an SQLite file by default; a ``postgresql://`` URL puts it on a
PostgreSQL server, reached through psycopg 3. What this module settles for all of them:

- :func:`driver_url`: ``postgresql://`` (and ``postgres://``) mean psycopg 3, whoever opens the
  URL (the kit, or nbgrader with the URL the kit hands it);
- :func:`create_engine`: an engine that tests a pooled connection before it uses it (a server
  restarted, a connection dropped by a proxy) and gives up connecting after a few seconds;
- :func:`check_reachable`: one clear :class:`DatabaseUnreachable` naming the URL, its password
  masked (:func:`masked`), before anything is written; never a silent fall-back to SQLite;
- :func:`retrying`: a unit of work run again, with back-off, when its connection was dropped;
- :func:`advisory_lock`: one writer at a time for one key (a learner's submission), across
  processes and machines: a PostgreSQL advisory lock, or a lock file beside an SQLite file.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kit.errors import KitError

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = [
    "DATABASE_ENV",
    "GRADEBOOK_ENV",
    "DatabaseUnreachable",
    "advisory_lock",
    "advisory_lock_xact",
    "check_reachable",
    "create_engine",
    "driver_url",
    "is_disconnect",
    "is_postgres",
    "masked",
    "retrying",
    "sqlite_file",
    "without_password",
]

DATABASE_ENV = "KIT_DATABASE_URL"
"""Environment variable that overrides course.yml's ``database:`` (keeps a password out of it)."""
GRADEBOOK_ENV = "KIT_GRADEBOOK_URL"
"""Environment variable that overrides course.yml's ``grading: gradebook:``."""

CONNECT_SECONDS = 5
"""How long one attempt to reach a database server may take."""
SQLITE_BUSY_SECONDS = 30
"""How long a writer of an SQLite file waits for another one to finish (SQLite's default: 5)."""
RETRIES = 6
"""Tries of one unit of work whose connection is dropped (the first included)."""
BACKOFF_SECONDS = 0.25
"""The wait after the first dropped try; it doubles after each one (0.25 s ... 4 s)."""

_PSYCOPG = "postgresql+psycopg"
_T = TypeVar("_T")


class DatabaseUnreachable(KitError):
    """A database URL that cannot be parsed or whose server cannot be reached."""


def masked(address: str) -> str:
    """An address with any password in it replaced by ``***``."""
    return re.sub(r"([^:/@\s'\"]+:)[^@/\s'\"]+@", r"\1***@", address)


def sqlite_file(url: str) -> Path | None:
    """The file of an ``sqlite:///`` URL (None for other databases and in-memory SQLite)."""
    prefix = "sqlite:///"
    return Path(url.removeprefix(prefix)) if url.startswith(prefix) and url != prefix else None


def is_postgres(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL database (with any driver)."""
    scheme = url.split(":", 1)[0]
    return scheme in ("postgres", "postgresql") or scheme.startswith("postgresql+")


def without_password(url: str) -> str:
    """``url`` with its password left out (for a file others read: the server's client then
    takes the password from ``~/.pgpass`` or ``PGPASSWORD``); any other URL unchanged."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    who, _, where = rest.partition("@")
    return f"{scheme}://{who.split(':', 1)[0]}@{where}"


def driver_url(url: str) -> str:
    """``url`` with PostgreSQL's driver made psycopg 3 (``postgresql+psycopg://``) where it
    names none; any other URL unchanged."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme in ("postgres", "postgresql"):
        return f"{_PSYCOPG}://{rest}"
    return url


def create_engine(url: str, **options: Any) -> sa.Engine:
    """A SQLAlchemy engine for ``url`` (:func:`driver_url`): on a server, pooled connections are
    tested before use (``pool_pre_ping``) and connecting gives up after
    :data:`CONNECT_SECONDS`; on SQLite a writer waits up to :data:`SQLITE_BUSY_SECONDS` for
    another. A URL SQLAlchemy cannot read is a :class:`DatabaseUnreachable`."""
    import sqlalchemy as sa

    target = driver_url(url)
    connect_args = dict(options.pop("connect_args", {}))
    if target.startswith("sqlite"):
        # writers take turns on an SQLite file: wait for the others rather than fail at once
        connect_args.setdefault("timeout", SQLITE_BUSY_SECONDS)
    else:
        options.setdefault("pool_pre_ping", True)
    if target.startswith(_PSYCOPG):
        connect_args.setdefault("connect_timeout", CONNECT_SECONDS)
    options["connect_args"] = connect_args
    try:
        return sa.create_engine(target, **options)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ValueError) as exc:
        raise DatabaseUnreachable(
            f"{masked(url)} is not a database URL the kit can open ({masked(str(exc))})",
            fix="write sqlite:////path/to/file.sqlite or postgresql://USER:PASSWORD@HOST:5432/NAME",
        ) from exc


def _reason(exc: BaseException) -> str:
    """The first line of what the driver said, with any password masked."""
    inner = getattr(exc, "orig", None) or exc
    lines = str(inner).strip().splitlines()
    return masked(lines[0] if lines else exc.__class__.__name__)


def check_reachable(engine: sa.Engine, url: str, what: str) -> None:
    """Connect once to ``engine``'s database; a :class:`DatabaseUnreachable` naming ``what``
    and the masked ``url`` where that fails. Nothing is written."""
    import sqlalchemy as sa

    try:
        with engine.connect():
            pass
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseUnreachable(
            f"{what} at {masked(url)} cannot be reached ({_reason(exc)})",
            fix="start the database server or correct the URL (course.yml, or the "
            f"{DATABASE_ENV} / {GRADEBOOK_ENV} environment variables); the kit never falls "
            "back to another database",
        ) from exc


def is_disconnect(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from, such as nbgrader's
    ``InvalidEntry`` around SQLAlchemy's error) is a database connection that was lost."""
    import sqlalchemy as sa

    try:
        import psycopg

        lost: tuple[type[BaseException], ...] = (
            psycopg.OperationalError,  # the server went away (or shut the session down)
            psycopg.InterfaceError,  # the connection was already closed
        )
    except ImportError:  # pragma: no cover - psycopg is a dependency
        lost = ()
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa.exc.DBAPIError) and current.connection_invalidated:
            return True
        if lost and isinstance(current, lost):
            return True
        current = current.__cause__ or current.__context__
    return False


def retrying(
    unit: Callable[[], _T],
    *,
    tries: int = RETRIES,
    backoff: float = BACKOFF_SECONDS,
    on_retry: Callable[[int, BaseException], None] | None = None,
) -> _T:
    """Run ``unit`` (one transaction's worth of work, safe to run again) and return what it
    returns; where its database connection is dropped (:func:`is_disconnect`), wait and run it
    again, up to ``tries`` times in all, the wait doubling from ``backoff`` seconds. Any other
    error, and the last drop, propagate."""
    for attempt in range(1, tries + 1):
        try:
            return unit()
        except Exception as exc:
            if attempt == tries or not is_disconnect(exc):
                raise
            if on_retry:
                on_retry(attempt, exc)
            time.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover


def lock_key(*parts: str) -> int:
    """A signed 64-bit key for PostgreSQL's advisory locks, the same in every process."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def advisory_lock_xact(connection: sa.Connection, *key: str) -> None:
    """On PostgreSQL, wait for the lock named ``key`` and hold it until ``connection``'s
    transaction ends (``pg_advisory_xact_lock``); elsewhere nothing (SQLite lets one writer in
    at a time anyway)."""
    import sqlalchemy as sa

    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(*key)})


_lock_engines: dict[str, sa.Engine] = {}


@contextlib.contextmanager
def advisory_lock(url: str, *key: str) -> Iterator[None]:
    """Hold the lock named ``key`` on the database at ``url`` while the block runs: other
    processes (on any machine) that ask for the same key wait. On PostgreSQL a session
    advisory lock, on its own connection; beside an SQLite file a lock file
    (``<file>.lock``); nothing elsewhere (in-memory SQLite)."""
    import sqlalchemy as sa

    file = sqlite_file(url)
    if file is not None:
        import fcntl

        file.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{file}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    if not is_postgres(url):
        yield
        return
    engine = _lock_engines.get(url)
    if engine is None:  # no pool: each lock has a connection of its own, never shared by a fork
        engine = _lock_engines[url] = create_engine(url, poolclass=sa.pool.NullPool)
    number = lock_key(*key)

    def take() -> sa.Connection:
        connection = engine.connect()
        try:
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": number})
        except BaseException:
            connection.close()
            raise
        return connection

    connection = retrying(take)
    try:
        yield
    finally:
        # a dropped connection has released its lock already
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": number})
            connection.commit()
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            connection.close()
