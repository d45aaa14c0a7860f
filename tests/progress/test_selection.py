"""Choosing the cohort's model (``kit progress fit --model auto``), shipping it with the course,
and the mastery that learners' views and the at-risk list then read from it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from kit.course import load_course
from kit.progress.bestlr import BestLR
from kit.progress.bkt import BKT, BKTParams, learner_mastery
from kit.progress.cohort import at_risk, mastery_table, simulate_cohort
from kit.progress.data import from_attempts
from kit.progress.learner_model import (
    MODEL_FILE,
    LearnerModel,
    ModelFileError,
    course_model,
    load_model,
    ship,
)
from kit.progress.selection import CANDIDATES, DKT_MIN_LEARNERS, Score, best, compare
from kit.progress.simulate import simulate_bkt
from tests.conftest import run_cli as run

TRUE = {
    "easy": BKTParams(prior=0.4, learn=0.25, guess=0.25, slip=0.08),
    "hard": BKTParams(prior=0.1, learn=0.08, guess=0.15, slip=0.15),
}


def test_compare_scores_every_candidate_on_held_out_learners() -> None:
    data = simulate_bkt(TRUE, 40, (4, 10), seed=3)
    calls: list[tuple[str, int, int]] = []
    scores = compare(data, progress=lambda *a: calls.append(a))
    assert [s.model for s in scores] == list(CANDIDATES)
    by_name = {s.model: s for s in scores}
    assert math.isnan(by_name["dkt"].auc) and str(DKT_MIN_LEARNERS) in by_name["dkt"].note
    assert math.isnan(by_name["best-lr+dkt"].auc) and by_name["best-lr+dkt"].note
    for name in ("baseline", "bkt", "bkt-forget", "best-lr"):
        assert 0.5 < by_name[name].auc <= 1, name
    # 40 learners: 5-fold cross-validation, so 5 fits for each of the 4 candidates scored
    scored = set(CANDIDATES) - {"dkt", "best-lr+dkt"}
    assert calls[-1][1:] == (20, 20) and {c[0] for c in calls} == scored
    # BKT is the true model here: it beats the per-skill rate
    assert by_name["bkt"].auc > by_name["baseline"].auc
    assert best(scores).model in ("bkt", "bkt-forget", "best-lr")
    with pytest.raises(ValueError, match="at least 2 learners"):
        compare(data.subset([0]))


def test_best_never_picks_the_floor_and_prefers_the_simpler_on_a_tie() -> None:
    scores = [
        Score("baseline", 0.9, 0.4, 0.0),
        Score("bkt", 0.7, 0.4, 0.1),
        Score("best-lr", 0.7, 0.4, 0.2),
        Score("dkt", math.nan, math.nan, 0.0, "skipped"),
    ]
    assert best(scores).model == "bkt"
    assert best([*scores, Score("bkt-forget", 0.71, 0.4, 0.1)]).model == "bkt-forget"
    with pytest.raises(ValueError, match="no candidate"):
        best(scores[:1])
    again = Score.from_dict(json.loads(json.dumps(scores[3].to_dict())))
    assert again.model == "dkt" and math.isnan(again.auc) and again.note == "skipped"


def test_shipped_model_round_trip_and_fallbacks(tmp_path: Path) -> None:
    data = simulate_bkt(TRUE, 60, (4, 10), seed=5)
    assert course_model(tmp_path).name == "bkt" and course_model(tmp_path).estimator is None
    bkt = BKT().fit(data)
    bkt.save(tmp_path / "progress" / "bkt.json")  # the layout before model.json
    assert course_model(tmp_path).params == bkt.params_
    lr = BestLR().fit(data)
    scores = [Score("bkt", 0.7, 0.4, 0.1), Score("best-lr", 0.75, 0.4, 0.2)]
    saved = ship(tmp_path, "best-lr", lr, scores)
    assert saved == tmp_path / "progress" / "best-lr.json"
    assert json.loads((tmp_path / MODEL_FILE).read_text()) == {
        "model": "best-lr",
        "file": "best-lr.json",
    }
    shipped = course_model(tmp_path)
    assert shipped.name == "best-lr" and not shipped.is_bkt
    assert [s.model for s in shipped.comparison] == ["bkt", "best-lr"]
    assert np.allclose(shipped.estimator.predict_proba(data), lr.predict_proba(data))
    (tmp_path / "progress" / "best-lr.json").write_text('{"model": "irt"}')
    with pytest.raises(ModelFileError, match=r"best-lr.json: 'model' is 'irt'"):
        course_model(tmp_path)
    (tmp_path / MODEL_FILE).write_text("{}")
    with pytest.raises(ModelFileError, match=r"model.json: cannot read the shipped model"):
        course_model(tmp_path)
    with pytest.raises(ModelFileError, match="not a learner model file"):
        load_model(tmp_path / "missing.json")


def test_the_shipped_model_is_loaded_once_until_it_is_refit(tmp_path: Path) -> None:
    data = simulate_bkt(TRUE, 40, (4, 8), seed=3)
    ship(tmp_path, "bkt", BKT().fit(data))
    first = course_model(tmp_path)
    assert course_model(tmp_path) is first  # not read again per request
    refit = BKT().fit(simulate_bkt(TRUE, 40, (4, 8), seed=4))
    ship(tmp_path, "bkt", refit)
    again = course_model(tmp_path)
    assert again is not first and again.params == refit.params_


def test_mastery_comes_from_the_shipped_model(sample_course: Path) -> None:
    course = load_course(sample_course)
    attempts = simulate_cohort(course, 40, seed=2)
    data = from_attempts(attempts)
    lr = BestLR().fit(data)
    model = LearnerModel("best-lr", lr)
    table = mastery_table(course, attempts, model=model)
    expected = lr.mastery(data)
    learner = table.learners[0]
    assert table.of(learner) == pytest.approx(expected[learner])
    # the right answers raise the next answer's P(right): learners' mastery differs
    column = ~np.isnan(table.values[:, 0])
    assert np.ptp(table.values[column, 0]) > 0.05
    # the at-risk list reads the same table
    risks = at_risk(course, table, attempts)
    for risk in risks:
        for skill, p in risk.weak.items():
            assert p is None or p == pytest.approx(table.of(risk.learner)[skill])
    # BKT: a learner's mastery starts from their self-rating
    own = [a for a in attempts if a.learner == learner]
    bkt = LearnerModel("bkt", BKT().fit(data))
    priors = {own[0].skill: 0.9}
    assert bkt.learner_mastery(own, priors) == learner_mastery(own, bkt.params, priors=priors)


def test_cli_fit_auto_ships_the_best_and_shows_the_table(course_copy: Path) -> None:
    assert run("progress", "simulate", str(course_copy), "--learners", "40")[0] == 0
    code, out = run("progress", "fit", str(course_copy), "--model", "auto")
    assert code == 0, out
    assert "held-out learners (40 learners)" in out and "chosen" in out
    assert "skipped: fewer than 200 learners" in out
    record = json.loads((course_copy / MODEL_FILE).read_text())
    assert record["model"] in ("bkt", "bkt-forget", "best-lr")
    shipped = course_model(course_copy)
    assert shipped.name == record["model"]
    assert {s.model for s in shipped.comparison} == set(CANDIDATES)
    chosen = max(
        (s for s in shipped.comparison if s.model != "baseline" and not s.note),
        key=lambda s: s.auc,
    )
    assert chosen.model == record["model"]
    # a plain fit ships BKT again, and says so in model.json
    code, out = run("progress", "fit", str(course_copy), "--model", "best-lr")
    assert code == 0 and json.loads((course_copy / MODEL_FILE).read_text())["model"] == "best-lr"
    code, out = run("progress", "fit", str(course_copy), "--forget")
    assert code == 0, out
    assert course_model(course_copy).name == "bkt-forget"


@pytest.mark.kernel
def test_report_shows_the_comparison_and_the_models_mastery(course_copy: Path) -> None:
    assert run("progress", "simulate", str(course_copy), "--learners", "20")[0] == 0
    assert run("progress", "fit", str(course_copy), "--model", "auto")[0] == 0
    out_file = course_copy / "report.html"
    code, out = run("progress", "report", str(course_copy), "-o", str(out_file))
    assert code == 0, out
    page = out_file.read_text()
    assert "Which model" in page and "chosen" in page and "fewer than 200 learners" in page
    assert run("progress", "fit", str(course_copy), "--model", "best-lr")[0] == 0
    code, out = run("progress", "report", str(course_copy), "-o", str(out_file))
    assert code == 0, out
    page = out_file.read_text()
    assert "next answer on a skill is right" in page and "Best-LR" in page
    assert "Which model" not in page  # fitted by name: nothing was compared


def test_the_blend_is_scored_from_its_parts_and_ships(tmp_path: Path) -> None:
    from kit.progress.blend import Blend, mean_log_odds
    from kit.progress.dkt import DKT

    data = simulate_bkt(TRUE, 30, (4, 8), seed=7)
    small = {"dkt": {"hidden": 8, "max_epochs": 2}}
    names = ("bkt", "best-lr", "dkt", "best-lr+dkt")
    scores = {s.model: s for s in compare(data, names, dkt_min_learners=10, options=small)}
    assert not scores["best-lr+dkt"].note and 0.5 < scores["best-lr+dkt"].auc <= 1
    assert scores["best-lr+dkt"].fit_seconds == pytest.approx(
        scores["best-lr"].fit_seconds + scores["dkt"].fit_seconds, abs=0.01
    )
    alone = {s.model: s for s in compare(data, ("bkt", "best-lr+dkt"), dkt_min_learners=10)}
    assert "needs best-lr and dkt" in alone["best-lr+dkt"].note
    assert "fewer than 200" in {s.model: s for s in compare(data)}["best-lr+dkt"].note
    blend = Blend([BestLR(), DKT(hidden=8, max_epochs=1)]).fit(data)
    saved = ship(tmp_path, "best-lr+dkt", blend, list(scores.values()))
    assert saved.name == "blend.json" and (tmp_path / "progress" / "blend.2.pt").is_file()
    shipped = course_model(tmp_path)
    assert shipped.name == "best-lr+dkt" and not shipped.is_bkt
    assert np.allclose(shipped.estimator.predict_proba(data), blend.predict_proba(data))
    parts = [m.predict_proba(data) for m in blend.models_]
    assert np.allclose(blend.predict_proba(data), mean_log_odds(parts))
    learner = data.learners[0]
    assert shipped.estimator.mastery(data)[learner].keys() == {"easy", "hard"}
