"""The question router's errors: one area base, :class:`RouterError`, under the kit's
:class:`~kit.errors.KitError`.

Kept apart from the modules that raise them so that naming them (``kit.classify`` exports them
all) imports nothing heavy. Each keeps the builtin base its callers have always caught.
"""

from __future__ import annotations

from kit.errors import KitError

__all__ = [
    "DataNotFoundError",
    "ModelFormatError",
    "QuestionDataError",
    "RouterError",
    "RouterNotTrainedError",
]


class RouterError(KitError):
    """A failure of the question router the user can act on (its data, its models)."""


class QuestionDataError(RouterError, ValueError):
    """A file of labelled questions (or other labelled texts) that cannot be read; the message
    names the file, the line and the column."""


class QuestionError(RouterError, ValueError):
    """A question the router cannot route (an empty one)."""


class DataNotFoundError(RouterError, FileNotFoundError):
    """An evaluation data set that is not on this machine; the fix says where it comes from."""


class RouterNotTrainedError(RouterError, FileNotFoundError):
    """The course has no trained router; the fix says how to train one."""


class ModelFormatError(RouterError, ValueError):
    """A saved classifier or router that cannot be read; the message names the folder."""
