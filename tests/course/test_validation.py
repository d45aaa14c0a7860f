"""check_course / load_course on the sample course and on courses changed in small ways."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from kit.course import CourseError, Severity, check_course, load_course


def test_sample_course_has_no_errors(sample_course: Path) -> None:
    report = check_course(sample_course)
    assert report.errors == [], "\n".join(p.format() for p in report.errors)


def test_load_returns_course(sample_course: Path) -> None:
    course = load_course(sample_course)
    assert course.id == "python-ml"
    assert 10 <= len(course.skills) <= 16
    assert len(course.tracks) == 3
    assert len(course.lessons) >= 4
    assert course.projects
    assert course.notebook_path("numpy").is_file()
    assert course.project_dir("pandas-analysis").is_dir()


def test_load_accepts_the_manifest_path(sample_course: Path) -> None:
    assert load_course(sample_course / "course.yml").root == sample_course


def _edit(course: Path, change: dict[str, object]) -> None:
    path = course / "course.yml"
    data = yaml.safe_load(path.read_text())
    data.update(change)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_load_raises_with_every_error(course_copy: Path) -> None:
    data = yaml.safe_load((course_copy / "course.yml").read_text())
    data["skills"][0]["prerequisites"] = ["nope"]
    data["tracks"][0]["goals"] = ["also-nope"]
    (course_copy / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(CourseError) as caught:
        load_course(course_copy)
    messages = [p.message for p in caught.value.report.errors]
    assert any("'nope'" in m for m in messages)
    assert any("'also-nope'" in m for m in messages)
    assert "2 errors" in str(caught.value)


def test_warnings_do_not_stop_loading(course_copy: Path) -> None:
    data = yaml.safe_load((course_copy / "course.yml").read_text())
    data["skills"].append({"id": "statistics", "title": "Statistics"})
    (course_copy / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    report = check_course(course_copy)
    assert report.ok
    assert any(p.severity is Severity.WARNING and "'statistics'" in p.message for p in report)
    assert "statistics" in load_course(course_copy).skills


def test_grade_cell_tag_removed_is_an_error(course_copy: Path) -> None:
    notebook = next((course_copy / "projects" / "pandas-analysis").glob("*.ipynb"))
    data = json.loads(notebook.read_text())
    graded = [c for c in data["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    assert graded, "the sample project must have grade cells"
    del graded[0]["metadata"]["kit"]
    notebook.write_text(json.dumps(data))
    report = check_course(course_copy)
    (problem,) = report.errors
    assert problem.file == notebook
    assert "names no skill" in problem.message
    assert graded[0]["metadata"]["nbgrader"]["grade_id"] in problem.field


def test_missing_folder() -> None:
    report = check_course(Path("/nonexistent/course"))
    (problem,) = report.errors
    assert "course folder not found" in problem.message


def test_problem_format_names_file_line_field_and_fix(course_copy: Path) -> None:
    _edit(course_copy, {"mentors": [{"id": "x", "name": "X", "skills": ["pands"]}]})
    (problem,) = check_course(course_copy).errors
    text = problem.format(course_copy)
    assert text.startswith("course.yml:")
    assert problem.line is not None and f":{problem.line}:" in text
    assert "mentors[0].skills[0]" in text
    assert "did you mean 'pandas'?" in text


def test_report_summary_words(course_copy: Path) -> None:
    report = check_course(course_copy)
    assert report.summary() in ("no problems",) or "warning" in report.summary()
    report.error(course_copy / "course.yml", "x")
    report.error(course_copy / "course.yml", "y")
    assert report.summary().startswith("2 errors")
