"""The grading area's failures the user can act on."""

from __future__ import annotations

from kit.errors import KitError

__all__ = ["GradingError"]


class GradingError(KitError):
    """A grading step failed (an unknown project, nbgrader refusing a step, a submission
    folder missing); the message says what, the fix what to do."""
