"""A Jupyter server with the kit's extension on a copy of the sample course (with a TF-IDF router
trained once per session), users of each role named by a request header, and a client.

jupyter_server's pytest plugin (pytest-jupyter) provides the server (``jp_serverapp``) and
``jp_fetch``; it is loaded for this folder only.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.auth.identity import IdentityProvider, User
from pytest_jupyter.jupyter_server import *  # noqa: F403 (the plugin's fixtures and hooks)
from tornado.httpclient import HTTPClientError, HTTPResponse

from tests.conftest import SAMPLE_COURSE

USER_HEADER = "X-Kit-Test-User"
"""Names the user of a request, as a token would (a request without it is not logged in)."""
COOKIE_USER_HEADER = "X-Kit-Test-Browser-User"
"""Names the user as a browser's login cookie would: writes then need jupyter_server's XSRF."""

INSTRUCTOR, MENTOR, OTHER_MENTOR, LEARNER, OTHER_LEARNER = "ines", "sam", "lin", "ada", "ben"
USERS = {"instructor": INSTRUCTOR, "mentor": MENTOR, "learner": LEARNER}
"""One user of each role."""


class HeaderIdentityProvider(IdentityProvider):  # type: ignore[misc]
    """Users named by a request header (for tests only)."""

    def get_user(self, handler: Any) -> User | None:
        name = handler.request.headers.get(USER_HEADER)
        if name:
            handler._token_authenticated = True  # as a token does: no XSRF check
            return User(username=name, name=name, display_name=name)
        name = handler.request.headers.get(COOKIE_USER_HEADER)
        return User(username=name, name=name, display_name=name) if name else None


@pytest.fixture(scope="session")
def trained_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample course with a trained TF-IDF router (and urgency model), made once; at the
    shipped TF-IDF threshold (on this small course no calibrated one reaches a precision of
    0.9, so every route would be "not sure")."""
    from kit.classify.router import DEFAULT_THRESHOLDS, train_router
    from kit.course import load_course
    from tests.classify.test_router import _urgency_csv

    root = tmp_path_factory.mktemp("server-course") / "python-ml"
    shutil.copytree(SAMPLE_COURSE, root, ignore=shutil.ignore_patterns("_kit"))
    train_router(
        load_course(root),
        model="tfidf",
        urgency_data=_urgency_csv(root.parent),
        threshold=DEFAULT_THRESHOLDS["tfidf"],
    )
    return root


@pytest.fixture
def course_dir(jp_root_dir: Path, trained_course: Path) -> Path:
    """This test's copy of the course (router included) under the server's root folder."""
    target = jp_root_dir / "courses" / "python-ml"
    shutil.copytree(trained_course, target)
    return target


@pytest.fixture
def kit_config() -> dict[str, Any]:
    """``c.KitServer`` settings: an instructor and two mentors; everyone else is a learner."""
    return {"instructors": [INSTRUCTOR], "mentors": {MENTOR: "sam", OTHER_MENTOR: "lin"}}


@pytest.fixture
def jp_server_config(course_dir: Path, kit_config: dict[str, Any]) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"kit.server": True},
            "identity_provider_class": HeaderIdentityProvider,
        },
        "KitServer": kit_config,
    }


Api = Callable[..., Awaitable[Any]]


@pytest.fixture
def api(jp_fetch: Any) -> Api:
    """``await api(METHOD, "path", user=..., body=..., params=..., status=200)``: the JSON of
    the answer, which must have ``status`` (a body that is not a dict or list is sent as is)."""

    async def call(
        method: str,
        path: str,
        *,
        user: str | None = LEARNER,
        body: Any = None,
        params: dict[str, str] | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = dict(headers or {})
        if user is not None:
            sent[USER_HEADER] = user
        data = json.dumps(body) if isinstance(body, dict | list) else body
        if method not in ("POST", "PUT", "PATCH"):
            data = None  # tornado's client sends no body with the others
        elif data is None:
            data = b""
        try:
            response: HTTPResponse = await jp_fetch(
                "kit",
                "api",
                "v1",
                *path.split("/"),
                method=method,
                body=data,
                params=params,
                headers=sent,
            )
        except HTTPClientError as exc:
            assert exc.response is not None, exc
            response = exc.response
        text = response.body.decode("utf-8")
        assert response.code == status, f"{method} {path}: {response.code} {text[:500]}"
        if response.code >= 400:
            assert response.headers["Content-Type"].startswith("application/json"), text
            error = json.loads(text)
            assert set(error) == {"error", "fix"} and error["error"], error
        return json.loads(text) if text else None

    return call
