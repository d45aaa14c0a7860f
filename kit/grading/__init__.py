"""Grading: nbgrader driven by the course, and a parallel, sandboxed, resumable autograder.

Importing this package stays cheap (the sandbox launcher imports it for every kernel started
anew, the kernel template once per worker): the engine is :mod:`kit.grading.engine`, nbgrader's side
:mod:`kit.grading.nbgrader_course`.
"""

from __future__ import annotations

from kit.grading.errors import CourseImportError, GradingError

__all__ = ["CourseImportError", "GradingError"]
