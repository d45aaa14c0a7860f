"""One executed build of the sample course's book, shared by the tests that read it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kit.book import BookResult, build_book
from kit.course import Course, load_course
from tests.conftest import SAMPLE_COURSE


@dataclass(frozen=True)
class BuiltBook:
    """A copy of the sample course and its built book."""

    course: Course
    out: Path
    result: BookResult
    unexecuted: list[str]
    """Lessons shown as saved (not run by this build)."""

    @property
    def html(self) -> Path:
        return self.result.html

    def page(self, name: str) -> str:
        return (self.html / name).read_text(encoding="utf-8")


def copy_course(target: Path) -> Path:
    """A copy of the sample course without its instructor workspace."""
    shutil.copytree(
        SAMPLE_COURSE, target, ignore=shutil.ignore_patterns("_kit", ".ipynb_checkpoints")
    )
    return target


EXECUTED_TRACK = "data-analyst"
"""The lessons of this track run in the test build; the others (PyTorch, transformers: minutes of
CPU each, and run by nbval anyway) are shown as saved, through the book's own
``execute.exclude_patterns`` in a course ``book/_config.yml``."""


def limit_execution(course: Course, track: str = EXECUTED_TRACK) -> list[str]:
    """Exclude from execution the lessons that ``track`` does not need; return the patterns."""
    needed = set(course.graph.closure(course.tracks[track].goals))
    patterns = [x.notebook for x in course.manifest.lessons if not needed & set(x.skills)]
    book = course.root / "book"
    book.mkdir(exist_ok=True)
    (book / "_config.yml").write_text(
        yaml.safe_dump({"execute": {"exclude_patterns": patterns}}), encoding="utf-8"
    )
    return patterns


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> BuiltBook:
    """The sample course's book, executed, with its cache in a temporary folder (built once)."""
    root = tmp_path_factory.mktemp("book")
    course = load_course(copy_course(root / "python-ml"))
    unexecuted = limit_execution(course)
    out = root / "out"
    result = build_book(course, out)
    return BuiltBook(course, out, result, unexecuted)
