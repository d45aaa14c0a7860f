"""A user's server under a hub forwards the shared state to the kit service: a learner asks on
their server, the mentor sees it in the inbox of theirs and answers, the learner sees the
answer. Visitors are refused; a service that is down is a clear 503; openapi.json stays local;
a timeout is retried once with the same idempotency key."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from tornado import web
from tornado.httpserver import HTTPServer

from kit.server.errors import ApiError
from kit.server.forwarding import Forwarder, forwarded
from kit.server.services import SETTINGS_KEY
from tests.server.conftest import USER_HEADER, HeaderIdentityProvider
from tests.service.conftest import (
    INSTRUCTOR,
    LEARNER,
    MENTOR,
    OTHER_LEARNER,
    TOKENS,
    Call,
    ServiceProcess,
)
from tests.service.hub import free_port


@pytest.fixture
def jp_server_config(
    course_dir: Path, service: ServiceProcess, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """ada's own server on the hub: JupyterHub's environment, and the kit service's URL."""
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", TOKENS[LEARNER])
    monkeypatch.setenv("JUPYTERHUB_USER", LEARNER)
    return {
        "ServerApp": {
            "jpserver_extensions": {"kit.server": True},
            "identity_provider_class": HeaderIdentityProvider,
        },
        "KitServer": {"service_url": service.url},
    }


def server_of(jp_serverapp: Any, service: ServiceProcess, user: str) -> dict[str, str]:
    """Make the server under test ``user``'s own (their token, their name); the header that
    logs ``user`` in."""
    services = jp_serverapp.web_app.settings[SETTINGS_KEY]
    services.forwarder = Forwarder(service.url, TOKENS[user], user)
    return {USER_HEADER: user}


def test_only_the_openapi_document_and_grading_stay_local() -> None:
    assert not forwarded("openapi.json") and not forwarded("grading/pandas-analysis/job")
    for path in ("me", "me/profile", "questions/3/answers", "inbox", "cohort", "faq", "x/y"):
        assert forwarded(path)


async def test_a_question_goes_from_the_learners_server_to_the_mentors_and_back(
    call: Call, jp_serverapp: Any, service: ServiceProcess
) -> None:
    text = "how do I reshape a numpy array into two columns?"
    as_ada = server_of(jp_serverapp, service, LEARNER)
    me = await call("GET", "me", token=None, headers=as_ada)
    assert (me["name"], me["role"]) == (LEARNER, "learner")
    asked = await call(
        "POST", "questions", token=None, headers=as_ada, body={"text": text}, status=201
    )
    # stored by the service, not by this server
    status, theirs = service.request("GET", "questions", TOKENS[LEARNER])
    assert status == 200 and [q["id"] for q in theirs] == [asked["id"]]
    local = jp_serverapp.web_app.settings[SETTINGS_KEY].courses
    assert list(local.states()) == []  # no course database opened on the user's server

    as_grace = server_of(jp_serverapp, service, MENTOR)
    inbox = await call("GET", "inbox", token=None, headers=as_grace)
    assert [(q["id"], q["text"]) for q in inbox] == [(asked["id"], text)]
    answer = {"text": "use a.reshape(-1, 2)"}
    await call(
        "POST",
        f"questions/{asked['id']}/answers",
        token=None,
        headers=as_grace,
        body=answer,
        status=201,
    )

    as_ada = server_of(jp_serverapp, service, LEARNER)
    seen = await call("GET", f"questions/{asked['id']}", token=None, headers=as_ada)
    assert seen["status"] == "answered"
    assert [(a["author"], a["text"]) for a in seen["answers"]] == [(MENTOR, answer["text"])]


async def test_a_visitor_is_refused_the_owners_shared_state(
    call: Call, jp_serverapp: Any, service: ServiceProcess
) -> None:
    server_of(jp_serverapp, service, LEARNER)
    error = await call(
        "GET", "me/profile", token=None, headers={USER_HEADER: OTHER_LEARNER}, status=403
    )
    assert "visiting" in error["error"]
    await call("GET", "me", token=None, headers={}, status=403)


async def test_a_retried_post_through_the_server_is_recorded_once(
    call: Call, jp_serverapp: Any, service: ServiceProcess
) -> None:
    as_ada = server_of(jp_serverapp, service, LEARNER)
    sent = {**as_ada, "Idempotency-Key": "panel-request-1"}
    body = {"skill": "numpy", "item": "shape-check", "correct": 1}
    first = await call("POST", "me/attempts", token=None, headers=sent, body=body, status=201)
    again = await call("POST", "me/attempts", token=None, headers=sent, body=body, status=201)
    assert again == first
    mastery = await call("GET", "me/mastery", token=None, headers=as_ada)
    assert {s["id"]: s["attempts"] for s in mastery["skills"]}["numpy"] == 1


async def test_grading_stays_local_with_the_role_the_hub_gives(
    call: Call, jp_serverapp: Any, service: ServiceProcess
) -> None:
    as_ada = server_of(jp_serverapp, service, LEARNER)
    error = await call("GET", "grading", token=None, headers=as_ada, status=403)
    assert "is a learner" in error["error"]  # alone on their server, but a learner on the hub
    as_ines = server_of(jp_serverapp, service, INSTRUCTOR)
    projects = await call("GET", "grading", token=None, headers=as_ines)
    assert {p["project"] for p in projects} >= {"pandas-analysis"}


