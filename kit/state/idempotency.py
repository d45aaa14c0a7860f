"""Idempotency keys: a write sent twice (a retry after a timeout) is recorded once.

A client sends ``Idempotency-Key: <one value per request>`` with a POST. The first request with
a key *reserves* it (one transaction: the key, the user and a digest of the request), runs, and
*records* its answer (status and body) on the reservation; a later request with the same key by
the same user gets that answer back without running again.

The reservation and the write are two transactions (the write belongs to another store, the
attempt log to another engine), so they are as close together as the stores allow, not atomic:

- the process dies after reserving and before the write commits: nothing was written; the key
  stays reserved without an answer, and a retry after :data:`STALE_SECONDS` takes the
  reservation over and runs the request (exactly once in all);
- the process dies after the write commits and before its answer is recorded (a few
  milliseconds, nothing between them but building the answer): a retry after
  :data:`STALE_SECONDS` runs the request again, and that write is recorded twice. This is the
  one window left, and it is the width of one function return.

While the first request is still running, a retry waits for its answer (:meth:`wait`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa

from kit.databases import advisory_lock_xact
from kit.progress.attempts import utcnow
from kit.state.database import CourseRecords, as_utc
from kit.state.schema import idempotency_keys

STALE_SECONDS = 60.0
"""A reservation left this long without an answer belongs to a request that died: the next
request with its key runs instead."""
MAX_KEY = 256
"""The longest key accepted."""


def request_digest(method: str, path: str, body: bytes) -> str:
    """A digest of a request: the same key sent with another request is a client's mistake."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Recorded:
    """A key's reservation, and the answer once there is one."""

    request: str
    """The digest of the request that reserved the key."""
    status: int | None
    """The answer's HTTP status (None: not answered yet)."""
    body: str | None
    created: dt.datetime

    @property
    def stale(self) -> bool:
        """Reserved long ago and never answered: its request died."""
        age = (utcnow() - as_utc(self.created)).total_seconds()
        return self.status is None and age > STALE_SECONDS


class IdempotencyStore(CourseRecords):
    """The idempotency keys of one course's requests."""

    def _where(self, user: str, key: str) -> list[sa.ColumnElement[bool]]:
        k = idempotency_keys.c
        return [k.course == self.course, k.user == user, k.key == key]

    def reserve(self, user: str, key: str, request: str) -> Recorded | None:
        """Reserve ``key`` for ``user``'s request (None: reserved now, run the request), or
        what an earlier request with that key left (its answer, or a reservation still
        running). A stale reservation is taken over (None)."""

        def unit(conn: sa.Connection) -> Recorded | None:
            advisory_lock_xact(conn, "kit-idempotency", self.course, user, key)
            row = conn.execute(sa.select(idempotency_keys).where(*self._where(user, key)))
            found = row.mappings().first()
            if found is not None:
                earlier = Recorded(
                    found["request"], found["status"], found["body"], found["created"]
                )
                if not earlier.stale:
                    return earlier
                conn.execute(sa.delete(idempotency_keys).where(*self._where(user, key)))
            conn.execute(
                idempotency_keys.insert().values(
                    course=self.course, user=user, key=key, request=request, created=utcnow()
                )
            )
            return None

        try:
            return self.writing(unit)
        except sa.exc.IntegrityError:  # another request reserved it between our read and write
            return self.get(user, key)

    def record(self, user: str, key: str, status: int, body: str) -> None:
        """Record the answer of the request that reserved ``key``."""
        self.writing(
            lambda conn: conn.execute(
                idempotency_keys.update()
                .where(*self._where(user, key))
                .values(status=status, body=body)
            )
        )

    def release(self, user: str, key: str) -> None:
        """Forget a reservation whose request failed without writing (a retry runs again)."""
        self.writing(
            lambda conn: conn.execute(
                sa.delete(idempotency_keys).where(
                    *self._where(user, key), idempotency_keys.c.status.is_(None)
                )
            )
        )

    def get(self, user: str, key: str) -> Recorded | None:
        """What is recorded for ``key`` (None: nothing)."""
        stmt = sa.select(idempotency_keys).where(*self._where(user, key))
        found = self.reading(lambda conn: conn.execute(stmt).mappings().first())
        if found is None:
            return None
        return Recorded(found["request"], found["status"], found["body"], found["created"])
