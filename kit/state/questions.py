"""Learners' questions and the answers to them, in the course's database.

A question is stored with the router's answer (its route) and the mentor it went to: among the
mentors who cover its skill, the one with the fewest open questions. A mentor's or instructor's
answer makes it ``answered``; the asker's follow-up opens it again; ``resolved`` closes it.
A question resolved by an earlier question's answer (``resolved_by``) never reaches a mentor.
An open question nobody has answered for the course's ``mentoring.escalate_after_hours`` is
*escalated* (computed from the times, never stored). Every change is one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from kit.progress.attempts import utcnow
from kit.state.database import CourseRecords, as_utc
from kit.state.schema import answers, questions

Status = Literal["open", "answered", "resolved"]
STATUSES: tuple[Status, ...] = ("open", "answered", "resolved")
Role = Literal["learner", "mentor", "instructor"]


@dataclass(frozen=True)
class Answer:
    """An answer to a question (or the asker's follow-up)."""

    id: int
    question: int
    author: str
    role: str
    text: str
    created: dt.datetime


@dataclass(frozen=True)
class Question:
    """A learner's question, where it was routed, and its answers (oldest first)."""

    id: int
    course: str
    learner: str
    text: str
    status: str
    created: dt.datetime
    updated: dt.datetime
    route: dict[str, Any] | None
    unrouted: str
    """Why it was not routed ("" when it was)."""
    skill: str | None
    mentor: str | None
    """The course.yml id of the mentor it went to."""
    urgency: float | None
    urgent: bool | None
    answers: tuple[Answer, ...] = ()
    resolved_by: int | None = None
    """The earlier question whose answer resolved this one, without a mentor."""
    server_share: str | None = None
    """A link to the asker's server, shared with the mentor for this question."""

    @property
    def urgency_key(self) -> tuple[bool, float, dt.datetime]:
        """Sort key, most urgent first: urgent ones, then by urgency, then the oldest."""
        return (not self.urgent, -(self.urgency or 0.0), self.created)

    @property
    def waiting_since(self) -> dt.datetime:
        """Since when the asker waits: the question, or their latest follow-up."""
        follow_ups = [a.created for a in self.answers if a.role == "learner"]
        return max([self.created, *follow_ups])

    @property
    def staff_answers(self) -> tuple[Answer, ...]:
        """The answers of mentors and instructors (not the asker's follow-ups)."""
        return tuple(a for a in self.answers if a.role != "learner")

    def escalated(self, hours: float, now: dt.datetime | None = None) -> bool:
        """Open, and nobody answered it for ``hours`` since the asker last wrote."""
        if self.status != "open":
            return False
        return (now or utcnow()) - self.waiting_since >= dt.timedelta(hours=hours)


def choose_mentor(candidates: Sequence[str], open_counts: dict[str, int]) -> str | None:
    """The candidate with the fewest open questions; ties go to the first (course.yml's order)."""
    if not candidates:
        return None
    return min(candidates, key=lambda m: (open_counts.get(m, 0), candidates.index(m)))


class QuestionStore(CourseRecords):
    """The questions of one course."""

    def ask(
        self,
        learner: str,
        text: str,
        *,
        route: dict[str, Any] | None,
        unrouted: str = "",
        mentors: Sequence[str] = (),
    ) -> Question:
        """Store a question; ``mentors`` are the ids of those who cover its routed skill, most
        fitting first: it goes to the one with the fewest open questions."""
        now = utcnow()

        def insert(conn: sa.Connection) -> Any:
            counts = self._open_counts(conn, mentors)
            row = {
                "course": self.course,
                "learner": learner,
                "text": text,
                "status": "open",
                "created": now,
                "updated": now,
                "route": route,
                "unrouted": unrouted,
                "skill": route.get("skill") if route else None,
                "mentor": choose_mentor(list(mentors), counts),
                "urgency": route.get("urgency") if route else None,
                "urgent": route.get("urgent") if route else None,
            }
            return conn.execute(questions.insert().values(**row)).inserted_primary_key

        key = self.writing(insert)
        assert key is not None
        found = self.get(int(key[0]))
        assert found is not None
        return found

    def _open_counts(
        self, conn: sa.Connection, mentors: Sequence[str], *where: Any
    ) -> dict[str, int]:
        q = questions.c
        stmt = (
            sa.select(q.mentor, sa.func.count())
            .where(q.course == self.course, q.status == "open", q.mentor.in_(list(mentors)), *where)
            .group_by(q.mentor)
        )
        return {mentor: int(n) for mentor, n in conn.execute(stmt)}

    def open_counts(self, mentors: Sequence[str]) -> dict[str, int]:
        """Open questions per mentor id (mentors with none are absent)."""
        return self.reading(lambda conn: self._open_counts(conn, mentors))

    def get(self, question_id: int) -> Question | None:
        """One question with its answers (None: no such question in this course)."""
        found = self._select(questions.c.id == question_id)
        return found[0] if found else None

    def of_learner(self, learner: str, status: str | None = None) -> list[Question]:
        """A learner's questions, newest first."""
        where = [questions.c.learner == learner]
        if status is not None:
            where.append(questions.c.status == status)
        return sorted(self._select(*where), key=lambda x: x.created, reverse=True)

    def inbox(
        self, mentor: str | None = None, *, escalate_after: float | None = None
    ) -> list[Question]:
        """Open questions, most urgent first: all of them (``mentor`` None), or those assigned to
        ``mentor`` and those assigned to nobody; with ``escalate_after`` (hours), the escalated
        ones come first."""
        q = questions.c
        where: list[Any] = [q.status == "open"]
        if mentor is not None:
            where.append(sa.or_(q.mentor == mentor, q.mentor.is_(None)))
        found = sorted(self._select(*where), key=lambda x: x.urgency_key)
        if escalate_after is not None:
            now = utcnow()
            found.sort(key=lambda x: not x.escalated(escalate_after, now))
        return found

    def answered(self) -> list[Question]:
        """Questions with a mentor's or instructor's answer, answered or resolved, oldest first
        (what a new question is compared with)."""
        q = questions.c
        found = self._select(q.status.in_(("answered", "resolved")), q.resolved_by.is_(None))
        return [x for x in found if x.staff_answers]

    def resolved_by_answer(self, learner: str, text: str, earlier: Question) -> Question:
        """Store a question the answer to ``earlier`` resolved: resolved at once, on
        ``earlier``'s skill, assigned to nobody."""
        now = utcnow()
        row = {
            "course": self.course,
            "learner": learner,
            "text": text,
            "status": "resolved",
            "created": now,
            "updated": now,
            "route": None,
            "unrouted": f"resolved by the answer to question {earlier.id}",
            "skill": earlier.skill,
            "mentor": None,
            "resolved_by": earlier.id,
        }
        key = self.writing(
            lambda conn: conn.execute(questions.insert().values(**row)).inserted_primary_key
        )
        assert key is not None
        found = self.get(int(key[0]))
        assert found is not None
        return found

    def count_resolved_by_answers(self) -> int:
        """Questions resolved by an earlier answer, without a mentor."""
        q = questions.c
        stmt = sa.select(sa.func.count()).where(q.course == self.course, q.resolved_by.is_not(None))
        return int(self.reading(lambda conn: conn.execute(stmt).scalar_one()))

    def reroute(
        self,
        question_id: int,
        *,
        skill: str | Literal[False] | None = False,
        urgent: bool | None = None,
        mentors: Sequence[str] = (),
    ) -> Question:
        """Change a question's skill (``False``: leave it; None: no skill of the course), going
        to the one of ``mentors`` (those covering the new skill) with the fewest open questions,
        and/or its urgency flag."""
        values: dict[str, Any] = {"updated": utcnow()}
        if urgent is not None:
            values["urgent"] = urgent

        def change(conn: sa.Connection) -> None:
            if skill is not False:
                others = questions.c.id != question_id
                counts = self._open_counts(conn, mentors, others)
                values["skill"] = skill
                values["mentor"] = choose_mentor(list(mentors), counts)
            conn.execute(questions.update().where(questions.c.id == question_id).values(values))

        self.writing(change)
        found = self.get(question_id)
        assert found is not None
        return found

    def share_server(self, question_id: int, url: str | None) -> Question:
        """Store (or, with None, clear) the link to the asker's server for this question."""
        self.writing(
            lambda conn: conn.execute(
                questions.update()
                .where(questions.c.id == question_id)
                .values(server_share=url, updated=utcnow())
            )
        )
        found = self.get(question_id)
        assert found is not None
        return found

    def answer(self, question_id: int, author: str, role: Role, text: str) -> Answer:
        """Add an answer: by a mentor or instructor it makes the question ``answered``; by a
        learner (the asker's follow-up) it opens it again."""
        now = utcnow()
        status = "open" if role == "learner" else "answered"

        def insert(conn: sa.Connection) -> Any:
            row = {"question": question_id, "author": author, "role": role, "text": text}
            new_id = conn.execute(answers.insert().values(**row, created=now)).inserted_primary_key
            conn.execute(
                questions.update()
                .where(questions.c.id == question_id)
                .values(status=status, updated=now)
            )
            return new_id

        new_id = self.writing(insert)
        assert new_id is not None
        return Answer(int(new_id[0]), question_id, author, role, text, now)

    def resolve(self, question_id: int) -> Question:
        """Mark a question resolved."""
        self.writing(
            lambda conn: conn.execute(
                questions.update()
                .where(questions.c.id == question_id)
                .values(status="resolved", updated=utcnow())
            )
        )
        found = self.get(question_id)
        assert found is not None
        return found

    def _select(self, *where: Any) -> list[Question]:
        stmt = sa.select(questions).where(questions.c.course == self.course, *where)
        rows, by_question = self.reading(lambda conn: self._rows(conn, stmt))
        return [
            Question(
                id=row["id"],
                course=row["course"],
                learner=row["learner"],
                text=row["text"],
                status=row["status"],
                created=as_utc(row["created"]),
                updated=as_utc(row["updated"]),
                route=row["route"],
                unrouted=row["unrouted"],
                skill=row["skill"],
                mentor=row["mentor"],
                urgency=row["urgency"],
                urgent=row["urgent"],
                answers=tuple(by_question.get(row["id"], [])),
                resolved_by=row["resolved_by"],
                server_share=row["server_share"],
            )
            for row in rows
        ]

    @staticmethod
    def _rows(conn: sa.Connection, stmt: Any) -> tuple[list[Any], dict[int, list[Answer]]]:
        """The questions ``stmt`` selects, and their answers by question id."""
        rows = list(conn.execute(stmt.order_by(questions.c.id)).mappings())
        ids = [row["id"] for row in rows]
        by_question: dict[int, list[Answer]] = {}
        if ids:
            a = answers.c
            for r in conn.execute(
                sa.select(answers).where(a.question.in_(ids)).order_by(a.id)
            ).mappings():
                by_question.setdefault(r["question"], []).append(
                    Answer(
                        r["id"],
                        r["question"],
                        r["author"],
                        r["role"],
                        r["text"],
                        as_utc(r["created"]),
                    )
                )
        return rows, by_question
