"""Bad requests get a 4xx with a JSON message, never a 5xx, and leave nothing stored."""

from __future__ import annotations

import json

import pytest

from tests.server.conftest import INSTRUCTOR, Api

WRITES = [
    ("POST", "route"),
    ("POST", "questions"),
    ("POST", "me/attempts"),
    ("PUT", "me/profile"),
    ("POST", "questions/1/answers"),
]
"""Every endpoint that reads a body (with a question 1 to answer)."""

BAD_BODIES = [
    (b"", 400),  # empty
    (b"   \n", 400),  # blank
    (json.dumps({"text": "x" * 100_000}).encode(), 413),
    (b'{"text": "caf\xe9"}', 400),  # not UTF-8
    (b'{"text": "how do I', 400),  # malformed JSON
    (b"[1, 2]", 422),  # not an object
    (b'"text"', 422),
    (b'{"text": 42, "skill": [], "item": null, "correct": "yes"}', 422),  # wrong types
    (b'{"text": "a\\u0000b", "item": "\\u0000"}', 422),  # NUL
    (b'{"text": "\\ud800", "item": "\\ud800"}', 422),  # a lone surrogate
]


@pytest.mark.parametrize(("method", "path"), WRITES)
async def test_a_bad_body_is_a_4xx_and_stores_nothing(api: Api, method: str, path: str) -> None:
    await api("POST", "questions", body={"text": "how do I slice a numpy array?"}, status=201)
    profile = await api("GET", "me/profile")
    for body, status in BAD_BODIES:
        error = await api(method, path, body=body, status=status)
        assert len(error["error"]) < 500  # the message names the problem, not the whole body
    assert await api("GET", "me/profile") == profile
    (question,) = await api("GET", "questions")
    assert question["answers"] == []
    assert all(s["attempts"] == 0 for s in (await api("GET", "me/mastery"))["skills"])


@pytest.mark.parametrize(
    "body",
    [{}, {"text": ""}, {"text": "x" * 5001}, {"text": "hi", "extra": 1}],
    ids=["no-text", "empty-text", "too-long", "unknown-field"],
)
async def test_a_question_must_be_one_text_of_at_most_5000_characters(
    api: Api, body: dict[str, object]
) -> None:
    await api("POST", "questions", body=body, status=422)
    assert await api("GET", "questions") == []


async def test_bad_query_arguments_are_4xx(api: Api) -> None:
    await api("GET", "me/path", params={"course": "\x0b"}, status=422)
    await api("GET", "me/path", params={"notebook": "x" * 2000}, status=422)
    await api("GET", "me/path", params={"notebook": "../../etc/passwd"})
    await api("GET", "me/path", params={"notebook": "a\x00b"}, status=422)
    await api("GET", "questions", params={"learner": ""}, user=INSTRUCTOR, status=422)


async def test_grading_takes_no_or_a_small_body(api: Api) -> None:
    for body in (b"[]", b'{"force": "yes"}', b'{"learners": [1]}', b'{"when": "now"}'):
        await api("POST", "grading/pandas-analysis", body=body, user=INSTRUCTOR, status=422)
    await api("POST", "grading/nope", user=INSTRUCTOR, status=404)
    assert (await api("GET", "grading", user=INSTRUCTOR))[0]["job"] is None


async def test_an_idempotency_key_off_the_document_is_refused(api: Api) -> None:
    body = {"text": "how do I reshape a numpy array?"}
    for key in ("two words", "é", "k" * 257):
        error = await api(
            "POST", "questions", body=body, headers={"Idempotency-Key": key}, status=422
        )
        assert "Idempotency-Key" in error["error"], key
    first = await api(
        "POST", "questions", body=body, headers={"Idempotency-Key": "k-1"}, status=201
    )
    again = await api(
        "POST", "questions", body=body, headers={"Idempotency-Key": "k-1"}, status=201
    )
    assert again["id"] == first["id"]
