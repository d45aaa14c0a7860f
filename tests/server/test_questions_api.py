"""Routing and questions: the route, asking (stored, routed, assigned), answers, follow-ups,
resolving, who may see what, and the mentors' inbox."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.server.conftest import INSTRUCTOR, LEARNER, MENTOR, OTHER_LEARNER, OTHER_MENTOR, Api

PANDAS = "my dataframe groupby gives NaN for some groups, why?"
TORCH = "loss.backward() says the tensor does not require grad"
OFF_TOPIC = "what's the wifi password in the building?"


async def test_route_answers_with_skills_lessons_and_mentors_and_stores_nothing(api: Api) -> None:
    route = await api("POST", "route", body={"text": PANDAS})
    assert route["sure"] and route["skill"] == "pandas" and route["reason"] == ""
    assert route["skills"][0]["id"] == "pandas" and 0 < route["skills"][0]["probability"] <= 1
    assert route["lessons"][0] == {
        "id": "pandas",
        "title": "Tables with pandas, and cleaning them",
        "notebook": "courses/python-ml/lessons/04-pandas.ipynb",
    }
    assert route["mentors"][0]["id"] == "lin"
    assert 0 <= route["urgency"] <= 1 and isinstance(route["urgent"], bool)
    assert await api("GET", "questions") == []


async def test_without_a_trained_router_route_says_how_to_train_one(
    api: Api, course_dir: Path
) -> None:
    shutil.rmtree(course_dir / "_kit" / "router")
    error = await api("POST", "route", body={"text": PANDAS}, status=409)
    assert "kit router train" in error["error"] + error["fix"]
    question = await api("POST", "questions", body={"text": PANDAS}, status=201)
    assert question["route"] is None and question["mentor"] is None and question["skill"] is None
    assert "no trained router" in question["unrouted"]


async def test_a_question_is_stored_routed_and_assigned(api: Api) -> None:
    question = await api("POST", "questions", body={"text": TORCH}, status=201)
    assert question["learner"] == LEARNER and question["status"] == "open"
    assert question["skill"] == "pytorch-basics" and question["unrouted"] == ""
    assert question["mentor"] == {"id": "sam", "name": "Samira Haddad", "user": "sam"}
    assert question["route"]["lessons"][0]["notebook"].startswith("courses/python-ml/lessons/")
    assert await api("GET", f"questions/{question['id']}") == question
    assert await api("GET", "questions") == [question]


async def test_an_unsure_route_leaves_the_question_unassigned_with_the_reason(api: Api) -> None:
    question = await api("POST", "questions", body={"text": OFF_TOPIC}, status=201)
    assert question["mentor"] is None and question["skill"] is None
    assert question["unrouted"] and question["route"]["sure"] is False


async def test_html_in_a_question_is_kept_as_text(api: Api) -> None:
    text = '<script>alert("x")</script><img src=x onerror=alert(1)> why does my <b>plot</b> fail?'
    question = await api("POST", "questions", body={"text": text}, status=201)
    assert question["text"] == text
    answer = await api(
        "POST",
        f"questions/{question['id']}/answers",
        body={"text": "<i>hi</i>"},
        user=MENTOR,
        status=201,
    )
    assert answer["text"] == "<i>hi</i>"
    assert (await api("GET", f"questions/{question['id']}"))["text"] == text


async def test_the_mentor_with_the_fewest_open_questions_gets_the_next(
    api: Api, course_dir: Path
) -> None:
    manifest = course_dir / "course.yml"
    manifest.write_text(
        manifest.read_text().replace(
            "mentors:\n",
            "mentors:\n  - id: ana\n    name: Ana Lima\n    skills: [pandas]\n",
            1,
        )
    )
    first = await api("POST", "questions", body={"text": PANDAS}, status=201)
    second = await api("POST", "questions", body={"text": PANDAS}, user=OTHER_LEARNER, status=201)
    assert (first["mentor"]["id"], second["mentor"]["id"]) == ("ana", "lin")  # course.yml order
    await api(
        "POST", f"questions/{first['id']}/answers", body={"text": "see 04"}, user=MENTOR, status=201
    )  # ana's question is answered: she has none open
    third = await api("POST", "questions", body={"text": PANDAS}, status=201)
    assert third["mentor"]["id"] == "ana"


async def test_answers_follow_ups_and_resolving(api: Api) -> None:
    qid = (await api("POST", "questions", body={"text": TORCH}, status=201))["id"]
    answer = await api(
        "POST",
        f"questions/{qid}/answers",
        body={"text": "call .requires_grad_()"},
        user=MENTOR,
        status=201,
    )
    assert (answer["author"], answer["role"]) == (MENTOR, "mentor")
    assert (await api("GET", f"questions/{qid}"))["status"] == "answered"
    follow = await api("POST", f"questions/{qid}/answers", body={"text": "still fails"}, status=201)
    assert follow["role"] == "learner"
    question = await api("GET", f"questions/{qid}")
    assert question["status"] == "open"
    assert [a["text"] for a in question["answers"]] == ["call .requires_grad_()", "still fails"]
    resolved = await api("POST", f"questions/{qid}/resolve")
    assert resolved["status"] == "resolved"
    assert await api("GET", "questions", params={"status": "open"}) == []
    assert len(await api("GET", "questions", params={"status": "resolved"})) == 1
    await api("GET", "questions", params={"status": "closed"}, status=422)


async def test_a_learner_cannot_see_or_touch_another_learners_question(api: Api) -> None:
    qid = (await api("POST", "questions", body={"text": TORCH}, status=201))["id"]
    other = {"user": OTHER_LEARNER, "status": 403}
    await api("GET", f"questions/{qid}", **other)
    await api("POST", f"questions/{qid}/answers", body={"text": "me too"}, **other)
    await api("POST", f"questions/{qid}/resolve", **other)
    await api("GET", "questions", params={"learner": LEARNER}, **other)
    assert await api("GET", "questions", user=OTHER_LEARNER) == []
    for user in (MENTOR, INSTRUCTOR):
        (seen,) = await api("GET", "questions", params={"learner": LEARNER}, user=user)
        assert seen["id"] == qid
    assert (await api("GET", f"questions/{qid}"))["status"] == "open"


async def test_unknown_questions_are_404(api: Api) -> None:
    for qid in ("999", "abc", "1" * 40, "-1"):
        await api("GET", f"questions/{qid}", status=404)
        await api("POST", f"questions/{qid}/answers", body={"text": "x"}, status=404)
        await api("POST", f"questions/{qid}/resolve", status=404)


async def test_the_inbox_holds_open_questions_most_urgent_first_with_mastery(api: Api) -> None:
    await api(
        "POST",
        "me/attempts",
        body={"skill": "pytorch-basics", "item": "x", "correct": 0},
        status=201,
    )
    calm = await api("POST", "questions", body={"text": TORCH}, status=201)
    urgent = await api(
        "POST",
        "questions",
        body={"text": "urgent: the deadline is in an hour and loss.backward() fails, please help"},
        user=OTHER_LEARNER,
        status=201,
    )
    pandas = await api("POST", "questions", body={"text": PANDAS}, status=201)
    unsure = await api("POST", "questions", body={"text": OFF_TOPIC}, status=201)
    assert urgent["urgency"] > calm["urgency"]
    assert urgent["mentor"]["id"] == calm["mentor"]["id"] == "sam"

    inbox = await api("GET", "inbox", user=MENTOR)  # sam: his and the unassigned
    assert [q["id"] for q in inbox if q["id"] != unsure["id"]] == [urgent["id"], calm["id"]]
    assert unsure["id"] in [q["id"] for q in inbox] and pandas["id"] not in [q["id"] for q in inbox]
    mastery = {q["id"]: q["mastery"] for q in inbox}
    assert mastery[urgent["id"]] is None and 0 <= mastery[calm["id"]] < 0.5
    assert pandas["id"] in [q["id"] for q in await api("GET", "inbox", user=OTHER_MENTOR)]
    everything = await api("GET", "inbox", user=INSTRUCTOR)
    assert len(everything) == 4
    keys = [(not q["urgent"], -(q["urgency"] or 0.0)) for q in everything]
    assert keys == sorted(keys)

    await api(
        "POST", f"questions/{calm['id']}/answers", body={"text": "ok"}, user=MENTOR, status=201
    )
    assert calm["id"] not in [q["id"] for q in await api("GET", "inbox", user=MENTOR)]
    await api("GET", "inbox", user=LEARNER, status=403)
