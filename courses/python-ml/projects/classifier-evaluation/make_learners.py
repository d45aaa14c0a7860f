"""Generate ``learners.csv``, the synthetic data set for the classifier-evaluation project.

An imaginary online course records, for each of 800 learners, what they did in their first
four weeks, and whether they later dropped out. Every value is made up by a seeded random
generator, so running this script again gives exactly the same file:

    python make_learners.py        # writes learners.csv next to this file

Columns:

* ``learner_id``         -- "P0001" ... "P0800"
* ``hours_per_week``     -- mean study hours per week in the first four weeks
* ``lessons_done``       -- lessons finished in the first four weeks (0-12)
* ``quiz_mean``          -- mean self-check score, 0-100
* ``days_since_login``   -- days between the last login and the end of week 4
* ``forum_posts``        -- posts in the course forum
* ``mentor_sessions``    -- sessions booked with a mentor (0-4)
* ``dropped_out``        -- 1 if the learner later left the course without finishing, else 0

About a third of the learners drop out. Dropping out depends on the activity columns
through a logistic model with noise, so no classifier can predict it perfectly.

Released under CC0 1.0 (public domain dedication).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 42
N_LEARNERS = 800
OUT = Path(__file__).with_name("learners.csv")


def make_learners(seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = N_LEARNERS
    motivation = rng.normal(0, 1, n)  # hidden: drives both activity and staying on
    hours = np.clip(5 + 2.0 * motivation + rng.normal(0, 1.8, n), 0.5, 16).round(1)
    lessons = np.clip(np.round(hours * 0.9 + rng.normal(0, 1.5, n)), 0, 12).astype(int)
    quiz = np.clip(62 + 8 * motivation + rng.normal(0, 12, n), 0, 100).round(0).astype(int)
    days = np.clip(rng.exponential(4 - 1.5 * np.tanh(motivation), n), 0, 27).round(0).astype(int)
    posts = rng.poisson(np.exp(0.6 + 0.5 * motivation))
    mentor = np.clip(rng.poisson(0.8 + 0.4 * np.clip(motivation, 0, None)), 0, 4)
    logit = (
        -1.0
        - 0.45 * (hours - 5)
        - 0.04 * (quiz - 62)
        + 0.25 * (days - 3)
        - 0.35 * mentor
        + rng.normal(0, 0.6, n)
    )
    dropped = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame(
        {
            "learner_id": [f"P{i:04d}" for i in range(1, n + 1)],
            "hours_per_week": hours,
            "lessons_done": lessons,
            "quiz_mean": quiz,
            "days_since_login": days,
            "forum_posts": posts,
            "mentor_sessions": mentor,
            "dropped_out": dropped,
        }
    )


if __name__ == "__main__":
    learners = make_learners()
    learners.to_csv(OUT, index=False)
    print(f"wrote {len(learners)} rows to {OUT}")
