"""One question through ONNX Runtime: exported when the encoder is saved, same answers as
torch, and torch again (with a warning) when the export fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kit.classify import encoder as encoder_module
from kit.classify.encoder import ONNX_FILE, EncoderClassifier
from tests.classify.conftest import TEST, TRAIN


@pytest.fixture(scope="module")
def fitted() -> EncoderClassifier:
    model = EncoderClassifier(epochs=1, batch_size=4, max_length=16, train_layers=1)
    return model.fit([t for t, _ in TRAIN], [y for _, y in TRAIN])


def test_saving_exports_the_one_question_path(fitted: EncoderClassifier, tmp_path: Path) -> None:
    folder = fitted.save(tmp_path / "enc")
    assert (folder / ONNX_FILE).is_file()
    loaded = EncoderClassifier.load(folder)
    assert loaded.onnx_ is not None
    for question in [t for t, _ in TEST] + ["a longer question about numpy arrays and plots"]:
        through_onnx = loaded.predict_proba([question])
        session, loaded.onnx_ = loaded.onnx_, None
        through_torch = loaded.predict_proba([question])
        loaded.onnx_ = session
        np.testing.assert_allclose(through_onnx, through_torch, atol=1e-4)
        # and both agree with the batch path, which stays on torch
        np.testing.assert_allclose(
            through_onnx, loaded.predict_proba([question, question])[:1], atol=1e-4
        )


def test_a_failed_export_warns_and_torch_answers(
    fitted: EncoderClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("unsupported operator")

    monkeypatch.setattr(encoder_module, "_export", broken)
    with pytest.warns(RuntimeWarning, match="ONNX export failed .*unsupported operator"):
        folder = fitted.save(tmp_path / "enc")
    assert not (folder / ONNX_FILE).exists()
    loaded = EncoderClassifier.load(folder)
    assert loaded.onnx_ is None
    assert loaded.predict([t for t, _ in TEST]) == fitted.predict([t for t, _ in TEST])
    assert loaded.predict_proba([TEST[0][0]]).shape == (1, 2)
