"""``python -m kit.server.grading_job COURSE PROJECT``: the grader, run by the server in a process
of its own (grading forks workers and kernels, which a server's threads must not), telling its
progress as one JSON object per line on stdout.

Lines: ``{"event": "start", "total": N}``, then ``{"event": "done", "learner", "status"}`` per
submission, then ``{"event": "end", "outcomes": [...]}`` (exit 0), or
``{"event": "error", "error", "fix"}`` (exit 1).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from kit.errors import KitError


def emit(**event: Any) -> None:
    """Write one event line and flush it (the server reads as it comes)."""
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Grade; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m kit.server.grading_job")
    parser.add_argument("course")
    parser.add_argument("project")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--learner", action="append", default=[])
    args = parser.parse_args(argv)
    try:
        from kit.course import load_course
        from kit.grading.engine import grade

        outcomes = grade(
            load_course(args.course),
            args.project,
            args.learner or None,
            force=args.force,
            on_start=lambda n: emit(event="start", total=n),
            on_done=lambda o: emit(event="done", learner=o.learner, status=o.status),
        )
    except KitError as exc:
        emit(event="error", error=exc.message, fix=exc.fix)
        return 1
    emit(event="end", outcomes=[o.to_dict() for o in outcomes])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
