"""The kit on a real JupyterHub, end to end, through the proxy as browsers reach it.

Learners log in with the hub's login form and keep its cookies; their servers are started by
the hub; nbgrader's assignment list on a learner's own server fetches and submits the project;
the instructor collects in a terminal (``kit collect`` in her environment) and grades one
learner from the panel's grading endpoint on her server, the other with ``kit grade`` in her
terminal; the graded cells, a learner's question, a mentor's answer and self-check answers all
go through the kit service, which is killed with SIGKILL and restarted by the hub without
losing any of them. Every refused request is a 403.

The tests of this module run in order on one hub and build on one another (``shared``).
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, SAMPLE_COURSE
from tests.hub.conftest import PROJECT, kit_as
from tests.hub.hub import RunningHub

pytestmark = pytest.mark.slow

PANDAS_QUESTION = "how do i select two columns from a dataframe"
ANSWER = "Use a list of names: df[['track', 'hours']] (two brackets)."
BASICS_CHECK = {"skill": "python-basics", "item": "basics-int-division"}
API = "kit/api/v1"
SCREENSHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def shared() -> dict[str, Any]:
    """What one test leaves for the next (question ids, counts before the kill)."""
    return {}


def _assignments(hub: RunningHub, learner: str) -> dict[str, str]:
    """nbgrader's assignment list on the learner's server: assignment -> status."""
    answer = hub.person(learner).on_server(
        "GET", "assignments", params={"course_id": hub.hub.course_id}
    )
    body = answer.json()
    if answer.status_code != 200 or not body.get("success"):
        raise hub.fail(f"{learner}'s assignment list failed: {answer.status_code} {body}")
    return {a["assignment_id"]: a["status"] for a in body["value"]}


def _nbgrader(hub: RunningHub, learner: str, action: str) -> None:
    """nbgrader's fetch or submit of the project, on the learner's own server."""
    answer = hub.person(learner).on_server(
        "POST",
        f"assignments/{action}",
        data={"course_id": hub.hub.course_id, "assignment_id": PROJECT},
    )
    body = answer.json()
    if answer.status_code != 200 or body.get("success") is False:
        raise hub.fail(f"{learner}'s nbgrader {action} failed: {answer.status_code} {body}")


def test_learners_fetch_and_submit_with_nbgraders_assignment_list(hub: RunningHub) -> None:
    for learner in hub.hub.users.learners:
        assert _assignments(hub, learner) == {PROJECT: "released"}
        _nbgrader(hub, learner, "fetch")
        assert _assignments(hub, learner) == {PROJECT: "fetched"}
        fetched = hub.hub.home(learner) / PROJECT / f"{PROJECT}.ipynb"
        assert fetched.is_file(), f"nbgrader fetched nothing into {fetched.parent}"
    # learner1 does the work (the sample course's strong solution), saved through the
    # contents API as JupyterLab saves it; learner2 submits the project untouched
    solved = SAMPLE_COURSE / "sample-submissions" / "ada" / PROJECT / f"{PROJECT}.ipynb"
    saved = hub.person("learner1").on_server(
        "PUT",
        f"api/contents/{PROJECT}/{PROJECT}.ipynb",
        json={"type": "notebook", "format": "json", "content": json.loads(solved.read_text())},
    )
    assert saved.status_code == 200, saved.text
    for learner in hub.hub.users.learners:
        _nbgrader(hub, learner, "submit")
        assert _assignments(hub, learner) == {PROJECT: "submitted"}
    inbound = hub.hub.exchange / hub.hub.course_id / "inbound"
    owners = sorted(p.name.split("+")[0] for p in inbound.iterdir())
    assert owners == ["learner1", "learner2"], f"the exchange's inbound holds {owners}"


def test_the_instructor_collects_and_grades_and_the_grades_reach_the_service(
    hub: RunningHub,
) -> None:
    out = kit_as(hub, "ada", "collect", str(hub.hub.course), PROJECT)
    assert "collected 2 submissions" in out, out
    ada = hub.person("ada")
    # learner1 is graded from the panel (on ada's server), learner2 in ada's terminal
    job = ada.kit("POST", f"grading/{PROJECT}", expect=202, json={"learners": ["learner1"]})
    assert job["state"] == "running", job

    def finished() -> dict[str, Any] | None:
        current = ada.kit("GET", f"grading/{PROJECT}/job")
        return current if current["state"] != "running" else None

    done = hub.wait("for the grading run to finish", finished, timeout=150)
    assert done["state"] == "finished", done
    assert done["done"] == 1, done
    assert "sent to the kit service" in done["message"], done
    terminal = {"KIT_SERVICE_URL": hub.hub.service_url, "JUPYTERHUB_API_TOKEN": ada.token()}
    graded = kit_as(
        hub, "ada", "grade", str(hub.hub.course), PROJECT, "--learner", "learner2", env=terminal
    )
    assert "learner2" in graded and "sent to the kit service" in graded, graded
    # the graded cells are attempts in the service: the instructor and the learner see them
    strong = ada.kit("GET", "learners/learner1/mastery")
    weak = ada.kit("GET", "learners/learner2/mastery")
    assert any(s["attempts"] for s in weak["skills"]), "the terminal's grading reached the service"
    graded = {s["id"]: s for s in strong["skills"] if s["attempts"]}
    assert {"pandas", "data-cleaning"} <= set(graded), graded
    assert graded["pandas"]["mastery"] > max(
        s["mastery"] or 0 for s in weak["skills"] if s["id"] == "pandas"
    ), "the full solution earns more pandas mastery than the untouched project"
    mine = hub.person("learner1").kit("GET", "me/mastery")
    assert {s["id"]: s["attempts"] for s in mine["skills"] if s["attempts"]} == {
        k: v["attempts"] for k, v in graded.items()
    }


def test_a_question_reaches_the_right_mentor_and_the_answer_comes_back(
    hub: RunningHub, shared: dict[str, Any]
) -> None:
    learner, lin, grace = hub.person("learner1"), hub.person("lin"), hub.person("grace")
    question = learner.kit("POST", "questions", expect=201, json={"text": PANDAS_QUESTION})
    assert question["skill"] == "pandas", question["route"]
    assert question["mentor"]["id"] == "lin", "lin covers pandas in course.yml"
    shared["question"] = question["id"]
    inbox = [item["id"] for item in lin.kit("GET", "inbox")]
    assert question["id"] in inbox, f"lin's inbox on lin's server: {inbox}"
    assert question["id"] not in [item["id"] for item in grace.kit("GET", "inbox")]
    lin.kit("POST", f"questions/{question['id']}/answers", expect=201, json={"text": ANSWER})
    seen = learner.kit("GET", f"questions/{question['id']}")
    assert seen["status"] == "answered"
    assert [(a["author"], a["text"]) for a in seen["answers"]] == [("lin", ANSWER)]


def test_a_learner_lets_the_mentor_open_their_server_and_takes_it_back(
    hub: RunningHub, shared: dict[str, Any]
) -> None:
    """Through JupyterHub's sharing API: lin may open learner1's server while it is shared
    for learner1's question, and not before or after (a new token each time: servers keep a
    token's scopes for a while)."""
    learner, lin = hub.person("learner1"), hub.person("lin")
    status = "/user/learner1/api/status"
    path = f"questions/{shared['question']}/server-share"
    assert lin.client.get(status, headers=_token(lin.token("before"))).status_code == 403
    offered = learner.kit("PUT", path, content=b"")
    assert offered["server_share"] == "/user/learner1/"
    assert lin.kit("GET", f"questions/{shared['question']}")["server_share"] == "/user/learner1/"
    opened = lin.client.get(status, headers=_token(lin.token("shared")))
    assert opened.status_code == 200, opened.text[:300]
    assert learner.kit("DELETE", path)["server_share"] is None
    assert lin.client.get(status, headers=_token(lin.token("revoked"))).status_code == 403


