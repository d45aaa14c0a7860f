"""Best-LR (Gervet, Koedinger, Schneider & Mitchell, 2020): logistic regression on counts of a
learner's earlier answers.

Every answer becomes a sparse row of features computed from the learner's earlier answers only
(:mod:`kit.progress.features`): the skill (one-hot), the item where the data names items, the
counts of earlier attempts and right answers on this skill (per-skill weights, as in
Performance Factors Analysis), on every skill (the learner's profile, so practice on one skill
can inform another), in all and on this item, and on this skill within time windows (an hour,
a day, a week, a month) where the answers have times, as in DAS3H. Counts enter as
``log(1 + n)``. A scikit-learn :class:`~sklearn.linear_model.LogisticRegression` fits the
weights on a scipy sparse matrix. Gervet et al. found this family as accurate as deep
knowledge tracing on most datasets of moderate size, at a fraction of the fit time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kit.progress.data import Sequences


def sparse_diag(values: np.ndarray) -> Any:
    """A sparse diagonal matrix (scales the columns of a sparse matrix it multiplies)."""
    from scipy import sparse

    return sparse.diags(values, format="csr")


WINDOWS = (3600.0, 86400.0, 7 * 86400.0, 30 * 86400.0)
"""Time windows (seconds) of the window counts: an hour, a day, a week, a month."""

DECAYS = (0.5, 0.9)
"""Decays of the recent right rates: the last few answers, and the last ten or so."""


class BestLR:
    """Best-LR with the scikit-learn estimator shape.

    Parameters
    ----------
    items:
        Use item one-hots and item counts when the data has item ids.
    times:
        Use time-window counts when the data has times.
    profile:
        Use the counts on every skill (not only the skill answered).
    windows:
        The time windows, in seconds.
    decays:
        Decays of the recent right rates (R-PFA); empty: none.
    C:
        Inverse L2 regularisation strength of the logistic regression.
    max_iter:
        Iterations of the solver (L-BFGS).

    Attributes
    ----------
    vocabulary_:
        Skill ids seen in fitting; answers on other skills are predicted at the overall rate.
    items_:
        Item ids seen in fitting (empty when items are not used).
    use_items_, use_times_:
        Whether the fitted model reads items and times (the training data had them).
    coef_, intercept_:
        The fitted weights.
    overall_:
        Share of right answers in the training data.
    """

    def __init__(
        self,
        *,
        items: bool = True,
        times: bool = True,
        profile: bool = True,
        windows: Sequence[float] = WINDOWS,
        decays: Sequence[float] = DECAYS,
        C: float = 1.0,
        max_iter: int = 500,
    ) -> None:
        self.items = items
        self.times = times
        self.profile = profile
        self.windows = windows
        self.decays = decays
        self.C = C
        self.max_iter = max_iter

    # -- features -----------------------------------------------------------------------------
    def _layout(self, n_skills: int, n_items: int) -> tuple[np.ndarray, int]:
        """Offsets of the feature blocks (see :mod:`kit.progress.features`) and the width."""
        from kit.progress import features as f

        layout = np.full(f.SLOTS, -1, dtype=np.int64)
        width = 0

        def block(slot: int, size: int) -> None:
            nonlocal width
            layout[slot] = width
            width += size

        block(f.SKILL, n_skills)
        if self.use_items_:
            block(f.ITEM, n_items)
        block(f.SKILL_ATTEMPTS, n_skills)
        block(f.SKILL_WINS, n_skills)
        if self.profile:
            block(f.PROFILE, 2 * n_skills)
        block(f.TOTAL, 2)
        if self.use_items_:
            block(f.ITEM_COUNTS, 2)
        if self.use_times_:
            block(f.WINDOWS, 2 * len(self.windows))
        if len(self.decays):
            block(f.RECENT_SKILL, len(self.decays) * n_skills)
            block(f.RECENT_ALL, len(self.decays))
        return layout, width

    def _matrix(self, coded: Sequences) -> Any:
        """The sparse feature matrix of every answer of ``coded`` (coded against the fitted
        vocabulary; new skills, which have no columns, are mapped to code 0 and overridden)."""
        from scipy import sparse

        from kit.progress.features import encode

        n_known = len(self.vocabulary_)
        lengths = np.array([len(s) for s in coded.skills], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        n = int(lengths.sum())
        skills = np.concatenate(coded.skills).astype(np.int64) if n else np.zeros(0, np.int64)
        skills = np.where(skills < n_known, skills, 0)
        obs = coded.flat_correct().astype(np.float64) if n else np.zeros(0)
        item_codes, n_items = np.zeros(0, np.int64), 0
        if self.use_items_:
            item_codes, n_items = self._item_codes(coded, n)
        times = np.zeros(0)
        if self.use_times_:
            times = np.concatenate(coded.times).astype(np.float64) if n else times  # type: ignore[arg-type]
        layout, width = self._layout(n_known, len(self.items_))
        windows = np.asarray(sorted(self.windows), dtype=np.float64)
        decays = np.asarray(self.decays, dtype=np.float64)
        args = (skills, obs, item_codes, times, starts, lengths, n_known, n_items)
        empty_i, empty_f = np.zeros(0, np.int64), np.zeros(0)
        nnz = encode(
            *args, len(self.items_), windows, decays, layout, False, empty_i, empty_i, empty_f
        )
        rows, cols, vals = np.empty(nnz, np.int64), np.empty(nnz, np.int64), np.empty(nnz)
        encode(*args, len(self.items_), windows, decays, layout, True, rows, cols, vals)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(n, width))

    def _item_codes(self, coded: Sequences, n: int) -> tuple[np.ndarray, int]:
        """Item codes: fitted items first (they have columns), then the new ones."""
        index = {item: i for i, item in enumerate(self.items_)}
        flat = np.concatenate(coded.items) if n and coded.items else np.zeros(0, dtype=object)
        codes = np.empty(len(flat), dtype=np.int64)
        for i, item in enumerate(flat.tolist()):
            code = index.get(item)
            if code is None:
                code = index[item] = len(index)
            codes[i] = code
        return codes, len(index)

    # -- API ----------------------------------------------------------------------------------
    def fit(self, data: Sequences) -> BestLR:
        """Encode every training answer and fit the logistic regression."""
        from sklearn.linear_model import LogisticRegression

        if data.n_answers == 0:
            raise ValueError("no answers to fit: the training data is empty")
        self.vocabulary_ = list(data.vocabulary)
        self.use_items_ = bool(self.items and data.items is not None)
        self.use_times_ = bool(self.times and data.times is not None and len(self.windows))
        self.items_: list[str] = []
        if self.use_items_:
            seen: dict[str, None] = {}
            for row in data.items or []:
                seen.update(dict.fromkeys(row.tolist()))
            self.items_ = list(seen)
        y = data.flat_correct()
        self.overall_ = float(y.mean())
        x = self._matrix(data)
        labels, weights = y >= 0.5, None
        partial = (y > 0) & (y < 1)
        if partial.any():
            # partial credit: each such answer counts as right with weight y, wrong with 1 - y
            from scipy import sparse

            x = sparse.vstack([x, x[partial]]).tocsr()
            labels = np.concatenate([y > 0, np.zeros(int(partial.sum()), dtype=bool)])
            weights = np.concatenate([np.where(partial, y, 1.0), 1.0 - y[partial]])
        if labels.all() or not labels.any():
            self.coef_ = np.zeros(x.shape[1])
            self.intercept_ = float(np.log(max(self.overall_, 1e-6) / max(1 - self.overall_, 1e-6)))
            return self
        # columns scaled to a largest magnitude of 1 (sparsity kept) so that L-BFGS converges
        # in few iterations; the weights are scaled back, so predictions read raw features
        scale = np.asarray(abs(x).max(axis=0).toarray()).ravel()
        scale[scale == 0] = 1.0
        model = LogisticRegression(C=self.C, max_iter=self.max_iter, solver="lbfgs")
        model.fit(x @ sparse_diag(1.0 / scale), labels, sample_weight=weights)
        self.n_iter_ = int(model.n_iter_[0])
        self.coef_ = np.asarray(model.coef_[0], dtype=float) / scale
        self.intercept_ = float(model.intercept_[0])
        return self

    def _proba(self, x: Any) -> np.ndarray:
        z = np.asarray(x @ self.coef_, dtype=float) + self.intercept_
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=float)

    def predict_proba(self, data: Sequences) -> np.ndarray:
        """One-step-ahead P(correct) of every answer (flat, learner after learner), each from
        the learner's earlier answers only."""
        if data.n_answers == 0:
            return np.zeros(0)
        coded = data.recode(self.vocabulary_)
        p = self._proba(self._matrix(coded))
        unseen = np.concatenate(coded.skills) >= len(self.vocabulary_)
        p[unseen] = self.overall_
        return p

    def mastery(
        self, data: Sequences, skills: Iterable[str] | None = None
    ) -> dict[str, dict[str, float]]:
        """P(right) of each learner's next answer on each skill, after all their answers.

        ``skills`` defaults to the skills each learner has answered (as BKT's mastery does);
        skills unseen in fitting are left out. The next answer's item is unknown, so it gets
        no item weight; its time is that of the learner's last answer.
        """
        wanted = None if skills is None else [s for s in skills if s in set(self.vocabulary_)]
        coded = data.recode(self.vocabulary_)
        known = len(self.vocabulary_)
        # each learner's history, once per skill asked about, followed by one answer on it
        learners, seqs, outs, items, times, asked = [], [], [], [], [], []
        for i, learner in enumerate(coded.learners):
            history = coded.skills[i]
            names = (
                wanted
                if wanted is not None
                else [coded.vocabulary[k] for k in dict.fromkeys(history.tolist()) if k < known]
            )
            for skill in names:
                code = self.vocabulary_.index(skill)
                learners.append(learner)
                seqs.append(np.append(history, code))
                outs.append(np.append(coded.correct[i], 0.0))
                if coded.items is not None:
                    items.append(np.append(coded.items[i], "\0next"))
                if coded.times is not None:
                    last = coded.times[i][-1] if len(coded.times[i]) else 0.0
                    times.append(np.append(coded.times[i], last))
                asked.append(skill)
        result: dict[str, dict[str, float]] = {learner: {} for learner in coded.learners}
        if not seqs:
            return result
        probe = Sequences(
            learners,
            seqs,
            outs,
            coded.vocabulary,
            items if coded.items is not None else None,
            times if coded.times is not None else None,
        )
        x = self._matrix(probe)  # the probe's item is new: it has no item weight
        ends = np.cumsum([len(s) for s in seqs]) - 1
        p = self._proba(x[ends])
        for learner, skill, value in zip(learners, asked, p.tolist(), strict=True):
            result[learner][skill] = value
        return result

    # -- persistence --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The fitted model as JSON-ready data."""
        return {
            "model": "best-lr",
            "settings": {
                "items": self.items,
                "times": self.times,
                "profile": self.profile,
                "windows": list(self.windows),
                "decays": list(self.decays),
                "C": self.C,
                "max_iter": self.max_iter,
            },
            "vocabulary": self.vocabulary_,
            "items": self.items_,
            "use_items": self.use_items_,
            "use_times": self.use_times_,
            "overall": self.overall_,
            "intercept": self.intercept_,
            "coef": self.coef_.tolist(),
        }

    def save(self, path: str | Path) -> Path:
        """Write the fitted model to a JSON file (atomically)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(self.to_dict()) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BestLR:
        """A fitted model from :meth:`to_dict`'s data."""
        if data.get("model") != "best-lr":
            raise ValueError("the data does not hold a Best-LR model")
        model = cls(**data["settings"])
        model.vocabulary_ = list(data["vocabulary"])
        model.items_ = list(data["items"])
        model.use_items_ = bool(data["use_items"])
        model.use_times_ = bool(data["use_times"])
        model.overall_ = float(data["overall"])
        model.intercept_ = float(data["intercept"])
        model.coef_ = np.asarray(data["coef"], dtype=float)
        return model

    @classmethod
    def load(cls, path: str | Path) -> BestLR:
        """A fitted model from a file written by :meth:`save`."""
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
