"""Grading: nbgrader driven by the course, and a parallel, sandboxed, resumable autograder.

Importing this package stays cheap (the sandbox launcher and the kernel template import it
before every kernel): the engine is :mod:`kit.grading.engine`, nbgrader's side
:mod:`kit.grading.nbgrader_course`.
"""

from __future__ import annotations

from kit.grading.errors import GradingError

__all__ = ["GradingError"]
