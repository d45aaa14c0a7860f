"""Accuracy on public data: the question classifier on Stack Overflow titles (never times).

The titles are read in place from ``<repo>/../shared/data/questions/so_titles20`` (20,000 titles
in 20 balanced topics, Xu et al. 2015); the test is skipped when that folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.classify.data import load_so_titles
from kit.classify.evaluation import evaluate_texts, split_indices


@pytest.mark.slow
def test_tfidf_on_stack_overflow_titles(shared_data: Path) -> None:
    data = load_so_titles(shared_data / "questions" / "so_titles20")
    texts, labels = list(data.texts), list(data.labels)
    train, test = split_indices(len(texts), test_size=0.2, seed=0)
    result = evaluate_texts(
        "tfidf",
        ([texts[i] for i in train], [labels[i] for i in train]),
        ([texts[i] for i in test], [labels[i] for i in test]),
    )
    assert result["n_test"] == 4000
    # measured 0.884 (word 1-2 grams, this split); the data's README: TF-IDF + linear SVM
    # 0.8155; chance is 0.05 with 20 balanced topics
    assert result["accuracy"] >= 0.86
    assert result["macro_f1"] >= 0.86
