"""Bayesian Knowledge Tracing: P(mastered) per skill from a learner's answers.

This module holds the model's parameters and its forward filter, which a learner's kernel runs
on every answer. Fitting the parameters on a cohort (EM) builds on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, astuple, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kit.progress.attempts import Attempt
from kit.progress.data import Sequences


@dataclass(frozen=True)
class BKTParams:
    """The four (five with forgetting) parameters of BKT for one skill.

    Attributes
    ----------
    prior:
        P(mastered) before any answer.
    learn:
        P(not mastered -> mastered) after each opportunity.
    guess:
        P(right answer | not mastered); below 0.5.
    slip:
        P(wrong answer | mastered); below 0.5.
    forget:
        P(mastered -> not mastered) after each opportunity (0 in classic BKT).
    """

    prior: float = 0.2
    learn: float = 0.15
    guess: float = 0.2
    slip: float = 0.1
    forget: float = 0.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"BKT {name} must lie in [0, 1], not {value}")
        if self.guess >= 0.5 or self.slip >= 0.5:
            raise ValueError("BKT guess and slip must stay below 0.5 to be identifiable")

    def update(self, p_mastered: float, correct: float) -> float:
        """P(mastered) after one answer (``correct`` in [0, 1]; partial credit mixes both cases),
        then one learning (and forgetting) step."""
        return self.step(p_mastered, 1.0 - p_mastered, correct)[0]

    def step(self, known: float, unknown: float, correct: float) -> tuple[float, float]:
        """:meth:`update` on the pair (P(mastered), P(not mastered)).

        Carrying both keeps precision near certainty, where ``1 - p`` rounds to 0 and a state
        would otherwise stick at 1 whatever answers follow.
        """
        right_if_known, right_if_not = 1.0 - self.slip, self.guess
        like_known = correct * right_if_known + (1.0 - correct) * (1.0 - right_if_known)
        like_not = correct * right_if_not + (1.0 - correct) * (1.0 - right_if_not)
        post_known, post_not = known * like_known, unknown * like_not
        total = post_known + post_not
        post_known, post_not = post_known / total, post_not / total
        return (
            post_known * (1.0 - self.forget) + post_not * self.learn,
            post_not * (1.0 - self.learn) + post_known * self.forget,
        )


DEFAULT_PARAMS = BKTParams()
"""Used for a skill until parameters fitted on a cohort are shipped with the course."""


def mastery_trace(correct: Iterable[float], params: BKTParams = DEFAULT_PARAMS) -> list[float]:
    """P(mastered) after each answer in turn."""
    p = params.prior
    trace = []
    for outcome in correct:
        p = params.update(p, outcome)
        trace.append(p)
    return trace


def learner_mastery(
    attempts: Iterable[Attempt],
    params: Mapping[str, BKTParams] | None = None,
    *,
    priors: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """P(mastered) per skill for one learner, from their attempts in time order.

    ``priors`` replaces the model's prior for this learner where given (for example what they
    said of themselves), so answers refine a self-rating instead of overruling it. Skills never
    attempted are absent (the planner then falls back on the learner's profile).
    """
    params = params or {}
    priors = priors or {}
    state: dict[str, tuple[float, float]] = {}
    for attempt in sorted(attempts, key=lambda a: a.time):
        skill_params = params.get(attempt.skill, DEFAULT_PARAMS)
        start = priors.get(attempt.skill, skill_params.prior)
        known, unknown = state.get(attempt.skill, (start, 1.0 - start))
        state[attempt.skill] = skill_params.step(known, unknown, attempt.correct)
    return {skill: known for skill, (known, _) in state.items()}


# -- fitting on a cohort -------------------------------------------------------------------------


def _flatten(data: Sequences) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Flat skills and outcomes, and each learner's start and length in them."""
    lengths = np.array([len(s) for s in data.skills], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    skills = np.concatenate(data.skills).astype(np.int64) if len(data) else np.zeros(0, np.int64)
    obs = data.flat_correct().astype(np.float64)
    return skills, obs, starts, lengths


def _segments(
    skills: np.ndarray, obs: np.ndarray, lengths: np.ndarray, n_skills: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Regroup answers as segments: one learner's answers on one skill, in order, skill by skill."""
    learner = np.repeat(np.arange(len(lengths)), lengths)
    order = np.lexsort((np.arange(len(skills)), learner, skills))  # stable: keeps time order
    obs_sorted = obs[order]
    key_skill, key_learner = skills[order], learner[order]
    change = np.ones(len(order), dtype=bool)
    change[1:] = (key_skill[1:] != key_skill[:-1]) | (key_learner[1:] != key_learner[:-1])
    seg_start = np.flatnonzero(change).astype(np.int64)
    seg_len = np.diff(np.append(seg_start, len(order))).astype(np.int64)
    seg_skill = key_skill[seg_start]
    skill_seg = np.searchsorted(seg_skill, np.arange(n_skills + 1)).astype(np.int64)
    return obs_sorted, seg_start, seg_len, skill_seg


class BKT:
    """Bayesian Knowledge Tracing fitted with EM, one model per skill, scikit-learn style.

    Parameters
    ----------
    forget:
        Also fit a forgetting probability (BKT with forgets).
    n_restarts:
        Random starting points per skill. Each runs ``explore_iter`` EM iterations; the most
        likely one continues to convergence.
    explore_iter:
        Iterations given to every starting point before the best is chosen.
    max_iter, tol:
        EM stops after ``max_iter`` iterations or when the log-likelihood improves by less
        than ``tol`` relative to its size.
    random_state:
        Seed of the starting points (fits are deterministic for a given seed).

    Attributes
    ----------
    params_:
        Fitted :class:`BKTParams` per skill id.
    vocabulary_:
        Skill ids seen in fitting.
    log_likelihood_:
        Log-likelihood of the training answers per skill id.
    """

    def __init__(
        self,
        *,
        forget: bool = False,
        n_restarts: int = 5,
        max_iter: int = 100,
        tol: float = 1e-6,
        explore_iter: int = 8,
        random_state: int = 0,
    ) -> None:
        self.forget = forget
        self.n_restarts = n_restarts
        self.explore_iter = explore_iter
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _inits(self, n_skills: int) -> np.ndarray:
        rng = np.random.default_rng(self.random_state)
        inits = np.empty((n_skills, self.n_restarts, 5))
        inits[..., 0] = rng.uniform(0.1, 0.8, (n_skills, self.n_restarts))
        inits[..., 1] = rng.uniform(0.05, 0.5, (n_skills, self.n_restarts))
        inits[..., 2] = rng.uniform(0.05, 0.4, (n_skills, self.n_restarts))
        inits[..., 3] = rng.uniform(0.05, 0.4, (n_skills, self.n_restarts))
        inits[..., 4] = rng.uniform(0.01, 0.2, (n_skills, self.n_restarts)) if self.forget else 0.0
        return inits

    def fit(self, data: Sequences) -> BKT:
        """Fit every skill's parameters on the learners' answer sequences."""
        import numba

        from kit.progress.kernels import fit_all

        if not len(data) or data.n_answers == 0:
            raise ValueError("no answers to fit: the training data is empty")
        skills, obs, _, lengths = _flatten(data)
        obs_sorted, seg_start, seg_len, skill_seg = _segments(skills, obs, lengths, data.n_skills)
        sizes = np.diff(skill_seg)  # segments per skill: work grows with answers, near enough
        answers = np.add.reduceat(seg_len, skill_seg[:-1]) if len(seg_len) else sizes
        answers = np.where(sizes > 0, answers, 0)
        order = np.argsort(-answers, kind="stable").astype(np.int64)
        previous_chunk = numba.get_parallel_chunksize()
        numba.set_parallel_chunksize(1)
        try:
            params, logliks, iterations = fit_all(
                obs_sorted,
                seg_start,
                seg_len,
                skill_seg,
                self._inits(data.n_skills),
                self.max_iter,
                self.tol,
                self.forget,
                self.explore_iter,
                order,
            )
        finally:
            numba.set_parallel_chunksize(previous_chunk)
        self.vocabulary_ = list(data.vocabulary)
        self.params_ = {
            skill: BKTParams(*(float(v) for v in row))
            for skill, row in zip(self.vocabulary_, params, strict=True)
        }
        self.log_likelihood_ = dict(zip(self.vocabulary_, logliks.tolist(), strict=True))
        self.n_iter_ = dict(zip(self.vocabulary_, iterations.tolist(), strict=True))
        return self

    def _param_table(self, vocabulary: Sequence[str]) -> np.ndarray:
        fitted = list(self.params_.values())
        fallback = BKTParams(
            *(
                float(np.mean([getattr(p, f) for p in fitted]))
                for f in ("prior", "learn", "guess", "slip", "forget")
            )
        )
        return np.array([astuple(self.params_.get(s, fallback)) for s in vocabulary])

    def predict_proba(self, data: Sequences) -> np.ndarray:
        """One-step-ahead P(correct) of every answer (flat, learner after learner), each from
        the learner's earlier answers only. Skills unseen in fitting use mean parameters."""
        from kit.progress.kernels import predict_all

        coded = data.recode(self.vocabulary_)
        skills, obs, starts, lengths = _flatten(coded)
        p_correct, _ = predict_all(
            skills, obs, starts, lengths, self._param_table(coded.vocabulary), coded.n_skills
        )
        return np.asarray(p_correct, dtype=float)

    def mastery(self, data: Sequences) -> dict[str, dict[str, float]]:
        """P(mastered) per learner and skill after all their answers."""
        from kit.progress.kernels import predict_all

        coded = data.recode(self.vocabulary_)
        skills, obs, starts, lengths = _flatten(coded)
        _, p_mastered = predict_all(
            skills, obs, starts, lengths, self._param_table(coded.vocabulary), coded.n_skills
        )
        result: dict[str, dict[str, float]] = {}
        for learner, start, length in zip(coded.learners, starts, lengths, strict=True):
            last: dict[str, float] = {}
            for i in range(start, start + length):
                last[coded.vocabulary[skills[i]]] = float(p_mastered[i])
            result[learner] = last
        return result

    # -- persistence ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The fitted model as JSON-ready data."""
        return {
            "model": "bkt",
            "forget": self.forget,
            "params": {skill: asdict(p) for skill, p in self.params_.items()},
        }

    def save(self, path: str | Path) -> Path:
        """Write the fitted parameters to a JSON file (atomically)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> BKT:
        """A fitted model from a file written by :meth:`save`."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("model") != "bkt":
            raise ValueError(f"{path} does not hold BKT parameters")
        model = cls(forget=bool(data.get("forget", False)))
        model.params_ = {s: BKTParams(**p) for s, p in data["params"].items()}
        model.vocabulary_ = list(model.params_)
        return model
