"""Simulated learners: the kit's adaptive path (placement check, then re-planning from measured
mastery after every lesson) against the fixed syllabus order.

    .venv/bin/python bench/paths_study.py [--learners 300] [--seed 0] [--plot docs/paths_study.png]

Each simulated learner has a true state per skill (known or not) that follows BKT: a prior that
varies by learner (a skill's prior shifted by the learner's own head start, on the log-odds
scale), a chance to learn at each practice answer, guess and slip. The parameters come from two
places: BKT fitted on the sample course's simulated cohort, and BKT fitted on ASSISTments 2009
(variant c; each course skill gets the parameters of a real skill with at least 500 answers,
drawn at random). Learners pick the course's tracks in turn.

- **fixed**: the track's lessons in course order, again and again, until every skill the goal
  needs is truly known;
- **adaptive**: two placement questions per needed skill, then what ``plan_path`` puts first,
  re-planned after each lesson from BKT mastery over the learner's answers (the kit's own
  filter, with the same parameters). A learner whose plan comes out empty stops there. The
  planner's check (a skill measured as mastered from fewer than three answers gets the rest of
  its self-check questions first) is on, as in the kit;
- **adaptive, no check**: the same without the check (``plan_path`` without ``answers``).

A lesson is practice on each skill it teaches: one answer per self-check of that skill (one to
three), each followed by BKT's learning step. Hours count lesson minutes and 2 minutes per
placement question. "Within the course's hours" means within one pass of the track's lessons.
The same learners (same starting states) take both paths. Means carry 95% bootstrap intervals,
shares 95% Wilson intervals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kit.course import Course, load_course
from kit.paths import LearnerProfile, plan_path
from kit.paths.planner import CHECK_MINUTES
from kit.progress.attempts import Attempt
from kit.progress.bkt import BKT, BKTParams, learner_mastery

ROOT = Path(__file__).resolve().parents[1]
PLACEMENT_MINUTES = 2
CAP = 3.0  # a learner stops after three times the course's hours


@dataclass
class Outcome:
    minutes: float  # when every needed skill was truly known (inf: never)
    budget: float  # one pass of the track's lessons
    early: bool = False  # the plan came out empty before the goal was truly reached


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _logit(p: float) -> float:
    p = min(max(p, 1e-3), 1 - 1e-3)
    return math.log(p / (1 - p))


class Learner:
    """One simulated learner's true state and answer log."""

    def __init__(
        self, course: Course, params: dict[str, BKTParams], head_start: float, seed: int
    ) -> None:
        self.rng = np.random.default_rng(seed)
        self.params = params
        self.known = {
            s: bool(self.rng.random() < _sigmoid(_logit(params[s].prior) + head_start))
            for s in course.skills
        }
        self.attempts: list[Attempt] = []
        self.clock = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

    def answer(self, skill: str, learn: bool, source: str = "self-check") -> None:
        p = self.params[skill]
        right = self.rng.random() < ((1 - p.slip) if self.known[skill] else p.guess)
        self.clock += dt.timedelta(minutes=1)
        self.attempts.append(Attempt("sim", skill, "q", float(right), self.clock, source, "sim"))
        if learn and not self.known[skill]:
            self.known[skill] = bool(self.rng.random() < p.learn)


def _checks(course: Course) -> dict[str, int]:
    counts: dict[str, int] = {}
    for check in course.manifest.checks:
        counts[check.skill] = counts.get(check.skill, 0) + 1
    return {s: min(3, max(1, counts.get(s, 1))) for s in course.skills}


def study(course: Course, learner: Learner, skills: list[str], checks: dict[str, int]) -> None:
    for skill in skills:
        for _ in range(checks[skill]):
            learner.answer(skill, learn=True)


