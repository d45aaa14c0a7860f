"""The course's shared state: learners' questions and the answers to them, their profiles, and
grading jobs, in the course's database beside the attempt log, under Alembic migrations.

The server extension (:mod:`kit.server`) and the hub service read and write it through these
classes; nothing here knows about HTTP.
"""

from __future__ import annotations

from kit.state.database import CourseDatabase, DatabaseError, current_revision, upgrade
from kit.state.idempotency import IdempotencyStore, Recorded, request_digest
from kit.state.jobs import GradingJob, JobStore
from kit.state.profiles import ProfileStore
from kit.state.questions import STATUSES, Answer, Question, QuestionStore, choose_mentor
from kit.state.store import CourseState

__all__ = [
    "STATUSES",
    "Answer",
    "CourseDatabase",
    "CourseState",
    "DatabaseError",
    "GradingJob",
    "IdempotencyStore",
    "JobStore",
    "ProfileStore",
    "Question",
    "QuestionStore",
    "Recorded",
    "choose_mentor",
    "current_revision",
    "request_digest",
    "upgrade",
]
