"""Calibrated abstention: temperature, the threshold for a target precision, ECE, coverage."""

from __future__ import annotations

import numpy as np
import pytest

from kit.classify.calibration import (
    Calibration,
    apply_temperature,
    choose_threshold,
    coverage_table,
    expected_calibration_error,
    fit_calibration,
    fit_temperature,
    heldout_predictions,
    wilson_lower,
)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def _overconfident(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities twice as sharp as the truth: labels drawn from softmax(z / 2), the
    classifier says softmax(z)."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 6.0, size=(n, 5))
    truth = np.array([rng.choice(5, p=p) for p in _softmax(logits / 2.0)])
    return _softmax(logits), truth


def test_temperature_scaling_is_softmax_of_scaled_logits() -> None:
    logits = np.array([[2.0, 0.5, -1.0], [0.0, 0.0, 3.0]])
    np.testing.assert_allclose(apply_temperature(_softmax(logits), 2.0), _softmax(logits / 2))
    assert apply_temperature(_softmax(logits), 1.0) is not None


def test_the_temperature_of_an_overconfident_classifier_is_found() -> None:
    proba, truth = _overconfident(4000)
    assert fit_temperature(proba, truth) == pytest.approx(2.0, rel=0.15)
    before = expected_calibration_error(proba.max(axis=1), proba.argmax(axis=1) == truth)
    fixed = apply_temperature(proba, 2.0)
    after = expected_calibration_error(fixed.max(axis=1), fixed.argmax(axis=1) == truth)
    assert before > 0.1 > after


def test_the_threshold_reaches_the_target_on_fresh_data() -> None:
    proba, truth = _overconfident(3000, seed=1)
    calibration = fit_calibration(proba, truth, target_precision=0.9)
    assert calibration.heldout_precision >= 0.9
    assert 0.05 < calibration.heldout_coverage < 1.0
    # the same threshold on data it was not chosen on
    fresh, fresh_truth = _overconfident(3000, seed=2)
    scaled = apply_temperature(fresh, calibration.temperature)
    sure = scaled.max(axis=1) >= calibration.threshold
    assert (scaled.argmax(axis=1) == fresh_truth)[sure].mean() >= 0.9
    assert sure.mean() == pytest.approx(calibration.heldout_coverage, abs=0.05)
    # a higher target: fewer, safer answers
    stricter = fit_calibration(proba, truth, target_precision=0.97)
    assert stricter.threshold > calibration.threshold
    assert stricter.heldout_coverage < calibration.heldout_coverage
    assert Calibration.from_dict(calibration.to_dict()).threshold == pytest.approx(
        calibration.threshold, abs=1e-4
    )


def test_an_unreachable_target_makes_nothing_sure() -> None:
    conf = [0.99, 0.95, 0.9, 0.8]
    threshold = choose_threshold(conf, [False, True, True, True], 0.9)
    assert threshold == 1.0 > max(conf)
    assert choose_threshold([], [], 0.9) == 1.0


def test_the_threshold_needs_a_margin_for_few_answers() -> None:
    # 9 of 10 right is a precision of 0.9, but 10 answers cannot show it
    assert wilson_lower(9, 10) < 0.9 < wilson_lower(900, 1000) + 0.02
    assert wilson_lower(0, 0) == 0.0
    conf = np.linspace(1.0, 0.5, 400)
    right = np.ones(400, dtype=bool)
    right[200:] = np.arange(200) % 2 == 0  # the lower half is a coin toss
    threshold = choose_threshold(conf, right, 0.9)
    sure = conf >= threshold
    assert 200 <= sure.sum() < 300 and right[sure].mean() >= 0.9


def test_unanswerable_rows_are_never_sure() -> None:
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]] * 20)
    truth = np.array([0, 0, 1] * 20)
    calibration = fit_calibration(proba, truth, 0.9, answerable=[True, True, False] * 20)
    assert calibration.heldout_coverage == pytest.approx(2 / 3)


def test_coverage_table_counts_sure_answers_and_their_accuracy() -> None:
    rows = coverage_table([0.95, 0.85, 0.6, 0.4], [True, True, False, False], [0.0, 0.8, 0.9])
    assert [(r["answers"], r["accuracy"]) for r in rows] == [(4, 0.5), (2, 1.0), (1, 1.0)]
    assert rows[1]["coverage"] == 0.5


def test_heldout_predictions_refit_folds_of_the_pool() -> None:
    from kit.classify.models import TfidfClassifier
    from tests.classify.conftest import TRAIN

    texts = [t for t, _ in TRAIN] * 2
    labels = [y for _, y in TRAIN] * 2
    model = TfidfClassifier().fit(texts, labels)
    proba, truth = heldout_predictions(model, texts, labels, pool=range(12))
    assert proba.shape == (12, 2) and len(truth) == 12
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # each held-out text's copy (index + 12) stays in training: the fold predicts it right
    assert (proba.argmax(axis=1) == truth).mean() == 1.0
