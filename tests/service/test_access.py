"""Every endpoint of the kit service, by table: refused (403, in JSON) with no token, with a
token the hub does not know, with a token lacking the service's access scope, to a learner where
only staff may call, and to a learner after another learner's data (an id guessed,
``?learner=``). Roles come from the hub's groups; the rest of the Jupyter server is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kit.server.openapi import document
from tests.service.conftest import (
    INSTRUCTOR,
    LEARNER,
    MENTOR,
    NO_ACCESS,
    OTHER_LEARNER,
    TOKENS,
    Call,
    service_config,
)
from tests.service.hub import FakeHub

EXAMPLE = {"{course}": "python-ml", "{id}": "1", "{project}": "pandas-analysis", "{learner}": "ben"}
OPERATIONS = [
    (method.upper(), path, operation["x-kit-roles"])
    for path, item in document()["paths"].items()
    for method, operation in item.items()
]
BAD_TOKENS = {"no token": None, "a bad token": "not-a-hub-token", "no access scope": NO_ACCESS}


@pytest.fixture
def jp_server_config(course_dir: Path, hub: FakeHub) -> dict[str, Any]:
    return service_config(course_dir, hub)


def concrete(path: str) -> str:
    for name, value in EXAMPLE.items():
        path = path.replace(name, value)
    return path.lstrip("/")


@pytest.mark.parametrize("who", list(BAD_TOKENS))
@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in OPERATIONS])
async def test_every_endpoint_refuses_a_request_the_hub_does_not_vouch_for(
    call: Call, method: str, path: str, who: str
) -> None:
    await call(method, concrete(path), token=BAD_TOKENS[who], body={}, status=403)


STAFF_ONLY = [(m, p) for m, p, roles in OPERATIONS if "learner" not in roles]


def test_the_table_covers_the_staff_endpoints() -> None:
    assert len(OPERATIONS) >= 22
    assert {"/inbox", "/cohort", "/attempts/batch", "/learners/{learner}/mastery"} <= {
        p for _, p in STAFF_ONLY
    }


@pytest.mark.parametrize(("method", "path"), STAFF_ONLY)
async def test_a_learner_is_refused_every_staff_endpoint(
    call: Call, method: str, path: str
) -> None:
    error = await call(method, concrete(path), token=TOKENS[LEARNER], body={}, status=403)
    assert "is a learner" in error["error"]


async def test_roles_come_from_the_hubs_groups(call: Call) -> None:
    assert (await call("GET", "me", token=TOKENS[LEARNER]))["role"] == "learner"
    mentor = await call("GET", "me", token=TOKENS[MENTOR])
    assert (mentor["role"], mentor["mentor_id"]) == ("mentor", "grace")
    assert (await call("GET", "me", token=TOKENS[INSTRUCTOR]))["role"] == "instructor"
    await call("GET", "cohort", token=TOKENS[INSTRUCTOR])
    await call("GET", "inbox", token=TOKENS[MENTOR])


async def test_a_learner_cannot_read_another_learners_data(call: Call) -> None:
    theirs = await call(
        "POST", "questions", token=TOKENS[OTHER_LEARNER],
        body={"text": "my private worry about numpy broadcasting"}, status=201,
    )  # fmt: skip
    qid = str(theirs["id"])
    mine = TOKENS[LEARNER]
    for method, path in [
        ("GET", f"questions/{qid}"),
        ("POST", f"questions/{qid}/answers"),
        ("POST", f"questions/{qid}/resolve"),
    ]:
        error = await call(method, path, token=mine, body={"text": "let me in"}, status=403)
        assert "numpy broadcasting" not in error["error"]
    await call("GET", "questions", token=mine, params={"learner": OTHER_LEARNER}, status=403)
    await call("GET", f"learners/{OTHER_LEARNER}/mastery", token=mine, status=403)
    for guess in range(1, 6):  # ids in order: none of the others' is readable
        found = await call("GET", "questions", token=mine)
        assert found == []
        await call(
            "GET",
            f"questions/{int(qid) + guess - 1}",
            token=mine,
            status=403 if guess == 1 else 404,
        )
    # their question is theirs still, and the mentor sees it
    assert (await call("GET", f"questions/{qid}", token=TOKENS[OTHER_LEARNER]))["id"] == theirs[
        "id"
    ]
    inbox = await call("GET", "inbox", token=TOKENS[INSTRUCTOR])
    assert [q["id"] for q in inbox] == [theirs["id"]]


async def test_a_learners_writes_are_their_own(call: Call) -> None:
    body = {"skill": "numpy", "item": "shape", "correct": 1, "learner": OTHER_LEARNER}
    await call("POST", "me/attempts", token=TOKENS[LEARNER], body=body, status=422)
    batch = {"attempts": [{**body, "learner": OTHER_LEARNER}]}
    await call("POST", "attempts/batch", token=TOKENS[LEARNER], body=batch, status=403)
    mastery = await call("GET", f"learners/{OTHER_LEARNER}/mastery", token=TOKENS[INSTRUCTOR])
    assert mastery["skills"] == [] or all(s["attempts"] == 0 for s in mastery["skills"])


@pytest.mark.parametrize("path", ["api/contents", "api/kernels", "api/terminals", "api/sessions"])
async def test_the_rest_of_the_jupyter_server_is_refused(jp_fetch: Any, path: str) -> None:
    from tornado.httpclient import HTTPClientError

    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch(*path.split("/"), headers={"Authorization": f"token {TOKENS[INSTRUCTOR]}"})
    assert caught.value.code in (403, 404)


def _cookies(response: Any, jar: dict[str, str]) -> str:
    """Keep the cookies an answer sets; the Cookie header that sends them all back."""
    from http.cookies import SimpleCookie

    for header in response.headers.get_list("Set-Cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            jar[name] = morsel.value
    return "; ".join(f"{k}={v}" for k, v in jar.items() if v)


async def test_a_browser_logs_in_through_the_hubs_oauth(jp_fetch: Any, hub: FakeHub) -> None:
    import urllib.parse

    hub.codes["code-for-ada"] = TOKENS[LEARNER]
    anonymous = {"Authorization": ""}
    jar: dict[str, str] = {}
    start = await jp_fetch(
        "login", params={"next": "/a%40b/kit/api/v1/me"}, headers=anonymous,
        follow_redirects=False, raise_error=False,
    )  # fmt: skip
    assert start.code == 302
    location = urllib.parse.urlsplit(start.headers["Location"])
    assert location.path == "/hub/api/oauth2/authorize"
    state = urllib.parse.parse_qs(location.query)["state"][0]
    back = await jp_fetch(
        "oauth_callback", params={"code": "code-for-ada", "state": state},
        headers={**anonymous, "Cookie": _cookies(start, jar)},
        follow_redirects=False, raise_error=False,
    )  # fmt: skip
    assert back.code == 302 and back.headers["Location"] == "/a%40b/kit/api/v1/me"
    me = await jp_fetch(
        "kit", "api", "v1", "me", headers={**anonymous, "Cookie": _cookies(back, jar)}
    )
    assert json.loads(me.body)["name"] == LEARNER
    # a forged state is refused, and no cookie is set
    forged = await jp_fetch(
        "oauth_callback", params={"code": "code-for-ada", "state": "forged"},
        headers=anonymous, follow_redirects=False, raise_error=False,
    )  # fmt: skip
    assert forged.code >= 400 and not forged.headers.get_list("Set-Cookie")


async def test_a_hub_that_is_down_is_a_clear_503(call: Call, jp_serverapp: Any) -> None:
    from tests.service.hub import free_port

    provider = jp_serverapp.identity_provider
    provider.hub_auth.api_url = f"http://127.0.0.1:{free_port()}/hub/api"
    error = await call("GET", "me", token=TOKENS[LEARNER], status=503)
    assert provider.hub_auth.api_url in error["error"] and error["fix"]
