"""A JupyterLab with the kit on a copy of the sample course, and Chromium to drive it.

One server for the module: the course (router trained with TF-IDF, a simulated cohort in its
attempt log) lies under the server's root folder, where the server extension finds it; ada is
a learner, the course's mentors are mentors (user name = mentor id), ines is the instructor.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import launch
from tests.conftest import SAMPLE_COURSE
from tests.panel.lab import ROOT, Lab, start_lab

SCREENSHOTS = ROOT / "build" / "screenshots"
LEARNER = "ada"
INSTRUCTOR = "ines"
MENTORS = ("grace", "lin", "sam")
POLL_SECONDS = 2


def kit_config(instructors: list[str], mentors: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The server extension's settings (traitlets) for these roles."""
    return {"KitServer": {"instructors": instructors, "mentors": mentors}}


@pytest.fixture(scope="module")
def course_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's root folder, holding a trained copy of the sample course."""
    root = tmp_path_factory.mktemp("lab-root")
    course = root / "python-ml"
    shutil.copytree(SAMPLE_COURSE, course, ignore=shutil.ignore_patterns("_kit"))
    from kit.classify.router import train_router
    from kit.course import load_course

    train_router(load_course(course), model="tfidf", urgency=False)
    kit = [sys.executable, "-m", "kit"]
    subprocess.run([*kit, "progress", "simulate", str(course), "--count", "12"], check=True)
    return root


@pytest.fixture(scope="module")
def lab(
    chromium: Path, course_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Lab]:
    """JupyterLab on ``course_root`` with a learner, the mentors and an instructor."""
    server = start_lab(
        course_root,
        [LEARNER, *MENTORS, INSTRUCTOR],
        kit_config([INSTRUCTOR], {name: name for name in MENTORS}),
        tmp_path_factory.mktemp("lab"),
        settings={"pollInterval": POLL_SECONDS},
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    """Headless Chromium (Debian's), one for the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = launch(playwright)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="module")
def screenshots() -> Path:
    """Where the test run leaves its screenshots of the panel (build/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
