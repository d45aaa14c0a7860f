"""Measuring a knowledge-tracing model: fit on training learners, predict each answer of the
test learners from their earlier answers only (one step ahead), and score the predictions."""

from __future__ import annotations

import math
import time
import warnings
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from kit.progress.data import Sequences, load_sequences

MODELS = ("baseline", "bkt", "bkt-forget", "best-lr", "dkt", "best-lr+dkt")
LEAK_AUC = 0.85


class Predictor(Protocol):
    """What every model here offers."""

    def fit(self, data: Sequences) -> Any: ...

    def predict_proba(self, data: Sequences) -> np.ndarray: ...


class LeakWarning(UserWarning):
    """A score too good to be true on data known to leak."""


def make_model(name: str, **options: Any) -> Predictor:
    """A model by its command-line name: baseline, bkt, bkt-forget, best-lr, dkt or
    best-lr+dkt (their blend)."""
    if name == "baseline":
        from kit.progress.baseline import SkillRate

        return SkillRate()
    if name in ("bkt", "bkt-forget"):
        from kit.progress.bkt import BKT

        return BKT(forget=name == "bkt-forget", **options)
    if name == "best-lr":
        from kit.progress.bestlr import BestLR

        options.pop("random_state", None)  # deterministic: nothing to seed
        return BestLR(**options)
    if name == "best-lr+dkt":
        from kit.progress.blend import Blend

        return Blend([make_model("best-lr"), make_model("dkt", **options)])
    if name == "dkt":
        from kit.progress.dkt import DKT

        return DKT(**options)
    raise ValueError(f"unknown model '{name}'; choose one of {', '.join(MODELS)}")


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """AUC, RMSE and accuracy (threshold 0.5) of predictions ``p`` for outcomes ``y``.

    Partial-credit outcomes count as right from 0.5 for AUC and accuracy; RMSE uses them as
    they are.
    """
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    label = y >= 0.5
    auc = float(roc_auc_score(label, p)) if 0 < label.sum() < len(label) else math.nan
    return {
        "auc": auc,
        "rmse": float(np.sqrt(np.mean((y - p) ** 2))),
        "accuracy": float(np.mean((p >= 0.5) == label)),
    }


def _looks_like_assistments_2009(*paths: Path) -> bool:
    text = " ".join(str(p).lower() for p in paths)
    return "assist" in text and any(mark in text for mark in ("2009", "0910", "builder"))


def evaluate(
    model: str,
    train: str | Path | Sequences,
    test: str | Path | Sequences,
    **options: Any,
) -> dict[str, Any]:
    """Fit ``model`` on ``train`` and score one-step-ahead predictions on ``test``.

    Returns the keys ``auc``, ``rmse``, ``accuracy``, ``fit_seconds``, ``predict_seconds``,
    ``model``, ``n_train``, ``n_test`` (answers). Warns (:class:`LeakWarning`) when the AUC on
    ASSISTments 2009 is above 0.85: that data holds duplicated rows that leak answers.
    """
    paths = [Path(x) for x in (train, test) if not isinstance(x, Sequences)]
    train_data = train if isinstance(train, Sequences) else load_sequences(train)
    test_data = test if isinstance(test, Sequences) else load_sequences(test)
    estimator = make_model(model, **options)
    start = time.perf_counter()
    estimator.fit(train_data)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    predictions = estimator.predict_proba(test_data)
    predict_seconds = time.perf_counter() - start
    result: dict[str, Any] = {
        "model": model,
        **metrics(test_data.flat_correct(), predictions),
        "fit_seconds": round(fit_seconds, 3),
        "predict_seconds": round(predict_seconds, 3),
        "n_train": train_data.n_answers,
        "n_test": test_data.n_answers,
    }
    if result["auc"] > LEAK_AUC and _looks_like_assistments_2009(*paths):
        warnings.warn(
            f"AUC {result['auc']:.3f} on ASSISTments 2009 is above {LEAK_AUC}: this export "
            "holds duplicated rows and repeated multi-skill rows (Xiong et al., EDM 2016) that "
            "leak answers; use the cleaned variant (0910_c) for a trustworthy number",
            LeakWarning,
            stacklevel=2,
        )
    return result
