"""The attempt record and store, and the BKT forward filter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kit.progress import Attempt, AttemptStore, StoreRecovered
from kit.progress.bkt import BKTParams, learner_mastery, mastery_trace


def test_attempt_validates_its_fields() -> None:
    with pytest.raises(ValueError, match="from 0 to 1"):
        Attempt("ada", "numpy", "q1", 1.5)
    with pytest.raises(ValueError, match="not nan"):
        Attempt("ada", "numpy", "q1", float("nan"))
    with pytest.raises(ValueError, match="learner"):
        Attempt("", "numpy", "q1", 1.0)
    naive = Attempt("ada", "numpy", "q1", 1.0, time=dt.datetime(2026, 1, 1, 12))
    assert naive.time.tzinfo is dt.timezone.utc


def test_store_round_trip_and_filters(tmp_path: Path) -> None:
    store = AttemptStore(f"sqlite:///{tmp_path / 'a.sqlite'}")
    t0 = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    rows = [
        Attempt("ada", "numpy", "q1", 1.0, t0, "self-check", "c1"),
        Attempt("ada", "pandas", "q2", 0.5, t0 + dt.timedelta(minutes=1), "grading", "c1"),
        Attempt("bob", "numpy", "q1", 0.0, t0 + dt.timedelta(minutes=2), "self-check", "c1"),
        Attempt("ada", "numpy", "q9", 1.0, t0 + dt.timedelta(minutes=3), "self-check", "c2"),
    ]
    assert store.add(rows) == 4
    assert store.count() == 4
    assert store.query() == rows
    assert store.query(learner="ada", course="c1") == rows[:2]
    assert store.query(skills=["numpy"], source="self-check", course="c1") == [rows[0], rows[2]]
    assert store.add([]) == 0


def test_corrupt_store_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "attempts.sqlite"
    path.write_bytes(b"this is not an sqlite database" * 100)
    with pytest.warns(StoreRecovered, match="set aside"):
        store = AttemptStore.open_file(path)
    assert store.count() == 0
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("attempts.sqlite.corrupt-")]
    assert len(aside) == 1
    assert aside[0].read_bytes().startswith(b"this is not")


def test_bkt_update_moves_the_right_way() -> None:
    params = BKTParams(prior=0.3, learn=0.1, guess=0.2, slip=0.1)
    up = params.update(0.3, 1.0)
    down = params.update(0.3, 0.0)
    half = params.update(0.3, 0.5)
    assert down < 0.3 < up
    assert down < half < up
    # hand computation: posterior = .3*.9 / (.3*.9 + .7*.2) = .6585; then learning step
    assert up == pytest.approx(0.27 / 0.41 + (1 - 0.27 / 0.41) * 0.1)


def test_bkt_trace_converges_and_forgetting_lowers_it() -> None:
    right = mastery_trace([1.0] * 10)
    assert right == sorted(right) and right[-1] > 0.99
    forgetful = mastery_trace([1.0] * 10, BKTParams(forget=0.2))
    assert forgetful[-1] < right[-1]


def test_bkt_params_must_be_identifiable() -> None:
    with pytest.raises(ValueError, match=r"below 0\.5"):
        BKTParams(guess=0.6)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        BKTParams(prior=1.2)


def test_learner_mastery_uses_time_order_and_priors() -> None:
    t0 = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    late_wrong = Attempt("ada", "numpy", "q", 0.0, t0 + dt.timedelta(hours=1))
    early_right = Attempt("ada", "numpy", "q", 1.0, t0)
    one = learner_mastery([late_wrong, early_right])
    two = learner_mastery([early_right, late_wrong])
    assert one == two
    confident = learner_mastery([early_right], priors={"numpy": 0.9})
    assert confident["numpy"] > learner_mastery([early_right])["numpy"]
    assert learner_mastery([]) == {}
