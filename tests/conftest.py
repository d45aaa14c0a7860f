"""Shared fixtures: paths of the sample and test courses, copied to a temp folder when changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit.cli import main as kit_main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_COURSE = ROOT / "courses" / "python-ml"
BROKEN_COURSES = Path(__file__).parent / "courses" / "broken"


def run_cli(*args: str) -> tuple[int, str]:
    """Run `kit ARGS...` in-process; return the exit code and the output. A crash is re-raised:
    a user's mistake must end in a message, never in an exception."""
    result = CliRunner().invoke(kit_main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture
def sample_course() -> Path:
    """The sample course, read in place (do not write to it)."""
    return SAMPLE_COURSE


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A private copy of the sample course that a test may change."""
    target = tmp_path / "python-ml"
    shutil.copytree(SAMPLE_COURSE, target, ignore=shutil.ignore_patterns("_kit"))  # not its output
    return target


# broken notebooks under tests/courses are data for `kit check`, not notebooks to run
collect_ignore = ["courses"]
