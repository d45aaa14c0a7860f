"""Killing the kit service (SIGKILL, no clean-up) loses no acknowledged write: questions,
answers and attempts are all there when it starts again on the same database; a POST retried
with the same Idempotency-Key, before and after the restart, is recorded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.service.conftest import (
    INSTRUCTOR,
    LEARNER,
    MENTOR,
    OTHER_LEARNER,
    TOKENS,
    ServiceProcess,
)

pytestmark = pytest.mark.slow


def outside_the_api(service: ServiceProcess, path: str) -> int:
    """The status of an instructor's GET of a Jupyter server path outside the kit's API."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{service.url}{path}", headers={"Authorization": f"token {TOKENS[INSTRUCTOR]}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_killed_service_loses_no_acknowledged_write(
    service: ServiceProcess, service_course: Path, tmp_path: Path
) -> None:
    asked: dict[int, str] = {}
    attempts = {LEARNER: 0, OTHER_LEARNER: 0}
    for i in range(12):
        learner = (LEARNER, OTHER_LEARNER)[i % 2]
        key = {"Idempotency-Key": f"write-{i}"}
        text = f"question {i}: why does my numpy array have the wrong shape?"
        status, q = service.request("POST", "questions", TOKENS[learner], {"text": text}, key)
        assert status == 201
        asked[q["id"]] = learner
        body = {"skill": "numpy", "item": f"check-{i}", "correct": i % 3 / 2}
        status, _ = service.request(
            "POST", "me/attempts", TOKENS[learner], body, {"Idempotency-Key": f"a-{i}"}
        )
        assert status == 201
        attempts[learner] += 1
    # only the kit's API: no JupyterLab, no contents, on the service
    assert outside_the_api(service, "lab") == 404
    assert outside_the_api(service, "api/contents") == 403
    first = next(iter(asked))
    status, answer = service.request(
        "POST", f"questions/{first}/answers", TOKENS[MENTOR], {"text": "print a.shape"},
        {"Idempotency-Key": "answer-1"},
    )  # fmt: skip
    assert status == 201
    service.kill()

    again = ServiceProcess(
        service_course, service.hub, service.database_url, tmp_path / "again.log"
    )
    again.start()
    try:
        for learner in (LEARNER, OTHER_LEARNER):
            status, mine = again.request("GET", "questions", TOKENS[learner])
            assert status == 200
            assert sorted(q["id"] for q in mine) == sorted(
                i for i, who in asked.items() if who == learner
            )
            status, mastery = again.request(
                "GET", f"learners/{learner}/mastery", TOKENS[INSTRUCTOR]
            )
            assert {s["id"]: s["attempts"] for s in mastery["skills"]}["numpy"] == attempts[learner]
        status, q = again.request("GET", f"questions/{first}", TOKENS[asked[first]])
        assert [a["text"] for a in q["answers"]] == ["print a.shape"] and q["status"] == "answered"

        # the retry of a write acknowledged before the kill: its first answer, recorded once
        body = {"text": "question 0: why does my numpy array have the wrong shape?"}
        status, replay = again.request(
            "POST", "questions", TOKENS[LEARNER], body, {"Idempotency-Key": "write-0"}
        )
        assert (status, replay["id"]) == (201, min(asked))
        status, retried = again.request(
            "POST", f"questions/{first}/answers", TOKENS[MENTOR], {"text": "print a.shape"},
            {"Idempotency-Key": "answer-1"},
        )  # fmt: skip
        assert (status, retried) == (201, answer)
        status, mine = again.request("GET", "questions", TOKENS[LEARNER])
        assert len(mine) == 6
        status, q = again.request("GET", f"questions/{first}", TOKENS[asked[first]])
        assert len(q["answers"]) == 1
    finally:
        again.stop()
