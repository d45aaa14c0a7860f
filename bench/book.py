"""The book: a cold build beside a rebuild after one lesson is edited.

    .venv/bin/python bench/book.py [--rebuilds 3] [--course courses/python-ml]
                                   [--track ID] [--cell-timeout SECONDS]

Goal: the rebuild takes at most 20% of the cold build. Both run `kit book build` as a user
would, each in its own process, on a copy of the course: the cold build starts from an empty
build folder (no execution cache, no Sphinx environment); each rebuild follows an edit of one
Markdown cell of one lesson (a different lesson each time), the everyday case of an author
fixing a sentence. Prints each time, the median rebuild and the ratio.

``--track ID`` executes only the lessons that track needs and shows the others as saved (the
book's own ``execute.exclude_patterns``, written to the copy's ``book/_config.yml``), for a
machine where the longest lessons (fine-tuning a transformer on a CPU) take many minutes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from kit.course import load_course

ROOT = Path(__file__).resolve().parents[1]
KIT = [sys.executable, "-m", "kit"]


def build(course: Path, out: Path) -> float:
    """Seconds of one `kit book build`, end to end."""
    started = time.perf_counter()
    done = subprocess.run(
        [*KIT, "book", "build", str(course), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"kit book build failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def edit_lesson(notebook: Path, number: int) -> None:
    """Add a sentence to the first Markdown cell of a lesson (its code is unchanged)."""
    data = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in data["cells"] if c["cell_type"] == "markdown")
    source = cell["source"] if isinstance(cell["source"], list) else [cell["source"]]
    cell["source"] = [*source, f"\n\nEdited for the benchmark ({number})."]
    notebook.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, default=ROOT / "courses" / "python-ml")
    parser.add_argument("--rebuilds", type=int, default=3, help="Rebuilds, one lesson each.")
    parser.add_argument("--track", help="Execute only the lessons this track needs.")
    parser.add_argument("--cell-timeout", type=int, help="Seconds one cell may run.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kit-bench-book-") as scratch:
        course = Path(scratch) / args.course.name
        shutil.copytree(args.course, course, ignore=shutil.ignore_patterns("_kit", ".*"))
        out = Path(scratch) / "out"
        loaded = load_course(course)
        settings: dict[str, Any] = {}
        if args.cell_timeout:
            settings["kit"] = {"cell_timeout": args.cell_timeout}
        executed = loaded.manifest.lessons
        if args.track:
            needed = set(loaded.graph.closure(loaded.tracks[args.track].goals))
            executed = [x for x in executed if needed & set(x.skills)]
            skipped = [x.notebook for x in loaded.manifest.lessons if x not in executed]
            settings["execute"] = {"exclude_patterns": skipped}
        if settings:
            (course / "book").mkdir(exist_ok=True)
            (course / "book" / "_config.yml").write_text(yaml.safe_dump(settings))
        lessons = [loaded.notebook_path(x) for x in executed]
        if not lessons:
            sys.exit(f"no lessons in {loaded.manifest_path}")

        cold = build(course, out)
        print(f"cold build (empty cache and build folder): {cold:7.1f} s")
        rebuilds = []
        for number in range(args.rebuilds):
            lesson = lessons[(len(lessons) // 2 + number) % len(lessons)]
            edit_lesson(lesson, number)
            seconds = build(course, out)
            rebuilds.append(seconds)
            print(f"rebuild after editing {lesson.name}: {seconds:7.1f} s")
        median = statistics.median(rebuilds)
        print(
            f"\nmedian rebuild {median:.1f} s = {100 * median / cold:.0f}% of the cold build "
            f"(goal: at most 20%); {len(lessons)} of {len(loaded.manifest.lessons)} lessons "
            "executed"
        )


if __name__ == "__main__":
    main()
