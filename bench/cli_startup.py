"""How fast `kit --help` answers, beside the command-line tools of its peers, in one run.

    .venv/bin/python bench/cli_startup.py [--runs 15]

Runs are interleaved (kit, jupyter-book, nbgrader, papermill, kit, ...) so that background load
on a noisy machine hits every tool alike; the table gives the median, the 90th percentile, and
each tool's median as a multiple of kit's.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TOOLS = {
    "kit": ["kit", "--help"],
    "jupyter-book": ["jupyter-book", "--help"],
    "nbgrader": ["nbgrader", "--help"],
    "papermill": ["papermill", "--help"],
}


def _command(argv: list[str]) -> list[str] | None:
    exe = BIN / argv[0]
    found = str(exe) if exe.exists() else shutil.which(argv[0])
    return [found, *argv[1:]] if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each tool (default 15)")
    args = parser.parse_args()
    commands = {name: cmd for name, argv in TOOLS.items() if (cmd := _command(argv))}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm the file cache once
        subprocess.run(cmd, capture_output=True, check=False)
    for _ in range(args.runs):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["kit"])
    print(f"{'command':<24} {'median s':>9} {'p90 s':>7} {'x kit':>6}")
    for name, values in times.items():
        median = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{name + ' --help':<24} {median:>9.3f} {p90:>7.3f} {median / base:>6.1f}")


if __name__ == "__main__":
    main()
