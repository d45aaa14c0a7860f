"""Routing and questions: ``/route``, ``/questions`` (ask, mine, one, answer, resolve) and the
mentors' ``/inbox``."""

from __future__ import annotations

from typing import Any

from kit.classify.errors import RouterError
from kit.course import Course
from kit.server import views
from kit.server.errors import ApiError
from kit.server.handlers.base import KitHandler, allowed
from kit.server.handlers.learners import measured
from kit.server.roles import ROLES, STAFF
from kit.state import STATUSES, Question, QuestionStore


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
        text = self.body("TextInput")["text"]
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
    """``GET /questions/{id}``."""

    @allowed(*ROLES)
    async def get(self, question_id: str) -> None:
        course = self.course()
        self.send_question(course, self.question(course, question_id))


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
    """``GET /inbox``: open questions, most urgent first, with the asker's mastery."""

    @allowed(*STAFF)
    async def get(self) -> None:
        course = self.course()
        me = self.identity
        state = self.services.courses.state(course)
        mentor = me.mentor_id if me.role == "mentor" else None
        relative = self.relative(course)
        mastery: dict[str, dict[str, float]] = {}
        items = []
        for q in self.store(course).inbox(mentor):
            if q.learner not in mastery:
                mastery[q.learner] = measured(course, state, q.learner)[0]
            value = mastery[q.learner].get(q.skill) if q.skill else None
            mastery_of = None if value is None else round(value, 4)
            items.append({**views.question(course, q, relative), "mastery": mastery_of})
        self.send(items)
