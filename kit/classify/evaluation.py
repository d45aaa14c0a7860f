"""Measuring the classifiers: held-out accuracy and macro F1, and grouped cross-validated AUC."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kit.classify.data import read_labelled_csv
from kit.classify.models import TextClassifier, make_classifier


def score_predictions(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """Accuracy and macro-averaged F1."""
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
    }


def evaluate_texts(
    model: str | TextClassifier,
    train: tuple[Sequence[str], Sequence[str]],
    test: tuple[Sequence[str], Sequence[str]],
    *,
    target_precision: float | None = None,
    **params: Any,
) -> dict[str, Any]:
    """Fit ``model`` on ``train`` (texts, labels) and score it on ``test``.

    Returns accuracy, macro_f1, fit_seconds, predict_seconds, n_train, n_test and the model
    kind; for an ensemble, the accuracy of each part too (``parts``). With
    ``target_precision``, also ``calibration``: the temperature and "sure" threshold chosen on
    held-out training texts (see :func:`kit.classify.calibration.heldout_predictions`) and how
    they hold on the test texts (:func:`kit.classify.calibration.calibration_report`).
    """
    classifier = make_classifier(model, **params) if isinstance(model, str) else model
    start = time.perf_counter()
    classifier.fit(*train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    proba = classifier.predict_proba(test[0])
    predicted = [classifier.classes_[i] for i in proba.argmax(axis=1)]
    predict_seconds = time.perf_counter() - start
    result: dict[str, Any] = {
        "model": classifier.kind,
        **score_predictions(test[1], predicted),
        "fit_seconds": round(fit_seconds, 2),
        "predict_seconds": round(predict_seconds, 2),
        "n_train": len(train[0]),
        "n_test": len(test[0]),
    }
    parts = {name: getattr(classifier, f"{name}_", None) for name in ("encoder", "tfidf")}
    if classifier.kind == "ensemble":
        result["weight"] = classifier.weight_  # type: ignore[attr-defined]
        result["parts"] = {
            name: score_predictions(test[1], part.predict(test[0]))["accuracy"]
            for name, part in parts.items()
            if part is not None
        }
    if target_precision is not None:
        from kit.classify.calibration import (
            calibration_report,
            fit_calibration,
            heldout_predictions,
        )

        held_proba, held_truth = heldout_predictions(classifier, *train)
        calibration = fit_calibration(held_proba, held_truth, target_precision)
        index = {label: i for i, label in enumerate(classifier.classes_)}
        known = [i for i, label in enumerate(test[1]) if label in index]
        result["calibration"] = {
            "heldout": calibration.to_dict(),
            "test": calibration_report(
                calibration, proba[known], [index[test[1][i]] for i in known]
            ),
        }
    return result


def evaluate(model: str, train: str | Path, test: str | Path, **params: Any) -> dict[str, Any]:
    """:func:`evaluate_texts` on two CSV files with columns ``text,label``."""
    train_data, test_data = read_labelled_csv(train), read_labelled_csv(test)
    return evaluate_texts(
        model, (train_data.texts, train_data.labels), (test_data.texts, test_data.labels), **params
    )


TITLES_ENCODER: dict[str, Any] = {
    "max_length": 64,
    "epochs": 3,
    "batch_size": 32,
    "lr": 1e-4,
    "head_lr": 1e-3,
    "train_layers": 2,
    "patience": 1,
}
"""The encoder's settings for thousands of short texts (``kit router eval`` and the
benchmark): the top two layers fine-tuned on cached states, at most 3 epochs."""
TITLES_TFIDF: dict[str, Any] = {"char_ngrams": True, "C": 10.0}


def split_indices(n: int, test_size: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A fixed, seeded random split of ``range(n)``: (train indices, test indices)."""
    order = np.random.default_rng(seed).permutation(n)
    cut = round(n * (1 - test_size))
    return np.sort(order[:cut]), np.sort(order[cut:])


def grouped_cv_auc(
    make: Callable[[], TextClassifier],
    texts: Sequence[str],
    positive: Sequence[int],
    groups: Sequence[str],
    folds: int = 10,
    only_folds: int | None = None,
    on_fold: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """ROC AUC of a binary classifier in ``folds``-fold cross-validation grouped by ``groups``.

    A learner's posts stay together in one fold, so the model never sees the author of a test
    post in training. ``only_folds`` runs the first few folds only (for slow models).
    Returns the pooled AUC over all held-out posts, the per-fold AUCs and the seconds.
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    texts = list(texts)
    y = np.asarray(positive)
    labels = ["urgent" if v else "normal" for v in y]
    scores = np.full(len(texts), np.nan)
    per_fold: list[float] = []
    start = time.perf_counter()
    splitter = GroupKFold(n_splits=folds)
    for fold, (train, test) in enumerate(splitter.split(texts, y, groups)):
        if only_folds is not None and fold >= only_folds:
            break
        model = make().fit([texts[i] for i in train], [labels[i] for i in train])
        column = model.classes_.index("urgent")
        scores[test] = model.predict_proba([texts[i] for i in test])[:, column]
        per_fold.append(float(roc_auc_score(y[test], scores[test])))
        if on_fold:
            on_fold(fold, per_fold[-1])
    seen = ~np.isnan(scores)
    return {
        "auc": float(roc_auc_score(y[seen], scores[seen])),
        "fold_auc_mean": float(np.mean(per_fold)),
        "fold_auc": per_fold,
        "folds": len(per_fold),
        "seconds": round(time.perf_counter() - start, 1),
    }
