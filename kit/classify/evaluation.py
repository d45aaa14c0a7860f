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
    **params: Any,
) -> dict[str, Any]:
    """Fit ``model`` on ``train`` (texts, labels) and score it on ``test``.

    Returns accuracy, macro_f1, fit_seconds, predict_seconds, n_train, n_test and the model kind.
    """
    classifier = make_classifier(model, **params) if isinstance(model, str) else model
    start = time.perf_counter()
    classifier.fit(*train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    predicted = classifier.predict(test[0])
    predict_seconds = time.perf_counter() - start
    return {
        "model": classifier.kind,
        **score_predictions(test[1], predicted),
        "fit_seconds": round(fit_seconds, 2),
        "predict_seconds": round(predict_seconds, 2),
        "n_train": len(train[0]),
        "n_test": len(test[0]),
    }


def evaluate(model: str, train: str | Path, test: str | Path, **params: Any) -> dict[str, Any]:
    """:func:`evaluate_texts` on two CSV files with columns ``text,label``."""
    train_data, test_data = read_labelled_csv(train), read_labelled_csv(test)
    return evaluate_texts(
        model, (train_data.texts, train_data.labels), (test_data.texts, test_data.labels), **params
    )


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
