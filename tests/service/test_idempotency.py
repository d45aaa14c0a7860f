"""Idempotency keys in the API (the kit service's; a server alone keeps them the same way): a
POST sent again with its key gets the first answer and is recorded once, per user; a key sent
with another request is a 422; concurrent retries wait for the first."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kit.state import CourseDatabase, IdempotencyStore, request_digest
from kit.state.idempotency import STALE_SECONDS
from kit.state.schema import idempotency_keys
from tests.service.conftest import INSTRUCTOR, LEARNER, OTHER_LEARNER, TOKENS, Call, service_config
from tests.service.hub import FakeHub

ATTEMPT = {"skill": "numpy", "item": "shape", "correct": 1}


@pytest.fixture
def jp_server_config(course_dir: Path, hub: FakeHub) -> dict[str, Any]:
    return service_config(course_dir, hub)


async def numpy_attempts(call: Call, learner: str) -> int:
    mastery = await call("GET", f"learners/{learner}/mastery", token=TOKENS[INSTRUCTOR])
    return {s["id"]: s["attempts"] for s in mastery["skills"]}.get("numpy", 0)


async def test_a_retry_gets_the_first_answer_and_is_recorded_once(call: Call) -> None:
    key = {"Idempotency-Key": "k-1"}
    first = await call("POST", "me/attempts", body=ATTEMPT, headers=key, status=201)
    for _ in range(3):
        assert await call("POST", "me/attempts", body=ATTEMPT, headers=key, status=201) == first
    assert await numpy_attempts(call, LEARNER) == 1
    # without a key, or with another one, a POST is a new write
    await call("POST", "me/attempts", body=ATTEMPT, status=201)
    await call("POST", "me/attempts", body=ATTEMPT, headers={"Idempotency-Key": "k-2"}, status=201)
    assert await numpy_attempts(call, LEARNER) == 3


async def test_keys_are_per_user(call: Call) -> None:
    key = {"Idempotency-Key": "same-key"}
    mine = await call("POST", "me/attempts", body=ATTEMPT, headers=key, status=201)
    theirs = await call(
        "POST", "me/attempts", token=TOKENS[OTHER_LEARNER], body=ATTEMPT, headers=key, status=201
    )
    assert (mine["learner"], theirs["learner"]) == (LEARNER, OTHER_LEARNER)


async def test_a_key_sent_with_another_request_is_refused(call: Call) -> None:
    key = {"Idempotency-Key": "k-3"}
    await call("POST", "me/attempts", body=ATTEMPT, headers=key, status=201)
    error = await call(
        "POST", "me/attempts", body={**ATTEMPT, "correct": 0}, headers=key, status=422
    )
    assert "Idempotency-Key" in error["error"]
    assert await numpy_attempts(call, LEARNER) == 1


async def test_a_refused_request_does_not_keep_its_key(call: Call) -> None:
    key = {"Idempotency-Key": "k-4"}
    await call(
        "POST", "me/attempts", body={**ATTEMPT, "skill": "no-such-skill"}, headers=key, status=422
    )
    assert await numpy_attempts(call, LEARNER) == 0


async def test_concurrent_retries_are_recorded_once(call: Call) -> None:
    key = {"Idempotency-Key": "k-5"}
    text = {"text": "how do I reshape a numpy array?"}
    answers = await asyncio.gather(
        *(call("POST", "questions", body=text, headers=key, status=201) for _ in range(4))
    )
    assert len({a["id"] for a in answers}) == 1
    assert len(await call("GET", "questions")) == 1


def test_a_reservation_left_by_a_dead_request_is_taken_over(tmp_path: Path) -> None:
    db = CourseDatabase(f"sqlite:///{tmp_path / 'k.sqlite'}")
    store = IdempotencyStore(db, "python-ml")
    digest = request_digest("POST", "/x", b"{}")
    assert store.reserve("ada", "k", digest) is None  # reserved; the request then dies
    pending = store.reserve("ada", "k", digest)
    assert pending is not None and pending.status is None and not pending.stale
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=STALE_SECONDS + 1)
    with db.engine.begin() as conn:
        conn.execute(sa.update(idempotency_keys).values(created=old))
    assert store.reserve("ada", "k", digest) is None  # taken over: the retry runs
    store.record("ada", "k", 201, '{"id": 1}')
    done = store.reserve("ada", "k", digest)
    assert done is not None and (done.status, done.body) == (201, '{"id": 1}')
    db.close()


def _race(url: str, n: int) -> list[object]:
    """``n`` threads reserving one key at once: what each was told."""
    from concurrent.futures import ThreadPoolExecutor

    db = CourseDatabase(url)
    store = IdempotencyStore(db, "python-ml")
    digest = request_digest("POST", "/questions", b"{}")
    try:
        with ThreadPoolExecutor(n) as pool:
            return list(pool.map(lambda _: store.reserve("ada", "k", digest), range(n)))
    finally:
        db.close()


def test_one_of_many_concurrent_reservations_wins_on_sqlite(tmp_path: Path) -> None:
    told = _race(f"sqlite:///{tmp_path / 'k.sqlite'}", 8)
    assert told.count(None) == 1


def test_one_of_many_concurrent_reservations_wins_on_postgres(pg: Any) -> None:
    told = _race(pg.url, 8)
    assert told.count(None) == 1
