"""Generate ``survey.csv``, the synthetic data set for the pandas-analysis project.

An imaginary end-of-course survey of 96 learners on three tracks. Every value is
made up by a seeded random generator, so running this script again gives
exactly the same file:

    python make_survey.py        # writes survey.csv next to this file

Columns:

* ``learner_id``        -- "L001" ... "L096"
* ``track``             -- data science, machine learning or web development
* ``hours_per_week``    -- self-reported study hours per week
* ``lessons_completed`` -- number of lessons finished (0-20)
* ``score``             -- final project score (0-100)

The data is deliberately messy, for learners to clean:

* ``track`` has inconsistent capitalisation and stray spaces;
* ``hours_per_week`` is stored as text, with junk such as "unknown", "?", "-",
  "not sure", "n/a" and an empty cell;
* some ``score`` and ``lessons_completed`` values are missing;
* three rows are exact duplicates of other rows.

Released under CC0 1.0 (public domain dedication).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 7
N_LEARNERS = 96
OUT = Path(__file__).with_name("survey.csv")

TRACKS = {
    # canonical name: (share of learners, mean hours per week, messy spellings)
    "Data Science": (0.40, 6.0, ["data science", " Data Science", "DATA SCIENCE", "Data science "]),
    "Machine Learning": (0.35, 7.5, ["machine learning", "Machine learning", " MACHINE LEARNING"]),
    "Web Development": (0.25, 4.5, ["web development", "WEB DEVELOPMENT ", "Web development"]),
}
JUNK_HOURS = ["unknown", "?", "-", "n/a", "", "not sure", "?", "unknown", "-"]


def make_survey(seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    names = list(TRACKS)
    shares = [TRACKS[t][0] for t in names]

    rows = []
    for i in range(1, N_LEARNERS + 1):
        track = str(rng.choice(names, p=shares))
        hours = float(np.clip(rng.normal(TRACKS[track][1], 2.0), 0.5, 15.0))
        hours = round(hours * 2) / 2  # people answer in half hours
        lessons = int(np.clip(rng.poisson(1.6 * hours + 2), 0, 20))
        score = float(np.clip(38 + 2.4 * lessons + rng.normal(0, 8), 0, 100))
        rows.append(
            {
                "learner_id": f"L{i:03d}",
                "track": track,
                "hours_per_week": f"{hours:g}",
                "lessons_completed": lessons,
                "score": round(score, 1),
            }
        )
    df = pd.DataFrame(rows).astype({"track": object, "hours_per_week": object})
    n = len(df)

    # Messy category spellings.
    for i in rng.choice(n, size=22, replace=False):
        df.loc[i, "track"] = str(rng.choice(TRACKS[df.loc[i, "track"]][2]))

    # Junk in the numeric text column.
    for i, junk in zip(rng.choice(n, size=len(JUNK_HOURS), replace=False), JUNK_HOURS):
        df.loc[i, "hours_per_week"] = junk

    # Missing target (score) and missing lesson counts.
    df["score"] = df["score"].astype(float)
    df.loc[rng.choice(n, size=6, replace=False), "score"] = np.nan
    df["lessons_completed"] = df["lessons_completed"].astype("Int64")
    df.loc[rng.choice(n, size=4, replace=False), "lessons_completed"] = pd.NA

    # Three learners submitted the form twice (exact copies).
    for i in sorted(rng.choice(n, size=3, replace=False), reverse=True):
        df = pd.concat([df.iloc[: i + 1], df.iloc[[i]], df.iloc[i + 1 :]])
    return df.reset_index(drop=True)


if __name__ == "__main__":
    survey = make_survey()
    survey.to_csv(OUT, index=False)
    print(f"wrote {len(survey)} rows to {OUT}")