async def test_a_grading_runs_attempts_reach_the_service_once(
    jp_serverapp: Any, service: ServiceProcess
) -> None:
    forwarder = Forwarder(service.url, TOKENS[INSTRUCTOR], INSTRUCTOR)
    learners = [f"learner{i:03d}" for i in range(120)]
    rows = [
        {"learner": name, "skill": "pandas", "item": f"pandas-analysis/cell-{j}", "correct": 0.5,
         "time": "2026-01-05T10:00:00+00:00", "source": "grading"}
        for name in learners for j in range(4)
    ]  # fmt: skip
    assert await forwarder.post_attempts("python-ml", "pandas-analysis", learners, rows) == 480
    # sent again (the next run): each learner's grading attempts are replaced, not added
    assert await forwarder.post_attempts("python-ml", "pandas-analysis", learners, rows) == 480
    status, mastery = service.request("GET", "learners/learner007/mastery", TOKENS[INSTRUCTOR])
    assert status == 200
    assert {s["id"]: s["attempts"] for s in mastery["skills"]}["pandas"] == 4
    with pytest.raises(ApiError) as caught:  # a learner's server may not
        await Forwarder(service.url, TOKENS[LEARNER], LEARNER).post_attempts(
            "python-ml", "pandas-analysis", learners[:1], rows[:1]
        )
    assert caught.value.status_code == 403


async def test_a_service_that_is_down_is_a_clear_503(
    call: Call, jp_serverapp: Any, service: ServiceProcess
) -> None:
    as_ada = server_of(jp_serverapp, service, LEARNER)
    service.stop()
    error = await call("GET", "me/path", token=None, headers=as_ada, status=503)
    assert service.url in error["error"] and error["fix"]
    document = await call("GET", "openapi.json", token=None, headers=as_ada)
    assert "/attempts/batch" in document["paths"]


class Slow(web.RequestHandler):
    """Answers the first request too late, the next at once; remembers their keys."""

    def initialize(self, keys: list[str]) -> None:
        self.keys = keys

    async def post(self, path: str) -> None:
        self.keys.append(self.request.headers.get("Idempotency-Key", ""))
        if len(self.keys) == 1:
            await asyncio.sleep(1.5)
        self.set_header("Content-Type", "application/json")
        self.finish('{"ok": true}')


async def test_a_timeout_is_retried_once_with_the_same_idempotency_key() -> None:
    keys: list[str] = []
    port = free_port()
    server = HTTPServer(web.Application([(r"/services/kit/(.*)", Slow, {"keys": keys})]))
    server.listen(port, "127.0.0.1")
    try:
        forwarder = Forwarder(f"http://127.0.0.1:{port}/services/kit/", "t", "ada", 1.0, 0.5)
        status, _, body = await forwarder.send("POST", "me/attempts", "", {}, b"{}")
        assert (status, body) == (200, b'{"ok": true}')
        assert len(keys) == 2 and keys[0] == keys[1] != ""
    finally:
        server.stop()


class Silent(web.RequestHandler):
    """Never answers in time."""

    async def get(self, path: str) -> None:
        await asyncio.sleep(1.5)
        self.finish("{}")


async def test_no_answer_at_all_is_a_clear_502() -> None:
    port = free_port()
    server = HTTPServer(web.Application([(r"/services/kit/(.*)", Silent)]))
    server.listen(port, "127.0.0.1")
    try:
        forwarder = Forwarder(f"http://127.0.0.1:{port}/services/kit/", "t", "ada", 1.0, 0.3)
        with pytest.raises(ApiError) as caught:
            await forwarder.send("GET", "me", "", {}, b"")
        assert caught.value.status_code == 502 and "did not answer" in caught.value.message
    finally:
        server.stop()


async def test_after_a_grading_run_the_graded_learners_attempts_are_sent(
    course_dir: Path, service: ServiceProcess, tmp_path: Path
) -> None:
    from kit.course import load_course
    from kit.progress.attempts import Attempt
    from kit.server.grading import GradingRunner
    from kit.state import CourseState

    state = CourseState(load_course(course_dir), f"sqlite:///{tmp_path / 'local.sqlite'}")
    try:
        for learner in ("learner1", "learner2"):
            cells = [
                Attempt(
                    learner,
                    "pandas",
                    f"pandas-analysis/q{i}",
                    1.0,
                    source="grading",
                    course="python-ml",
                )
                for i in range(3)
            ]
            state.attempts.replace(
                learner, "pandas-analysis/", "grading", cells, course="python-ml"
            )
        runner = GradingRunner(forwarder=Forwarder(service.url, TOKENS[INSTRUCTOR], INSTRUCTOR))
        outcomes = [
            {"learner": "learner1", "status": "graded"},
            {"learner": "learner2", "status": "failed"},
        ]
        ending = await runner._publish(state, "pandas-analysis", outcomes)
    finally:
        state.close()
    assert ending == {
        "state": "finished",
        "message": "3 attempts of 1 learners sent to the kit service",
    }
    counts = {}
    for learner in ("learner1", "learner2"):
        _, mastery = service.request("GET", f"learners/{learner}/mastery", TOKENS[INSTRUCTOR])
        counts[learner] = sum(s["attempts"] for s in mastery["skills"])
    assert counts == {"learner1": 3, "learner2": 0}
    service.stop()  # the service gone: the job says the attempts did not reach it
    runner = GradingRunner(forwarder=Forwarder(service.url, TOKENS[INSTRUCTOR], INSTRUCTOR))
    state = CourseState(load_course(course_dir), f"sqlite:///{tmp_path / 'local.sqlite'}")
    try:
        ending = await runner._publish(state, "pandas-analysis", outcomes)
    finally:
        state.close()
    assert ending["state"] == "failed" and "did not reach the kit service" in ending["message"]
