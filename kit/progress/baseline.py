"""The simplest predictor: each skill's share of right answers in the training data."""

from __future__ import annotations

import numpy as np

from kit.progress.data import Sequences


class SkillRate:
    """Predict every answer on a skill with that skill's training correct rate.

    A floor for the real models: a knowledge-tracing model that cannot beat it has learnt
    nothing about learners. Skills unseen in fitting get the overall rate.

    Attributes
    ----------
    rates_:
        Correct rate per skill id (Laplace-smoothed).
    overall_:
        Correct rate over all answers.
    """

    def fit(self, data: Sequences) -> SkillRate:
        """Count right answers per skill."""
        if data.n_answers == 0:
            raise ValueError("no answers to fit: the training data is empty")
        skills = np.concatenate(data.skills)
        correct = data.flat_correct()
        right = np.bincount(skills, weights=correct, minlength=data.n_skills)
        total = np.bincount(skills, minlength=data.n_skills)
        self.overall_ = float(correct.mean())
        self.rates_ = {
            skill: float((right[k] + self.overall_) / (total[k] + 1))
            for k, skill in enumerate(data.vocabulary)
        }
        return self

    def predict_proba(self, data: Sequences) -> np.ndarray:
        """P(correct) of every answer (flat, learner after learner)."""
        table = np.array([self.rates_.get(s, self.overall_) for s in data.vocabulary])
        if not len(data) or data.n_answers == 0:
            return np.zeros(0)
        return np.asarray(table[np.concatenate(data.skills)], dtype=float)
