"""Mentors' corrections of questions' skills and urgency: labelled examples the router learns
from (``kit router train``)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from kit.progress.attempts import utcnow
from kit.state.database import CourseRecords
from kit.state.schema import labelled_examples


@dataclass(frozen=True)
class LabelledExample:
    """A question's text with a mentor's label: its skill (or ``off-topic``) and/or urgency."""

    text: str
    skill: str | None
    urgent: bool | None
    question_id: int | None = None


class ExampleStore(CourseRecords):
    """The labelled examples of one course."""

    def record(
        self,
        question_id: int | None,
        text: str,
        author: str,
        *,
        skill: str | None = None,
        urgent: bool | None = None,
    ) -> None:
        """Record one correction (a skill, an urgency, or both)."""
        values = {
            "course": self.course,
            "question_id": question_id,
            "text": text,
            "skill": skill,
            "urgent": urgent,
            "author": author,
            "created": utcnow(),
        }
        self.writing(lambda conn: conn.execute(labelled_examples.insert().values(values)))

    def examples(self) -> list[LabelledExample]:
        """One example per question (and one per correction of no question): its latest skill
        and latest urgency, oldest question first."""
        e = labelled_examples.c
        stmt = sa.select(labelled_examples).where(e.course == self.course).order_by(e.id)
        rows = self.reading(lambda conn: list(conn.execute(stmt).mappings()))
        merged: dict[object, LabelledExample] = {}
        for r in rows:
            key = r["question_id"] if r["question_id"] is not None else ("row", r["id"])
            old = merged.get(key)
            skill = r["skill"] if r["skill"] is not None else (old.skill if old else None)
            urgent = r["urgent"] if r["urgent"] is not None else (old.urgent if old else None)
            merged[key] = LabelledExample(r["text"], skill, urgent, r["question_id"])
        return list(merged.values())
