"""Text classifiers with the scikit-learn shape: TF-IDF, and making, loading and choosing a kind.

Both take lists of strings and labels, learn ``classes_``, and give ``predict_proba`` columns
in the order of ``classes_``. ``save(folder)`` writes plain files (JSON, NumPy, safetensors and
the encoder's ``save_pretrained`` folder; no pickles) and :func:`load_classifier` reads either
kind back without touching the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kit.classify.base import (
    FORMAT_VERSION,
    META_FILE,
    NotFittedError,
    Progress,
    TextClassifier,
    check_xy,
    read_meta,
)
from kit.classify.errors import ModelFormatError
from kit.classify.tfidf import TfidfClassifier

__all__ = [
    "FORMAT_VERSION",
    "KINDS",
    "META_FILE",
    "ModelFormatError",
    "NotFittedError",
    "Progress",
    "TextClassifier",
    "TfidfClassifier",
    "check_xy",
    "choose_model",
    "classifier_class",
    "load_classifier",
    "make_classifier",
]

KINDS = ("tfidf", "encoder", "ensemble")


def classifier_class(kind: str) -> type[TextClassifier]:
    """The class of a classifier kind (the encoder's module loads only when asked for)."""
    if kind == TfidfClassifier.kind:
        return TfidfClassifier
    if kind == "encoder":
        from kit.classify.encoder import EncoderClassifier

        return EncoderClassifier
    if kind == "ensemble":
        from kit.classify.ensemble import EnsembleClassifier

        return EnsembleClassifier
    raise ValueError(f"unknown model '{kind}'; use one of {', '.join(KINDS)}")


def load_classifier(folder: str | Path) -> TextClassifier:
    """Read a classifier of either kind that :meth:`TextClassifier.save` wrote; never touches
    the network."""
    kind = read_meta(folder)["kind"]
    try:
        cls = classifier_class(kind)
    except ValueError as exc:
        raise ModelFormatError(
            f"{Path(folder) / META_FILE}: {exc}", fix="train the model again"
        ) from None
    return cls.load(folder)


def choose_model(labels: Sequence[str], min_per_label: int = 8) -> str:
    """``"ensemble"`` (the fine-tuned encoder blended with TF-IDF) when every label has at
    least ``min_per_label`` examples, else ``"tfidf"``.

    Fine-tuning an encoder on a handful of examples per label overfits and is slower for
    nothing; TF-IDF with logistic regression is the fallback when data is scarce.
    """
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return "ensemble" if counts and min(counts.values()) >= min_per_label else "tfidf"


def make_classifier(kind: str, **params: Any) -> TextClassifier:
    """A new, unfitted classifier of ``kind`` (``"tfidf"``, ``"encoder"`` or ``"ensemble"``)."""
    return classifier_class(kind)(**params)
