"""`kit new` scaffolds a course that is valid and whose project is a working nbgrader source."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.course import check_course, load_course
from kit.course.notebooks import grade_cells, kit_metadata, read_notebook
from kit.course.scaffold import ScaffoldError, new_course


def test_scaffold_is_clean(tmp_path: Path) -> None:
    root = new_course(tmp_path / "demo", title='A "quoted" title: yes')
    report = check_course(root)
    assert len(report) == 0, [p.format() for p in report]
    course = load_course(root)
    assert course.title == 'A "quoted" title: yes'
    assert (root / "questions.csv").read_text().startswith("text,skill\n")


def test_scaffold_project_grade_cells_are_tagged(tmp_path: Path) -> None:
    root = new_course(tmp_path / "demo")
    result = read_notebook(root / "projects" / "first-project" / "first-project.ipynb")
    assert result.problem is None
    cells = list(grade_cells(result.notebook))
    assert len(cells) == 2
    assert {kit_metadata(c)["skill"] for _, c in cells} == {"loops", "functions"}
    assert sum(c.metadata.nbgrader.points for _, c in cells) == 3


def test_scaffold_solution_passes_its_own_tests(tmp_path: Path) -> None:
    root = new_course(tmp_path / "demo")
    nb = read_notebook(root / "projects" / "first-project" / "first-project.ipynb").notebook
    assert nb is not None
    namespace: dict[str, object] = {}
    passed: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        exec(cell.source, namespace)  # a failing test cell raises here
        if cell.metadata.get("nbgrader", {}).get("grade"):
            passed.append(cell.metadata.nbgrader.grade_id)
    assert passed == ["test-count-evens", "test-count-evens-more"]
    assert callable(namespace["count_evens"])


def test_scaffold_tests_fail_a_wrong_solution(tmp_path: Path) -> None:
    # tests that pass the solution prove little unless a wrong answer fails them
    root = new_course(tmp_path / "demo")
    nb = read_notebook(root / "projects" / "first-project" / "first-project.ipynb").notebook
    assert nb is not None
    tests = [cell.source for _, cell in grade_cells(nb)]
    assert len(tests) == 2
    for source in tests:
        with pytest.raises(AssertionError):
            exec(source, {"count_evens": len})  # counts every number, not the even ones


def test_scaffold_into_existing_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert check_course(new_course(tmp_path / "empty")).ok


def test_scaffold_leaves_nothing_on_failure(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError):
        new_course(tmp_path / "x", course_id="Not An Id")
    assert list(tmp_path.iterdir()) == []
