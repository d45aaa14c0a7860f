"""Everything the kit keeps about a course's learners, in one place: the course's database."""

from __future__ import annotations

from kit.course import Course
from kit.progress.attempts import AttemptStore
from kit.progress.cohort import default_attempts_url
from kit.state.database import CourseDatabase
from kit.state.examples import ExampleStore
from kit.state.faq import FaqStore
from kit.state.idempotency import IdempotencyStore
from kit.state.jobs import JobStore
from kit.state.notifications import NotificationStore
from kit.state.profiles import ProfileStore
from kit.state.questions import QuestionStore


class CourseState:
    """A course's database, upgraded to the newest schema, and a store for each kind of record.

    Parameters
    ----------
    course:
        The course.
    url:
        The database's SQLAlchemy URL (default: the attempt log's, in the course workspace).

    Attributes
    ----------
    attempts, questions, profiles, jobs, idempotency:
        The attempt log, the questions and answers, the learners' profiles, the grading jobs,
        the idempotency keys of writes.
    faq, examples, notifications:
        The course's FAQ, mentors' corrections (labelled examples), the notifications seen.
    """

    def __init__(self, course: Course, url: str | None = None) -> None:
        self.url = url or default_attempts_url(course)
        self.database = CourseDatabase(self.url)
        self.attempts = AttemptStore(self.url)
        self.questions = QuestionStore(self.database, course.id)
        self.profiles = ProfileStore(self.database, course.id)
        self.jobs = JobStore(self.database, course.id)
        self.idempotency = IdempotencyStore(self.database, course.id)
        self.faq = FaqStore(self.database, course.id)
        self.examples = ExampleStore(self.database, course.id)
        self.notifications = NotificationStore(self.database, course.id)

    def close(self) -> None:
        """Release the database connections."""
        self.attempts.close()
        self.database.close()
