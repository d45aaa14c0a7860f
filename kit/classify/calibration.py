"""Calibrated abstention: temperature scaling, a threshold for a target precision, and the
measures that show whether it holds (coverage against accuracy, expected calibration error).

Everything here works on held-out probabilities: rows of ``predict_proba`` for texts the
classifier did not learn from, with the true label of each. The threshold is the lowest top
probability at which the answers the router would give ("sure" ones) are still right often
enough: the share of right answers must reach the target precision with a margin for chance
(a one-sided 95% Wilson lower bound), so that a small held-out set does not promise more than it
can show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = [
    "Calibration",
    "apply_temperature",
    "calibration_report",
    "choose_threshold",
    "coverage_table",
    "expected_calibration_error",
    "fit_calibration",
    "fit_temperature",
    "heldout_predictions",
    "wilson_lower",
]

DEFAULT_TARGET_PRECISION = 0.9
WILSON_Z = 1.6449
"""One-sided 95% normal quantile: the true precision is above the bound 19 times in 20."""


def apply_temperature(proba: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities as if the classifier's logits had been divided by ``temperature``.

    ``softmax(z / T)`` equals ``p ** (1 / T)`` renormalised, so this works on the
    probabilities of any classifier, whatever made them.
    """
    if temperature == 1.0:
        return proba
    logp = np.log(np.clip(proba, 1e-12, 1.0)) / temperature
    logp -= logp.max(axis=1, keepdims=True)
    out = np.exp(logp)
    return np.asarray(out / out.sum(axis=1, keepdims=True))


def _nll(proba: np.ndarray, truth: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(proba[np.arange(len(truth)), truth], 1e-12, 1.0))))


def fit_temperature(proba: np.ndarray, truth: Sequence[int] | np.ndarray) -> float:
    """The temperature (0.05-20) that minimises the negative log-likelihood of ``truth``
    (column indices) under :func:`apply_temperature` of held-out ``proba``."""
    from scipy.optimize import minimize_scalar

    y = np.asarray(truth, dtype=int)
    found = minimize_scalar(
        lambda log_t: _nll(apply_temperature(proba, math.exp(log_t)), y),
        bounds=(math.log(0.05), math.log(20.0)),
        method="bounded",
    )
    return float(math.exp(found.x))


def wilson_lower(right: int, total: int, z: float = WILSON_Z) -> float:
    """Lower bound of the Wilson score interval of a proportion (0 for no observations)."""
    if total == 0:
        return 0.0
    p = right / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return (centre - spread) / (1 + z * z / total)


def choose_threshold(
    confidence: Sequence[float], correct: Sequence[bool], target_precision: float
) -> float:
    """The lowest confidence threshold whose sure answers (confidence at or above it) reach
    ``target_precision``, by the Wilson lower bound of their precision.

    Returns 1 (nothing is sure, short of certainty) when no threshold reaches the target.
    """
    conf = np.asarray(confidence, dtype=float)
    right = np.asarray(correct, dtype=bool)
    if not len(conf):
        return 1.0
    order = np.argsort(-conf, kind="stable")
    conf, right = conf[order], right[order]
    hits = np.cumsum(right)
    best = None
    for k in range(len(conf), 0, -1):
        # answers tied with the k-th are sure together: only cut between distinct values
        if k < len(conf) and conf[k] == conf[k - 1]:
            continue
        if wilson_lower(int(hits[k - 1]), k) >= target_precision:
            best = k
            break
    if best is None:
        return 1.0
    return float(conf[best - 1])


def expected_calibration_error(
    confidence: Sequence[float], correct: Sequence[bool], bins: int = 15
) -> float:
    """Expected calibration error: the gap between confidence and accuracy, averaged over
    ``bins`` equal-width confidence bins weighted by their share of answers."""
    conf = np.asarray(confidence, dtype=float)
    right = np.asarray(correct, dtype=float)
    if not len(conf):
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.mean() * abs(conf[inside].mean() - right[inside].mean())
    return float(total)


def coverage_table(
    confidence: Sequence[float],
    correct: Sequence[bool],
    thresholds: Sequence[float] = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95),
) -> list[dict[str, float]]:
    """For each threshold: the share of answers that are sure (coverage) and their accuracy."""
    conf = np.asarray(confidence, dtype=float)
    right = np.asarray(correct, dtype=bool)
    rows = []
    for threshold in thresholds:
        sure = conf >= threshold
        rows.append(
            {
                "threshold": float(threshold),
                "coverage": float(sure.mean()) if len(conf) else 0.0,
                "accuracy": float(right[sure].mean()) if sure.any() else float("nan"),
                "answers": int(sure.sum()),
            }
        )
    return rows


