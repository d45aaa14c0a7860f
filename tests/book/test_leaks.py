"""The leak check: solutions and hidden tests of the projects never reach the built book."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from kit.book import LeakError, build_book
from kit.book.leaks import find_leaks, notebook_secrets, page_text, project_secrets
from kit.course import load_course
from tests.book.conftest import copy_course


def _solution_cell(source: str, grade_id: str) -> nbformat.NotebookNode:
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": grade_id,
        "locked": False,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }
    return cell


def test_secrets_of_a_source_notebook() -> None:
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# Task\nWrite `total`."),
            _solution_cell(
                "def total(xs):\n    ### BEGIN SOLUTION\n    return sum(x * x for x in xs)\n"
                "    ### END SOLUTION",
                "total",
            ),
            _solution_cell("answer_without_markers = sorted(set(values))[-1]", "whole"),
            new_code_cell(
                "assert total([1]) == 1\n### BEGIN HIDDEN TESTS\n"
                "assert total([1, 2, 3]) == 14, 'squares of every value'\n### END HIDDEN TESTS"
            ),
        ]
    )
    secrets = notebook_secrets(notebook, "p/p.ipynb")
    found = {(s.kind, s.text) for s in secrets}
    assert ("solution", "return sum(x * x for x in xs)") in found
    assert ("solution", "answer_without_markers = sorted(set(values))[-1]") in found
    assert ("hidden test", "assert total([1, 2, 3]) == 14, 'squares of every value'") in found
    # what learners see is no secret: the signature and the visible test
    assert not any("def total" in text or text == "assert total([1]) == 1" for _, text in found)
    assert {s.source for s in secrets} == {
        "p/p.ipynb, cell 2",
        "p/p.ipynb, cell 3",
        "p/p.ipynb, cell 4",
    }


def test_a_leaked_solution_is_caught(sample_course: Path, tmp_path: Path) -> None:
    course = load_course(sample_course)
    secrets = project_secrets(course)
    assert any(s.kind == "solution" for s in secrets)
    assert any(s.kind == "hidden test" for s in secrets)
    html = tmp_path / "html"
    (html / "lessons").mkdir(parents=True)
    clean = "<html><body><p>Read the survey with <code>pd.read_csv</code>.</p></body></html>"
    (html / "index.html").write_text(clean, encoding="utf-8")
    # a solution pasted into a lesson, highlighted as Sphinx does (tags between the tokens)
    leaked = (
        '<pre><span class="n">clean</span> <span class="o">=</span> <span class="n">clean'
        '</span><span class="o">.</span><span class="n">drop_duplicates</span>()\n'
        '<span class="n">clean</span> <span class="o">=</span> clean.dropna(subset=[&quot;score'
        "&quot;])</pre>"
    )
    (html / "lessons" / "04-pandas.html").write_text(leaked, encoding="utf-8")
    leaks = find_leaks(html, secrets)
    assert leaks
    assert {leak.page for leak in leaks} == {"lessons/04-pandas.html"}
    assert any('clean = clean.dropna(subset=["score"])' in leak.snippet for leak in leaks)
    assert "projects/pandas-analysis/pandas-analysis.ipynb, cell" in str(leaks[0])


def test_markers_and_notebook_sources_are_scanned(tmp_path: Path) -> None:
    (tmp_path / "_sources").mkdir()
    notebook = new_notebook(cells=[new_code_cell("x = 1\n### BEGIN HIDDEN TESTS\nassert x")])
    (tmp_path / "_sources" / "p.ipynb").write_text(nbformat.writes(notebook), encoding="utf-8")
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "theme.js").write_text("// BEGIN SOLUTION", encoding="utf-8")
    leaks = find_leaks(tmp_path, [])
    assert [(leak.page, leak.what) for leak in leaks] == [
        ("_sources/p.ipynb", "nbgrader marker 'BEGIN HIDDEN TESTS'")
    ]


def test_page_text_reads_html_as_a_reader_sees_it(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_text("<p>a&nbsp;<b>b</b>\n\n  c &amp; d</p>", encoding="utf-8")
    assert page_text(page) == "a b c & d"


@pytest.mark.slow
def test_a_build_with_a_leak_fails_and_keeps_no_html(tmp_path: Path) -> None:
    root = copy_course(tmp_path / "python-ml")
    # a brief that shows "an example", copied from the solution
    readme = root / "projects" / "pandas-analysis" / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8") + "\n## Example\n\n```python\n"
        'clean["hours_per_week"] = pd.to_numeric(clean["hours_per_week"], errors="coerce")\n'
        "```\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    with pytest.raises(LeakError) as caught:
        build_book(load_course(root), out, execute=False)
    message = str(caught.value)
    assert "projects/pandas-analysis/index.html: solution from projects/pandas-analysis" in message
    assert 'pd.to_numeric(clean["hours_per_week"], errors="coerce")' in message
    assert not (out / "_build" / "html").exists()


def test_what_lessons_teach_is_no_secret(sample_course: Path) -> None:
    course = load_course(sample_course)
    every = project_secrets(course)
    line = 'clean["hours_per_week"] = pd.to_numeric(clean["hours_per_week"], errors="coerce")'
    assert any(s.text == line for s in every)
    taught = project_secrets(course, [f"A lesson shows:\n    {line}\n"])
    assert not any(s.text == line for s in taught)
    assert len(taught) == len(every) - 1
    assert not any(s.text.startswith(("import ", "from ")) for s in every)
