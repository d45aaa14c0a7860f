"""The mentor loop through the API: similar answered questions before asking ("did this answer
it?"), escalation, notifications, sharing an answer with the course, mentors' corrections, and
the link to the asker's server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa

from kit.course import load_course
from kit.progress.attempts import utcnow
from kit.state import read_examples
from kit.state.schema import questions
from tests.server.conftest import INSTRUCTOR, LEARNER, MENTOR, OTHER_LEARNER, OTHER_MENTOR, Api

PANDAS = "my dataframe groupby gives NaN for some groups, why?"
TORCH = "loss.backward() says the tensor does not require grad"


def _set_mentoring(course_dir: Path, settings: str) -> None:
    manifest = course_dir / "course.yml"
    manifest.write_text(manifest.read_text() + f"\nmentoring: {settings}\n")


def _age(course_dir: Path, question_id: int, hours: float) -> None:
    """Make a question ``hours`` older in the course's database."""
    engine = sa.create_engine(f"sqlite:///{course_dir / '_kit' / 'attempts.sqlite'}")
    with engine.begin() as conn:
        then = utcnow() - dt.timedelta(hours=hours)
        conn.execute(questions.update().where(questions.c.id == question_id).values(created=then))
    engine.dispose()


async def _answered(api: Api, text: str, answer: str, mentor: str = MENTOR) -> int:
    qid = (await api("POST", "questions", body={"text": text}, status=201))["id"]
    await api("POST", f"questions/{qid}/answers", body={"text": answer}, user=mentor, status=201)
    return int(qid)


async def test_similar_answered_questions_come_with_answers_and_no_askers_name(api: Api) -> None:
    torch = await _answered(api, TORCH, "call .requires_grad_() on the leaf tensor")
    await api("POST", f"questions/{torch}/answers", body={"text": "ben, why?"}, status=201)
    await api(
        "POST", f"questions/{torch}/answers", body={"text": "it is a leaf"}, user=MENTOR, status=201
    )
    pandas = await _answered(api, PANDAS, "NaN groups come from missing keys", OTHER_MENTOR)
    await api("POST", "questions", body={"text": "why does backward fail?"}, status=201)  # open
    found = await api(
        "POST",
        "questions/similar",
        body={"text": "backward() fails: tensor does not require grad"},
        user=OTHER_LEARNER,
    )
    assert found["method"] == "tfidf"  # the tests' router is TF-IDF
    first = found["similar"][0]
    assert first["id"] == torch and 0 < first["score"] <= 1
    assert [a["text"] for a in first["answers"]] == [
        "call .requires_grad_() on the leaf tensor",
        "it is a leaf",
    ]
    assert set(first) == {"id", "text", "skill", "status", "score", "answers"}
    assert LEARNER not in json.dumps(found)  # neither the asker nor their follow-ups
    assert [s["id"] for s in found["similar"]] in ([torch], [torch, pandas])
    scores = [s["score"] for s in found["similar"]]
    assert scores == sorted(scores, reverse=True)
    assert (await api("GET", "questions", user=OTHER_LEARNER)) == []  # nothing stored


async def test_similar_questions_follow_the_course_setting(api: Api, course_dir: Path) -> None:
    for n in range(4):
        await _answered(api, f"{TORCH} (case {n})", f"answer {n}")
    found = await api("POST", "questions/similar", body={"text": TORCH})
    assert len(found["similar"]) == 3  # course.yml's default
    _set_mentoring(course_dir, "{similar: 0}")
    assert (await api("POST", "questions/similar", body={"text": TORCH}))["similar"] == []


