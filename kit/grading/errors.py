"""The grading area's failures the user can act on."""

from __future__ import annotations

from kit.errors import KitError

__all__ = ["CourseImportError", "GradingError"]


class GradingError(KitError):
    """A grading step failed (an unknown project, nbgrader refusing a step, a submission
    folder missing); the message says what, the fix what to do."""


class CourseImportError(GradingError):
    """An nbgrader course directory cannot be imported as it is (no ``source/``, a corrupt
    notebook, an unreadable gradebook, a target that exists); nothing was written."""