LOC_QUESTION = "difference between loc and iloc"


@pytest.mark.browser
def test_the_panels_on_the_hub_in_a_browser(
    hub: RunningHub, shared: dict[str, Any], chromium: Path
) -> None:
    """Screenshots (build/screenshots/hub-*.png): learner1's panel with lin's answer, and lin's
    inbox on lin's server with a question of learner2's still open."""
    from playwright.sync_api import sync_playwright

    from tests.chromium import launch
    from tests.hub.hub import browser_page

    asked = hub.person("learner2").kit("POST", "questions", expect=201, json={"text": LOC_QUESTION})
    assert asked["mentor"]["id"] == "lin", asked["route"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            learner = browser_page(browser, hub, "learner1")
            shown = learner.page.locator("#mentor-kit-panel").is_visible()
            assert shown, "JupyterLab opens with the Mentor Kit panel (the hub's workspace)"
            learner.open_panel()
            answer = learner.section("ask").locator(".jp-MentorKit-answer", has_text=ANSWER)
            answer.wait_for()
            answer.scroll_into_view_if_needed()
            learner.shot(SCREENSHOTS, "hub-learner")
            # on a hub, the asker may let the mentor open their server, from the panel
            thread = learner.section("ask").locator(".jp-MentorKit-thread", has_text=ANSWER)
            thread.locator(".jp-MentorKit-shareServerButton", has_text="Let Lin").click()
            thread = learner.section("ask").locator(".jp-MentorKit-thread", has_text=ANSWER)
            thread.locator(".jp-MentorKit-shareServerButton", has_text="Stop sharing").wait_for()
            mine = hub.person("learner1").kit("GET", f"questions/{shared['question']}")
            assert mine["server_share"] == "/user/learner1/"
            hub.person("learner1").kit("DELETE", f"questions/{shared['question']}/server-share")
            assert not learner.errors, learner.errors
            mentor = browser_page(browser, hub, "lin")
            mentor.open_panel()
            inbox = mentor.section("inbox")
            thread = inbox.locator(".jp-MentorKit-thread", has_text=LOC_QUESTION)
            thread.wait_for()
            assert "learner2" in thread.locator(".jp-MentorKit-meta").first.inner_text()
            mentor.shot(SCREENSHOTS, "hub-mentor")
            assert not mentor.errors, mentor.errors
        finally:
            browser.close()


def test_self_check_answers_reach_the_instructors_cohort_view(hub: RunningHub) -> None:
    learner2 = hub.person("learner2")
    for correct in (1, 1, 0, 1):
        learner2.kit("POST", "me/attempts", expect=201, json={**BASICS_CHECK, "correct": correct})
    cohort = hub.person("ada").kit("GET", "cohort")
    assert "learner2" in cohort["learners"], cohort["learners"]
    skills = [s["id"] for s in cohort["skills"]]
    row = cohort["mastery"][cohort["learners"].index("learner2")]
    assert row[skills.index("python-basics")] is not None, "the self-checks count in the cohort"


def _refusals(hub: RunningHub, shared: dict[str, Any]) -> list[tuple[str, httpx.Response]]:
    """Every request that must be refused, and the hub's answer to it."""
    question = shared["question"]
    service = f"/services/kit/{API}"
    learner1, learner2 = hub.person("learner1"), hub.person("learner2")
    tokens = {name: hub.person(name).token() for name in ("learner1", "learner2")}
    cases: list[tuple[str, httpx.Response]] = []
    with hub.anonymous() as nobody:
        for path in ("me", "questions", "inbox", "cohort", f"questions/{question}"):
            cases.append((f"no login: the service's {path}", nobody.get(f"{service}/{path}")))
            cases.append(
                (
                    f"no login: learner1's server's {path}",
                    nobody.get(f"/user/learner1/{API}/{path}"),
                )
            )
        cases.append(
            ("no login: post a question", nobody.post(f"{service}/questions", json={"text": "hi"}))
        )
        cases.append(("a made-up token", nobody.get(f"{service}/me", headers=_token("nope"))))
        for path in ("inbox", "cohort", "learners/learner1/mastery", "grading"):
            cases.append(
                (
                    f"a learner's token: the service's {path}",
                    nobody.get(f"{service}/{path}", headers=_token(tokens["learner2"])),
                )
            )
        # another learner's data: by id guess, by ?learner=, through their server
        own = _token(tokens["learner2"])
        cases += [
            (
                "learner2 reads learner1's question",
                nobody.get(f"{service}/questions/{question}", headers=own),
            ),
            (
                "learner2 answers learner1's question",
                nobody.post(
                    f"{service}/questions/{question}/answers", headers=own, json={"text": "x"}
                ),
            ),
            (
                "learner2 lists learner1's questions",
                nobody.get(f"{service}/questions", params={"learner": "learner1"}, headers=own),
            ),
            (
                "learner2's token on learner1's server",
                nobody.get(f"/user/learner1/{API}/me", headers=own),
            ),
        ]
    for path in ("inbox", "cohort", "learners/learner2/mastery", f"grading/{PROJECT}/job"):
        cases.append((f"learner1's panel: {path}", learner1.on_server("GET", f"{API}/{path}")))
    cases.append(
        (
            "learner1's panel: grading",
            learner1.on_server("POST", f"{API}/grading/{PROJECT}", json={}),
        )
    )
    cases.append(
        (
            "learner2's panel: learner1's question",
            learner2.on_server("GET", f"{API}/questions/{question}"),
        )
    )
    cases.append(
        (
            "learner2's panel: learner1's questions",
            learner2.on_server("GET", f"{API}/questions", params={"learner": "learner1"}),
        )
    )
    cases.append(
        (
            "grace's panel: the cohort (mentors are not instructors)",
            hub.person("grace").on_server("GET", f"{API}/cohort"),
        )
    )
    # learner2's browser on learner1's server: the hub does not hand it learner1's server
    cases.append(
        ("learner2's cookies on learner1's server", learner2.client.get(f"/user/learner1/{API}/me"))
    )
    return cases


def _token(token: str) -> dict[str, str]:
    return {"Authorization": f"token {token}"}


def test_every_refusal_is_a_403_and_shows_nothing(hub: RunningHub, shared: dict[str, Any]) -> None:
    wrong = [
        f"{name}: {answer.status_code} {answer.request.method} {answer.request.url.path}"
        for name, answer in _refusals(hub, shared)
        if answer.status_code != 403 or PANDAS_QUESTION in answer.text
    ]
    assert not wrong, "not refused with 403:\n" + "\n".join(wrong)


def _counts(hub: RunningHub, question: int) -> dict[str, Any]:
    """What the kill must not lose, as the instructor and the learners see it."""
    ada, learner1 = hub.person("ada"), hub.person("learner1")
    seen = learner1.kit("GET", f"questions/{question}")
    return {
        "question": (seen["text"], seen["status"], [a["text"] for a in seen["answers"]]),
        "learner1": {
            s["id"]: s["attempts"] for s in ada.kit("GET", "learners/learner1/mastery")["skills"]
        },
        "learner2": {
            s["id"]: s["attempts"] for s in ada.kit("GET", "learners/learner2/mastery")["skills"]
        },
        "lin's inbox": sorted(item["id"] for item in hub.person("lin").kit("GET", "inbox")),
    }


def test_a_killed_service_is_restarted_by_the_hub_and_loses_nothing(
    hub: RunningHub, shared: dict[str, Any]
) -> None:
    before = _counts(hub, shared["question"])
    # one more write of each kind just before the kill: acknowledged, so it must survive
    learner2 = hub.person("learner2")
    asked = learner2.kit(
        "POST", "questions", expect=201, json={"text": "what does // do in python"}
    )
    learner2.kit("POST", "me/attempts", expect=201, json={**BASICS_CHECK, "correct": 1})
    pid = hub.service_pid()
    os.kill(pid, signal.SIGKILL)

    def restarted() -> bool:
        try:
            new = hub.service_pid()
        except AssertionError:
            return False
        return (
            new != pid and hub.person("learner1").on_server("GET", f"{API}/me").status_code == 200
        )

    hub.wait("for the hub to restart the killed kit service", restarted, timeout=90)
    after = _counts(hub, shared["question"])
    assert after["question"] == before["question"]
    assert after["learner1"] == before["learner1"]
    assert after["lin's inbox"] == before["lin's inbox"]
    assert after["learner2"]["python-basics"] == before["learner2"]["python-basics"] + 1
    mine = [q["id"] for q in learner2.kit("GET", "questions")]
    assert asked["id"] in mine, "the question asked just before the kill is still there"
