"""The course's FAQ: answers mentors shared with the course, one entry per question shared."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from kit.progress.attempts import utcnow
from kit.state.database import CourseRecords, as_utc
from kit.state.schema import faq


@dataclass(frozen=True)
class FaqEntry:
    """A question and its answer, as the course reads them (no asker's name)."""

    id: int
    question_id: int | None
    """The question it was shared from (None: written as an FAQ entry)."""
    question: str
    answer: str
    skill: str | None
    author: str
    """Who shared it (a mentor or instructor)."""
    created: dt.datetime


class FaqStore(CourseRecords):
    """The FAQ of one course."""

    def share(
        self, question_id: int | None, question: str, answer: str, skill: str | None, author: str
    ) -> tuple[FaqEntry, bool]:
        """Add an entry, or replace the one shared from the same question; the entry, and True
        when it is new."""
        f = faq.c
        values = {
            "course": self.course,
            "question_id": question_id,
            "question": question,
            "answer": answer,
            "skill": skill,
            "author": author,
            "created": utcnow(),
        }

        def put(conn: sa.Connection) -> tuple[int, bool]:
            if question_id is not None:
                mine = (f.course == self.course, f.question_id == question_id)
                old = conn.execute(sa.select(f.id).where(*mine)).scalar_one_or_none()
                if old is not None:
                    conn.execute(faq.update().where(f.id == old).values(values))
                    return int(old), False
            key = conn.execute(faq.insert().values(values)).inserted_primary_key
            assert key is not None
            return int(key[0]), True

        entry_id, new = self.writing(put)
        found = [e for e in self.entries() if e.id == entry_id]
        return found[0], new

    def entries(self) -> list[FaqEntry]:
        """Every entry, oldest first."""
        stmt = sa.select(faq).where(faq.c.course == self.course).order_by(faq.c.id)
        rows = self.reading(lambda conn: list(conn.execute(stmt).mappings()))
        return [
            FaqEntry(
                r["id"],
                r["question_id"],
                r["question"],
                r["answer"],
                r["skill"],
                r["author"],
                as_utc(r["created"]),
            )
            for r in rows
        ]
