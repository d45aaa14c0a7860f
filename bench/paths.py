"""Planning a learner's path on a large synthetic course: 200 skills, 400 lessons, 40 projects.

    .venv/bin/python bench/paths.py [--runs 50]

Goal: under 20 ms per plan. Prints the median and 90th percentile of `plan_path` for a learner
starting from scratch and for one with half of the skills mastered, plus the time to build the
course's skill graph once (cached on the course afterwards).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path
from typing import Any

from kit.course import Course, Manifest
from kit.paths import LearnerProfile, plan_path


def synthetic_course(skills: int = 200, lessons: int = 400, projects: int = 40) -> Course:
    """A layered random prerequisite graph with lessons on one to three skills each."""
    rng = random.Random(7)
    ids = [f"s{i:03d}" for i in range(skills)]
    data: dict[str, Any] = {
        "id": "big",
        "title": "Big",
        "skills": [],
        "lessons": [],
        "projects": [],
        "tracks": [],
    }
    for i, sid in enumerate(ids):
        pres = sorted(rng.sample(ids[max(0, i - 30) : i], k=min(i, rng.randint(0, 3))))
        data["skills"].append({"id": sid, "title": f"Skill {i}", "prerequisites": pres})
    for j in range(lessons):
        first = j % skills
        taught = sorted({ids[first], *rng.sample(ids[first : first + 8], k=rng.randint(0, 2))})
        data["lessons"].append(
            {
                "id": f"l{j:03d}",
                "notebook": f"l{j}.ipynb",
                "title": f"L{j}",
                "skills": taught,
                "minutes": rng.randint(20, 90),
            }
        )
    for k in range(projects):
        assessed = sorted(rng.sample(ids, k=3))
        data["projects"].append(
            {
                "id": f"p{k:02d}",
                "source": f"p{k}",
                "title": f"P{k}",
                "skills": assessed,
                "points": 10,
                "minutes": 120,
            }
        )
    data["tracks"].append({"id": "all", "title": "All", "goals": ids[-5:]})
    return Course(root=Path("."), manifest=Manifest.model_validate(data))


def _time(fn: Any, runs: int) -> tuple[float, float]:
    values = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        values.append(time.perf_counter() - start)
    return statistics.median(values) * 1000, statistics.quantiles(values, n=10)[-1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    course = synthetic_course()
    start = time.perf_counter()
    _ = course.graph.order
    graph_ms = (time.perf_counter() - start) * 1000
    scratch = LearnerProfile(track="all", hours_per_week=6)
    half = {sid: 0.9 for sid in list(course.skills)[::2]}
    plan = plan_path(course, scratch)
    print(
        f"course: {len(course.skills)} skills, {len(course.lessons)} lessons, "
        f"{len(course.projects)} projects; plan from scratch: {len(plan.items)} items, "
        f"{len(plan.weeks)} weeks"
    )
    print(f"{'case':<34} {'median ms':>10} {'p90 ms':>8}")
    print(f"{'skill graph, first use (cached)':<34} {graph_ms:>10.2f} {'':>8}")
    for name, fn in (
        ("plan from scratch", lambda: plan_path(course, scratch)),
        ("plan with half the skills mastered", lambda: plan_path(course, scratch, mastery=half)),
    ):
        median, p90 = _time(fn, args.runs)
        print(f"{name:<34} {median:>10.2f} {p90:>8.2f}")


if __name__ == "__main__":
    main()
