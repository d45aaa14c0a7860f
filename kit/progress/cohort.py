"""The instructor's view of a cohort: mastery per learner and skill, who is at risk, and which
skills most learners struggle with. Pure functions over attempts; the report notebook draws them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kit.course import Course
from kit.progress.attempts import Attempt, AttemptStore, sqlite_file
from kit.progress.bkt import BKT, BKTParams, learner_mastery

if TYPE_CHECKING:
    from kit.progress.learner_model import LearnerModel

PARAMS_FILE = Path("progress") / "bkt.json"
"""Where a course ships its fitted BKT parameters, relative to the course folder."""


def default_attempts_url(course: Course) -> str:
    """The cohort's attempt log (and the course database beside it): the URL in the
    ``KIT_DATABASE_URL`` environment variable, else course.yml's ``database:``, else an SQLite
    file in the course's workspace."""
    from kit.databases import DATABASE_ENV

    url = os.environ.get(DATABASE_ENV, "").strip() or course.manifest.database
    return url or f"sqlite:///{course.workspace / 'attempts.sqlite'}"


def course_params(course: Course) -> dict[str, BKTParams]:
    """The BKT parameters the course ships (empty when it ships none)."""
    path = course.root / PARAMS_FILE
    return dict(BKT.load(path).params_) if path.is_file() else {}


@dataclass(frozen=True)
class MasteryTable:
    """P(mastered) for each learner (rows) and skill (columns); NaN where never attempted."""

    learners: list[str]
    skills: list[str]
    values: np.ndarray

    def of(self, learner: str) -> dict[str, float]:
        """One learner's row, attempted skills only."""
        row = self.values[self.learners.index(learner)]
        return {s: float(v) for s, v in zip(self.skills, row, strict=True) if not np.isnan(v)}


def mastery_table(
    course: Course,
    attempts: Iterable[Attempt],
    params: Mapping[str, BKTParams] | None = None,
    *,
    model: LearnerModel | None = None,
) -> MasteryTable:
    """Each learner's mastery per course skill, from their attempts.

    ``params`` gives BKT parameters to filter with; otherwise ``model`` (default: the model
    the course ships, :func:`kit.progress.learner_model.course_model`) gives the mastery.
    """
    by_learner: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        if attempt.skill in course.skills:
            by_learner.setdefault(attempt.learner, []).append(attempt)
    learners = sorted(by_learner)
    skills = list(course.graph.order)
    values = np.full((len(learners), len(skills)), np.nan)
    column = {s: j for j, s in enumerate(skills)}
    if params is not None:
        found = {k: learner_mastery(v, params) for k, v in by_learner.items()}
    else:
        from kit.progress.learner_model import course_model

        chosen = model if model is not None else course_model(course.root)
        found = chosen.mastery([a for own in by_learner.values() for a in own])
    for i, learner in enumerate(learners):
        for skill, p in found.get(learner, {}).items():
            values[i, column[skill]] = p
    return MasteryTable(learners, skills, values)


@dataclass(frozen=True)
class AtRisk:
    """A learner whose next project rests on skills they have not mastered."""

    learner: str
    project: str
    weak: dict[str, float | None]
    """Prerequisite skill -> P(mastered), or None when never attempted."""


def next_project(course: Course, attempts: Iterable[Attempt]) -> str | None:
    """The first project, in course order, that the learner has no graded work on."""
    graded = {a.item.split("/")[0] for a in attempts if a.source == "grading"}
    for project in course.manifest.projects:
        if project.id not in graded:
            return project.id
    return None


def at_risk(
    course: Course,
    table: MasteryTable,
    attempts: Iterable[Attempt],
    *,
    threshold: float = 0.5,
) -> list[AtRisk]:
    """Learners with a prerequisite of their next project below ``threshold``, weakest first."""
    by_learner: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_learner.setdefault(attempt.learner, []).append(attempt)
    found = []
    for learner in table.learners:
        project_id = next_project(course, by_learner.get(learner, []))
        if project_id is None:
            continue
        project = course.projects[project_id]
        needed = [s for s in course.graph.closure(project.skills) if s not in project.skills]
        mastery = table.of(learner)
        weak = {s: mastery.get(s) for s in needed if mastery.get(s, 0.0) < threshold}
        if weak:
            found.append(AtRisk(learner, project_id, weak))

    def weakness(r: AtRisk) -> tuple[int, float, str]:  # most weak skills first, then weakest
        return (-len(r.weak), sum(v or 0.0 for v in r.weak.values()) / len(r.weak), r.learner)

    found.sort(key=weakness)
    return found


