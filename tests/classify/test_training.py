"""Fast training of the encoder: frozen layers run once, early stopping on a held-out share."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from kit.classify.encoder import EncoderClassifier
from tests.classify.conftest import TRAIN

TEXTS = [t for t, _ in TRAIN]
LABELS = [y for _, y in TRAIN]
# labelled against their words: held out, they get worse as the model learns the others
WRONG = [
    ("numpy array with numpy zeros", "plotting"),
    ("reshape a numpy array", "plotting"),
    ("matplotlib plot with a legend", "numpy"),
    ("matplotlib figure subplots", "numpy"),
]


@pytest.fixture(scope="module")
def top_two() -> tuple[EncoderClassifier, list[tuple[int, int]]]:
    steps: list[tuple[int, int]] = []
    model = EncoderClassifier(
        epochs=30,
        batch_size=4,
        head_lr=1e-2,
        max_length=16,
        train_layers=2,
        validation=0.5,
        patience=2,
        progress=lambda *a: steps.append(a),
    )
    texts = TEXTS + [t for t, _ in WRONG]
    labels = LABELS + [y for _, y in WRONG]
    model.fit(texts, labels, validation_pool=range(len(TEXTS), len(texts)))
    return model, steps


def test_cached_frozen_states_give_the_full_encoders_output() -> None:
    import torch

    model = EncoderClassifier(max_length=32, device="cpu").load_encoder()
    ids = model._tokenize(["plot", *TEXTS[:3]])  # different lengths: padding in the batch
    with torch.no_grad():
        cached = model._top_pooled(model._frozen_states(ids, 4), 4)
        full = model._pooled(*model._batch(ids))
    torch.testing.assert_close(cached, full, atol=1e-5, rtol=1e-5)


def test_only_the_top_layers_are_trained(
    top_two: tuple[EncoderClassifier, list[tuple[int, int]]],
) -> None:
    import torch

    model, _ = top_two
    shipped = EncoderClassifier(device="cpu").load_encoder().encoder_.state_dict()
    layers = model.encoder_.config.num_hidden_layers
    changed = {
        name
        for name, weight in model.encoder_.state_dict().items()
        if not torch.equal(weight.cpu(), shipped[name])
    }
    top = tuple(f"encoder.layer.{i}." for i in range(layers - 2, layers))
    assert changed and all(name.startswith(top) for name in changed), changed
    assert any(name.startswith(f"encoder.layer.{layers - 2}.") for name in changed)


def test_early_stopping_keeps_the_best_epoch_of_the_held_out_share(
    top_two: tuple[EncoderClassifier, list[tuple[int, int]]],
) -> None:
    model, steps = top_two
    held = model.validation_index_
    # half of the pool (the mislabelled texts), stratified: one of each label
    assert len(held) == 2 and set(held) <= set(range(len(TEXTS), len(TEXTS) + 4))
    assert sorted(WRONG[i - len(TEXTS)][1] for i in held) == ["numpy", "plotting"]
    run = len(model.loss_history_)
    assert run < 30  # the held-out loss rose: stopped long before the last epoch
    assert model.validation_loss_[model.best_epoch_ - 1] == min(model.validation_loss_)
    assert run == model.best_epoch_ + 2  # two epochs without a lower loss (patience), then stop
    assert steps[-1] == (4 * 30, 4 * 30)  # the bar ends full (4 batches of the 14 others)
    texts = TEXTS + [t for t, _ in WRONG]
    assert model.validation_proba_.shape == (2, 2)
    np.testing.assert_allclose(
        model.validation_proba_, model.predict_proba([texts[i] for i in held]), atol=1e-6
    )


def test_no_held_out_share_when_too_small_for_every_label() -> None:
    model = EncoderClassifier(validation=0.1, epochs=1, train_layers=1, max_length=16)
    train, held = model._split(np.array([0] * 6 + [1] * 6), None)
    assert len(held) == 0 and len(train) == 12  # 1 held-out text cannot cover 2 labels
    model.validation = 0.5
    train, held = model._split(np.array([0] * 6 + [1] * 6), range(4))
    assert len(held) == 2 and set(held) <= set(range(4))
    assert len(set(train) | set(held)) == 12 and not set(train) & set(held)


def test_router_settings_train_the_top_layers_and_hold_out_questions() -> None:
    from kit.classify.router import ENCODER_SETTINGS, LEGACY_ENCODER_SETTINGS

    assert ENCODER_SETTINGS["train_layers"] < 6
    assert ENCODER_SETTINGS["validation"] > 0
    assert "train_layers" not in LEGACY_ENCODER_SETTINGS
    params: dict[str, Any] = EncoderClassifier(**ENCODER_SETTINGS).get_params()
    assert params["train_layers"] == ENCODER_SETTINGS["train_layers"]
