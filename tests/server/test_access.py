"""Who may call what: every endpoint needs a login; each role is refused (403, in JSON) what the
OpenAPI document's ``x-kit-roles`` does not give it; browser writes need jupyter_server's XSRF
token."""

from __future__ import annotations

import pytest

from kit.server.openapi import document
from tests.server.conftest import COOKIE_USER_HEADER, LEARNER, USERS, Api

EXAMPLE = {"{course}": "python-ml", "{id}": "1", "{project}": "pandas-analysis", "{learner}": "ben"}

OPERATIONS = [
    (method.upper(), path, operation["x-kit-roles"])
    for path, item in document()["paths"].items()
    for method, operation in item.items()
]


def concrete(path: str) -> str:
    for name, value in EXAMPLE.items():
        path = path.replace(name, value)
    return path.lstrip("/")


def test_every_operation_says_who_may_call_it() -> None:
    assert len(OPERATIONS) == 30
    for _, _, roles in OPERATIONS:
        assert roles and set(roles) <= set(USERS)


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in OPERATIONS])
async def test_every_endpoint_needs_a_login(api: Api, method: str, path: str) -> None:
    await api(method, concrete(path), user=None, status=403)


FORBIDDEN = [
    (method, path, role)
    for method, path, roles in OPERATIONS
    for role in USERS
    if role not in roles
]


def test_learners_and_mentors_are_refused_something() -> None:
    assert {role for _, _, role in FORBIDDEN} == {"learner", "mentor"}


@pytest.mark.parametrize(("method", "path", "role"), FORBIDDEN)
async def test_each_role_is_refused_what_it_may_not_do(
    api: Api, method: str, path: str, role: str
) -> None:
    error = await api(method, concrete(path), user=USERS[role], body={}, status=403)
    assert f"is a {role}" in error["error"]


async def test_an_unknown_endpoint_is_a_json_404(api: Api) -> None:
    await api("GET", "no/such/thing", status=404)
    await api("GET", "no/such/thing", user=None, status=403)


async def test_an_unsupported_method_is_a_405_with_allow(api: Api) -> None:
    await api("DELETE", "me/profile", status=405)


async def test_browser_writes_need_the_xsrf_token(api: Api) -> None:
    browser = {COOKIE_USER_HEADER: LEARNER}
    assert (await api("GET", "me", user=None, headers=browser))["name"] == LEARNER
    body = {"text": "how do I reshape a numpy array?"}
    await api("POST", "questions", user=None, headers=browser, body=body, status=403)
    assert await api("GET", "questions", user=None, headers=browser) == []
    with_token = {**browser, "Cookie": "_xsrf=k1t", "X-XSRFToken": "k1t"}
    await api("POST", "questions", user=None, headers=with_token, body=body, status=201)
