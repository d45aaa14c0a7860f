"""nbgrader's formgrader, in a running Jupyter server, lists what `kit grade` wrote and opens
every autograded notebook for manual grading."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kit.course import load_course
from kit.grading.engine import grade
from kit.grading.nbgrader_course import NbgraderCourse

from .helpers import collect_guide_submissions, guide_course, nbgrader_scores

pytestmark = [pytest.mark.kernel, pytest.mark.slow]
TOKEN = "kit-formgrader-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _get(base: str, path: str) -> tuple[int, str]:
    request = urllib.request.Request(base + path, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture(scope="module")
def formgrader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, Any]]:
    course = load_course(guide_course(tmp_path_factory.mktemp("formgrader")))
    nbg = NbgraderCourse(course)
    nbg.assign("ps1")
    collect_guide_submissions(nbg.root)
    grade(course, "ps1", workers=2)
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [
            str(bin_dir / "jupyter"),
            "server",
            f"--ServerApp.port={port}",
            f"--ServerApp.token={TOKEN}",
            f"--ServerApp.root_dir={nbg.root}",
            "--ServerApp.open_browser=False",
            "--allow-root",  # test machines often run as root
            "--ServerApp.jpserver_extensions={'nbgrader': True}",
        ],
        cwd=nbg.root,  # where nbgrader looks for the nbgrader_config.py the kit generated
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if _get(base, "/api/status")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None:
                assert server.stderr is not None
                pytest.fail("jupyter server ended: " + server.stderr.read().decode()[-3000:])
            time.sleep(0.2)
        yield base, course, nbg
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr is not None:
            server.stderr.close()


def test_formgrader_lists_the_scores_kit_grade_wrote(formgrader: tuple[str, Any, Any]) -> None:
    base, course, nbg = formgrader
    status, body = _get(base, "/formgrader/api/submissions/ps1")
    assert status == 200, body
    listed = {row["student"]: row for row in json.loads(body)}
    assert set(listed) == {"bitdiddle", "hacker"}
    scores = nbgrader_scores(nbg.db_url, course.id, "ps1")
    for learner, row in listed.items():
        assert row["autograded"] is True
        expected = sum(v for (who, _, _), v in scores.items() if who == learner)
        assert row["score"] == pytest.approx(expected)


def test_formgrader_opens_every_autograded_notebook(formgrader: tuple[str, Any, Any]) -> None:
    base, _, _ = formgrader
    opened = 0
    for notebook in ("problem1", "problem2"):
        status, body = _get(base, f"/formgrader/api/submitted_notebooks/ps1/{notebook}")
        assert status == 200, body
        rows = json.loads(body)
        assert {row["student"] for row in rows} == {"bitdiddle", "hacker"}
        for row in rows:
            status, page = _get(base, f"/formgrader/submissions/{row['id']}/")
            assert status == 200, page[-2000:]
            assert row["student"] in page  # the learner's own notebook, rendered for grading
            if notebook == "problem1":  # its code, highlighted for reading
                assert ">squares</span>" in page
            opened += 1
    assert opened == 4