async def test_did_this_answer_it_resolves_without_a_mentor(api: Api) -> None:
    earlier = await _answered(api, TORCH, "call .requires_grad_()")
    closed = await api(
        "POST",
        "questions",
        body={"text": "backward says no grad", "resolved_by": earlier},
        user=OTHER_LEARNER,
        status=201,
    )
    assert (closed["status"], closed["resolved_by"], closed["mentor"]) == (
        "resolved",
        earlier,
        None,
    )
    assert closed["skill"] == "pytorch-basics" and closed["learner"] == OTHER_LEARNER
    for user in (MENTOR, INSTRUCTOR):
        assert closed["id"] not in [q["id"] for q in await api("GET", "inbox", user=user)]
    assert (await api("GET", "faq"))["resolved_by_answers"] == 1
    open_one = (await api("POST", "questions", body={"text": PANDAS}, status=201))["id"]
    body = {"text": "x", "resolved_by": open_one}
    assert "no mentor's answer" in (await api("POST", "questions", body=body, status=422))["error"]
    await api("POST", "questions", body={"text": "x", "resolved_by": closed["id"]}, status=422)
    await api("POST", "questions", body={"text": "x", "resolved_by": 9999}, status=404)
    await api("POST", "questions", body={"text": "x", "resolved_by": "1"}, status=422)
    assert (await api("GET", "faq"))["resolved_by_answers"] == 1


async def test_an_unanswered_question_escalates_to_the_instructors_first(
    api: Api, course_dir: Path
) -> None:
    old = (await api("POST", "questions", body={"text": TORCH}, status=201))["id"]
    new = (await api("POST", "questions", body={"text": PANDAS}, status=201))["id"]
    assert not (await api("GET", f"questions/{old}"))["escalated"]
    _age(course_dir, old, 25)  # course.yml's default: 24 hours
    assert (await api("GET", f"questions/{old}"))["escalated"]
    inbox = await api("GET", "inbox", user=INSTRUCTOR)
    assert [(q["id"], q["escalated"]) for q in inbox] == [(old, True), (new, False)]
    assert [
        q["id"] for q in await api("GET", "inbox", user=INSTRUCTOR, params={"escalated": "true"})
    ] == [old]
    assert [
        q["id"] for q in await api("GET", "inbox", user=INSTRUCTOR, params={"escalated": "false"})
    ] == [new]
    await api("GET", "inbox", user=INSTRUCTOR, params={"escalated": "yes"}, status=422)
    _set_mentoring(course_dir, "{escalate_after_hours: 48}")
    assert not (await api("GET", f"questions/{old}"))["escalated"]


async def test_notifications_for_learner_mentor_and_instructor(api: Api, course_dir: Path) -> None:
    qid = (await api("POST", "questions", body={"text": TORCH}, status=201))["id"]
    (assigned,) = await api("GET", "notifications", user=MENTOR)  # sam covers pytorch
    assert (assigned["id"], assigned["kind"], assigned["question"]) == (
        f"assigned-{qid}",
        "assigned",
        qid,
    )
    assert await api("GET", "notifications", user=OTHER_MENTOR) == []
    assert await api("GET", "notifications", user=INSTRUCTOR) == []
    _age(course_dir, qid, 30)
    kinds = {n["kind"] for n in await api("GET", "notifications", user=MENTOR)}
    assert kinds == {"assigned", "escalated"}
    (escalated,) = await api("GET", "notifications", user=INSTRUCTOR)
    assert escalated["id"] == f"escalated-{qid}"
    assert await api("GET", "notifications") == []
    answer = await api(
        "POST",
        f"questions/{qid}/answers",
        body={"text": "use .requires_grad_()"},
        user=MENTOR,
        status=201,
    )
    (news,) = await api("GET", "notifications")
    assert (news["id"], news["text"]) == (f"answer-{answer['id']}", "use .requires_grad_()")
    assert await api("GET", "notifications", user=OTHER_LEARNER) == []
    assert await api("GET", "notifications", user=INSTRUCTOR) == []  # answered: no escalation
    assert await api("POST", "notifications/seen", body={"ids": [news["id"]]}) == {"seen": 1}
    assert await api("GET", "notifications") == []
    await api("POST", "notifications/seen", body={"ids": ["answer-x"]}, status=422)
    await api("POST", "notifications/seen", body={"ids": []}, status=422)


