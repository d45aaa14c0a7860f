"""Similar answered questions: cosine similarity by TF-IDF or by the router's encoder
embeddings, most similar first, with a floor; the server's pool embeds each answered question
once per router."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from kit.classify.similar import MIN_SCORE, encoder_of, rank_similar, tfidf_scores
from kit.classify.tfidf import TfidfClassifier
from kit.server.routing import RouterPool

ANSWERED = [
    "how do I reshape a numpy array",
    "matplotlib legend is missing from the figure",
    "numpy array reshape to two columns",
]

WORDS = ["numpy", "reshape", "matplotlib", "legend", "array"]


class BagOfWords:
    """A stand-in encoder: counts of a few words (so similarities are known)."""

    def __init__(self) -> None:
        self.encoder_ = object()
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[t.lower().count(w) for w in WORDS] for t in texts], dtype=float)


def test_tfidf_ranks_by_shared_words_and_drops_the_unrelated() -> None:
    found, method = rank_similar("reshape my numpy array", ANSWERED, 3)
    assert method == "tfidf"
    assert [m.index for m in found] == [0, 2]  # the legend question is below the floor
    assert found[0].score >= found[1].score >= MIN_SCORE["tfidf"]
    assert rank_similar("reshape my numpy array", ANSWERED, 1)[0][0].index == 0
    assert rank_similar("anything", ANSWERED, 0) == ([], "tfidf")
    assert rank_similar("anything", [], 3) == ([], "tfidf")
    assert list(tfidf_scores("?!", ANSWERED)) == [0.0, 0.0, 0.0]  # no word at all


def test_the_encoder_ranks_by_embeddings_when_there_is_one() -> None:
    encoder = BagOfWords()
    found, method = rank_similar("matplotlib legend", ANSWERED, 3, embed=encoder.embed)
    assert method == "encoder" and [m.index for m in found] == [1]
    assert found[0].score == pytest.approx(1.0)


def test_the_encoder_of_a_classifier_alone_or_in_an_ensemble() -> None:
    assert encoder_of(TfidfClassifier()) is None
    encoder = BagOfWords()
    assert encoder_of(encoder) == encoder.embed
    assert encoder_of(SimpleNamespace(encoder_=encoder)) == encoder.embed
    assert encoder_of(SimpleNamespace(encoder_=None, embed=encoder.embed)) is None  # unfitted


def test_the_pool_embeds_each_answered_question_once_per_router() -> None:
    encoder = BagOfWords()
    pool = RouterPool()
    router: Any = SimpleNamespace(classifier=encoder)
    pool.router = lambda course: router  # type: ignore[method-assign]
    try:
        first = pool.similar_now(None, "numpy reshape", ANSWERED, 2)  # type: ignore[arg-type]
        again = pool.similar_now(None, "legend", [*ANSWERED, "numpy legend"], 2)  # type: ignore[arg-type]
    finally:
        pool.close()
    assert first[1] == again[1] == "encoder"
    assert [i for i, _ in first[0]] in ([0, 2], [2, 0])
    assert again[0][0][0] == 1  # a tie with "numpy legend": the earlier one first
    candidates = [c for call in encoder.calls for c in call if c in ANSWERED or c == "numpy legend"]
    assert sorted(candidates) == sorted([*ANSWERED, "numpy legend"])  # each embedded once


@pytest.mark.slow
def test_the_pretrained_encoder_finds_the_same_question_in_other_words() -> None:
    from kit.classify.encoder import EncoderClassifier

    encoder = EncoderClassifier().load_encoder()
    embed = encoder_of(encoder)
    assert embed is not None
    answered = [
        "my pandas groupby returns NaN for some groups",
        "how do I add a legend to a matplotlib plot",
        "the training loss of my network does not go down",
    ]
    found, method = rank_similar(
        "the plot has no legend, how do I show one?", answered, 3, embed=embed
    )
    assert method == "encoder" and found[0].index == 1
