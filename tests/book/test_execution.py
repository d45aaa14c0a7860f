"""A notebook that fails names itself, the cell and the error; a good one is cached."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from kit.book.execution import NotebookError, execute_into_cache

pytestmark = pytest.mark.kernel


def _write(path: Path, *cells: nbformat.NotebookNode) -> Path:
    notebook = new_notebook(cells=list(cells))
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    return path


def test_failing_cell_is_named(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "broken.ipynb",
        new_markdown_cell("# Broken"),
        new_code_cell("x = 1"),
        new_code_cell("y = x + undefined_name"),
    )
    with pytest.raises(NotebookError) as caught:
        execute_into_cache(
            [("lessons/broken.ipynb", path)],
            tmp_path / "cache",
            cell_timeout=60,
            notebook_timeout=120,
        )
    assert caught.value.cell == 2
    message = str(caught.value)
    assert message.startswith(
        "lessons/broken.ipynb: cell 3 (code cell 2, `y = x + undefined_name`)"
    )
    assert "NameError: name 'undefined_name' is not defined" in message


def test_unchanged_code_runs_once(tmp_path: Path) -> None:
    path = _write(tmp_path / "ok.ipynb", new_markdown_cell("# OK"), new_code_cell("print(6 * 7)"))
    first = execute_into_cache(
        [("ok.ipynb", path)], tmp_path / "cache", cell_timeout=60, notebook_timeout=120
    )
    assert [e.cached for e in first] == [False]
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[0].source = "# OK, with more words"  # Markdown only: the cache still matches
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    again = execute_into_cache(
        [("ok.ipynb", path)], tmp_path / "cache", cell_timeout=60, notebook_timeout=120
    )
    assert [e.cached for e in again] == [True]