async def test_a_shared_answer_joins_the_faq(api: Api) -> None:
    qid = await _answered(api, TORCH, "call .requires_grad_()")
    entry = await api("POST", f"questions/{qid}/share", user=MENTOR, status=201)
    assert (entry["question"], entry["answer"], entry["shared_by"], entry["skill"]) == (
        TORCH,
        "call .requires_grad_()",
        MENTOR,
        "pytorch-basics",
    )
    edited = {"question": "Why does backward() say no grad?", "answer": "Set requires_grad."}
    again = await api("POST", f"questions/{qid}/share", user=INSTRUCTOR, body=edited, status=200)
    assert again["id"] == entry["id"] and again["answer"] == "Set requires_grad."
    faq = await api("GET", "faq", user=OTHER_LEARNER)
    assert [e["question"] for e in faq["entries"]] == ["Why does backward() say no grad?"]
    assert LEARNER not in json.dumps(faq)
    unanswered = (await api("POST", "questions", body={"text": PANDAS}, status=201))["id"]
    error = await api("POST", f"questions/{unanswered}/share", user=MENTOR, status=409)
    assert "no answer" in error["error"]
    await api(
        "POST", f"questions/{unanswered}/share", user=MENTOR, body={"answer": "ok"}, status=201
    )
    await api("POST", f"questions/{qid}/share", user=MENTOR, body={"answer": ""}, status=422)
    await api("POST", f"questions/{qid}/share", status=403)


async def test_a_mentors_correction_reroutes_and_becomes_an_example(
    api: Api, course_dir: Path
) -> None:
    question = await api("POST", "questions", body={"text": TORCH}, status=201)
    assert question["mentor"]["id"] == "sam"
    moved = await api("PATCH", f"questions/{question['id']}", user=MENTOR, body={"skill": "pandas"})
    assert (moved["skill"], moved["mentor"]["id"]) == ("pandas", "lin")  # lin covers pandas
    assert question["id"] in [q["id"] for q in await api("GET", "inbox", user=OTHER_MENTOR)]
    assert question["id"] not in [q["id"] for q in await api("GET", "inbox", user=MENTOR)]
    flagged = await api(
        "PATCH", f"questions/{question['id']}", user=OTHER_MENTOR, body={"urgent": True}
    )
    assert flagged["urgent"] is True and flagged["skill"] == "pandas"
    off = await api(
        "PATCH", f"questions/{question['id']}", user=INSTRUCTOR, body={"skill": "off-topic"}
    )
    assert (off["skill"], off["mentor"]) == (None, None)
    error = await api(
        "PATCH", f"questions/{question['id']}", user=MENTOR, body={"skill": "panda"}, status=422
    )
    assert "panda" in error["error"] and error["fix"]
    await api("PATCH", f"questions/{question['id']}", user=MENTOR, body={}, status=422)
    await api(
        "PATCH", f"questions/{question['id']}", user=MENTOR, body={"urgent": "yes"}, status=422
    )
    await api("PATCH", "questions/999", user=MENTOR, body={"urgent": True}, status=404)
    examples, _ = read_examples(load_course(course_dir))
    assert [(e.text, e.skill, e.urgent) for e in examples] == [(TORCH, "off-topic", True)]


async def test_the_asker_shares_a_link_to_their_server_and_takes_it_back(api: Api) -> None:
    qid = (await api("POST", "questions", body={"text": TORCH}, status=201))["id"]
    url = "https://hub.example.org/user/ada/"
    shared = await api("PUT", f"questions/{qid}/server-share", body={"url": url})
    assert shared["server_share"] == url
    (item,) = [q for q in await api("GET", "inbox", user=MENTOR) if q["id"] == qid]
    assert item["server_share"] == url
    for user in (OTHER_LEARNER, MENTOR, INSTRUCTOR):
        await api("PUT", f"questions/{qid}/server-share", user=user, body={"url": url}, status=403)
        await api("DELETE", f"questions/{qid}/server-share", user=user, status=403)
    for bad in ("ftp://hub/x", "javascript:alert(1)", "hub.example.org/user/ada"):
        await api("PUT", f"questions/{qid}/server-share", body={"url": bad}, status=422)
    cleared = await api("DELETE", f"questions/{qid}/server-share")
    assert cleared["server_share"] is None
    assert (await api("GET", f"questions/{qid}", user=MENTOR))["server_share"] is None
