"""Grading: nbgrader driven by the course, and a parallel, sandboxed, resumable autograder."""

from __future__ import annotations