def fixed(course: Course, learner: Learner, track: str, checks: dict[str, int]) -> Outcome:
    needed = course.graph.closure(course.tracks[track].goals)
    lessons = [x for x in course.manifest.lessons if set(x.skills) & set(needed)]
    budget = float(sum(x.minutes for x in lessons))
    minutes = 0.0
    while minutes <= CAP * budget:
        if all(learner.known[s] for s in needed):
            return Outcome(minutes, budget)
        for lesson in lessons:
            study(course, learner, [s for s in lesson.skills if s in needed], checks)
            minutes += lesson.minutes
            if all(learner.known[s] for s in needed):
                return Outcome(minutes, budget)
    return Outcome(math.inf, budget)


def adaptive(
    course: Course,
    learner: Learner,
    track: str,
    checks: dict[str, int],
    model: dict[str, BKTParams],
    confirm: bool = True,
) -> Outcome:
    needed = course.graph.closure(course.tracks[track].goals)
    lessons = [x for x in course.manifest.lessons if set(x.skills) & set(needed)]
    budget = float(sum(x.minutes for x in lessons))
    minutes = 0.0
    for skill in needed:  # the placement check: answers without learning
        for _ in range(2):
            learner.answer(skill, learn=False, source="placement")
            minutes += PLACEMENT_MINUTES
    profile = LearnerProfile(learner="sim", track=track)
    while minutes <= CAP * budget:
        if all(learner.known[s] for s in needed):
            return Outcome(minutes, budget)
        answers = Counter(a.skill for a in learner.attempts) if confirm else None
        mastery = learner_mastery(learner.attempts, model)
        item = plan_path(course, profile, mastery, answers=answers).next_item
        if item is None:
            return Outcome(math.inf, budget, early=True)  # believes the goal is met: stops
        if item.kind == "check":  # the rest of the skill's self-check questions
            for _ in range(item.minutes // CHECK_MINUTES):
                learner.answer(item.id, learn=True)
        else:
            study(course, learner, [s for s in item.skills if s in course.skills], checks)
        minutes += item.minutes
    return Outcome(math.inf, budget)


def real_params(course: Course, rng: np.random.Generator) -> dict[str, BKTParams] | None:
    from kit.progress.data import load_sequences

    path = ROOT.parent / "shared" / "data" / "kt" / "assist2009_xiong" / "0910_c_train.csv"
    if not path.is_file():
        print(
            f"{path} not found (ASSISTments 2009, see shared/data/README.md): real-data part skipped"
        )
        return None
    data = load_sequences(path)
    model = BKT().fit(data)
    answers = np.bincount(np.concatenate(data.skills), minlength=data.n_skills)
    pool = [model.params_[s] for k, s in enumerate(data.vocabulary) if answers[k] >= 500]
    picks = rng.choice(len(pool), size=len(course.skills))
    return {s: pool[int(k)] for s, k in zip(course.skills, picks, strict=True)}


def course_params(course: Course, seed: int) -> dict[str, BKTParams]:
    from kit.progress.cohort import simulate_cohort
    from kit.progress.data import from_attempts

    model = BKT().fit(from_attempts(simulate_cohort(course, 200, seed=seed)))
    default = BKTParams()
    return {s: model.params_.get(s, default) for s in course.skills}


def _mean_ci(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float, float]:
    if not len(values):
        return math.nan, math.nan, math.nan
    boots = [rng.choice(values, len(values)).mean() for _ in range(2000)]
    return float(values.mean()), float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))


def _wilson(k: int, n: int) -> tuple[float, float, float]:
    z = 1.96
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, centre - half, centre + half


def run(
    course: Course, params: dict[str, BKTParams], n: int, seed: int
) -> dict[str, list[Outcome]]:
    checks = _checks(course)
    tracks = list(course.tracks)
    heads = np.random.default_rng(seed).normal(0.0, 1.5, n)
    results: dict[str, list[Outcome]] = {"fixed": [], "adaptive, no check": [], "adaptive": []}
    for i in range(n):
        track = tracks[i % len(tracks)]
        # the same learner (same starting state, same random stream) on both paths
        results["fixed"].append(
            fixed(course, Learner(course, params, heads[i], seed + i), track, checks)
        )
        for name, confirm in (("adaptive, no check", False), ("adaptive", True)):
            learner = Learner(course, params, heads[i], seed + i)
            results[name].append(adaptive(course, learner, track, checks, params, confirm))
    return results


