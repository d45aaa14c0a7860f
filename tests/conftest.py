"""Shared fixtures: paths of the sample and test courses, copied to a temp folder when changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit.cli import main as kit_main
from tests import postgres
from tests.chromium import require_chromium
from tests.postgres import Postgres

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_COURSE = ROOT / "courses" / "python-ml"
BROKEN_COURSES = Path(__file__).parent / "courses" / "broken"
SHARED_DATA = ROOT.parent / "shared" / "data"
"""Public evaluation data beside the project (read in place; absent on a user's fresh machine)."""


def run_cli(*args: str) -> tuple[int, str]:
    """Run `kit ARGS...` in-process; return the exit code and the output. A crash is re-raised:
    a user's mistake must end in a message, never in an exception."""
    result = CliRunner().invoke(kit_main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def outputs_under_hash_seeds(code: str, seeds: Sequence[int] = (1, 2)) -> list[str]:
    """Run ``code`` in a fresh interpreter per ``PYTHONHASHSEED`` in ``seeds``; return what each
    printed. Two calls in one process share one string hash, so the order of sets of strings
    cannot differ between them: a determinism test compares runs under different seeds."""
    outputs = []
    for seed in seeds:
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    return outputs


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``<repo>/../shared/data``; the test is skipped when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"{SHARED_DATA}: not found; the public evaluation data sets (ASSISTments 2009, "
            "synthetic-5, Stack Overflow titles) are read in place from ../shared/data, which "
            "is not part of the project"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium (/usr/bin/chromium); the test skips without it, or fails where
    KIT_REQUIRE_BROWSER is set (CI)."""
    return require_chromium()


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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    """A database of this test session's own on the server of ``KIT_TEST_POSTGRES``, dropped
    at the end; skips without a server (fails where ``KIT_REQUIRE_POSTGRES=1``)."""
    yield from postgres.server()


@pytest.fixture
def pg(postgres_server: Postgres) -> Postgres:
    """The session's PostgreSQL database, empty."""
    return postgres.emptied(postgres_server)
