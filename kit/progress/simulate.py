"""Learners simulated from known BKT parameters: ground truth for tests and demo cohorts."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from kit.progress.bkt import BKTParams
from kit.progress.data import Sequences


def simulate_bkt(
    params: Mapping[str, BKTParams],
    n_learners: int,
    answers_per_skill: tuple[int, int] = (5, 15),
    *,
    seed: int = 0,
) -> Sequences:
    """Answer sequences drawn from the BKT process of each skill.

    Each learner answers between ``answers_per_skill[0]`` and ``answers_per_skill[1]``
    questions on every skill; skills come one after another in the mapping's order (as a
    course would teach them), so each skill's answers form one run.
    """
    rng = np.random.default_rng(seed)
    vocabulary = list(params)
    learners, skills, correct = [], [], []
    for learner in range(n_learners):
        codes: list[int] = []
        outcomes: list[float] = []
        for code, skill in enumerate(vocabulary):
            p = params[skill]
            known = rng.random() < p.prior
            for _ in range(rng.integers(answers_per_skill[0], answers_per_skill[1] + 1)):
                right = rng.random() < ((1 - p.slip) if known else p.guess)
                codes.append(code)
                outcomes.append(float(right))
                known = (rng.random() >= p.forget) if known else (rng.random() < p.learn)
        learners.append(f"learner-{learner:04d}")
        skills.append(np.asarray(codes, dtype=np.int64))
        correct.append(np.asarray(outcomes))
    return Sequences(learners, skills, correct, vocabulary)
