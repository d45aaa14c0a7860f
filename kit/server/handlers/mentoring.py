"""The mentor loop around questions: similar answered questions before asking, notifications,
sharing an answer with the course (the FAQ), and a link to the asker's server."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from kit.course import Course
from kit.server import views
from kit.server.errors import ApiError
from kit.server.handlers.base import allowed
from kit.server.handlers.questions import QuestionBase
from kit.server.roles import ROLES, STAFF
from kit.server.sharing import HubClient, hub_revoke_request, hub_share_request, server_url
from kit.state import NOTIFICATION_ID

JSON = {"Content-Type": "application/json", "Accept": "application/json"}


class SimilarHandler(QuestionBase):
    """``POST /questions/similar``: answered questions like the one about to be asked."""

    @allowed(*ROLES)
    async def post(self) -> None:
        course = self.course()
        text = self.body("TextInput")["text"]
        limit = course.manifest.mentoring.similar
        answered = self.store(course).answered() if limit else []
        found, method = await self.services.routers.similar(
            course, text, [q.text for q in answered], limit
        )
        self.send(
            {
                "method": method,
                "similar": [views.similar(answered[i], score) for i, score in found],
            }
        )


class NotificationsHandler(QuestionBase):
    """``GET /notifications``: what the user has not seen yet, newest first."""

    @allowed(*ROLES)
    async def get(self) -> None:
        course = self.course()
        state = self.services.courses.state(course)
        me = self.identity
        found = state.notifications.unseen(
            state.questions,
            me.name,
            me.role,
            mentor=me.mentor_id,
            escalate_after=course.manifest.mentoring.escalate_after_hours,
        )
        self.send([views.notification(n) for n in found])


class NotificationsSeenHandler(QuestionBase):
    """``POST /notifications/seen``: mark notifications seen."""

    @allowed(*ROLES)
    async def post(self) -> None:
        course = self.course()
        ids = self.body("SeenInput")["ids"]
        wrong = [i for i in ids if not NOTIFICATION_ID.match(i)]
        if wrong:
            raise ApiError(
                422,
                f"ids: '{wrong[0]}' is not a notification id",
                "send the ids GET /notifications gave",
            )
        marked = self.services.courses.state(course).notifications.mark_seen(
            self.identity.name, ids
        )
        self.send({"seen": marked})


class ShareHandler(QuestionBase):
    """``POST /questions/{id}/share``: a mentor's answer joins the course's FAQ."""

    @allowed(*STAFF)
    async def post(self, question_id: str) -> None:
        course = self.course()
        question = self.question(course, question_id)
        body = self.body("ShareInput", required=False)
        answers = question.staff_answers
        answer = body.get("answer") or (answers[-1].text if answers else None)
        if answer is None:
            raise ApiError(
                409,
                f"question {question.id} has no answer to share yet",
                "answer it first, or send the answer to share as 'answer'",
            )
        entry, new = self.services.courses.state(course).faq.share(
            question.id,
            body.get("question") or question.text,
            answer,
            question.skill,
            self.identity.name,
        )
        self.send(views.faq_entry(entry), 201 if new else 200)


class FaqHandler(QuestionBase):
    """``GET /faq``: the course's FAQ, and how many questions earlier answers resolved."""

    @allowed(*ROLES)
    async def get(self) -> None:
        course = self.course()
        state = self.services.courses.state(course)
        self.send(
            {
                "entries": [views.faq_entry(e) for e in state.faq.entries()],
                "resolved_by_answers": state.questions.count_resolved_by_answers(),
            }
        )


class ServerShareHandler(QuestionBase):
    """``PUT`` / ``DELETE /questions/{id}/server-share``: the asker shares their server with the
    question's mentor, and takes it back.

    Alone, the link given is stored. Under a hub, the asker's own server does the sharing: it
    asks the kit service for the question (and so its mentor's hub user), asks the hub to share
    the server with that user (JupyterHub's sharing API, with the server's token), and stores
    the link in the service; ``DELETE`` revokes the share the same way. (So these paths are not
    forwarded as a whole: :data:`kit.server.forwarding.KEPT`.)"""

    def own(self, question_id: str) -> tuple[Course, int]:
        """The course and the question, which must be the user's own (403)."""
        course = self.course()
        question = self.question(course, question_id)
        if question.learner != self.identity.name:
            raise ApiError(
                403,
                f"question {question.id} is {question.learner}'s",
                "only the asker shares their server",
            )
        return course, question.id

    @allowed(*ROLES)
    async def put(self, question_id: str) -> None:
        if self.services.forwarder is not None:
            await self.on_hub(question_id, share=True)
            return
        course, qid = self.own(question_id)
        url = self.body("ServerShareInput")["url"]
        parts = urlsplit(url)
        address = parts.scheme in ("http", "https") and parts.netloc
        if not address and not (url.startswith("/") and not url.startswith("//")):
            raise ApiError(
                422,
                f"url: '{url[:100]}' is not an http(s) address or a path on the hub",
                "send the address of your server on the hub",
            )
        self.send_question(course, self.store(course).share_server(qid, url))

    @allowed(*ROLES)
    async def delete(self, question_id: str) -> None:
        if self.services.forwarder is not None:
            await self.on_hub(question_id, share=False)
            return
        course, qid = self.own(question_id)
        self.send_question(course, self.store(course).share_server(qid, None))

    async def on_hub(self, question_id: str, *, share: bool) -> None:
        """Share (or stop sharing) this server with the question's mentor through the hub,
        then record it in the kit service."""
        forwarder = self.services.forwarder
        assert forwarder is not None
        question = await forwarder.get_json(f"questions/{question_id}", self.request.query)
        if question.get("learner") != forwarder.owner:
            raise ApiError(
                403,
                f"question {question_id} is {question.get('learner')}'s",
                "only the asker shares their server",
            )
        mentor = question.get("mentor") or {}
        user = str(mentor.get("user") or mentor.get("id") or "")
        if not user:
            raise ApiError(
                409,
                f"question {question_id} has no mentor yet, so there is nobody to share with",
                "wait until a mentor is assigned (or the question is re-routed)",
            )
        hub = HubClient.from_environment()
        request = (hub_share_request if share else hub_revoke_request)(
            forwarder.owner, user, api_prefix=""
        )
        verb = "share" if share else "stop sharing"
        await hub.send(request, what=f"{verb} {forwarder.owner}'s server with {user}")
        link = {"url": server_url(hub.public_url, forwarder.owner)}
        self.relay(
            *await forwarder.send(
                "PUT" if share else "DELETE",
                f"questions/{question_id}/server-share",
                self.request.query,
                JSON,
                json.dumps(link).encode() if share else b"",
            )
        )
