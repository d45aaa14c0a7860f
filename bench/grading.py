"""Autograding throughput: `kit grade --workers 2` beside `nbgrader autograde`, in one run.

    .venv/bin/python bench/grading.py [--submissions 40] [--rounds 3]

Both grade the same submissions of the sample course's project (reference solutions, half
solutions and untouched release copies, in turn), each in its own copy of the course. The
script checks that both give the same score to every grade cell, then prints both times and
the throughput ratio. With ``--rounds``, the two alternate, so that a machine busy with
something else slows both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kit.course import load_course  # noqa: E402
from kit.grading.nbgrader_course import NbgraderCourse  # noqa: E402
from tests.grading.helpers import nbgrader_scores  # noqa: E402
from tests.grading.submissions import _solutions, make_submission  # noqa: E402

PROJECT = "pandas-analysis"
BIN = Path(sys.executable).parent


def prepare(root: Path, count: int) -> tuple[Path, NbgraderCourse]:
    course_dir = root / "python-ml"
    shutil.copytree(
        ROOT / "courses" / "python-ml", course_dir, ignore=shutil.ignore_patterns("_kit")
    )
    course = load_course(course_dir)
    nbg = NbgraderCourse(course)
    nbg.assign(PROJECT)
    solutions = _solutions(course, PROJECT)
    half = dict(list(solutions.items())[: len(solutions) // 2])
    kinds = [solutions, half, {}]
    for i in range(count):
        make_submission(
            course, PROJECT, nbg.root / "submitted" / f"learner{i:03d}" / PROJECT, kinds[i % 3]
        )
    return course_dir, nbg


def timed(command: list[object], cwd: Path | None = None) -> float:
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument(
        "--rounds", type=int, default=1, help="Alternate the two graders this many times."
    )
    args = parser.parse_args()
    n = args.submissions
    kit_times: list[float] = []
    ref_times: list[float] = []
    same = True
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            kit_dir, kit_nbg = prepare(Path(tmp) / "kit", n)
            _, ref_nbg = prepare(Path(tmp) / "nbgrader", n)
            kit_times.append(timed([BIN / "kit", "grade", kit_dir, PROJECT, "--workers", "2"]))
            ref_times.append(timed([BIN / "nbgrader", "autograde", PROJECT], cwd=ref_nbg.root))
            kit_scores = nbgrader_scores(kit_nbg.db_url, "python-ml", PROJECT)
            ref_scores = nbgrader_scores(ref_nbg.db_url, "python-ml", PROJECT)
            if kit_scores != ref_scores:
                same = False
                diff = {
                    str(k): (kit_scores.get(k), v)
                    for k, v in ref_scores.items()
                    if kit_scores.get(k) != v
                }
                print(json.dumps(dict(list(diff.items())[:10]), indent=1))
    kit_seconds, ref_seconds = sum(kit_times), sum(ref_times)
    print(f"{n} submissions of {PROJECT}; {len(ref_scores)} grade cells scored by each")
    print(f"{'grader':<34} {'seconds':>8} {'per minute':>11}")
    for name, times in (("kit grade --workers 2", kit_times), ("nbgrader autograde", ref_times)):
        rounds = " + ".join(f"{t:.1f}" for t in times) if len(times) > 1 else ""
        per_minute = n * len(times) / sum(times) * 60
        print(f"{name:<34} {sum(times) / len(times):>8.1f} {per_minute:>11.1f}  {rounds}")
    ratios = ", ".join(f"{r / k:.1f}x" for k, r in zip(kit_times, ref_times, strict=True))
    print(
        f"throughput ratio (kit / nbgrader): {ref_seconds / kit_seconds:.1f}x (rounds: {ratios}); "
        f"identical scores for every grade cell: {same}"
    )
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
