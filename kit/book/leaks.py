"""The leak check: no solution and no hidden test of a project may reach the published book.

The secrets are read from the projects' nbgrader *source* notebooks: the code between
``### BEGIN SOLUTION`` and ``### END SOLUTION``, whole solution cells without such markers,
and ``### BEGIN HIDDEN TESTS`` regions (each region whole, and each of its longer lines).
What the book publishes on purpose is no secret: a line that is also in a release notebook or
a lesson is left out. Each secret is searched, with whitespace normalised, in the text of every
built page and copied source; so are nbgrader's markers themselves.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from kit.book.config import BookError
from kit.course import Course

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
MIN_REGION = 12
"""Shorter secrets (``pass``, ``x = 1``) would match innocent text: only longer ones count."""
MIN_LINE = 30
"""Single lines of a secret are searched too (a partial leak) when at least this long."""
SCANNED = {".html", ".htm", ".txt", ".ipynb", ".md", ".py", ".json", ".js", ".csv", ".xml"}


@dataclass(frozen=True)
class Secret:
    """A piece of a project that learners must not see."""

    kind: str
    """``solution`` or ``hidden test``."""
    source: str
    """Where it comes from: ``notebook path, cell N``."""
    text: str
    """Normalised text (whitespace runs collapsed to one space)."""


@dataclass(frozen=True)
class Leak:
    """A secret (or an nbgrader marker) found in a built file."""

    page: str
    what: str
    snippet: str

    def __str__(self) -> str:
        snippet = self.snippet if len(self.snippet) <= 90 else self.snippet[:87] + "..."
        return f"{self.page}: {self.what}: {snippet!r}"


class LeakError(BookError):
    """Solutions or hidden tests reached the book."""

    def __init__(self, leaks: Sequence[Leak]) -> None:
        self.leaks = list(leaks)
        shown = "\n".join(f"  {leak}" for leak in self.leaks[:20])
        more = f"\n  ... and {len(self.leaks) - 20} more" if len(self.leaks) > 20 else ""
        super().__init__(
            f"{len(self.leaks)} solution or hidden-test leak(s) in the built book:\n{shown}{more}",
            fix="keep solutions and hidden tests only inside nbgrader's regions in the project's "
            "source notebooks, and never copy them into lessons or briefs",
        )


def normalise(value: str) -> str:
    """Whitespace runs collapsed to single spaces, ends stripped."""
    return " ".join(value.split())


def _regions(source: str, begin: str, end: str) -> Iterator[str]:
    inside: list[str] | None = None
    for line in source.splitlines():
        if inside is None:
            if begin in line:
                inside = []
        elif end in line:
            yield "\n".join(inside)
            inside = None
        else:
            inside.append(line)
    if inside is not None:
        yield "\n".join(inside)


IMPORT = re.compile(r"^(from\s+\S+\s+)?import\s")


def _pieces(region: str) -> Iterator[str]:
    whole = normalise(region)
    if len(whole) >= MIN_REGION and not IMPORT.match(whole):
        yield whole
    for line in region.splitlines():
        line = normalise(line)
        # an import line says little about the solution, and lessons teach the same imports
        if len(line) >= MIN_LINE and line != whole and not IMPORT.match(line):
            yield line


def notebook_secrets(notebook: Any, name: str) -> list[Secret]:
    """The solutions and hidden tests of one nbgrader source notebook."""
    found: list[Secret] = []
    for index, cell in enumerate(notebook.get("cells", [])):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        where = f"{name}, cell {index + 1}"
        solutions = list(_regions(source, "BEGIN SOLUTION", "END SOLUTION"))
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not solutions and isinstance(meta, dict) and meta.get("solution"):
            solutions = [source]  # nbgrader replaces the whole cell
        for region in solutions:
            found += [Secret("solution", where, p) for p in _pieces(region)]
        for region in _regions(source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            found += [Secret("hidden test", where, p) for p in _pieces(region)]
    return found


def project_secrets(course: Course, allowed: Iterable[str] = ()) -> list[Secret]:
    """Every secret of the course's projects.

    ``allowed`` are texts that are published on purpose: the release notebooks (a line of a
    solution that is also in them, such as a function's signature, is no secret) and the
    lessons (a line that a lesson teaches, such as a tokenizer's regular expression, is course
    material that a project's solution happens to reuse).
    """
    from kit.book.execution import read_notebook

    public = normalise("\n".join(allowed))
    secrets: list[Secret] = []
    for project in course.manifest.projects:
        folder = course.project_dir(project)
        for path in sorted(folder.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            name = str(path.relative_to(course.root))
            try:
                notebook = read_notebook(path)
            except (OSError, ValueError) as exc:
                raise BookError(f"{path}: cannot be read for the leak check ({exc})") from exc
            secrets += [s for s in notebook_secrets(notebook, name) if s.text not in public]
    unique = {(s.kind, s.text): s for s in secrets}
    return list(unique.values())


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def page_text(path: Path) -> str:
    """The readable text of a built file, normalised: HTML without its tags, JSON (a
    notebook) as its strings joined, anything else as it is."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in {".html", ".htm"}:
        parser = _Text()
        parser.feed(raw)
        parser.close()
        raw = "".join(parser.parts)
    elif path.suffix in {".ipynb", ".json"}:
        with contextlib.suppress(json.JSONDecodeError):
            raw = "\n".join(_strings(json.loads(raw)))
    return normalise(html.unescape(raw))


def built_files(html_dir: Path) -> Iterator[Path]:
    """The built files worth scanning: pages and copied sources, not the theme's assets."""
    for path in sorted(html_dir.rglob("*")):
        relative = path.relative_to(html_dir)
        if relative.parts and relative.parts[0] == "_static":
            continue
        if path.is_file() and path.suffix.lower() in SCANNED:
            yield path


def find_leaks(html_dir: Path, secrets: Sequence[Secret]) -> list[Leak]:
    """Every secret and nbgrader marker found in the built book under ``html_dir``."""
    leaks: list[Leak] = []
    for path in built_files(html_dir):
        text = page_text(path)
        page = str(path.relative_to(html_dir))
        for marker in MARKERS:
            if marker in text:
                at = text.index(marker)
                leaks.append(Leak(page, f"nbgrader marker '{marker}'", text[at : at + 80]))
        for secret in secrets:
            if secret.text in text:
                leaks.append(Leak(page, f"{secret.kind} from {secret.source}", secret.text))
    return leaks


def check_leaks(course: Course, html_dir: Path, published: Iterable[Path] = ()) -> list[Leak]:
    """The leak check of a built book.

    ``published`` are the notebooks published on purpose: the release notebooks and the
    lessons. What they hold is no secret; everything else that reaches the HTML is checked:
    the projects' briefs, the generated pages, the executed outputs, the copied sources.
    """
    from kit.book.execution import read_notebook

    allowed = []
    for path in published:
        notebook = read_notebook(path)
        allowed += [str(cell.source) for cell in notebook.cells]
    return find_leaks(html_dir, project_secrets(course, allowed))