def struggles(table: MasteryTable, *, threshold: float = 0.5) -> list[tuple[str, float, int]]:
    """Skills by the share of learners who tried them and are below ``threshold``: (skill,
    share, learners who tried), hardest first."""
    rows = []
    for j, skill in enumerate(table.skills):
        column = table.values[:, j]
        tried = column[~np.isnan(column)]
        if len(tried):
            rows.append((skill, float(np.mean(tried < threshold)), len(tried)))
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows


def load_attempts(course: Course, url: str | None = None) -> list[Attempt]:
    """The cohort's attempts in this course from the attempt log at ``url`` (default: the
    course workspace's)."""
    url = url or default_attempts_url(course)
    file = sqlite_file(url)
    if file is not None and not file.exists():
        return []  # nothing recorded yet; reading must not create files
    store = AttemptStore(url)
    try:
        return store.query(course=course.id)
    finally:
        store.close()


def simulate_cohort(
    course: Course, n_learners: int = 40, *, seed: int = 0, start: dt.datetime | None = None
) -> list[Attempt]:
    """A plausible cohort for demos and tests: learners work through the skills in order
    (each stops somewhere), answering the course's self-checks, and some submit projects.

    Answers follow BKT with skill-specific parameters drawn at random, so a fit can recover
    them and the report shows a spread of learners.
    """
    rng = np.random.default_rng(seed)
    start = start or dt.datetime(2026, 9, 1, 9, tzinfo=dt.timezone.utc)
    skills = list(course.graph.order)
    truth = {
        s: BKTParams(
            prior=float(rng.uniform(0.05, 0.35)),
            learn=float(rng.uniform(0.1, 0.35)),
            guess=float(rng.uniform(0.1, 0.3)),
            slip=float(rng.uniform(0.05, 0.15)),
        )
        for s in skills
    }
    checks: dict[str, list[str]] = {}
    for check in course.manifest.checks:
        checks.setdefault(check.skill, []).append(check.id)
    attempts: list[Attempt] = []
    for n in range(n_learners):
        learner = f"learner-{n + 1:03d}"
        reach = int(rng.integers(2, len(skills) + 1))
        aptitude = float(rng.normal(0, 0.12))
        clock = start + dt.timedelta(hours=float(rng.uniform(0, 72)))
        known: dict[str, bool] = {}
        for skill in skills[:reach]:
            p = truth[skill]
            known[skill] = rng.random() < min(0.95, max(0.0, p.prior + aptitude))
            items = checks.get(skill) or [f"{skill}-practice"]
            for k in range(int(rng.integers(3, 9))):
                right = rng.random() < ((1 - p.slip) if known[skill] else p.guess)
                attempts.append(
                    Attempt(
                        learner,
                        skill,
                        items[k % len(items)],
                        float(right),
                        clock,
                        "self-check",
                        course.id,
                    )
                )
                clock += dt.timedelta(minutes=float(rng.uniform(2, 30)))
                if not known[skill]:
                    known[skill] = rng.random() < min(0.95, max(0.01, p.learn + aptitude))
        for project in course.manifest.projects:
            if all(s in known for s in project.skills) and rng.random() < 0.7:
                for skill in project.skills:
                    score = 0.9 if known[skill] else float(rng.uniform(0.0, 0.5))
                    attempts.append(
                        Attempt(
                            learner,
                            skill,
                            f"{project.id}/{skill}",
                            score,
                            clock,
                            "grading",
                            course.id,
                        )
                    )
    return attempts


def summary(
    course: Course,
    attempts: list[Attempt],
    params: Mapping[str, BKTParams] | None = None,
    threshold: float = 0.5,
    *,
    model: LearnerModel | None = None,
) -> dict[str, Any]:
    """Everything the report shows, as plain data (see :func:`mastery_table` for ``params``
    and ``model``)."""
    table = mastery_table(course, attempts, params, model=model)
    return {
        "learners": len(table.learners),
        "attempts": len(attempts),
        "table": table,
        "at_risk": at_risk(course, table, attempts, threshold=threshold),
        "struggles": struggles(table, threshold=threshold),
    }