@dataclass(frozen=True)
class Calibration:
    """How a classifier's probabilities are read: a temperature and a "sure" threshold.

    Attributes
    ----------
    temperature:
        Divides the classifier's logits (see :func:`apply_temperature`).
    threshold:
        Top calibrated probability from which an answer is sure.
    target_precision:
        The precision of sure answers the threshold was chosen for.
    heldout:
        How many held-out texts chose them.
    heldout_precision, heldout_coverage:
        Precision and share of sure answers on those texts at the threshold.
    ece_before, ece_after:
        Expected calibration error on those texts before and after the temperature.
    """

    temperature: float
    threshold: float
    target_precision: float
    heldout: int
    heldout_precision: float
    heldout_coverage: float
    ece_before: float
    ece_after: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        """The mapping :meth:`to_dict` wrote."""
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def fit_calibration(
    proba: np.ndarray,
    truth: Sequence[int] | np.ndarray,
    target_precision: float = DEFAULT_TARGET_PRECISION,
    answerable: Sequence[bool] | None = None,
) -> Calibration:
    """Temperature and threshold from held-out ``proba`` and the ``truth`` column of each row.

    ``answerable`` marks the rows whose top column is a real answer (the router never gives
    an off-topic label as an answer: such rows are never sure, whatever their probability).
    """
    y = np.asarray(truth, dtype=int)
    temperature = fit_temperature(proba, y)
    calibrated = apply_temperature(proba, temperature)
    top = calibrated.argmax(axis=1)
    conf = calibrated.max(axis=1)
    right = top == y
    raw_conf = proba.max(axis=1)
    can = np.ones(len(y), dtype=bool) if answerable is None else np.asarray(answerable, bool)
    # unanswerable rows would never be sure: they neither help nor hurt the precision
    threshold = choose_threshold(conf[can], right[can], target_precision)
    sure = can & (conf >= threshold)
    return Calibration(
        temperature=temperature,
        threshold=threshold,
        target_precision=target_precision,
        heldout=len(y),
        heldout_precision=float(right[sure].mean()) if sure.any() else float("nan"),
        heldout_coverage=float(sure.mean()) if len(y) else 0.0,
        ece_before=expected_calibration_error(raw_conf, proba.argmax(axis=1) == y),
        ece_after=expected_calibration_error(conf, right),
    )


def heldout_predictions(
    classifier: Any,
    texts: Sequence[str],
    labels: Sequence[str],
    pool: Sequence[int] | None = None,
    folds: int = 3,
    random_state: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Held-out probabilities of a fitted classifier's own training texts, and the truth
    (column indices of ``classifier.classes_``).

    A classifier that held out a share while fitting (``validation_index_``) gives that
    share's probabilities. Any other is refitted ``folds`` times (as a clone, with its own
    settings), each time without one fold of ``pool`` (default: every text), and predicts it.
    """
    classes = list(classifier.classes_)
    index = {label: i for i, label in enumerate(classes)}
    held = getattr(classifier, "validation_index_", None)
    if held is not None and len(held):
        return np.asarray(classifier.validation_proba_), np.array([index[labels[i]] for i in held])
    from sklearn.model_selection import KFold

    candidates = np.arange(len(texts)) if pool is None else np.asarray(list(pool), dtype=int)
    if len(candidates) < folds:
        return np.zeros((0, len(classes))), np.zeros(0, dtype=int)
    probas, truths = [], []
    splitter = KFold(n_splits=folds, shuffle=True, random_state=random_state)
    for _, test in splitter.split(candidates):
        out = set(candidates[test].tolist())
        keep = [i for i in range(len(texts)) if i not in out]
        if len({labels[i] for i in keep}) < 2:
            continue
        clone = type(classifier)(**_clone_params(classifier))
        clone.fit([texts[i] for i in keep], [labels[i] for i in keep])
        proba = clone.predict_proba([texts[i] for i in candidates[test]])
        aligned = np.full((len(proba), len(classes)), 1e-9)
        for j, label in enumerate(clone.classes_):
            aligned[:, index[label]] = proba[:, j]
        probas.append(aligned / aligned.sum(axis=1, keepdims=True))
        truths.append(np.array([index[labels[i]] for i in candidates[test]]))
    if not probas:
        return np.zeros((0, len(classes))), np.zeros(0, dtype=int)
    return np.vstack(probas), np.concatenate(truths)


def _clone_params(classifier: Any) -> dict[str, Any]:
    params = dict(classifier.get_params())
    if "ngram_range" in params:
        params["ngram_range"] = tuple(params["ngram_range"])
    return params


def calibration_report(
    calibration: Calibration, proba: np.ndarray, truth: Sequence[int] | np.ndarray
) -> dict[str, Any]:
    """How a calibration holds on test data: the precision and coverage of sure answers at
    its threshold, the expected calibration error before and after its temperature, and
    coverage against accuracy at several thresholds."""
    y = np.asarray(truth, dtype=int)
    calibrated = apply_temperature(proba, calibration.temperature)
    conf = calibrated.max(axis=1)
    right = calibrated.argmax(axis=1) == y
    sure = conf >= calibration.threshold
    return {
        "threshold": round(calibration.threshold, 4),
        "temperature": round(calibration.temperature, 4),
        "target_precision": calibration.target_precision,
        "sure_precision": float(right[sure].mean()) if sure.any() else float("nan"),
        "sure_coverage": float(sure.mean()) if len(y) else 0.0,
        "ece_before": expected_calibration_error(proba.max(axis=1), proba.argmax(axis=1) == y),
        "ece_after": expected_calibration_error(conf, right),
        "coverage": coverage_table(
            conf, right, sorted({0.0, 0.5, 0.7, 0.8, 0.9, round(calibration.threshold, 4)})
        ),
    }
