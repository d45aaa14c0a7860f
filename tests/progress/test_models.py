"""Loaders, BKT (EM recovers known parameters), the baseline, DKT on tiny data, evaluation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kit.progress.baseline import SkillRate
from kit.progress.bkt import BKT, BKTParams, learner_mastery, mastery_trace
from kit.progress.data import AttemptDataError, Sequences, from_attempts, load_sequences
from kit.progress.evaluation import LeakWarning, evaluate, make_model, metrics
from kit.progress.simulate import simulate_bkt
from tests.conftest import outputs_under_hash_seeds

TRUE = {
    "easy": BKTParams(prior=0.4, learn=0.25, guess=0.25, slip=0.08),
    "hard": BKTParams(prior=0.1, learn=0.08, guess=0.15, slip=0.15),
    "mid": BKTParams(prior=0.25, learn=0.15, guess=0.2, slip=0.1),
}


@pytest.fixture(scope="module")
def cohort() -> Sequences:
    return simulate_bkt(TRUE, 1500, (6, 14), seed=1)


def test_em_recovers_known_parameters(cohort: Sequences) -> None:
    model = BKT(n_restarts=4, random_state=3).fit(cohort)
    for skill, truth in TRUE.items():
        got = model.params_[skill]
        # tolerance stated: 0.05 absolute on each parameter with 1,500 learners x ~10 answers
        for name in ("prior", "learn", "guess", "slip"):
            assert getattr(got, name) == pytest.approx(getattr(truth, name), abs=0.05), (
                skill,
                name,
                got,
            )
        assert got.forget == 0.0


def test_forgetting_is_fitted_when_asked() -> None:
    truth = {"s": BKTParams(prior=0.3, learn=0.3, guess=0.2, slip=0.1, forget=0.15)}
    data = simulate_bkt(truth, 2000, (10, 16), seed=2)
    plain = BKT().fit(data)
    forgetful = BKT(forget=True).fit(data)
    assert forgetful.params_["s"].forget == pytest.approx(0.15, abs=0.06)
    assert forgetful.log_likelihood_["s"] > plain.log_likelihood_["s"]


def test_fit_is_deterministic(cohort: Sequences) -> None:
    one = BKT(random_state=5).fit(cohort).params_
    two = BKT(random_state=5).fit(cohort).params_
    assert one == two


@pytest.mark.slow
def test_fit_is_the_same_under_other_string_hashes(cohort: Sequences) -> None:
    # fresh processes, each with its own string hash (and so its own order of sets of strings)
    one = BKT(random_state=5).fit(cohort).params_
    code = (
        "from kit.progress.bkt import BKT, BKTParams\n"
        "from kit.progress.simulate import simulate_bkt\n"
        f"TRUE = {TRUE!r}\n"
        "print(repr(BKT(random_state=5).fit(simulate_bkt(TRUE, 1500, (6, 14), seed=1)).params_))"
    )
    first, second = outputs_under_hash_seeds(code)
    assert first == second
    assert first.strip() == repr(one)


def test_bounds_keep_guess_and_slip_below_half() -> None:
    # a skill where learners answer right at random and wrong when "knowing": not identifiable
    rng = np.random.default_rng(0)
    data = Sequences(
        [str(i) for i in range(300)],
        [np.zeros(8, dtype=np.int64) for _ in range(300)],
        [rng.integers(0, 2, 8).astype(float) for _ in range(300)],
        ["x"],
    )
    p = BKT().fit(data).params_["x"]
    assert p.guess < 0.5 and p.slip < 0.5


def test_predictions_match_the_filter_and_use_only_the_past(cohort: Sequences) -> None:
    model = BKT().fit(cohort)
    learner = cohort.subset([0])
    predicted = model.predict_proba(learner)
    # by hand: the learner's answers on each skill through the forward filter
    for code, skill in enumerate(cohort.vocabulary):
        mask = learner.skills[0] == code
        params = model.params_[skill]
        outcomes = learner.correct[0][mask]
        states = [params.prior, *mastery_trace(outcomes[:-1], params)]
        expected = [s * (1 - params.slip) + (1 - s) * params.guess for s in states]
        assert predicted[mask] == pytest.approx(expected)
    # changing the last answer cannot change any prediction
    flipped = learner.subset([0])
    flipped.correct = [learner.correct[0].copy()]
    flipped.correct[0][-1] = 1 - flipped.correct[0][-1]
    assert model.predict_proba(flipped) == pytest.approx(predicted)


def test_mastery_matches_the_learner_filter(cohort: Sequences) -> None:
    from kit.progress.attempts import Attempt

    model = BKT().fit(cohort)
    learner = cohort.subset([3])
    from_model = model.mastery(learner)[learner.learners[0]]
    attempts = [
        Attempt(
            learner.learners[0],
            cohort.vocabulary[k],
            "q",
            float(c),
            time=np.datetime64("2026-01-01T00:00:00")
            .astype("datetime64[us]")
            .item()
            .replace(microsecond=i),
        )
        for i, (k, c) in enumerate(zip(learner.skills[0], learner.correct[0], strict=True))
    ]
    assert learner_mastery(attempts, model.params_) == pytest.approx(from_model)


def test_no_stuck_state_near_certainty() -> None:
    # 40 right answers take P(mastered) so close to 1 that 1 - p rounds to 0 in floating point;
    # the filter must still follow the wrong answers that come after, as exact arithmetic does
    from fractions import Fraction

    params = BKTParams(prior=0.5, learn=0.3, guess=0.2, slip=0.2)
    answers = [1.0] * 40 + [0.0] * 40
    known, unknown = 0.5, 0.5
    exact = Fraction(1, 2)
    g, s, learn = Fraction(1, 5), Fraction(1, 5), Fraction(3, 10)
    for index, outcome in enumerate(answers):
        known, unknown = params.step(known, unknown, outcome)
        like_known = (1 - s) if outcome else s
        like_not = g if outcome else (1 - g)
        post = exact * like_known / (exact * like_known + (1 - exact) * like_not)
        exact = post + (1 - post) * learn
        if index == 39:
            assert 1.0 - float(exact) == 0.0  # saturated in floating point
        assert known == pytest.approx(float(exact), rel=1e-9)
    assert known < 1.0  # moved by the wrong answers: not stuck at exactly 1


def test_unseen_skills_use_mean_parameters(cohort: Sequences) -> None:
    model = BKT().fit(cohort)
    new = Sequences(["x"], [np.array([0, 0])], [np.array([1.0, 0.0])], ["never-seen"])
    p = model.predict_proba(new)
    mean_prior = np.mean([v.prior for v in model.params_.values()])
    assert 0 < p[0] < 1 and p[0] == pytest.approx(
        mean_prior * (1 - np.mean([v.slip for v in model.params_.values()]))
        + (1 - mean_prior) * np.mean([v.guess for v in model.params_.values()])
    )


def test_save_and_load(cohort: Sequences, tmp_path: Path) -> None:
    model = BKT(forget=True).fit(cohort)
    path = model.save(tmp_path / "bkt.json")
    again = BKT.load(path)
    assert again.params_ == model.params_
    assert np.array_equal(again.predict_proba(cohort), model.predict_proba(cohort))
    (tmp_path / "other.json").write_text('{"model": "dkt"}')
    with pytest.raises(ValueError, match="does not hold BKT"):
        BKT.load(tmp_path / "other.json")


def test_baseline_rates(cohort: Sequences) -> None:
    model = SkillRate().fit(cohort)
    y = cohort.flat_correct()
    codes = np.concatenate(cohort.skills)
    for code, skill in enumerate(cohort.vocabulary):
        assert model.rates_[skill] == pytest.approx(y[codes == code].mean(), abs=0.01)
    assert BKT().fit(cohort).predict_proba(cohort).shape == model.predict_proba(cohort).shape


def test_models_beat_the_baseline_on_simulated_learners(cohort: Sequences) -> None:
    train, test = cohort.subset(range(1000)), cohort.subset(range(1000, 1500))
    base = evaluate("baseline", train, test)["auc"]
    bkt = evaluate("bkt", train, test)["auc"]
    assert bkt > base + 0.05


def test_loaders(tmp_path: Path) -> None:
    three = tmp_path / "kt.csv"
    three.write_text("3\n5,5,7,\n0,1,1,\n2\n7,9\n1,0\n")
    data = load_sequences(three)
    assert data.learners == ["0", "1"] and data.vocabulary == ["5", "7", "9"]
    assert data.skills[0].tolist() == [0, 0, 1] and data.correct[1].tolist() == [1.0, 0.0]
    long = tmp_path / "long.csv"
    long.write_text("user_id,skill_name,correct,time\nb,s1,1,3\na,s2,0,2\nb,s1,0,1\na,s1,0.5,4\n")
    data = load_sequences(long)
    assert data.learners == ["b", "a"]
    assert data.correct[0].tolist() == [0.0, 1.0]  # sorted by time
    assert data.correct[1].tolist() == [0.0, 0.5]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3\n1,2\n0,1\n", "says 3 answers but lists 2 skills"),
        ("3\n1,2,3\n", "not a multiple of 3"),
        ("1\n4\n1\nabc\n1\n0\n", "expected the number of answers"),
        ("1\n4\n7\n", "not a number from 0 to 1"),
        ("name,value\na,1\n", "no learner or skill or correct column"),
    ],
)
def test_loader_errors_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(AttemptDataError, match=message) as caught:
        load_sequences(path)
    assert str(path) in str(caught.value)


def test_from_attempts_orders_by_time() -> None:
    import datetime as dt

    from kit.progress.attempts import Attempt

    t = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    data = from_attempts(
        [
            Attempt("a", "s", "q2", 1.0, t + dt.timedelta(1)),
            Attempt("a", "s", "q1", 0.0, t),
        ]
    )
    assert data.correct[0].tolist() == [0.0, 1.0]


def test_metrics_by_hand() -> None:
    m = metrics(np.array([1, 0, 1, 0]), np.array([0.9, 0.2, 0.4, 0.6]))
    assert m["auc"] == pytest.approx(0.75)
    assert m["accuracy"] == pytest.approx(0.5)
    assert m["rmse"] == pytest.approx(np.sqrt((0.01 + 0.04 + 0.36 + 0.36) / 4))


def test_leak_warning_on_assistments_2009(tmp_path: Path) -> None:
    # a learner who always repeats the previous answer: any tracer scores near-perfectly
    train = tmp_path / "assist2009_train.csv"
    test = tmp_path / "assist2009_test.csv"
    rows = []
    for learner in range(80):
        run = [learner % 2] * 12
        rows += ["12", ",".join(["1"] * 12), ",".join(map(str, run))]
    train.write_text("\n".join(rows) + "\n")
    test.write_text("\n".join(rows) + "\n")
    with pytest.warns(LeakWarning, match="duplicated rows"):
        result = evaluate("bkt", train, test)
    assert result["auc"] > 0.85


def test_unknown_model_name() -> None:
    with pytest.raises(ValueError, match="choose one of"):
        make_model("irt")
