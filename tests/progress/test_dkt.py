"""DKT on tiny data: it trains in seconds, learns a simple rule, and round-trips to disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kit.progress.bkt import BKTParams
from kit.progress.data import Sequences
from kit.progress.dkt import DKT
from kit.progress.evaluation import metrics
from kit.progress.simulate import simulate_bkt

torch = pytest.importorskip("torch")
torch.set_num_threads(1)


@pytest.fixture(scope="module")
def data() -> Sequences:
    params = {
        "a": BKTParams(prior=0.2, learn=0.3, guess=0.1, slip=0.05),
        "b": BKTParams(prior=0.1, learn=0.2, guess=0.2, slip=0.1),
    }
    return simulate_bkt(params, 300, (4, 8), seed=4)


@pytest.mark.slow
def test_dkt_learns_and_beats_chance(data: Sequences) -> None:
    train, test = data.subset(range(240)), data.subset(range(240, 300))
    model = DKT(hidden=16, max_epochs=15, patience=4, batch_size=32, lr=1e-2).fit(train)
    assert len(model.history_) >= 2
    assert model.history_[0]["train_loss"] > model.history_[-1]["train_loss"]
    auc = metrics(test.flat_correct(), model.predict_proba(test))["auc"]
    assert auc > 0.7


def test_dkt_predicts_from_the_past_only(data: Sequences) -> None:
    model = DKT(hidden=8, max_epochs=2, batch_size=64).fit(data.subset(range(100)))
    one = data.subset([150])
    before = model.predict_proba(one)
    one.correct = [one.correct[0].copy()]
    one.correct[0][-1] = 1 - one.correct[0][-1]
    assert np.allclose(model.predict_proba(one), before)
    assert len(before) == one.n_answers and ((before > 0) & (before < 1)).all()


def test_save_load_round_trip(data: Sequences, tmp_path: Path) -> None:
    model = DKT(hidden=8, max_epochs=2).fit(data.subset(range(100)))
    path = model.save(tmp_path / "dkt.pt")
    again = DKT.load(path)
    assert np.array_equal(again.predict_proba(data), model.predict_proba(data))
    assert again.vocabulary_ == model.vocabulary_


def test_influence_matrix_shape(data: Sequences) -> None:
    model = DKT(hidden=8, max_epochs=1).fit(data.subset(range(50)))
    influence = model.influence()
    assert influence.shape == (2, 2)
    assert np.allclose(influence.sum(axis=0), 1.0)


def test_mastery_is_the_next_answers_prediction(data: Sequences) -> None:
    model = DKT(hidden=8, max_epochs=2, random_state=1).fit(data.subset(range(100)))
    one = data.subset([150])
    mastery = model.mastery(one)[one.learners[0]]
    assert set(mastery) == {data.vocabulary[k] for k in set(one.skills[0].tolist())}
    # the same as predicting one more answer on "b" after the learner's history
    longer = one.subset([0])
    longer.skills = [np.append(one.skills[0], 1)]
    longer.correct = [np.append(one.correct[0], 1.0)]
    assert mastery["b"] == pytest.approx(model.predict_proba(longer)[-1], abs=1e-6)
    assert model.mastery(one, skills=["a", "nope"])[one.learners[0]].keys() == {"a"}


def test_query_head_predicts_from_the_past_and_round_trips(data: Sequences, tmp_path: Path) -> None:
    model = DKT(hidden=8, max_epochs=2, query=True, weight_decay=1e-4).fit(data.subset(range(100)))
    one = data.subset([150])
    before = model.predict_proba(one)
    one.correct = [one.correct[0].copy()]
    one.correct[0][-1] = 1 - one.correct[0][-1]
    assert np.allclose(model.predict_proba(one), before)
    again = DKT.load(model.save(tmp_path / "dkt.pt"))
    assert again.query and np.allclose(again.predict_proba(data), model.predict_proba(data))
    assert model.influence().shape == (2, 2)


def test_time_limit_stops_training(data: Sequences) -> None:
    model = DKT(hidden=8, max_epochs=5, patience=5, max_seconds=0.0).fit(data.subset(range(60)))
    assert len(model.history_) == 1 and model.stopped_by_time_
    free = DKT(hidden=8, max_epochs=2, patience=5).fit(data.subset(range(60)))
    assert len(free.history_) == 2 and not free.stopped_by_time_
