"""Questions like a new one, among those already answered: the router's encoder embeddings
where the course's router has an encoder, else TF-IDF; cosine similarity either way.

Shown to a learner before their question is sent, so an answer already given can close it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Embed = Callable[[Sequence[str]], np.ndarray]
"""Texts -> one embedding row each."""

MIN_SCORE = {"encoder": 0.5, "tfidf": 0.1}
"""Below this cosine similarity a question is not shown as similar: TF-IDF scores fall fast
with few shared words; sentence embeddings of any two questions on one topic reach 0.3."""


@dataclass(frozen=True)
class Match:
    """One similar text: its index among the candidates, and the cosine similarity."""

    index: int
    score: float


def encoder_of(classifier: Any) -> Embed | None:
    """The embedding function of a router's classifier (its fine-tuned encoder, alone or in an
    ensemble), or None for a classifier without one (TF-IDF)."""
    for holder in (classifier, getattr(classifier, "encoder_", None)):
        embed = getattr(holder, "embed", None)
        if callable(embed) and getattr(holder, "encoder_", None) is not None:
            return embed  # type: ignore[no-any-return]
    return None


def _cosine(query: np.ndarray, rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1) * max(float(np.linalg.norm(query)), 1e-12)
    return np.asarray(rows @ query / np.maximum(norms, 1e-12), dtype=float)


def tfidf_scores(text: str, candidates: Sequence[str]) -> np.ndarray:
    """Cosine similarity of ``text`` with each candidate, by TF-IDF of words (1-2 grams) fitted
    on the candidates and the text."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode")
    try:
        matrix = vectorizer.fit_transform([text, *candidates])
    except ValueError:  # no word at all (only punctuation): nothing is alike
        return np.zeros(len(candidates))
    # rows are L2-normalised: the dot product is the cosine
    return np.asarray((matrix[1:] @ matrix[0].T).toarray()).ravel()


def rank_similar(
    text: str,
    candidates: Sequence[str],
    limit: int,
    *,
    embed: Embed | None = None,
    embeddings: np.ndarray | None = None,
) -> tuple[list[Match], str]:
    """The candidates most like ``text``, most similar first (at most ``limit``, none below
    :data:`MIN_SCORE`), and the method used: ``encoder`` with ``embed`` (``embeddings``: the
    candidates' rows, when known), else ``tfidf``."""
    if limit <= 0 or not candidates:
        return [], "encoder" if embed is not None else "tfidf"
    if embed is not None:
        rows = embeddings if embeddings is not None else embed(list(candidates))
        scores = _cosine(np.asarray(embed([text]))[0], np.asarray(rows))
        method = "encoder"
    else:
        scores = tfidf_scores(text, candidates)
        method = "tfidf"
    order = np.argsort(-scores, kind="stable")
    floor = MIN_SCORE[method]
    found = [Match(int(i), round(float(scores[i]), 4)) for i in order if scores[i] >= floor]
    return found[:limit], method