def report(name: str, results: dict[str, list[Outcome]], seed: int) -> None:
    rng = np.random.default_rng(seed)
    print(f"\n### Parameters: {name} ({len(results['fixed'])} learners)\n")
    print(
        "| path | reach the goal | within the course's hours | hours to the goal (reached), "
        "mean [95% CI] | median | told done too early |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for path, outcomes in results.items():
        hours = np.array([o.minutes / 60 for o in outcomes if math.isfinite(o.minutes)])
        within = sum(o.minutes <= o.budget for o in outcomes)
        reached = _wilson(len(hours), len(outcomes))
        share = _wilson(within, len(outcomes))
        mean, lo, hi = _mean_ci(hours, rng)
        print(
            f"| {path} | {reached[0]:.0%} [{reached[1]:.0%}, {reached[2]:.0%}] | "
            f"{share[0]:.0%} [{share[1]:.0%}, {share[2]:.0%}] | {mean:.1f} [{lo:.1f}, {hi:.1f}] | "
            f"{np.median(hours) if len(hours) else math.nan:.1f} | "
            f"{sum(o.early for o in outcomes) / len(outcomes):.0%} |"
        )
    both = [
        (a.minutes - f.minutes) / 60
        for f, a in zip(results["fixed"], results["adaptive"], strict=True)
        if math.isfinite(a.minutes) and math.isfinite(f.minutes)
    ]
    mean, lo, hi = _mean_ci(np.array(both), rng)
    print(
        f"\nAdaptive minus fixed, learners who reach the goal both ways ({len(both)}): "
        f"{mean:+.1f} h [{lo:+.1f}, {hi:+.1f}]"
    )


def plot(all_results: dict[str, dict[str, list[Outcome]]], output: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1, len(all_results), figsize=(5.5 * len(all_results), 3.6), squeeze=False
    )
    for ax, (name, results) in zip(axes[0], all_results.items(), strict=True):
        for path, outcomes in results.items():
            hours = np.sort(
                [o.minutes / 60 if math.isfinite(o.minutes) else np.inf for o in outcomes]
            )
            finite = hours[np.isfinite(hours)]
            ax.step(finite, np.arange(1, len(finite) + 1) / len(hours), where="post", label=path)
        budgets = sorted({o.budget / 60 for o in results["fixed"]})
        for b in budgets:
            ax.axvline(b, color="#999", linewidth=0.8, linestyle=":")
        ax.set_title(f"parameters: {name}", fontsize=10)
        ax.set_xlabel("hours of study")
        ax.set_ylabel("share of learners at the goal")
        ax.set_ylim(0, 1)
        ax.legend(loc="lower right")
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=110)
    print(f"\nwrote {output} (dotted: each track's course hours)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--course", type=Path, default=ROOT / "courses" / "python-ml")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "paths_study.png")
    args = parser.parse_args()
    course = load_course(args.course)
    rng = np.random.default_rng(args.seed)
    sources = {"fitted on the sample course's cohort": course_params(course, args.seed)}
    real = real_params(course, rng)
    if real is not None:
        sources["fitted on ASSISTments 2009"] = real
    print(f"## Adaptive path vs fixed syllabus: {course.id}, tracks {', '.join(course.tracks)}")
    all_results = {}
    for name, params in sources.items():
        all_results[name] = run(course, params, args.learners, args.seed)
        report(name, all_results[name], args.seed)
    plot(all_results, args.plot)


if __name__ == "__main__":
    main()
