"""The kit service's tests: a fake JupyterHub API (:mod:`tests.service.hub`) with a token for a
learner, another learner, a mentor and an instructor; the service in this process (pytest-jupyter's
``jp_fetch``) or as ``kit service`` in a process of its own; a client that sends hub tokens.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError, HTTPResponse

from tests.server.conftest import *  # noqa: F403 (the Jupyter server plugin, the trained course)
from tests.service.hub import ACCESS, FakeHub, HubThread, HubUser, free_port

LEARNER, OTHER_LEARNER, MENTOR, INSTRUCTOR = "ada", "ben", "grace", "ines"
TOKENS = {
    LEARNER: "token-ada",
    OTHER_LEARNER: "token-ben",
    MENTOR: "token-grace",
    INSTRUCTOR: "token-ines",
}
NO_ACCESS = "token-ada-without-access"
"""A token of the learner that lacks the service's access scope."""
SERVICE_TOKEN = "token-of-the-kit-service"
ROLE_OF = {"learner": LEARNER, "mentor": MENTOR, "instructor": INSTRUCTOR}


def make_hub() -> FakeHub:
    """The hub's users (grace is course.yml's mentor ``grace``) and their tokens."""
    users = {
        LEARNER: HubUser(LEARNER),
        OTHER_LEARNER: HubUser(OTHER_LEARNER),
        MENTOR: HubUser(MENTOR, groups=["kit-mentors"]),
        INSTRUCTOR: HubUser(INSTRUCTOR, groups=["kit-instructors"]),
    }
    tokens = {token: (name, [ACCESS]) for name, token in TOKENS.items()}
    tokens[NO_ACCESS] = (LEARNER, [])
    return FakeHub(users=users, tokens=tokens, service_token=SERVICE_TOKEN)


@pytest.fixture(scope="session")
def hub() -> Iterator[FakeHub]:
    """The fake hub, running for the whole session."""
    thread = HubThread(make_hub()).start()
    yield thread.hub
    thread.stop()


def service_config(course: Path, hub: FakeHub) -> dict[str, Any]:
    """The service's Jupyter server settings (as ``kit service`` makes them), for this process."""
    from kit.service import ServiceSettings

    config = ServiceSettings(course).config()
    return {
        "ServerApp": {
            "jpserver_extensions": {"kit.server": True},
            "identity_provider_class": config.ServerApp.identity_provider_class,
            "authorizer_class": config.ServerApp.authorizer_class,
        },
        "KitServer": dict(config.KitServer),
        "HubOAuth": {
            **dict(config.HubOAuth),
            "api_url": hub.url,
            "api_token": SERVICE_TOKEN,
        },
    }


Call = Callable[..., Awaitable[Any]]


def checked(response: HTTPResponse, method: str, path: str, status: int) -> Any:
    """The JSON of an answer that must have ``status`` (errors must be the API's)."""
    text = response.body.decode("utf-8")
    assert response.code == status, f"{method} {path}: {response.code} {text[:500]}"
    if response.code >= 400:
        assert response.headers["Content-Type"].startswith("application/json"), text
        error = json.loads(text)
        assert set(error) == {"error", "fix"} and error["error"], error
    return json.loads(text) if text else None


@pytest.fixture
def call(jp_fetch: Any) -> Call:
    """``await call(METHOD, "path", token=..., body=..., params=..., status=200)`` against the
    server under test, with a hub token (None: none at all)."""

    async def run(
        method: str,
        path: str,
        *,
        token: str | None = TOKENS[LEARNER],
        body: Any = None,
        params: dict[str, str] | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = {"Authorization": f"token {token}" if token else "", **(headers or {})}
        data = json.dumps(body) if isinstance(body, dict | list) else body
        if method not in ("POST", "PUT", "PATCH"):
            data = None
        elif data is None:
            data = b""
        try:
            response = await jp_fetch(
                "kit", "api", "v1", *path.split("/"),
                method=method, body=data, params=params, headers=sent,
            )  # fmt: skip
        except HTTPClientError as exc:
            assert exc.response is not None, exc
            response = exc.response
        return checked(response, method, path, status)

    return run


class ServiceProcess:
    """``kit service COURSE`` in a process of its own, on a free port, against the fake hub."""

    def __init__(self, course: Path, hub: FakeHub, database_url: str, log: Path) -> None:
        self.course, self.hub, self.database_url, self.log = course, hub, database_url, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/services/kit/"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        env = {
            **os.environ,
            "JUPYTERHUB_API_URL": self.hub.url,
            "JUPYTERHUB_API_TOKEN": SERVICE_TOKEN,
            "JUPYTERHUB_SERVICE_NAME": "kit",
            "JUPYTERHUB_SERVICE_PREFIX": "/services/kit/",
            "HF_HUB_OFFLINE": "1",
        }
        args = [sys.executable, "-m", "kit", "service", str(self.course), "--port", str(self.port)]
        args += ["--database-url", self.database_url]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                self.request("GET", "me", TOKENS[LEARNER])
                return self
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"kit service did not start: {self.log.read_text()[-3000:]}")

    def request(
        self,
        method: str,
        path: str,
        token: str | None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """(status, JSON answer) of one request to the service."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}kit/api/v1/{path}", data=data, method=method, headers=dict(headers or {})
        )
        if token:
            request.add_header("Authorization", f"token {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@pytest.fixture
def service_course(tmp_path: Path, trained_course: Path) -> Path:
    """A copy of the course (trained router included) for a service in another process."""
    import shutil

    target = tmp_path / "service" / "python-ml"
    shutil.copytree(trained_course, target)
    return target


@pytest.fixture
def service(service_course: Path, hub: FakeHub, tmp_path: Path) -> Iterator[ServiceProcess]:
    """``kit service`` running on its own SQLite database."""
    url = f"sqlite:///{tmp_path / 'service.sqlite'}"
    running = ServiceProcess(service_course, hub, url, tmp_path / "service.log").start()
    yield running
    running.stop()
