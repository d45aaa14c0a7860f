"""What every text classifier of the kit shares: the scikit-learn shape, saving and loading.

Classifiers take lists of strings and labels, learn ``classes_``, and give ``predict_proba``
columns in the order of ``classes_``. ``save(folder)`` writes plain files (JSON, NumPy,
safetensors and the encoder's ``save_pretrained`` folder; no pickles) beside a description,
``classifier.json``, written last.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from kit.classify.errors import ModelFormatError, RouterError

FORMAT_VERSION = 1
META_FILE = "classifier.json"

Progress = Callable[[int, int], None]
"""Called during fitting with ``(steps done, total steps)``."""


class NotFittedError(RouterError, RuntimeError):
    """A classifier used before ``fit`` (or ``load``)."""


class TextClassifier(ABC):
    """What every text classifier of the kit offers.

    Attributes
    ----------
    classes_:
        The labels seen in fitting, sorted; the columns of :meth:`predict_proba`.
    fit_seconds_:
        Wall-clock seconds that :meth:`fit` took.
    """

    kind: ClassVar[str]
    classes_: list[str]
    fit_seconds_: float

    @abstractmethod
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        validation_pool: Sequence[int] | None = None,
    ) -> TextClassifier:
        """Learn from ``texts`` and their ``labels``; returns ``self``.

        ``validation_pool``: for the classifiers that hold out a share of their training
        texts, the indices it may be drawn from (others ignore it).
        """

    @abstractmethod
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, one row per text, one column per label of ``classes_``."""

    @abstractmethod
    def _save_weights(self, folder: Path) -> None: ...

    @abstractmethod
    def _load_weights(self, folder: Path) -> None: ...

    @abstractmethod
    def get_params(self) -> dict[str, Any]:
        """The settings given to ``__init__``."""

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The most likely label of each text."""
        proba = self.predict_proba(texts)
        return [self.classes_[i] for i in proba.argmax(axis=1)]

    def _check_fitted(self) -> None:
        if not getattr(self, "classes_", None):
            raise NotFittedError(
                f"{type(self).__name__} is not fitted", fix="call fit() or load() first"
            )

    def save(self, folder: str | Path) -> Path:
        """Write the classifier into ``folder`` (created; files in it are replaced)."""
        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._save_weights(folder)
        meta = {
            "format": FORMAT_VERSION,
            "kind": self.kind,
            "classes": self.classes_,
            "params": self.get_params(),
            "fit_seconds": getattr(self, "fit_seconds_", None),
        }
        # written last: a folder without it is an unfinished save, never a half-read model
        tmp = folder / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(meta, indent=2), encoding="utf-8")
        tmp.replace(folder / META_FILE)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> TextClassifier:
        """Read a classifier of this kind saved by :meth:`save` (any kind:
        :func:`kit.classify.models.load_classifier`)."""
        meta = read_meta(folder)
        kind = getattr(cls, "kind", None)
        if meta["kind"] != kind:
            raise ModelFormatError(
                f"{folder}: holds a '{meta['kind']}' classifier, not {cls.__name__}",
                fix="load it with kit.classify.models.load_classifier",
            )
        params = dict(meta["params"])
        if "ngram_range" in params:
            params["ngram_range"] = tuple(params["ngram_range"])
        model = cls(**params)
        model.classes_ = list(meta["classes"])
        if meta.get("fit_seconds") is not None:
            model.fit_seconds_ = float(meta["fit_seconds"])
        model._load_weights(Path(folder))
        return model


def read_meta(folder: str | Path) -> dict[str, Any]:
    """The description that :meth:`TextClassifier.save` wrote beside the weights, checked."""
    meta_path = Path(folder) / META_FILE
    if not meta_path.is_file():
        raise ModelFormatError(
            f"{folder}: no {META_FILE}; this is not a saved classifier", fix="train one first"
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or not {"kind", "params", "classes"} <= meta.keys():
            raise ValueError("kind, params or classes missing")
    except (json.JSONDecodeError, ValueError) as exc:
        raise ModelFormatError(
            f"{meta_path}: unreadable ({exc})", fix="train the model again"
        ) from None
    if meta.get("format") != FORMAT_VERSION:
        raise ModelFormatError(
            f"{meta_path}: format {meta.get('format')}, this kit reads {FORMAT_VERSION}",
            fix="train the model again",
        )
    return meta


def check_xy(texts: Sequence[str], labels: Sequence[str]) -> tuple[list[str], list[str]]:
    texts, labels = [str(t) for t in texts], [str(y) for y in labels]
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels; give one label per text")
    if len(set(labels)) < 2:
        raise ValueError("fitting needs at least two different labels")
    return texts, labels
