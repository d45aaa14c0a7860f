"""Autograding throughput: `kit grade --workers 2` beside `nbgrader autograde`, in one run.

    .venv/bin/python bench/grading.py [--submissions 40]

Both grade the same submissions of the sample course's project (reference solutions, half
solutions and untouched release copies, in turn), each in its own copy of the course. The
script checks that both give the same score to every grade cell, then prints both times and
the throughput ratio.
"""

from __future__ import annotations

import argparse
import json
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kit_dir, kit_nbg = prepare(Path(tmp) / "kit", args.submissions)
        _, ref_nbg = prepare(Path(tmp) / "nbgrader", args.submissions)

        start = time.perf_counter()
        subprocess.run(
            [BIN / "kit", "grade", kit_dir, PROJECT, "--workers", "2", "--json"],
            check=True,
            capture_output=True,
        )
        kit_seconds = time.perf_counter() - start

        start = time.perf_counter()
        subprocess.run(
            [BIN / "nbgrader", "autograde", PROJECT],
            cwd=ref_nbg.root,
            check=True,
            capture_output=True,
            env={**__import__("os").environ, "PATH": f"{BIN}:{__import__('os').environ['PATH']}"},
        )
        ref_seconds = time.perf_counter() - start

        kit_scores = nbgrader_scores(kit_nbg.db_url, "python-ml", PROJECT)
        ref_scores = nbgrader_scores(ref_nbg.db_url, "python-ml", PROJECT)
        same = kit_scores == ref_scores
        n = args.submissions
        print(f"{n} submissions of {PROJECT}; {len(ref_scores)} grade cells scored by each")
        print(f"{'grader':<34} {'seconds':>8} {'per minute':>11}")
        print(f"{'kit grade --workers 2':<34} {kit_seconds:>8.1f} {n / kit_seconds * 60:>11.1f}")
        print(f"{'nbgrader autograde':<34} {ref_seconds:>8.1f} {n / ref_seconds * 60:>11.1f}")
        print(
            f"throughput ratio (kit / nbgrader): {ref_seconds / kit_seconds:.1f}x; "
            f"identical scores for every grade cell: {same}"
        )
        if not same:
            diff = {
                k: (kit_scores.get(k), v) for k, v in ref_scores.items() if kit_scores.get(k) != v
            }
            print(json.dumps({str(k): v for k, v in list(diff.items())[:10]}, indent=1))
            sys.exit(1)


if __name__ == "__main__":
    main()
