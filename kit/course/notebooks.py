"""Reading course notebooks safely: a bad notebook becomes a problem, never a traceback."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.course.problems import Problem, Severity

FIX_REOPEN = "open it in JupyterLab and save it again, or restore it from version control"


@dataclass(frozen=True)
class NotebookResult:
    """A notebook that was read, or the problem that stopped it."""

    path: Path
    notebook: Any | None  # nbformat.NotebookNode
    problem: Problem | None


def read_notebook(path: Path, field: str = "") -> NotebookResult:
    """Read and validate a notebook with nbformat.

    A missing, unreadable, non-JSON or schema-invalid notebook gives a :class:`Problem` that
    names the file and the fix, instead of raising.
    """

    def fail(message: str, fix: str) -> NotebookResult:
        return NotebookResult(path, None, Problem(Severity.ERROR, path, message, fix, field))

    if not path.exists():
        return fail("not found", "create it, or correct the path in course.yml")
    if not path.is_file():
        return fail("is not a file", "point to an .ipynb file, not a folder")
    if path.suffix != ".ipynb":
        return fail("is not a notebook (.ipynb)", "point to an .ipynb file")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return fail(f"cannot be read: {exc.strerror}", "check the file's permissions")
    except UnicodeDecodeError:
        return fail("is not UTF-8 text", FIX_REOPEN)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return fail(f"is not valid notebook JSON (line {exc.lineno}: {exc.msg})", FIX_REOPEN)
    if not isinstance(data, dict) or "nbformat" not in data:
        return fail("is JSON but not a Jupyter notebook (no 'nbformat' field)", FIX_REOPEN)

    import nbformat  # slow import (jsonschema); only when notebooks are read

    with warnings.catch_warnings():
        # nbformat warns about missing cell ids and will add them; that is not an error here.
        warnings.simplefilter("ignore")
        try:
            nbformat.validate(data)
        except nbformat.ValidationError as exc:
            where = "/".join(str(p) for p in getattr(exc, "absolute_path", []) or [])
            detail = str(getattr(exc, "message", exc)).splitlines()[0]
            if detail.startswith(("{", "[")) or len(detail) > 160:
                # jsonschema quotes the whole offending value; name what it is instead
                instance = getattr(exc, "instance", None)
                kind = instance.get("cell_type") if isinstance(instance, dict) else None
                detail = f"a cell of unknown type {kind!r}" if kind else "value not allowed here"
            at = f" at {where}" if where else ""
            return fail(f"does not follow the notebook format{at}: {detail}", FIX_REOPEN)
        try:
            notebook = nbformat.reads(text, as_version=4)
        except Exception as exc:  # nbformat raises many types on odd input
            return fail(f"cannot be read as a version 4 notebook: {exc}", FIX_REOPEN)
    return NotebookResult(path, notebook, None)


def kit_metadata(node: Any) -> dict[str, Any]:
    """The ``kit`` part of a notebook's or a cell's metadata (empty when absent or malformed)."""
    metadata = node.get("metadata", {}) if hasattr(node, "get") else {}
    value = metadata.get("kit", {}) if isinstance(metadata, dict) else {}
    return value if isinstance(value, dict) else {}


def grade_cells(notebook: Any) -> Iterator[tuple[int, Any]]:
    """``(index, cell)`` for each cell nbgrader gives points to: grade cells (autograder tests
    and answers graded by hand, ``metadata.nbgrader.grade``) and task cells
    (``metadata.nbgrader.task``, always graded by hand). nbgrader's gradebook counts both in a
    submission's score and maximum, so everything the kit totals counts both too."""
    for index, cell in enumerate(notebook.cells):
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if isinstance(nbgrader, dict) and (nbgrader.get("grade") or nbgrader.get("task")):
            yield index, cell


def is_task(cell: Any) -> bool:
    """Whether a graded cell is an nbgrader task cell (a cell of instructions graded by hand)."""
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    return bool(isinstance(nbgrader, dict) and nbgrader.get("task") and not nbgrader.get("grade"))


def by_hand(cell: Any) -> bool:
    """Whether nbgrader leaves a graded cell to an instructor: a task cell, an answer cell
    (grade and solution), or any graded cell that is not code (no test can decide it)."""
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    return is_task(cell) or bool(nbgrader.get("solution")) or cell.get("cell_type") != "code"


def cell_skill(cell: Any, default: str | None = None) -> Any:
    """The skill a graded cell measures: its own ``"kit": {"skill": ...}``, else ``default``
    (the project's ``skill:``). Whatever the metadata holds is returned as it is; checking it is
    :mod:`kit.course.validation`'s job."""
    return kit_metadata(cell).get("skill") or default
