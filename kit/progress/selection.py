"""Choosing a cohort's learner model: every candidate is fitted on some learners and scored on
the answers of others (one step ahead), and the one with the best AUC on held-out learners wins.

Small cohorts are scored by cross-validation over learners (every learner is held out once),
large ones on one held-out share; DKT is a candidate only from :data:`DKT_MIN_LEARNERS`
learners on, since a recurrent network needs many learners to beat the count models (Gervet
et al., 2020) and would only slow the choice down on a small cohort. The blend of Best-LR and
DKT is scored from their own held-out predictions (it needs no fit of its own).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from kit.progress.data import Sequences
from kit.progress.evaluation import make_model, metrics

CANDIDATES = ("baseline", "bkt", "bkt-forget", "best-lr", "dkt", "best-lr+dkt")
"""What ``kit progress fit --model auto`` compares, simplest first (ties go to the simpler)."""

FLOOR = "baseline"
"""Scored as the floor to beat, never chosen: it says nothing about any one learner."""

DKT_MIN_LEARNERS = 200
SPLIT_FROM = 200
"""From this many learners on, one held-out share; below, cross-validation over learners."""


@dataclass(frozen=True)
class Score:
    """One candidate's result on held-out learners.

    Attributes
    ----------
    model:
        Its name (as ``kit progress eval --model`` spells it).
    auc, rmse:
        One-step-ahead scores of the held-out learners' answers (NaN when skipped).
    fit_seconds:
        Time to fit it (summed over folds).
    note:
        Why it was skipped, or empty.
    """

    model: str
    auc: float
    rmse: float
    fit_seconds: float
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (NaN as None)."""
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Score:
        """The inverse of :meth:`to_dict`."""
        return cls(
            str(data["model"]),
            math.nan if data.get("auc") is None else float(data["auc"]),
            math.nan if data.get("rmse") is None else float(data["rmse"]),
            float(data.get("fit_seconds") or 0.0),
            str(data.get("note", "")),
        )


def _folds(n: int, folds: int, holdout: float, seed: int) -> list[np.ndarray]:
    """Held-out learner indices of each round."""
    order = np.random.default_rng(seed).permutation(n)
    if n >= SPLIT_FROM:
        return [order[: max(1, round(n * holdout))]]
    return [part for part in np.array_split(order, min(folds, n)) if len(part)]


def compare(
    data: Sequences,
    candidates: Sequence[str] = CANDIDATES,
    *,
    folds: int = 5,
    holdout: float = 0.2,
    seed: int = 0,
    dkt_min_learners: int = DKT_MIN_LEARNERS,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Score]:
    """Score every candidate on held-out learners of ``data`` (the same rounds for all).

    ``options`` gives settings per model name (e.g. ``{"dkt": {"max_seconds": 600}}``);
    ``progress`` is called after each fit with the candidate's name, the fits done and the
    fits in all.
    """
    from kit.progress.blend import mean_log_odds

    if len(data) < 2:
        raise ValueError(
            f"{len(data)} learner(s): comparing models needs answers of at least 2 learners"
        )
    rounds = _folds(len(data), folds, holdout, seed)
    skipped = len(data) < dkt_min_learners
    deep = ("dkt", BLEND)
    fitted = [c for c in candidates if c != BLEND and not (c == "dkt" and skipped)]
    total = len(rounds) * len(fitted)
    scores, done = [], 0
    held_out: dict[str, tuple[list[np.ndarray], float]] = {}
    for name in candidates:
        if name in deep and skipped:
            note = f"skipped: fewer than {dkt_min_learners} learners"
            scores.append(Score(name, math.nan, math.nan, 0.0, note))
            continue
        if name == BLEND:
            parts = [held_out.get(part) for part in BLEND_PARTS]
            if any(part is None for part in parts):
                note = f"skipped: needs {' and '.join(BLEND_PARTS)} among the candidates"
                scores.append(Score(name, math.nan, math.nan, 0.0, note))
                continue
            blended = mean_log_odds([np.concatenate(part[0]) for part in parts if part])
            result = metrics(np.concatenate(held_out["_y"][0]), blended)
            seconds = sum(part[1] for part in parts if part)
            scores.append(Score(name, result["auc"], result["rmse"], round(seconds, 3)))
            continue
        y, p, seconds = [], [], 0.0
        for held in rounds:
            kept = np.setdiff1d(np.arange(len(data)), held)
            train, test = data.subset(kept.tolist()), data.subset(held.tolist())
            if train.n_answers == 0 or test.n_answers == 0:
                continue
            estimator = make_model(name, **_options(name, seed, options))
            start = time.perf_counter()
            estimator.fit(train)
            seconds += time.perf_counter() - start
            y.append(test.flat_correct())
            p.append(estimator.predict_proba(test))
            done += 1
            if progress is not None:
                progress(name, done, total)
        result = (
            metrics(np.concatenate(y), np.concatenate(p))
            if y
            else {"auc": math.nan, "rmse": math.nan}
        )
        scores.append(Score(name, result["auc"], result["rmse"], round(seconds, 3)))
        held_out[name] = (p, seconds)
        held_out["_y"] = (y, 0.0)
    return scores


BLEND = "best-lr+dkt"
BLEND_PARTS = ("best-lr", "dkt")


def _options(
    name: str, seed: int, options: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    seeded = {} if name in ("baseline", "best-lr") else {"random_state": seed}
    own = dict((options or {}).get("dkt" if name == BLEND else name, {}))
    return {**seeded, **own}


def best(scores: Sequence[Score]) -> Score:
    """The candidate with the highest AUC (the earlier, simpler one on a tie); the floor
    (:data:`FLOOR`) is never chosen."""
    ranked = [s for s in scores if not math.isnan(s.auc) and s.model != FLOOR]
    if not ranked:
        raise ValueError("no candidate could be scored: the held-out learners need answers")
    return max(ranked, key=lambda s: (s.auc, -list(scores).index(s)))


def fit(
    name: str,
    data: Sequences,
    *,
    seed: int = 0,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> Any:
    """``name`` fitted on all of ``data`` (``options`` as for :func:`compare`)."""
    return make_model(name, **_options(name, seed, options)).fit(data)
