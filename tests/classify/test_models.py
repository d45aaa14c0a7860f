"""The classifiers: a tiny training set trains in seconds, predicts right, and survives save/load."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kit.classify.encoder import EncoderClassifier
from kit.classify.models import (
    ModelFormatError,
    NotFittedError,
    TextClassifier,
    TfidfClassifier,
    choose_model,
    load_classifier,
    make_classifier,
)
from tests.classify.conftest import TEST


@pytest.fixture(scope="module")
def no_network() -> Any:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args}")

    patch = pytest.MonkeyPatch()
    patch.setattr(socket.socket, "connect", refuse)
    patch.setenv("HF_HUB_OFFLINE", "1")
    yield
    patch.undo()


@pytest.fixture(scope="module")
def encoder(no_network: Any) -> EncoderClassifier:
    from tests.classify.conftest import TRAIN

    steps: list[tuple[int, int]] = []
    model = EncoderClassifier(
        epochs=4, batch_size=4, head_lr=1e-2, max_length=16, progress=lambda *a: steps.append(a)
    )
    model.fit([t for t, _ in TRAIN], [y for _, y in TRAIN])
    assert steps[-1] == (12, 12)  # 3 batches x 4 epochs, reported as they go
    return model


@pytest.fixture(scope="module")
def frozen(no_network: Any) -> EncoderClassifier:
    from tests.classify.conftest import TRAIN

    return EncoderClassifier(fine_tune=False, max_length=16).fit(
        [t for t, _ in TRAIN], [y for _, y in TRAIN]
    )


@pytest.fixture(scope="module")
def pretrained(no_network: Any) -> dict[str, Any]:
    """The encoder's weights as shipped, before any fitting."""
    model = EncoderClassifier(device="cpu").load_encoder()
    return {name: w.detach().clone() for name, w in model.encoder_.state_dict().items()}


@pytest.mark.parametrize("kind", ["tfidf", "encoder"])
def test_tiny_training_set_predicts_held_out_questions(
    kind: str, tiny: tuple[list[str], list[str]], request: pytest.FixtureRequest
) -> None:
    model: TextClassifier = (
        request.getfixturevalue("encoder") if kind == "encoder" else TfidfClassifier().fit(*tiny)
    )
    assert model.classes_ == ["numpy", "plotting"]
    assert model.predict([t for t, _ in TEST]) == [y for _, y in TEST]
    proba = model.predict_proba([t for t, _ in TEST])
    assert proba.shape == (2, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("kind", ["tfidf", "encoder"])
def test_save_load_round_trip_gives_identical_probabilities(
    kind: str,
    tiny: tuple[list[str], list[str]],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    model: TextClassifier = (
        request.getfixturevalue("encoder")
        if kind == "encoder"
        else TfidfClassifier(char_ngrams=True).fit(*tiny)
    )
    texts = [t for t, _ in TEST] + ["something else entirely", "plot"]
    model.save(tmp_path / "model")
    loaded = load_classifier(tmp_path / "model")
    assert type(loaded) is type(model)
    assert loaded.classes_ == model.classes_
    np.testing.assert_array_equal(loaded.predict_proba(texts), model.predict_proba(texts))
    # the one-question fast path agrees with the batch path
    np.testing.assert_allclose(
        loaded.predict_proba(texts[:1]), loaded.predict_proba(texts)[:1], atol=1e-5
    )


def test_encoder_loads_from_its_folder_offline(encoder: EncoderClassifier, tmp_path: Path) -> None:
    folder = encoder.save(tmp_path / "enc")
    assert (folder / "encoder" / "config.json").is_file()
    assert (folder / "head.safetensors").is_file()
    loaded = EncoderClassifier.load(folder)
    assert loaded.predict(["numpy array of ones"]) == ["numpy"]


def test_frozen_encoder_is_logistic_regression_on_embeddings(
    frozen: EncoderClassifier, tiny: tuple[list[str], list[str]]
) -> None:
    from sklearn.linear_model import LogisticRegression

    model = frozen
    assert model.predict([t for t, _ in TEST]) == [y for _, y in TEST]
    # the binary head reproduces the logistic regression's probabilities
    embeddings = model.embed(tiny[0])
    reference = LogisticRegression(C=1.0, max_iter=3000).fit(embeddings, tiny[1])
    np.testing.assert_allclose(
        model.predict_proba(tiny[0]), reference.predict_proba(embeddings), atol=1e-4
    )


def test_fine_tuning_changes_the_encoder_and_freezing_keeps_it(
    encoder: EncoderClassifier, frozen: EncoderClassifier, pretrained: dict[str, Any]
) -> None:
    import torch

    tuned = {name: w.cpu() for name, w in encoder.encoder_.state_dict().items()}
    assert tuned.keys() == pretrained.keys()
    changed = {name for name, w in tuned.items() if not torch.equal(w, pretrained[name])}
    # every transformer layer moved, and not by weight decay alone (LayerNorm has none)
    for layer in range(encoder.encoder_.config.num_hidden_layers):
        assert any(name.startswith(f"encoder.layer.{layer}.") for name in changed), layer
    assert any("LayerNorm" in name for name in changed)
    # fine_tune=False fits the head only: the encoder stays exactly as shipped
    for name, weight in frozen.encoder_.state_dict().items():
        assert torch.equal(weight.cpu(), pretrained[name]), name


def test_unfitted_and_unknown() -> None:
    with pytest.raises(NotFittedError):
        TfidfClassifier().predict(["x"])
    with pytest.raises(ValueError, match="unknown model 'svm'"):
        make_classifier("svm")
    with pytest.raises(ValueError, match="two different labels"):
        TfidfClassifier().fit(["a", "b"], ["x", "x"])


def test_load_errors_say_what_to_do(tmp_path: Path, tiny: tuple[list[str], list[str]]) -> None:
    with pytest.raises(ModelFormatError, match="not a saved classifier"):
        load_classifier(tmp_path)
    TfidfClassifier().fit(*tiny).save(tmp_path / "m")
    with pytest.raises(ModelFormatError, match="holds a 'tfidf' classifier"):
        EncoderClassifier.load(tmp_path / "m")


def test_tfidf_is_the_fallback_when_data_is_scarce() -> None:
    assert choose_model(["a"] * 8 + ["b"] * 8) == "ensemble"
    assert choose_model(["a"] * 30 + ["b"] * 3) == "tfidf"
