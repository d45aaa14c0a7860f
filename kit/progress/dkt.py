"""Deep Knowledge Tracing (Piech et al., 2015): an LSTM over a learner's answers that predicts
the next answer on every skill at once.

CPU by default, a GPU when there is one. Trained with early stopping on a validation split of
learners (not of answers: a learner's own later answers would leak into validation).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from kit.progress.data import Sequences


def _device(name: str | None) -> Any:
    import torch

    if name:
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class DKT:
    """Deep Knowledge Tracing with the scikit-learn estimator shape.

    Parameters
    ----------
    hidden:
        LSTM state size.
    dropout:
        Dropout on the LSTM output.
    window:
        Training cuts long sequences into windows of this many answers.
    query:
        Give the output layer the skill asked next as an input (its own embedding, then a
        hidden layer) instead of reading one output per skill off the LSTM state.
    weight_decay:
        L2 penalty of Adam (AdamW's decoupled form).
    batch_size, lr:
        Adam mini-batches.
    max_epochs, patience:
        Training stops when validation AUC has not improved for ``patience`` epochs; the best
        epoch's weights are kept.
    max_seconds:
        Training also stops after the first epoch that ends past this many seconds (None: no
        limit), so that a fit on a shared machine stays bounded.
    val_fraction:
        Share of the training learners held out for early stopping.
    device:
        ``"cpu"``, ``"cuda"``...; default: a GPU if there is one.
    random_state:
        Seed for the split, the initial weights and the batches.
    progress:
        Called after each epoch with ``(epoch, train_loss, val_auc)``.

    Attributes
    ----------
    vocabulary_:
        Skill ids seen in fitting (unseen skills are predicted at the overall rate).
    history_:
        Per epoch: train loss, validation AUC, seconds.
    best_epoch_:
        The epoch whose weights are kept.
    stopped_by_time_:
        Whether ``max_seconds`` ended the training.
    """

    def __init__(
        self,
        *,
        hidden: int = 128,
        dropout: float = 0.2,
        window: int = 200,
        query: bool = False,
        weight_decay: float = 0.0,
        batch_size: int = 64,
        lr: float = 2e-3,
        max_epochs: int = 30,
        patience: int = 3,
        max_seconds: float | None = None,
        val_fraction: float = 0.1,
        device: str | None = None,
        random_state: int = 0,
        progress: Callable[[int, float, float], None] | None = None,
    ) -> None:
        self.hidden = hidden
        self.dropout = dropout
        self.window = window
        self.query = query
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.lr = lr
        self.max_epochs = max_epochs
        self.patience = patience
        self.max_seconds = max_seconds
        self.val_fraction = val_fraction
        self.device = device
        self.random_state = random_state
        self.progress = progress

    # -- network ------------------------------------------------------------------------------
    def _network(self, n_skills: int) -> Any:
        import torch
        from torch import nn

        class Net(nn.Module):  # type: ignore[misc]
            def __init__(self, n_skills: int, hidden: int, dropout: float, query: bool) -> None:
                super().__init__()
                # inputs: (skill, wrong) = skill, (skill, right) = n_skills + skill, start = 2n
                self.n_skills = n_skills
                self.embed = nn.Embedding(2 * n_skills + 1, hidden)
                self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
                self.drop = nn.Dropout(dropout)
                if query:
                    # the skill asked next is an input of the output layer (its own embedding)
                    self.ask = nn.Embedding(n_skills, hidden)
                    self.head = nn.Sequential(
                        nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Dropout(dropout)
                    )
                    self.out = nn.Linear(hidden, 1)
                else:
                    self.out = nn.Linear(hidden, n_skills)
                self.query = query

            def states(self, skills: Any, correct: Any, lengths: Any) -> Any:
                """The LSTM state before each answer (after the ones before it)."""
                n = self.n_skills
                # answer t is input t + 1; input 0 is the start token; partial credit mixes
                right = self.embed(skills + n) * correct.unsqueeze(-1)
                wrong = self.embed(skills) * (1 - correct.unsqueeze(-1))
                start = self.embed.weight[2 * n].expand(skills.shape[0], 1, -1)
                x = torch.cat([start, (right + wrong)[:, :-1]], dim=1)
                packed = nn.utils.rnn.pack_padded_sequence(
                    x, lengths.cpu(), batch_first=True, enforce_sorted=False
                )
                h, _ = self.lstm(packed)
                h, _ = nn.utils.rnn.pad_packed_sequence(
                    h, batch_first=True, total_length=x.shape[1]
                )
                return self.drop(h)

            def every_skill(self, h: Any) -> Any:
                """Logits of a right answer on every skill from states ``h`` (..., hidden)."""
                if not self.query:
                    return self.out(h)
                asked = self.ask.weight.expand(*h.shape[:-1], -1, -1)
                both = torch.cat([h.unsqueeze(-2).expand_as(asked), asked], dim=-1)
                return self.out(self.head(both)).squeeze(-1)

            def forward(self, skills: Any, correct: Any, lengths: Any) -> Any:
                h = self.states(skills, correct, lengths)
                if self.query:
                    both = torch.cat([h, self.ask(skills)], dim=-1)
                    return self.out(self.head(both)).squeeze(-1)
                return self.out(h).gather(-1, skills.unsqueeze(-1)).squeeze(-1)

        return Net(n_skills, self.hidden, self.dropout, self.query)

    @staticmethod
    def _batch(skills: list[np.ndarray], correct: list[np.ndarray], device: Any) -> tuple[Any, ...]:
        import torch

        lengths = torch.tensor([len(s) for s in skills])
        width = int(lengths.max())
        s = torch.zeros(len(skills), width, dtype=torch.long)
        c = torch.zeros(len(skills), width)
        mask = torch.zeros(len(skills), width, dtype=torch.bool)
        for i, (sk, co) in enumerate(zip(skills, correct, strict=True)):
            s[i, : len(sk)] = torch.from_numpy(sk)
            c[i, : len(sk)] = torch.from_numpy(co.astype(np.float32))
            mask[i, : len(sk)] = True
        return s.to(device), c.to(device), lengths, mask.to(device)

    def _windows(self, data: Sequences) -> tuple[list[np.ndarray], list[np.ndarray]]:
        skills, correct = [], []
        for sk, co in zip(data.skills, data.correct, strict=True):
            for start in range(0, len(sk), self.window):
                if len(sk[start : start + self.window]) >= 2:
                    skills.append(sk[start : start + self.window])
                    correct.append(co[start : start + self.window])
        return skills, correct

    def _predict_coded(self, skills: list[np.ndarray], correct: list[np.ndarray]) -> np.ndarray:
        import torch

        device = _device(self.device)
        self.net_.eval()
        out = [np.zeros(len(s)) for s in skills]
        order = sorted(range(len(skills)), key=lambda i: len(skills[i]))
        with torch.no_grad():
            for b in range(0, len(order), self.batch_size):
                idx = [i for i in order[b : b + self.batch_size] if len(skills[i])]
                if not idx:
                    continue
                s, c, lengths, _ = self._batch(
                    [skills[i] for i in idx], [correct[i] for i in idx], device
                )
                p = torch.sigmoid(self.net_(s, c, lengths)).cpu().numpy()
                for row, i in enumerate(idx):
                    out[i] = p[row, : len(skills[i])]
        return np.concatenate(out) if out else np.zeros(0)

    # -- API ----------------------------------------------------------------------------------
    def fit(self, data: Sequences) -> DKT:
        """Train on the learners' sequences, stopping early on held-out learners."""
        import torch
        from sklearn.metrics import roc_auc_score

        if data.n_answers == 0:
            raise ValueError("no answers to fit: the training data is empty")
        torch.manual_seed(self.random_state)
        rng = np.random.default_rng(self.random_state)
        device = _device(self.device)
        order = rng.permutation(len(data))
        n_val = max(1, round(len(data) * self.val_fraction)) if len(data) > 1 else 0
        val, train = data.subset(order[:n_val]), data.subset(order[n_val:])
        self.vocabulary_ = list(data.vocabulary)
        self.overall_ = float(data.flat_correct().mean())
        self.net_ = self._network(data.n_skills).to(device)
        optimiser = torch.optim.AdamW(
            self.net_.parameters(), lr=self.lr, weight_decay=self.weight_decay
        )
        loss_fn = torch.nn.BCEWithLogitsLoss(reduction="sum")
        win_skills, win_correct = self._windows(train)
        best_auc, best_state, stale = -math.inf, None, 0
        fit_started = time.perf_counter()
        self.stopped_by_time_ = False
        self.history_: list[dict[str, float]] = []
        for epoch in range(1, self.max_epochs + 1):
            started = time.perf_counter()
            self.net_.train()
            total, count = 0.0, 0
            perm = rng.permutation(len(win_skills))
            for b in range(0, len(perm), self.batch_size):
                idx = perm[b : b + self.batch_size]
                s, c, lengths, mask = self._batch(
                    [win_skills[i] for i in idx], [win_correct[i] for i in idx], device
                )
                logits = self.net_(s, c, lengths)
                loss = loss_fn(logits[mask], c[mask])
                optimiser.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.net_.parameters(), 5.0)
                optimiser.step()
                total += float(loss.detach())
                count += int(mask.sum())
            if len(val):
                p = self._predict_coded(val.skills, val.correct)
                y = val.flat_correct()
                auc = float(roc_auc_score(y > 0.5, p)) if len(set((y > 0.5).tolist())) > 1 else 0.5
            else:
                auc = -total
            self.history_.append(
                {
                    "epoch": epoch,
                    "train_loss": total / max(count, 1),
                    "val_auc": auc,
                    "seconds": time.perf_counter() - started,
                }
            )
            if self.progress is not None:
                self.progress(epoch, total / max(count, 1), auc)
            if auc > best_auc + 1e-4:
                best_auc, stale, self.best_epoch_ = auc, 0, epoch
                best_state = {k: v.detach().clone() for k, v in self.net_.state_dict().items()}
            else:
                stale += 1
                if stale >= self.patience:
                    break
            if (
                self.max_seconds is not None
                and time.perf_counter() - fit_started > self.max_seconds
            ):
                self.stopped_by_time_ = True
                break
        if best_state is not None:
            self.net_.load_state_dict(best_state)
        self.val_auc_ = best_auc
        return self

    def predict_proba(self, data: Sequences) -> np.ndarray:
        """One-step-ahead P(correct) of every answer (flat, learner after learner)."""
        coded = data.recode(self.vocabulary_)
        known = len(self.vocabulary_)
        skills = [np.where(s < known, s, 0) for s in coded.skills]
        p = self._predict_coded(skills, coded.correct)
        unseen = np.concatenate([s >= known for s in coded.skills]) if len(coded) else p
        if len(p):
            p[unseen.astype(bool)] = self.overall_
        return p

    def mastery(
        self, data: Sequences, skills: Iterable[str] | None = None
    ) -> dict[str, dict[str, float]]:
        """P(right) of each learner's next answer on each skill, after all their answers.

        ``skills`` defaults to the skills each learner has answered (as BKT's mastery does);
        skills unseen in fitting are left out.
        """
        import torch

        device = _device(self.device)
        coded = data.recode(self.vocabulary_)
        known = len(self.vocabulary_)
        index = {s: k for k, s in enumerate(self.vocabulary_)}
        wanted = None if skills is None else [s for s in skills if s in index]
        result: dict[str, dict[str, float]] = {learner: {} for learner in coded.learners}
        self.net_.eval()
        with torch.no_grad():
            for b in range(0, len(coded), self.batch_size):
                rows = range(b, min(b + self.batch_size, len(coded)))
                # one more (dummy) answer per learner: the state before it follows them all
                sk = [
                    np.append(np.where(coded.skills[i] < known, coded.skills[i], 0), 0)
                    for i in rows
                ]
                co = [np.append(coded.correct[i], 0.0) for i in rows]
                s, c, lengths, _ = self._batch(sk, co, device)
                h = self.net_.states(s, c, lengths)
                last = h[torch.arange(len(sk)), lengths.to(h.device) - 1]
                p = torch.sigmoid(self.net_.every_skill(last)).cpu().numpy()
                for row, i in enumerate(rows):
                    names = (
                        wanted
                        if wanted is not None
                        else [
                            coded.vocabulary[k]
                            for k in dict.fromkeys(coded.skills[i].tolist())
                            if k < known
                        ]
                    )
                    result[coded.learners[i]] = {n: float(p[row, index[n]]) for n in names}
        return result

    def influence(self) -> np.ndarray:
        """J[i, j]: how much a right answer on skill i raises the prediction for skill j,
        normalised over i (Piech et al.); clustering J recovers groups of related skills."""
        import torch

        device = _device(self.device)
        n = len(self.vocabulary_)
        self.net_.eval()
        with torch.no_grad():
            # the prediction for every skill j after one right answer on skill i
            net = self.net_
            right = net.embed(torch.arange(n, device=device).unsqueeze(1) + n)
            start = net.embed.weight[2 * n].expand(n, 1, -1)
            h, _ = net.lstm(torch.cat([start, right], dim=1))
            y = torch.sigmoid(net.every_skill(h[:, 1])).cpu().numpy()
        return np.asarray(y / y.sum(axis=0, keepdims=True), dtype=float)

    def influence_on(self, data: Sequences, max_learners: int = 500) -> np.ndarray:
        """M[i, j]: how much flipping an answer on skill i moves the model's later predictions
        on skill j, averaged over real learners' sequences (an alternative to
        :meth:`influence` that stays on the data the model was trained on)."""
        coded = data.recode(self.vocabulary_)
        n = len(self.vocabulary_)
        pick = list(range(min(len(coded), max_learners)))
        skills = [np.where(coded.skills[i] < n, coded.skills[i], 0) for i in pick]
        correct = [coded.correct[i] for i in pick]
        base = self._split(self._predict_coded(skills, correct), skills)
        total = np.zeros((n, n))
        count = np.zeros((n, n))
        longest = max((len(s) for s in skills), default=0)
        for t in range(longest - 1):
            rows = [k for k, s in enumerate(skills) if len(s) > t + 1]
            flipped = []
            for k in rows:
                c = correct[k].copy()
                c[t] = 1.0 - c[t]
                flipped.append(c)
            moved = self._split(
                self._predict_coded([skills[k] for k in rows], flipped), [skills[k] for k in rows]
            )
            for k, after in zip(rows, moved, strict=True):
                delta = np.abs(after[t + 1 :] - base[k][t + 1 :])
                np.add.at(total, (skills[k][t], skills[k][t + 1 :]), delta)
                np.add.at(count, (skills[k][t], skills[k][t + 1 :]), 1.0)
        return np.divide(total, count, out=np.zeros_like(total), where=count > 0)

    @staticmethod
    def _split(flat: np.ndarray, like: list[np.ndarray]) -> list[np.ndarray]:
        bounds = np.cumsum([len(s) for s in like])[:-1]
        return list(np.split(flat, bounds))

    # -- persistence --------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the model: ``path`` (weights) and ``path`` + ``.json`` (settings, vocabulary)."""
        import torch

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        settings = {
            k: v
            for k, v in vars(self).items()
            if k
            in (
                "hidden",
                "dropout",
                "window",
                "query",
                "weight_decay",
                "batch_size",
                "lr",
                "max_epochs",
                "patience",
                "max_seconds",
                "val_fraction",
                "random_state",
            )
        }
        meta = {
            "model": "dkt",
            "settings": settings,
            "vocabulary": self.vocabulary_,
            "overall": self.overall_,
        }
        torch.save(self.net_.state_dict(), path)
        path.with_name(path.name + ".json").write_text(json.dumps(meta, indent=2))
        return path

    @classmethod
    def load(cls, path: str | Path, device: str | None = None) -> DKT:
        """A model written by :meth:`save`."""
        import torch

        path = Path(path)
        meta = json.loads(path.with_name(path.name + ".json").read_text())
        model = cls(**meta["settings"], device=device)
        model.vocabulary_ = meta["vocabulary"]
        model.overall_ = meta["overall"]
        model.net_ = model._network(len(model.vocabulary_)).to(_device(device))
        model.net_.load_state_dict(
            torch.load(path, map_location=_device(device), weights_only=True)
        )
        return model
