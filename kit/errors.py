"""The kit's errors: one base class, :class:`KitError`, that every area of the kit extends.

A ``KitError`` is a failure the user can act on (bad input, a missing file, a model not trained
yet): it carries the message and, where one is known, the fix. The command line turns any of
them into one red line and the fix, with exit code 1; anything else that escapes is a bug and
keeps its traceback.
"""

from __future__ import annotations

__all__ = ["KitError"]


class KitError(Exception):
    """A failure the user can act on.

    Parameters
    ----------
    message:
        What went wrong, in one sentence that names the file, the field or the value concerned.
    fix:
        What to do about it ("" when the message already says so).

    Each area of the kit subclasses it (:class:`kit.course.CourseError`,
    :class:`kit.grading.GradingError`, ...), so callers can catch one area's failures or all.
    """

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message
