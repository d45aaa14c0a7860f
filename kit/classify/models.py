"""Text classifiers with the scikit-learn shape: the shared base, TF-IDF, loading and choosing.

Both take lists of strings and labels, learn ``classes_``, and give ``predict_proba`` columns
in the order of ``classes_``. ``save(folder)`` writes plain files (JSON, NumPy, safetensors and
the encoder's ``save_pretrained`` folder; no pickles) and :func:`load_classifier` reads either
kind back without touching the network.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from kit.classify.errors import ModelFormatError as ModelFormatError  # named here too, as before
from kit.classify.errors import RouterError

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
    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> TextClassifier:
        """Learn from ``texts`` and their ``labels``; returns ``self``."""

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
        """Read a classifier saved by :meth:`save` (of this kind, or any kind from the base)."""
        model = load_classifier(folder)
        if cls is not TextClassifier and not isinstance(model, cls):
            raise ModelFormatError(
                f"{folder}: holds a '{model.kind}' classifier, not {cls.__name__}"
            )
        return model


def check_xy(texts: Sequence[str], labels: Sequence[str]) -> tuple[list[str], list[str]]:
    texts, labels = [str(t) for t in texts], [str(y) for y in labels]
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels; give one label per text")
    if len(set(labels)) < 2:
        raise ValueError("fitting needs at least two different labels")
    return texts, labels


# -- TF-IDF + logistic regression -------------------------------------------------------------


class TfidfClassifier(TextClassifier):
    """TF-IDF of words (1-2 grams) and characters, then logistic regression: fast and robust.

    Parameters
    ----------
    ngram_range:
        Word n-grams.
    char_ngrams:
        Also use character 2-5 grams within words (helps with misspellings).
    C:
        Inverse regularisation strength of the logistic regression.
    min_df:
        Ignore terms in fewer documents than this.
    class_weight:
        ``"balanced"`` to weight rare labels up, or ``None``.
    """

    kind = "tfidf"

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        char_ngrams: bool = False,
        C: float = 10.0,
        min_df: int = 1,
        class_weight: str | None = None,
    ) -> None:
        self.ngram_range = ngram_range
        self.char_ngrams = char_ngrams
        self.C = C
        self.min_df = min_df
        self.class_weight = class_weight

    def get_params(self) -> dict[str, Any]:
        return {
            "ngram_range": list(self.ngram_range),
            "char_ngrams": self.char_ngrams,
            "C": self.C,
            "min_df": self.min_df,
            "class_weight": self.class_weight,
        }

    def _vectorizers(self) -> list[Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        word = TfidfVectorizer(
            ngram_range=tuple(self.ngram_range), min_df=self.min_df, sublinear_tf=True
        )
        if not self.char_ngrams:
            return [word]
        char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=self.min_df, sublinear_tf=True
        )
        return [word, char]

    def _features(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import hstack

        parts = [v.transform(texts) for v in self.vectorizers_]
        return parts[0] if len(parts) == 1 else hstack(parts).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> TfidfClassifier:
        from sklearn.linear_model import LogisticRegression

        start = time.perf_counter()
        texts, labels = check_xy(texts, labels)
        self.vectorizers_ = self._vectorizers()
        for vectorizer in self.vectorizers_:
            vectorizer.fit(texts)
        from threadpoolctl import threadpool_limits

        self.model_ = LogisticRegression(C=self.C, max_iter=2000, class_weight=self.class_weight)
        # the solver's dense algebra is tiny (labels x terms); BLAS threads only add overhead,
        # and on a busy machine they make the fit several times slower
        with threadpool_limits(1):
            self.model_.fit(self._features(texts), labels)
        self.classes_ = [str(c) for c in self.model_.classes_]
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        self._check_fitted()
        return np.asarray(self.model_.predict_proba(self._features(list(texts))))

    def _save_weights(self, folder: Path) -> None:
        arrays: dict[str, np.ndarray] = {
            "coef": self.model_.coef_,
            "intercept": self.model_.intercept_,
        }
        vocabularies = []
        for i, vectorizer in enumerate(self.vectorizers_):
            arrays[f"idf_{i}"] = vectorizer.idf_
            vocabularies.append({term: int(j) for term, j in vectorizer.vocabulary_.items()})
        np.savez(folder / "tfidf.npz", **arrays)  # type: ignore[arg-type]
        (folder / "vocabulary.json").write_text(json.dumps(vocabularies), encoding="utf-8")

    def _load_weights(self, folder: Path) -> None:
        from sklearn.linear_model import LogisticRegression

        vocabularies = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        with np.load(folder / "tfidf.npz") as arrays:
            self.vectorizers_ = self._vectorizers()
            for i, (vectorizer, vocabulary) in enumerate(
                zip(self.vectorizers_, vocabularies, strict=True)
            ):
                vectorizer.vocabulary_ = vocabulary
                vectorizer.idf_ = arrays[f"idf_{i}"]
            self.model_ = LogisticRegression(C=self.C, class_weight=self.class_weight)
            self.model_.coef_ = arrays["coef"]
            self.model_.intercept_ = arrays["intercept"]
        self.model_.classes_ = np.array(self.classes_)


KINDS = ("tfidf", "encoder")


def classifier_class(kind: str) -> type[TextClassifier]:
    """The class of a classifier kind (the encoder's module loads only when asked for)."""
    if kind == TfidfClassifier.kind:
        return TfidfClassifier
    if kind == "encoder":
        from kit.classify.encoder import EncoderClassifier

        return EncoderClassifier
    raise ValueError(f"unknown model '{kind}'; use one of {', '.join(KINDS)}")


def load_classifier(folder: str | Path) -> TextClassifier:
    """Read a classifier that :meth:`TextClassifier.save` wrote; never touches the network."""
    folder = Path(folder)
    meta_path = folder / META_FILE
    if not meta_path.is_file():
        raise ModelFormatError(
            f"{folder}: no {META_FILE}; this is not a saved classifier (train one first)"
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        cls = classifier_class(meta["kind"])
    except (json.JSONDecodeError, KeyError, ValueError) as exc:
        raise ModelFormatError(f"{meta_path}: unreadable ({exc}); train the model again") from None
    if meta.get("format") != FORMAT_VERSION:
        raise ModelFormatError(
            f"{meta_path}: format {meta.get('format')}, this kit reads {FORMAT_VERSION}; "
            "train the model again"
        )
    params = dict(meta["params"])
    if "ngram_range" in params:
        params["ngram_range"] = tuple(params["ngram_range"])
    model = cls(**params)
    model.classes_ = list(meta["classes"])
    if meta.get("fit_seconds") is not None:
        model.fit_seconds_ = float(meta["fit_seconds"])
    model._load_weights(folder)
    return model


def choose_model(labels: Sequence[str], min_per_label: int = 8) -> str:
    """``"encoder"`` when every label has at least ``min_per_label`` examples, else ``"tfidf"``.

    Fine-tuning an encoder on a handful of examples per label overfits and is slower for
    nothing; TF-IDF with logistic regression is the fallback when data is scarce.
    """
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return "encoder" if counts and min(counts.values()) >= min_per_label else "tfidf"


def make_classifier(kind: str, **params: Any) -> TextClassifier:
    """A new, unfitted classifier of ``kind`` (``"tfidf"`` or ``"encoder"``)."""
    return classifier_class(kind)(**params)
