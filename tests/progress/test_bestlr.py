"""Best-LR: its features by hand, predictions from the past only, items and time windows used
where the data has them, mastery as the next answer's prediction, and persistence."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from kit.progress import features as f
from kit.progress.attempts import Attempt
from kit.progress.baseline import SkillRate
from kit.progress.bestlr import BestLR
from kit.progress.data import Sequences, from_attempts
from kit.progress.evaluation import evaluate, make_model, metrics
from kit.progress.simulate import simulate_bkt
from tests.progress.test_models import TRUE


@pytest.fixture(scope="module")
def cohort() -> Sequences:
    return simulate_bkt(TRUE, 600, (6, 14), seed=1)


def _one(skills: list[int], correct: list[float], vocabulary: list[str]) -> Sequences:
    return Sequences(
        ["ada"], [np.array(skills, dtype=np.int64)], [np.array(correct, dtype=float)], vocabulary
    )


def test_features_by_hand() -> None:
    data = _one([0, 1, 0, 0], [1.0, 0.0, 0.0, 1.0], ["a", "b"])
    model = BestLR(decays=(0.5,))
    model.fit(data)
    layout, width = model._layout(2, 0)
    x = model._matrix(data).toarray()
    assert x.shape == (4, width)
    # the third answer (skill a): one earlier answer on a (right), one on b (wrong)
    row = x[2]
    assert row[layout[f.SKILL] + 0] == 1 and row[layout[f.SKILL] + 1] == 0
    assert row[layout[f.SKILL_ATTEMPTS] + 0] == pytest.approx(math.log(2))
    assert row[layout[f.SKILL_WINS] + 0] == pytest.approx(math.log(2))
    assert row[layout[f.SKILL_ATTEMPTS] + 1] == 0  # per-skill columns: only the skill answered
    profile = layout[f.PROFILE]
    assert row[profile + 1] == pytest.approx(math.log(2))  # one answer on b
    assert row[profile + 2 + 1] == 0  # none of them right
    assert row[layout[f.TOTAL]] == pytest.approx(math.log(3))
    assert row[layout[f.TOTAL] + 1] == pytest.approx(math.log(2))
    assert row[layout[f.RECENT_ALL]] == pytest.approx((0.25 * 1 + 0.5 * 0) / (0.25 + 0.5))
    # the fourth: a's answers right then wrong, decay 0.5 -> (0.5 * 1 + 0) / (0.5 + 1)
    assert x[3, layout[f.RECENT_SKILL] + 0] == pytest.approx(0.5 / 1.5)
    # the first answer has no past at all
    assert np.count_nonzero(x[0]) == 1


def test_predicts_from_the_past_only(cohort: Sequences) -> None:
    model = BestLR().fit(cohort.subset(range(400)))
    one = cohort.subset([450])
    before = model.predict_proba(one)
    flipped = one.subset([0])
    flipped.correct = [one.correct[0].copy()]
    flipped.correct[0][5] = 1 - flipped.correct[0][5]
    after = model.predict_proba(flipped)
    assert np.allclose(after[:6], before[:6])
    assert not np.allclose(after[6:], before[6:])
    assert len(before) == one.n_answers and ((before > 0) & (before < 1)).all()


def test_beats_the_baseline_on_simulated_learners(cohort: Sequences) -> None:
    train, test = cohort.subset(range(450)), cohort.subset(range(450, 600))
    y = test.flat_correct()
    lr = metrics(y, BestLR().fit(train).predict_proba(test))["auc"]
    rate = metrics(y, SkillRate().fit(train).predict_proba(test))["auc"]
    assert lr > rate + 0.05


def _attempts(learner: str, answers: list[tuple[str, str, float, float]]) -> list[Attempt]:
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    return [
        Attempt(learner, skill, item, correct, t0 + dt.timedelta(hours=hours))
        for skill, item, correct, hours in answers
    ]


def test_items_and_time_windows_where_the_data_has_them() -> None:
    rng = np.random.default_rng(0)
    attempts = []
    for n in range(120):
        # item q-hard is mostly wrong, q-easy mostly right, on the same skill
        answers = []
        for k in range(8):
            item = "q-hard" if k % 2 else "q-easy"
            right = float(rng.random() < (0.2 if item == "q-hard" else 0.9))
            answers.append(("s", item, right, k * 30.0))
        attempts += _attempts(f"l{n}", answers)
    data = from_attempts(attempts)
    assert data.items is not None and data.times is not None
    model = BestLR().fit(data)
    assert model.use_items_ and model.use_times_ and set(model.items_) == {"q-hard", "q-easy"}
    layout, _ = model._layout(1, 2)
    hard, easy = model.items_.index("q-hard"), model.items_.index("q-easy")
    assert model.coef_[layout[f.ITEM] + easy] > model.coef_[layout[f.ITEM] + hard] + 1.0
    # answers 30 hours apart: within the week and month windows, never within the hour or day
    x = model._matrix(data.subset([0])).toarray()
    windows = layout[f.WINDOWS]
    assert (x[:, windows : windows + 4] == 0).all()
    assert x[3, windows + 4] == pytest.approx(math.log(1 + 3))  # last week: answers 0, 1, 2
    assert x[7, windows + 4] == pytest.approx(math.log(1 + 5))  # 210 h: answers 2..6 (week)
    assert x[7, windows + 6] == pytest.approx(math.log(1 + 7))  # the month: all 7
    plain = BestLR(items=False, times=False).fit(data)
    assert not plain.use_items_ and not plain.use_times_
    assert plain.coef_.shape[0] < model.coef_.shape[0]


def test_mastery_is_the_next_answers_prediction(cohort: Sequences) -> None:
    model = BestLR().fit(cohort.subset(range(400)))
    strong = _one([0] * 6, [1.0] * 6, list(TRUE))
    weak = _one([0] * 6, [0.0] * 6, list(TRUE))
    assert model.mastery(strong)["ada"]["easy"] > model.mastery(weak)["ada"]["easy"] + 0.3
    assert set(model.mastery(strong)["ada"]) == {"easy"}  # attempted skills only by default
    one = cohort.subset([420])
    asked = model.mastery(one, skills=["mid", "unknown-skill"])[one.learners[0]]
    assert set(asked) == {"mid"}
    # the same as predicting one more answer on "mid" after the learner's history
    longer = one.subset([0])
    longer.skills = [np.append(one.skills[0], list(TRUE).index("mid"))]
    longer.correct = [np.append(one.correct[0], 1.0)]
    assert asked["mid"] == pytest.approx(model.predict_proba(longer)[-1])


def test_partial_credit_and_unseen_skills(cohort: Sequences) -> None:
    data = cohort.subset(range(200))
    data.correct = [np.where(c > 0, 0.75, 0.0) for c in data.correct]
    model = BestLR().fit(data)
    other = _one([0, 1], [1.0, 0.0], ["brand-new", "easy"])
    p = model.predict_proba(other)
    assert p[0] == pytest.approx(model.overall_)
    assert 0 < p[1] < 1


def test_save_load_round_trip(cohort: Sequences, tmp_path: Path) -> None:
    model = BestLR().fit(cohort.subset(range(200)))
    again = BestLR.load(model.save(tmp_path / "best-lr.json"))
    assert np.allclose(again.predict_proba(cohort), model.predict_proba(cohort))
    assert again.vocabulary_ == model.vocabulary_
    other = tmp_path / "bkt.json"
    other.write_text('{"model": "bkt"}')
    with pytest.raises(ValueError, match=r"bkt.json: the data does not hold a Best-LR model"):
        BestLR.load(other)


def test_evaluate_by_name(cohort: Sequences) -> None:
    assert isinstance(make_model("best-lr", random_state=3), BestLR)
    result = evaluate("best-lr", cohort.subset(range(400)), cohort.subset(range(400, 600)))
    assert result["model"] == "best-lr" and result["auc"] > 0.7
    with pytest.raises(ValueError, match="empty"):
        BestLR().fit(Sequences([], [], [], []))


def test_long_csv_keeps_items_and_times(tmp_path: Path) -> None:
    from kit.progress.data import AttemptDataError, load_sequences

    path = tmp_path / "answers.csv"
    path.write_text(
        "user_id,skill,problem_id,correct,time\n"
        "ada,a,p2,1,2026-01-01T10:00:00\n"
        "ada,a,p1,0,2026-01-01T09:00:00Z\n"
        "ben,b,p1,1,1767261600\n"
    )
    data = load_sequences(path)
    assert data.items is not None and data.times is not None
    assert data.items[0].tolist() == ["p1", "p2"]  # sorted by time
    assert data.times[0][1] - data.times[0][0] == 3600.0
    assert data.subset([1]).items[0].tolist() == ["p1"]  # type: ignore[index]
    path.write_text("user_id,skill,correct,time\nada,a,1,yesterday\n")
    with pytest.raises(AttemptDataError, match=r"answers.csv:2: time 'yesterday' is neither"):
        load_sequences(path)
    path.write_text("user_id,skill,correct\nada,a,1\n")
    plain = load_sequences(path)
    assert plain.items is None and plain.times is None


def test_cli_eval_best_lr(cohort: Sequences, tmp_path: Path) -> None:
    import json

    from tests.conftest import run_cli

    for name, part in (
        ("train", cohort.subset(range(400))),
        ("test", cohort.subset(range(400, 600))),
    ):
        lines = []
        for skills, correct in zip(part.skills, part.correct, strict=True):
            lines += [
                str(len(skills)),
                ",".join(map(str, skills)),
                ",".join(f"{c:g}" for c in correct),
            ]
        (tmp_path / f"{name}.csv").write_text("\n".join(lines) + "\n")
    args = ["progress", "eval", "--train", str(tmp_path / "train.csv")]
    code, out = run_cli(*args, "--test", str(tmp_path / "test.csv"), "--model", "best-lr", "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["model"] == "best-lr" and result["auc"] > 0.7 and result["n_test"] > 1000
