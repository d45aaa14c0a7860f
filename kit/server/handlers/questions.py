"""Routing and questions: ``/route``, ``/questions`` (ask, mine, one, correct, answer,
resolve) and the mentors' ``/inbox``."""

from __future__ import annotations

from typing import Any

from kit.classify.errors import RouterError
from kit.course import Course
from kit.course.validation.questions import OFF_TOPIC
from kit.server import views
from kit.server.errors import ApiError
from kit.server.handlers.base import KitHandler, allowed
from kit.server.handlers.learners import measured
from kit.server.roles import ROLES, STAFF
from kit.state import STATUSES, Question, QuestionStore


def covering(course: Course, skill: str | None) -> list[str]:
    """The ids of the mentors who cover ``skill``, in course.yml's order."""
    return [m.id for m in course.manifest.mentors if skill is not None and skill in m.skills]


def mentors_for(course: Course, route: dict[str, Any]) -> list[str]:
    """The mentors a routed question may go to: those the route names who cover its skill
    (else all it names), most fitting first."""
    named = [m["id"] for m in route["mentors"] if m["id"] in course.mentors]
    covering = [m for m in named if route["skill"] in course.mentors[m].skills]
    return covering or named


class RouteHandler(KitHandler):
    """``POST /route``: the router's answer; nothing is stored."""

    @allowed(*ROLES)
    async def post(self) -> None:
        course = self.course()
        text = self.body("TextInput")["text"]
        route = await self.services.routers.route(course, text)
        self.send(views.route(route, self.relative(course)))


class QuestionBase(KitHandler):
    """What the question handlers share: the store, and a question the user may see."""

    def store(self, course: Course) -> QuestionStore:
        """The course's questions."""
        return self.services.courses.state(course).questions

    def question(self, course: Course, question_id: str) -> Question:
        """The question ``question_id`` (404), if the user asked it or is a mentor or
        instructor (403)."""
        valid = question_id.isascii() and question_id.isdigit() and len(question_id) <= 15
        found = self.store(course).get(int(question_id)) if valid else None
        if found is None:
            raise ApiError(404, f"no question {question_id} in {course.id}")
        if found.learner != self.identity.name and not self.identity.staff:
            raise ApiError(
                403,
                f"question {question_id} is another learner's",
                "a learner sees only their own questions",
            )
        return found

    def send_question(self, course: Course, question: Question, status: int = 200) -> None:
        """Send one question."""
        self.send(views.question(course, question, self.relative(course)), status)


class QuestionsHandler(QuestionBase):
    """``POST /questions`` (ask) and ``GET /questions`` (mine, or a learner's for mentors)."""

    @allowed(*ROLES)
    async def post(self) -> None:
        course = self.course()
        body = self.body("QuestionInput")
        text = body["text"]
        if body.get("resolved_by") is not None:
            earlier = self.resolving(course, int(body["resolved_by"]))
            question = self.store(course).resolved_by_answer(self.identity.name, text, earlier)
            self.send_question(course, question, 201)
            return
        try:
            route: dict[str, Any] | None = await self.services.routers.route(course, text)
        except RouterError as exc:
            route, unrouted = None, exc.message
        else:
            assert route is not None
            unrouted = "" if route["sure"] else route["reason"]
        mentors = mentors_for(course, route) if route and route["sure"] else []
        if route and not route["sure"]:
            route = {**route, "skill": None}
        question = self.store(course).ask(
            self.identity.name, text, route=route, unrouted=unrouted, mentors=mentors
        )
        self.send_question(course, question, 201)

    def resolving(self, course: Course, question_id: int) -> Question:
        """The answered question whose answer resolves a new one (404: none such; 422: it has
        no answer)."""
        earlier = self.store(course).get(question_id)
        if earlier is None:
            raise ApiError(404, f"resolved_by: no question {question_id} in {course.id}")
        if not earlier.staff_answers or earlier.resolved_by is not None:
            raise ApiError(
                422,
                f"resolved_by: question {question_id} has no mentor's answer",
                "name one of the similar questions POST /questions/similar sent",
            )
        return earlier

    @allowed(*ROLES)
    async def get(self) -> None:
        course = self.course()
        learner = self.query("learner", limit=256)
        if learner == "":
            raise ApiError(422, "learner: empty", "leave out ?learner= for your own questions")
        learner = learner or self.identity.name
        if learner != self.identity.name and not self.identity.staff:
            raise ApiError(403, "a learner sees only their own questions", "leave out ?learner=")
        status = self.query("status")
        if status is not None and status not in STATUSES:
            raise ApiError(422, f"status: '{status}' is not one of {', '.join(STATUSES)}")
        relative = self.relative(course)
        found = self.store(course).of_learner(learner, status)
        self.send([views.question(course, q, relative) for q in found])


