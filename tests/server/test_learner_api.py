"""A learner's own endpoints: profile, path, mastery, attempts; and a learner's mastery as mentors
and instructors see it."""

from __future__ import annotations

from tests.server.conftest import INSTRUCTOR, LEARNER, MENTOR, OTHER_LEARNER, Api


async def test_a_new_learner_has_a_default_profile_and_no_path_yet(api: Api) -> None:
    profile = await api("GET", "me/profile")
    assert profile == {
        "learner": LEARNER,
        "track": None,
        "goals": [],
        "ratings": {},
        "placement": {},
        "hours_per_week": 5.0,
    }
    path = await api("GET", "me/path")
    assert path["items"] == [] and path["goals"] == []
    assert "choose a track" in path["messages"][0]


async def test_a_saved_profile_plans_the_path(api: Api) -> None:
    sent = {"track": "data-analyst", "ratings": {"python-basics": 3}, "hours_per_week": 3}
    saved = await api("PUT", "me/profile", body={**sent, "learner": "someone-else"})
    assert saved == {
        **sent,
        "learner": LEARNER,
        "goals": [],
        "placement": {},
        "hours_per_week": 3.0,
    }
    assert await api("GET", "me/profile") == saved
    assert (await api("GET", "me/profile", user=OTHER_LEARNER))["track"] is None
    path = await api("GET", "me/path")
    assert path["goals"] == ["exploratory-analysis"]
    assert not path["goal_met"] and path["minutes"] > 0
    lessons = [i for i in path["items"] if i["kind"] == "lesson"]
    projects = [i for i in path["items"] if i["kind"] == "project"]
    assert lessons[0]["id"] == "functions-and-collections"  # python-basics rated confident
    assert lessons[0]["notebook"] == "courses/python-ml/lessons/02-functions-and-collections.ipynb"
    assert lessons[0]["reason"] and lessons[0]["week"] == 1
    assert [p["id"] for p in projects] == ["pandas-analysis"] and projects[0]["notebook"] is None


async def test_a_profile_with_an_unknown_id_is_refused_and_nothing_changes(api: Api) -> None:
    await api("PUT", "me/profile", body={"track": "ml-engineer"})
    error = await api("PUT", "me/profile", body={"track": "data-analyts"}, status=422)
    assert error["error"] == "track: the course has no track 'data-analyts'"
    assert "did you mean 'data-analyst'" in error["fix"]
    for body in (
        {"goals": ["numpy", "nope"]},
        {"ratings": {"nope": 1}},
        {"placement": {"pandas": 1.5}},
        {"ratings": {"numpy": 4}},
        {"hours_per_week": 0},
        {"hours_per_week": "many"},
        {"colour": "blue"},
    ):
        await api("PUT", "me/profile", body=body, status=422)
    assert (await api("GET", "me/profile"))["track"] == "ml-engineer"


async def test_attempts_update_mastery_and_the_path(api: Api) -> None:
    await api("PUT", "me/profile", body={"goals": ["numpy"]})
    before = await api("GET", "me/path")
    assert "python-basics" in [i["id"] for i in before["items"]]
    for _ in range(6):
        attempt = await api(
            "POST",
            "me/attempts",
            body={"skill": "python-basics", "item": "types-of-values", "correct": 1},
            status=201,
        )
    assert attempt["learner"] == LEARNER and attempt["source"] == "self-check"
    assert attempt["course"] == "python-ml" and attempt["correct"] == 1.0
    mastery = await api("GET", "me/mastery")
    basics = mastery["skills"][0]
    assert basics["id"] == "python-basics" and basics["attempts"] == 6
    assert basics["mastered"] and basics["mastery"] >= mastery["threshold"]
    assert all(s["mastery"] is None for s in mastery["skills"][1:])
    assert "python-basics" not in [i["id"] for i in (await api("GET", "me/path"))["items"]]
    other = await api("GET", "me/mastery", user=OTHER_LEARNER)
    assert other["skills"][0]["attempts"] == 0


async def test_an_attempt_must_name_a_skill_of_the_course_and_a_learners_source(api: Api) -> None:
    good = {"skill": "numpy", "item": "shape", "correct": 0.5}
    await api("POST", "me/attempts", body={**good, "skill": "nump"}, status=422)
    await api("POST", "me/attempts", body={**good, "source": "grading"}, status=422)
    await api("POST", "me/attempts", body={**good, "correct": 2}, status=422)
    await api("POST", "me/attempts", body={"skill": "numpy", "item": "shape"}, status=422)
    await api("POST", "me/attempts", body={**good, "source": "placement"}, status=201)
    assert (await api("GET", "me/mastery"))["skills"][3]["attempts"] == 1


async def test_mentors_and_instructors_see_a_learners_mastery_learners_do_not(api: Api) -> None:
    body = {"skill": "pandas", "item": "groupby", "correct": 1}
    await api("POST", "me/attempts", body=body, status=201)
    for user in (MENTOR, INSTRUCTOR):
        seen = await api("GET", f"learners/{LEARNER}/mastery", user=user)
        assert seen["learner"] == LEARNER
        assert next(s for s in seen["skills"] if s["id"] == "pandas")["attempts"] == 1
    error = await api("GET", f"learners/{LEARNER}/mastery", user=OTHER_LEARNER, status=403)
    assert "learner" in error["error"]
