"""The API's errors: an HTTP status, a message and a fix, sent as ``{"error", "fix"}``."""

from __future__ import annotations

from tornado import web

from kit.errors import KitError

FIXES = {
    400: 'send a UTF-8 JSON body, e.g. {"text": "how do I ...?"}',
    403: "log in to Jupyter (a token, or the browser's login), as a user whose role may do this",
    404: "check the id; GET /kit/api/v1/courses lists what this server sees",
    405: "see /kit/api/v1/openapi.json for the methods of each endpoint",
    413: "send less than 64 KB",
    422: "see /kit/api/v1/openapi.json for the fields and their types",
}
"""The fix for an error of each status that says nothing more specific."""


class ApiError(web.HTTPError):
    """A request the API refuses, with its status, message and fix.

    Parameters
    ----------
    status:
        The HTTP status (a 4xx).
    message:
        What is wrong with the request, naming the field or id.
    fix:
        What to do about it (default: the status's usual fix).
    """

    def __init__(self, status: int, message: str, fix: str | None = None) -> None:
        super().__init__(status, log_message=message.replace("%", "%%"))
        self.message = message
        self.fix = FIXES.get(status, "") if fix is None else fix


def from_kit_error(error: KitError) -> ApiError:
    """The API's answer to a failure of the kit the user can act on."""
    from kit.classify.errors import QuestionError
    from kit.databases import DatabaseUnreachable
    from kit.paths.planner import PlanError

    # a bad value in the request is the request's fault; anything else (no trained router, a
    # project with no submissions) is the state of the course, which the fix says how to change
    status = 422 if isinstance(error, QuestionError | PlanError) else 409
    if isinstance(error, DatabaseUnreachable):  # the course database's server is down
        status = 503
    return ApiError(status, error.message, error.fix)