class QuestionHandler(QuestionBase):
    """``GET /questions/{id}``, and ``PATCH`` (a mentor's correction of its skill or urgency:
    re-routed, and recorded as a labelled example for the router)."""

    @allowed(*ROLES)
    async def get(self, question_id: str) -> None:
        course = self.course()
        self.send_question(course, self.question(course, question_id))

    @allowed(*STAFF)
    async def patch(self, question_id: str) -> None:
        course = self.course()
        question = self.question(course, question_id)
        body = self.body("Correction")
        skill = body.get("skill")
        if "skill" in body and skill not in course.skills and skill != OFF_TOPIC:
            raise ApiError(
                422,
                f"skill: '{skill}' is not a skill of {course.id}",
                f"use a skill id of the course, or '{OFF_TOPIC}'",
            )
        new_skill = None if skill == OFF_TOPIC else skill
        state = self.services.courses.state(course)
        changed = state.questions.reroute(
            question.id,
            skill=new_skill if "skill" in body else False,
            urgent=body.get("urgent"),
            mentors=covering(course, new_skill),
        )
        state.examples.record(
            question.id, question.text, self.identity.name, skill=skill, urgent=body.get("urgent")
        )
        self.send_question(course, changed)


class AnswersHandler(QuestionBase):
    """``POST /questions/{id}/answers``: a mentor's answer, or the asker's follow-up."""

    @allowed(*ROLES)
    async def post(self, question_id: str) -> None:
        course = self.course()
        question = self.question(course, question_id)
        text = self.body("TextInput")["text"]
        me = self.identity
        role = "learner" if question.learner == me.name and not me.staff else me.role
        answer = self.store(course).answer(question.id, me.name, role, text)
        self.send(views.answer(answer), 201)


class ResolveHandler(QuestionBase):
    """``POST /questions/{id}/resolve``."""

    @allowed(*ROLES)
    async def post(self, question_id: str) -> None:
        course = self.course()
        question = self.question(course, question_id)
        self.send_question(course, self.store(course).resolve(question.id))


class InboxHandler(QuestionBase):
    """``GET /inbox``: open questions, escalated then most urgent first, with the asker's
    mastery (``?escalated=true``: only the escalated ones; ``false``: only the others)."""

    @allowed(*STAFF)
    async def get(self) -> None:
        course = self.course()
        me = self.identity
        wanted = self.query("escalated")
        if wanted not in (None, "true", "false"):
            raise ApiError(422, f"escalated: '{wanted}' is not true or false")
        state = self.services.courses.state(course)
        mentor = me.mentor_id if me.role == "mentor" else None
        relative = self.relative(course)
        hours = course.manifest.mentoring.escalate_after_hours
        mastery: dict[str, dict[str, float]] = {}
        items = []
        for q in self.store(course).inbox(mentor, escalate_after=hours):
            if wanted is not None and q.escalated(hours) != (wanted == "true"):
                continue
            if q.learner not in mastery:
                mastery[q.learner] = measured(course, state, q.learner)[0]
            value = mastery[q.learner].get(q.skill) if q.skill else None
            mastery_of = None if value is None else round(value, 4)
            items.append({**views.question(course, q, relative), "mastery": mastery_of})
        self.send(items)
