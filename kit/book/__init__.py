"""The published book: a Jupyter Book 1.x project generated from the course folder.

``build_book(course)`` generates the project (lessons, the projects' release versions, pages for
the skill map, the tracks and the mentors), executes the lessons with a cache, builds HTML and
checks that no solution or hidden test reached it.

Names load on first use, so that importing ``kit.book`` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "BookError": "kit.book.config",
    "BookResult": "kit.book.builder",
    "FaqItem": "kit.book.hub",
    "Leak": "kit.book.leaks",
    "LeakError": "kit.book.leaks",
    "NotebookError": "kit.book.execution",
    "build_book": "kit.book.builder",
    "default_out": "kit.book.builder",
    "find_leaks": "kit.book.leaks",
    "html_dir": "kit.book.builder",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'kit.book' has no attribute {name!r}")
