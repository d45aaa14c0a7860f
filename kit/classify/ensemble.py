"""The fine-tuned encoder and TF-IDF together: a weighted blend of their log-probabilities.

The two err differently (the encoder knows that "plot" and "figure" mean the same, TF-IDF
keeps rare names and version numbers), so their blend is more accurate than either. The weight
is chosen on the encoder's held-out share, with TF-IDF fitted on the same training texts, and
that share's blended probabilities calibrate the router.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kit.classify.base import Progress, TextClassifier, check_xy
from kit.classify.encoder import EncoderClassifier
from kit.classify.tfidf import TfidfClassifier

WEIGHTS = tuple(float(round(w, 2)) for w in np.linspace(0.0, 1.0, 21))


def _log(proba: np.ndarray) -> np.ndarray:
    return np.asarray(np.log(np.clip(proba, 1e-12, 1.0)))


def blend(encoder: np.ndarray, tfidf: np.ndarray, weight: float) -> np.ndarray:
    """``softmax(weight * log p_encoder + (1 - weight) * log p_tfidf)``, row by row."""
    logits = weight * _log(encoder) + (1.0 - weight) * _log(tfidf)
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return np.asarray(out / out.sum(axis=1, keepdims=True))


class EnsembleClassifier(TextClassifier):
    """A fine-tuned :class:`~kit.classify.encoder.EncoderClassifier` blended with a
    :class:`~kit.classify.models.TfidfClassifier`.

    Parameters
    ----------
    encoder, tfidf:
        Settings of the two classifiers.
    validation:
        Share of the training texts held out (the encoder's early stopping, the blend's
        weight); without a held-out share the weight is ``weight``.
    weight:
        The encoder's weight when there is no held-out share to choose it on.
    random_state:
        Seed of the encoder's training and of the held-out share.
    progress:
        Called with ``(steps done, total steps)`` while the encoder trains.

    Attributes
    ----------
    weight_:
        The encoder's weight in the blend (0-1).
    validation_index_, validation_proba_:
        The held-out texts' indices and their blended probabilities.
    """

    kind = "ensemble"

    def __init__(
        self,
        encoder: dict[str, Any] | None = None,
        tfidf: dict[str, Any] | None = None,
        validation: float = 0.1,
        weight: float = 0.5,
        random_state: int = 0,
        progress: Progress | None = None,
    ) -> None:
        self.encoder = encoder
        self.tfidf = tfidf
        self.validation = validation
        self.weight = weight
        self.random_state = random_state
        self.progress = progress

    def get_params(self) -> dict[str, Any]:
        return {
            "encoder": dict(self.encoder or {}),
            "tfidf": dict(self.tfidf or {}),
            "validation": self.validation,
            "weight": self.weight,
            "random_state": self.random_state,
        }

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        validation_pool: Sequence[int] | None = None,
    ) -> EnsembleClassifier:
        """Fit the encoder (holding out a share of ``validation_pool``, default all texts),
        then TF-IDF on the same training texts, then the weight on the held-out share."""
        start = time.perf_counter()
        texts, labels = check_xy(texts, labels)
        settings = {**(self.encoder or {}), "validation": self.validation}
        settings.setdefault("random_state", self.random_state)
        self.encoder_ = EncoderClassifier(**settings, progress=self.progress)
        self.encoder_.fit(texts, labels, validation_pool=validation_pool)
        self.classes_ = list(self.encoder_.classes_)
        held = self.encoder_.validation_index_
        train = np.setdiff1d(np.arange(len(texts)), held)
        self.tfidf_ = TfidfClassifier(**_tfidf_params(self.tfidf or {}))
        self.tfidf_.fit([texts[i] for i in train], [labels[i] for i in train])
        self.weight_ = float(self.weight)
        self.validation_index_ = held
        self.validation_proba_ = np.zeros((0, len(self.classes_)))
        if len(held):
            encoder_proba = self.encoder_.validation_proba_
            tfidf_proba = self._tfidf_proba([texts[i] for i in held])
            index = {label: i for i, label in enumerate(self.classes_)}
            truth = np.array([index[labels[i]] for i in held])
            rows = np.arange(len(held))
            losses = [
                -float(np.mean(_log(blend(encoder_proba, tfidf_proba, w))[rows, truth]))
                for w in WEIGHTS
            ]
            self.weight_ = WEIGHTS[int(np.argmin(losses))]
            self.validation_proba_ = blend(encoder_proba, tfidf_proba, self.weight_)
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _tfidf_proba(self, texts: Sequence[str]) -> np.ndarray:
        """TF-IDF's probabilities in the columns of ``classes_`` (labels it never saw: ~0)."""
        proba = self.tfidf_.predict_proba(texts)
        if self.tfidf_.classes_ == self.classes_:
            return proba
        out = np.full((len(proba), len(self.classes_)), 1e-6)
        for j, label in enumerate(self.tfidf_.classes_):
            out[:, self.classes_.index(label)] = proba[:, j]
        return np.asarray(out / out.sum(axis=1, keepdims=True))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        self._check_fitted()
        texts = list(texts)
        return blend(self.encoder_.predict_proba(texts), self._tfidf_proba(texts), self.weight_)

    def _save_weights(self, folder: Path) -> None:
        self.encoder_.save(folder / "encoder")
        self.tfidf_.save(folder / "tfidf")
        (folder / "blend.json").write_text(json.dumps({"weight": self.weight_}), encoding="utf-8")

    def _load_weights(self, folder: Path) -> None:
        loaded_encoder = EncoderClassifier.load(folder / "encoder")
        loaded_tfidf = TfidfClassifier.load(folder / "tfidf")
        assert isinstance(loaded_encoder, EncoderClassifier)
        assert isinstance(loaded_tfidf, TfidfClassifier)
        self.encoder_, self.tfidf_ = loaded_encoder, loaded_tfidf
        self.weight_ = float(json.loads((folder / "blend.json").read_text("utf-8"))["weight"])


def _tfidf_params(params: dict[str, Any]) -> dict[str, Any]:
    params = dict(params)
    if "ngram_range" in params:
        params["ngram_range"] = tuple(params["ngram_range"])
    return params
