"""The attempt log on PostgreSQL: what it does on SQLite, and writers that run at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from kit.progress.attempts import Attempt, AttemptStore
from tests.postgres import Postgres

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


def _attempts(learner: str, n: int, prefix: str = "ps1/", source: str = "grading") -> list[Attempt]:
    return [
        Attempt(
            learner,
            "python",
            f"{prefix}q{i}",
            (i % 3) / 2,
            T0 + dt.timedelta(minutes=i),
            source,
            "c1",
        )
        for i in range(n)
    ]


def test_add_query_replace_count(pg: Postgres) -> None:
    store = AttemptStore(pg.url)
    try:
        assert store.engine.dialect.driver == "psycopg"
        assert store.add(_attempts("ada", 5) + _attempts("ben", 3)) == 8
        assert store.count() == 8
        ada = store.query(course="c1", learner="ada")
        assert [a.item for a in ada] == [f"ps1/q{i}" for i in range(5)]
        assert ada[1] == _attempts("ada", 5)[1]  # times come back in UTC, values unchanged
        assert ada[0].time.tzinfo is not None
        assert len(store.query(skills=["python"], source="grading")) == 8
        assert store.query(learner="nobody") == []
        # a regrade replaces ada's grades of ps1, and nothing else
        assert store.replace("ada", "ps1/", "grading", _attempts("ada", 2), course="c1") == 2
        assert store.count() == 5
        assert len(store.query(learner="ben")) == 3
        # '_' and '%' in a prefix are letters, not patterns
        assert store.replace("ben", "ps_/", "grading", [], course="c1") == 0
        assert store.count() == 5
    finally:
        store.close()


def test_two_writers_replacing_one_learners_grades_leave_one_set(pg: Postgres) -> None:
    first, second = AttemptStore(pg.url), AttemptStore(pg.url)
    try:
        first.add(_attempts("ada", 4))
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def regrade(store: AttemptStore) -> None:
            try:
                for _ in range(15):
                    barrier.wait()
                    store.replace("ada", "ps1/", "grading", _attempts("ada", 4), course="c1")
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=regrade, args=(s,)) for s in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors
        items = [a.item for a in first.query(learner="ada")]
        assert sorted(items) == sorted(f"ps1/q{i}" for i in range(4))  # never both sets
    finally:
        first.close()
        second.close()


def test_a_dropped_connection_is_reconnected(pg: Postgres) -> None:
    store = AttemptStore(pg.url)
    try:
        store.add(_attempts("ada", 2))
        assert pg.terminate() >= 1  # the pooled connection is gone
        store.add(_attempts("ben", 2))
        assert pg.terminate() >= 1
        assert store.count() == 4
        assert len(store.query(learner="ben")) == 2
    finally:
        store.close()


def test_a_connection_dropped_mid_write_is_written_once(pg: Postgres) -> None:
    store = AttemptStore(pg.url)
    try:
        with pg.dropping(r"^INSERT INTO attempts", times=2) as hit:
            assert store.add(_attempts("ada", 3)) == 3
        assert len(hit) == 2  # two tries lost their connection; the third wrote
        with pg.dropping(r"^DELETE FROM attempts", times=1) as hit:
            store.replace("ada", "ps1/", "grading", _attempts("ada", 2), course="c1")
        assert len(hit) == 1
        assert sorted(a.item for a in store.query(learner="ada")) == ["ps1/q0", "ps1/q1"]
    finally:
        store.close()


@pytest.mark.parametrize("url", ["postgresql://kit:s3cret@127.0.0.1:9/kit"])
def test_an_unreachable_attempt_log_says_so(url: str) -> None:
    from kit.databases import DatabaseUnreachable

    with pytest.raises(DatabaseUnreachable, match=r"the attempt log at postgresql://kit:\*\*\*@"):
        AttemptStore(url)
