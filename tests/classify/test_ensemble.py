"""The encoder blended with TF-IDF: the weight chosen on held-out texts, saved and loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kit.classify.ensemble import EnsembleClassifier, blend
from kit.classify.models import load_classifier
from tests.classify.conftest import TEST, TRAIN


@pytest.fixture(scope="module")
def ensemble() -> EnsembleClassifier:
    texts = [t for t, _ in TRAIN] * 2
    labels = [y for _, y in TRAIN] * 2
    model = EnsembleClassifier(
        encoder={
            "epochs": 2,
            "batch_size": 8,
            "head_lr": 1e-2,
            "max_length": 16,
            "train_layers": 1,
        },
        validation=0.25,
    )
    return model.fit(texts, labels)


def test_blend_is_a_weighted_product_of_the_two() -> None:
    a = np.array([[0.8, 0.2], [0.5, 0.5]])
    b = np.array([[0.2, 0.8], [0.9, 0.1]])
    np.testing.assert_allclose(blend(a, b, 1.0), a)
    np.testing.assert_allclose(blend(a, b, 0.0), b)
    half = blend(a, b, 0.5)
    np.testing.assert_allclose(half[0], [0.5, 0.5])  # sqrt(0.8 * 0.2) on either side
    np.testing.assert_allclose(half.sum(axis=1), 1.0)


def test_the_weight_is_chosen_on_the_held_out_share(ensemble: EnsembleClassifier) -> None:
    held = ensemble.validation_index_
    assert len(held) == 6  # a quarter of 24 texts
    assert 0.0 <= ensemble.weight_ <= 1.0
    texts = [t for t, _ in TRAIN] * 2
    # TF-IDF learnt from the same texts as the encoder: the held-out ones are new to both
    held_texts = [texts[i] for i in held]
    expected = blend(
        ensemble.encoder_.predict_proba(held_texts),
        ensemble.tfidf_.predict_proba(held_texts),
        ensemble.weight_,
    )
    np.testing.assert_allclose(ensemble.validation_proba_, expected, atol=1e-6)
    assert ensemble.predict([t for t, _ in TEST]) == [y for _, y in TEST]


def test_ensemble_round_trip(ensemble: EnsembleClassifier, tmp_path: Path) -> None:
    folder = ensemble.save(tmp_path / "blend")
    assert (folder / "encoder" / "head.safetensors").is_file()
    assert (folder / "tfidf" / "tfidf.npz").is_file()
    loaded = load_classifier(folder)
    assert isinstance(loaded, EnsembleClassifier) and loaded.weight_ == ensemble.weight_
    texts = [t for t, _ in TEST]
    np.testing.assert_allclose(
        loaded.predict_proba(texts), ensemble.predict_proba(texts), atol=1e-4
    )
