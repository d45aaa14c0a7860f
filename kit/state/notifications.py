"""What a user has not seen yet: computed from the questions, minus what they marked seen.

- a learner: the answers of mentors and instructors to their questions (``answer-<id>``);
- a mentor: open questions assigned to them (``assigned-<id>``) and the escalated ones among
  them (``escalated-<id>``);
- an instructor: every escalated question (``escalated-<id>``).

Nothing is stored but the ids a user has seen, so a notification follows the question: one
answered (or re-routed to another mentor) is no longer a mentor's to see.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from kit.progress.attempts import utcnow
from kit.state.database import CourseRecords
from kit.state.questions import Question, QuestionStore, Role
from kit.state.schema import notifications_seen

NOTIFICATION_ID = re.compile(r"^(answer|assigned|escalated)-[0-9]{1,15}$")
"""The shape of a notification's id."""


@dataclass(frozen=True)
class Notification:
    """Something new for a user, about one question."""

    id: str
    kind: str
    """``answer``, ``assigned`` or ``escalated``."""
    question: int
    text: str
    """The answer's text (``answer``), else the question's."""
    created: dt.datetime


def _for_mentor(found: Iterable[Question], mentor: str | None, hours: float) -> list[Notification]:
    now = utcnow()
    out: list[Notification] = []
    for q in found:
        if q.mentor != mentor:
            continue
        out.append(Notification(f"assigned-{q.id}", "assigned", q.id, q.text, q.updated))
        if q.escalated(hours, now):
            out.append(_escalation(q, hours))
    return out


def _escalation(q: Question, hours: float) -> Notification:
    when = q.waiting_since + dt.timedelta(hours=hours)
    return Notification(f"escalated-{q.id}", "escalated", q.id, q.text, when)


class NotificationStore(CourseRecords):
    """The notifications of one course's users."""

    def unseen(
        self,
        questions: QuestionStore,
        user: str,
        role: Role,
        *,
        mentor: str | None,
        escalate_after: float,
    ) -> list[Notification]:
        """What ``user`` (of ``role``; a mentor's course.yml id ``mentor``) has not seen,
        newest first."""
        if role == "learner":
            found = [
                Notification(f"answer-{a.id}", "answer", q.id, a.text, a.created)
                for q in questions.of_learner(user)
                for a in q.staff_answers
            ]
        elif role == "mentor":
            found = _for_mentor(questions.inbox(mentor), mentor, escalate_after)
        else:
            now = utcnow()
            found = [
                _escalation(q, escalate_after)
                for q in questions.inbox()
                if q.escalated(escalate_after, now)
            ]
        seen = self.seen(user)
        return sorted((n for n in found if n.id not in seen), key=lambda n: n.created, reverse=True)

    def seen(self, user: str) -> set[str]:
        """The ids ``user`` marked seen."""
        s = notifications_seen.c
        stmt = sa.select(s.notification).where(s.course == self.course, s.user == user)
        return set(self.reading(lambda conn: list(conn.execute(stmt).scalars())))

    def mark_seen(self, user: str, ids: Iterable[str]) -> int:
        """Mark ``ids`` seen by ``user`` (again is harmless); how many were new."""
        wanted = sorted(set(ids))
        s = notifications_seen.c
        now = utcnow()

        def put(conn: sa.Connection) -> int:
            stmt = sa.select(s.notification).where(
                s.course == self.course, s.user == user, s.notification.in_(wanted)
            )
            known = set(conn.execute(stmt).scalars())
            new = [i for i in wanted if i not in known]
            if new:
                conn.execute(
                    notifications_seen.insert(),
                    [
                        {"course": self.course, "user": user, "notification": i, "seen": now}
                        for i in new
                    ],
                )
            return len(new)

        return self.writing(put)
