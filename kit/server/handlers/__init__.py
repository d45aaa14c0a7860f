"""The API's handlers, one module per area, and the table of their routes."""

from __future__ import annotations

from typing import Any

from kit.server.handlers.base import NotFound
from kit.server.handlers.courses import CourseHandler, CoursesHandler, MeHandler, OpenApiHandler
from kit.server.handlers.instructor import (
    CohortHandler,
    GradeHandler,
    GradingHandler,
    GradingJobHandler,
)
from kit.server.handlers.learners import (
    AttemptsBatchHandler,
    AttemptsHandler,
    LearnerMasteryHandler,
    MasteryHandler,
    PathHandler,
    ProfileHandler,
)
from kit.server.handlers.mentoring import (
    FaqHandler,
    NotificationsHandler,
    NotificationsSeenHandler,
    ServerShareHandler,
    ShareHandler,
    SimilarHandler,
)
from kit.server.handlers.questions import (
    AnswersHandler,
    InboxHandler,
    QuestionHandler,
    QuestionsHandler,
    ResolveHandler,
    RouteHandler,
)
from kit.server.openapi import PREFIX

_PART = "([^/]+)"

ROUTES: list[tuple[str, Any]] = [
    (f"{PREFIX}/openapi.json", OpenApiHandler),
    (f"{PREFIX}/me", MeHandler),
    (f"{PREFIX}/courses", CoursesHandler),
    (f"{PREFIX}/courses/{_PART}", CourseHandler),
    (f"{PREFIX}/me/profile", ProfileHandler),
    (f"{PREFIX}/me/path", PathHandler),
    (f"{PREFIX}/me/mastery", MasteryHandler),
    (f"{PREFIX}/me/attempts", AttemptsHandler),
    (f"{PREFIX}/attempts/batch", AttemptsBatchHandler),
    (f"{PREFIX}/learners/{_PART}/mastery", LearnerMasteryHandler),
    (f"{PREFIX}/route", RouteHandler),
    (f"{PREFIX}/questions", QuestionsHandler),
    (f"{PREFIX}/questions/similar", SimilarHandler),
    (f"{PREFIX}/questions/{_PART}", QuestionHandler),
    (f"{PREFIX}/questions/{_PART}/answers", AnswersHandler),
    (f"{PREFIX}/questions/{_PART}/resolve", ResolveHandler),
    (f"{PREFIX}/questions/{_PART}/share", ShareHandler),
    (f"{PREFIX}/questions/{_PART}/server-share", ServerShareHandler),
    (f"{PREFIX}/inbox", InboxHandler),
    (f"{PREFIX}/notifications", NotificationsHandler),
    (f"{PREFIX}/notifications/seen", NotificationsSeenHandler),
    (f"{PREFIX}/faq", FaqHandler),
    (f"{PREFIX}/cohort", CohortHandler),
    (f"{PREFIX}/grading", GradingHandler),
    (f"{PREFIX}/grading/{_PART}", GradeHandler),
    (f"{PREFIX}/grading/{_PART}/job", GradingJobHandler),
    (f"{PREFIX}/(.*)", NotFound),
]
"""(pattern under the server's base URL, handler), in the OpenAPI document's order; anything
else under the API is a JSON 404."""

__all__ = ["ROUTES"]
