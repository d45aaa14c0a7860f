"""`kit check` on broken course folders: one clear message per problem, never a traceback.

Each folder under tests/courses/broken holds a course with known mistakes and an expected.yml
that lists them (line, field, words of the message). The check must find exactly those: a kind
of problem (errors, warnings) that expected.yml leaves out must not be reported at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kit.cli import main
from kit.course import Problem, Severity, check_course
from tests.conftest import BROKEN_COURSES

CASES = sorted(p.name for p in BROKEN_COURSES.iterdir() if p.is_dir())


def _matches(problem: Problem, want: dict[str, Any], course: Path) -> bool:
    file = course / want.get("file", "course.yml")
    return (
        problem.file.resolve() == file.resolve()
        and ("line" not in want or problem.line == want["line"])
        and ("field" not in want or problem.field == want["field"])
        and want["contains"] in f"{problem.message} {problem.fix}"
    )


def test_there_are_at_least_ten_broken_courses() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES)
def test_check_reports_each_problem_once(case: str) -> None:
    course = BROKEN_COURSES / case
    expected = yaml.safe_load((course / "expected.yml").read_text())
    report = check_course(course)
    for severity, key in ((Severity.ERROR, "errors"), (Severity.WARNING, "warnings")):
        # a key left out of expected.yml means none of that kind is expected, not "unchecked"
        wanted = expected.get(key) or []
        found = [p for p in report if p.severity is severity]
        shown = "\n".join(p.format() for p in found)
        for want in wanted:
            hits = [p for p in found if _matches(p, want, course)]
            assert len(hits) == 1, f"expected one {key[:-1]} like {want}, got:\n{shown}"
        assert len(found) == len(wanted), f"unexpected {key}:\n{shown}"
    assert report.ok is (expected["exit"] == 0)


@pytest.mark.parametrize("case", CASES)
def test_cli_exit_code_and_no_traceback(case: str) -> None:
    course = BROKEN_COURSES / case
    expected = yaml.safe_load((course / "expected.yml").read_text())
    result = CliRunner().invoke(main, ["check", str(course)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code == expected["exit"], result.output
    for want in expected.get("errors", []):
        assert want["contains"] in result.output
