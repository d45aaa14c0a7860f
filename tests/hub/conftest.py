"""One real JupyterHub for the module: a copy of the sample course (router trained with TF-IDF,
``pandas-analysis`` released by the instructor with ``kit release``), ada instructing, grace
and lin mentoring, learner1 and learner2 learning; the kit service as a managed service."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit.service.localhub import HubUsers
from tests.conftest import SAMPLE_COURSE
from tests.hub.hub import RunningHub, require_proxy, start_hub

PROJECT = "pandas-analysis"
USERS = HubUsers(instructors=("ada",), mentors=("grace", "lin"), learners=("learner1", "learner2"))


def kit_as(hub: RunningHub, user: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``kit ARGS`` as ``user`` would in a terminal on their server (their home, their
    environment, ``env`` added); the output (fail with it and the hub's log on an error)."""
    home = hub.hub.home(user)
    env = {**os.environ, "HOME": str(home), "USER": user, "JUPYTERHUB_USER": user, **(env or {})}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("kit")), *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if done.returncode != 0:
        raise hub.fail(f"kit {' '.join(args)} as {user} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def hub_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample course with a trained router (TF-IDF: fast, no model weights)."""
    require_proxy()
    course = tmp_path_factory.mktemp("hub-course") / "python-ml"
    shutil.copytree(SAMPLE_COURSE, course, ignore=shutil.ignore_patterns("_kit"))
    from kit.classify.router import train_router
    from kit.course import load_course

    train_router(load_course(course), model="tfidf", urgency=False)
    return course


@pytest.fixture(scope="module")
def hub(hub_course: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    """The running hub, every user logged in (the login form) with their server started."""
    running = start_hub(
        tmp_path_factory.mktemp("hub"), hub_course, users=USERS, expose_app_in_browser=True
    )
    try:
        kit_as(running, "ada", "release", str(hub_course), PROJECT)
        people = [running.person(name) for name in USERS.all]
        for person in people:
            person.login()
            person.spawn()  # all at once: the servers start side by side
        for person in people:
            person.wait_ready()
        yield running
    finally:
        running.stop()
