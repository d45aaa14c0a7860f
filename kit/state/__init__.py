"""The course's shared state: learners' questions and the answers to them, the FAQ, mentors'
corrections, notifications seen, learners' profiles, grading jobs and the idempotency keys of
writes, in the course's database beside the attempt log, under Alembic migrations.

The server extension (:mod:`kit.server`) and the hub service read and write it through these
classes; nothing here knows about HTTP.
"""

from __future__ import annotations

from kit.state.database import CourseDatabase, DatabaseError, current_revision, upgrade
from kit.state.examples import ExampleStore, LabelledExample
from kit.state.faq import FaqEntry, FaqStore
from kit.state.idempotency import IdempotencyStore, Recorded, request_digest
from kit.state.jobs import GradingJob, JobStore
from kit.state.notifications import NOTIFICATION_ID, Notification, NotificationStore
from kit.state.profiles import ProfileStore
from kit.state.questions import STATUSES, Answer, Question, QuestionStore, choose_mentor
from kit.state.readonly import read_examples, read_faq
from kit.state.store import CourseState

__all__ = [
    "NOTIFICATION_ID",
    "STATUSES",
    "Answer",
    "CourseDatabase",
    "CourseState",
    "DatabaseError",
    "ExampleStore",
    "FaqEntry",
    "FaqStore",
    "GradingJob",
    "IdempotencyStore",
    "JobStore",
    "LabelledExample",
    "Notification",
    "NotificationStore",
    "ProfileStore",
    "Question",
    "QuestionStore",
    "Recorded",
    "choose_mentor",
    "current_revision",
    "read_examples",
    "read_faq",
    "request_digest",
    "upgrade",
]
