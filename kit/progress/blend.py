"""A blend of learner models: the mean of their predictions in log-odds.

Models that err differently (a count model that sees the learner's whole record at once and a
recurrent network that reads the answers in order) are more accurate together than either alone,
as ensembles of student models have shown (Pardos, Gowda, Baker & Heffernan, "The sum is
greater than the parts", SIGKDD Explorations 2012).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kit.progress.data import Sequences

EPS = 1e-6


def mean_log_odds(predictions: Sequence[np.ndarray]) -> np.ndarray:
    """The blend of several models' P(correct): the mean of their log-odds, back to P."""
    stacked = np.clip(np.vstack([np.asarray(p, dtype=float) for p in predictions]), EPS, 1 - EPS)
    z = np.log(stacked / (1 - stacked)).mean(axis=0)
    return np.asarray(1 / (1 + np.exp(-z)), dtype=float)


class Blend:
    """Several models fitted on the same learners; predictions are their mean log-odds.

    Parameters
    ----------
    models:
        The models, not fitted yet (as scikit-learn's voting ensembles take estimators).

    Attributes
    ----------
    models_:
        The fitted models, in order.
    """

    def __init__(self, models: Sequence[Any]) -> None:
        self.models = models

    def fit(self, data: Sequences) -> Blend:
        """Fit every model on ``data``."""
        if len(self.models) < 1:
            raise ValueError("a blend needs at least one model")
        self.models_: list[Any] = [model.fit(data) for model in self.models]
        return self

    def predict_proba(self, data: Sequences) -> np.ndarray:
        """One-step-ahead P(correct) of every answer: the models' mean log-odds."""
        return mean_log_odds([m.predict_proba(data) for m in self.models_])

    def mastery(
        self, data: Sequences, skills: Iterable[str] | None = None
    ) -> dict[str, dict[str, float]]:
        """P(right) of each learner's next answer per skill: the mean log-odds of the models
        that give one (all models here predict the next answer)."""
        wanted = None if skills is None else list(skills)
        each = [m.mastery(data, wanted) for m in self.models_]
        result: dict[str, dict[str, float]] = {}
        for learner in each[0]:
            common = set.intersection(*(set(e.get(learner, {})) for e in each))
            result[learner] = {
                s: float(mean_log_odds([np.array([e[learner][s]]) for e in each])[0])
                for s in sorted(common)
            }
        return result

    def save(self, path: str | Path) -> Path:
        """Write the blend: each model beside ``path`` (``NAME.1.json``, ``NAME.2.pt``...),
        and ``path`` naming them."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        parts = []
        for k, model in enumerate(self.models_, start=1):
            suffix = ".pt" if type(model).__name__ == "DKT" else ".json"
            part = Path(model.save(path.with_name(f"{path.stem}.{k}{suffix}")))
            parts.append(part.name)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps({"model": "blend", "parts": parts}) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path
