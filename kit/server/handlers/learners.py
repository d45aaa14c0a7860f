"""A learner's own endpoints (``/me/profile``, ``/me/path``, ``/me/mastery``, ``/me/attempts``),
a learner's mastery for mentors and instructors (``/learners/{name}/mastery``) and many
learners' attempts from instructors (``/attempts/batch``)."""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from collections.abc import Iterable
from typing import Any

from kit.course import Course
from kit.paths.planner import DEFAULT_THRESHOLD, PlanError, plan_path
from kit.paths.profile import LearnerProfile
from kit.progress.attempts import Attempt, utcnow
from kit.progress.learner_model import course_model
from kit.server import views
from kit.server.errors import ApiError
from kit.server.handlers.base import KitHandler, allowed
from kit.server.roles import ROLES, STAFF
from kit.state import CourseState


def _unknown(field: str, values: Iterable[str], known: dict[str, Any], kind: str) -> None:
    """422 for the first of ``values`` that is not one of ``known`` (with the closest one)."""
    for value in values:
        if value not in known:
            close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ApiError(
                422,
                f"{field}: the course has no {kind} '{value}'",
                f"{hint}known: {', '.join(known)}",
            )


def checked_profile(course: Course, learner: str, data: dict[str, Any]) -> LearnerProfile:
    """A profile from a request body whose ids are all the course's."""
    if data.get("track") is not None:
        _unknown("track", [data["track"]], course.tracks, "track")
    _unknown("goals", data.get("goals", []), course.skills, "skill")
    _unknown("ratings", data.get("ratings", {}), course.skills, "skill")
    _unknown("placement", data.get("placement", {}), course.skills, "skill")
    return LearnerProfile.model_validate({**data, "learner": learner})


def measured(
    course: Course, state: CourseState, learner: str, profile: LearnerProfile | None = None
) -> tuple[dict[str, float], list[Attempt]]:
    """A learner's P(mastered) per attempted skill (starting from what their profile says, with
    the model the course ships), and their attempts."""
    attempts = state.attempts.query(course=course.id, learner=learner)
    priors = profile.assumed_mastery() if profile is not None else None
    return course_model(course.root).learner_mastery(attempts, priors), attempts


class ProfileHandler(KitHandler):
    """``GET`` and ``PUT /me/profile``."""

    @allowed(*ROLES)
    async def get(self) -> None:
        course = self.course()
        state = self.services.courses.state(course)
        self.send(state.profiles.get(self.identity.name).model_dump(mode="json"))

    @allowed(*ROLES)
    async def put(self) -> None:
        course = self.course()
        profile = checked_profile(course, self.identity.name, self.body("ProfileInput"))
        state = self.services.courses.state(course)
        self.send(state.profiles.put(profile).model_dump(mode="json"))


class PathHandler(KitHandler):
    """``GET /me/path``."""

    @allowed(*ROLES)
    async def get(self) -> None:
        course = self.course()
        state = self.services.courses.state(course)
        profile = state.profiles.get(self.identity.name)
        mastery, attempts = measured(course, state, self.identity.name, profile)
        answers = Counter(a.skill for a in attempts)
        try:
            plan = plan_path(course, profile, mastery, answers=answers)
        except PlanError as exc:  # no goal yet, or one the course no longer has
            self.send(views.no_plan(exc.message, DEFAULT_THRESHOLD))
            return
        self.send(views.plan(plan, self.relative(course)))


class MasteryHandler(KitHandler):
    """``GET /me/mastery``."""

    @allowed(*ROLES)
    async def get(self) -> None:
        self.send_mastery(self.identity.name)

    def send_mastery(self, learner: str) -> None:
        """Send ``learner``'s mastery in the request's course."""
        course = self.course()
        state = self.services.courses.state(course)
        values, attempts = measured(course, state, learner, state.profiles.get(learner))
        self.send(views.mastery(course, learner, values, attempts, DEFAULT_THRESHOLD))


class LearnerMasteryHandler(MasteryHandler):
    """``GET /learners/{name}/mastery`` (mentors and instructors)."""

    @allowed(*STAFF)
    async def get(self, learner: str) -> None:  # type: ignore[override]
        self.send_mastery(self.part("learner", learner))


class AttemptsHandler(KitHandler):
    """``POST /me/attempts``."""

    @allowed(*ROLES)
    async def post(self) -> None:
        course = self.course()
        data = self.body("AttemptInput")
        _unknown("skill", [data["skill"]], course.skills, "skill")
        attempt = Attempt(
            learner=self.identity.name,
            skill=data["skill"],
            item=data["item"],
            correct=float(data["correct"]),
            time=utcnow(),
            source=data.get("source", "self-check"),
            course=course.id,
        )
        self.services.courses.state(course).attempts.add(attempt)
        self.send(views.attempt(attempt), 201)


def _when(value: str | None, where: str) -> dt.datetime:
    """An attempt's time from the body (ISO 8601; none: now)."""
    if value is None:
        return utcnow()
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(422, f"{where}: '{value}' is not an ISO 8601 time") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


class AttemptsBatchHandler(KitHandler):
    """``POST /attempts/batch`` (instructors): many learners' attempts at once, as graded cells
    produce them. With ``project``, each learner named in the batch has their earlier grading
    attempts of that project replaced, as a regrade replaces grades; all in one transaction per
    learner."""

    @allowed("instructor")
    async def post(self) -> None:
        course = self.course()
        data = self.body("AttemptBatchInput")
        project = data.get("project")
        if project is not None and project not in course.projects:
            known = ", ".join(course.projects) or "none"
            raise ApiError(
                422, f"project: the course has no project '{project}'", f"known: {known}"
            )
        rows = data["attempts"]
        _unknown("skill", sorted({r["skill"] for r in rows}), course.skills, "skill")
        attempts = [
            Attempt(
                learner=r["learner"],
                skill=r["skill"],
                item=r["item"],
                correct=float(r["correct"]),
                time=_when(r.get("time"), f"attempts[{i}].time"),
                source=r.get("source", "grading"),
                course=course.id,
            )
            for i, r in enumerate(rows)
        ]
        store = self.services.courses.state(course).attempts
        learners = sorted({a.learner for a in attempts} | set(data.get("learners", [])))
        if project is None:
            store.add(attempts)
        else:
            for learner in learners:
                mine = [a for a in attempts if a.learner == learner]
                store.replace(learner, f"{project}/", "grading", mine, course=course.id)
        self.send({"recorded": len(attempts), "learners": learners}, 201)
