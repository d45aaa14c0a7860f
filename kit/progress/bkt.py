"""Bayesian Knowledge Tracing: P(mastered) per skill from a learner's answers.

This module holds the model's parameters and its forward filter, which a learner's kernel runs
on every answer. Fitting the parameters on a cohort (EM) builds on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from kit.progress.attempts import Attempt


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
        right_if_known, right_if_not = 1.0 - self.slip, self.guess
        like_known = correct * right_if_known + (1.0 - correct) * (1.0 - right_if_known)
        like_not = correct * right_if_not + (1.0 - correct) * (1.0 - right_if_not)
        known = p_mastered * like_known
        posterior = known / (known + (1.0 - p_mastered) * like_not)
        return posterior * (1.0 - self.forget) + (1.0 - posterior) * self.learn


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
    state: dict[str, float] = {}
    for attempt in sorted(attempts, key=lambda a: a.time):
        skill_params = params.get(attempt.skill, DEFAULT_PARAMS)
        start = priors.get(attempt.skill, skill_params.prior)
        current = state.get(attempt.skill, start)
        state[attempt.skill] = skill_params.update(current, attempt.correct)
    return state
