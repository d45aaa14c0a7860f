"""TF-IDF of words and characters with logistic regression: the fast, robust classifier.

A module of its own so that both :mod:`kit.classify.models` (which makes and loads every kind)
and :mod:`kit.classify.ensemble` (which blends it with the encoder) can import it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kit.classify.base import TextClassifier, check_xy

__all__ = ["TfidfClassifier"]

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

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        validation_pool: Sequence[int] | None = None,
    ) -> TfidfClassifier:
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
