"""Checking a course folder and reporting every problem at once.

:func:`check_course` never raises for a mistake in the course: each one becomes a
:class:`~kit.course.problems.Problem` naming the file, the line, the field and a fix. The steps
live by what they read: :mod:`.manifest` (course.yml), :mod:`.notebooks` (lessons and projects)
and :mod:`.questions` (questions.csv).
"""

from __future__ import annotations

from pathlib import Path

from kit.course.manifest import Manifest
from kit.course.model import Course
from kit.course.problems import CourseError, Problem, Report
from kit.course.validation.manifest import MANIFEST_NAME, CourseCheck, find_manifest
from kit.course.validation.notebooks import check_lessons, check_projects
from kit.course.validation.questions import (
    OFF_TOPIC,
    QUESTIONS_NAME,
    iter_question_problems,
)

__all__ = [
    "MANIFEST_NAME",
    "OFF_TOPIC",
    "QUESTIONS_NAME",
    "check_course",
    "find_manifest",
    "iter_question_problems",
    "load_course",
]


def _check(course_dir: Path) -> CourseCheck:
    """Run every step that the course's state allows; the check, with its report sorted."""
    check = CourseCheck(course_dir)
    if check.run():
        check_lessons(check)
        check_projects(check)
        check.untaught_skills()
        questions = check.dir / QUESTIONS_NAME
        if questions.is_file():
            skills = [skill.id for _, skill in check.valid["skills"]]
            check.report.extend(iter_question_problems(questions, skills))
        _sort(check.report, check.manifest_path)
    return check


def _sort(report: Report, manifest: Path) -> None:
    """course.yml first, by line; then the other files, each in the order found."""

    def key(problem: Problem) -> tuple[bool, str, int]:
        is_manifest = problem.file == manifest
        return (not is_manifest, "" if is_manifest else str(problem.file), problem.line or 0)

    report.problems.sort(key=key)


def check_course(course_dir: str | Path) -> Report:
    """Check a course folder; return every problem found (errors and warnings)."""
    return _check(Path(course_dir)).report


def load_course(course_dir: str | Path, *, report: Report | None = None) -> Course:
    """Load and check a course.

    Parameters
    ----------
    course_dir:
        The course folder, or its course.yml.
    report:
        Ignored unless given: then the problems found are added to it (warnings included).

    Raises
    ------
    CourseError
        When the course has errors; ``exc.report`` lists them all.
    """
    check = _check(Path(course_dir))
    if report is not None:
        report.extend(check.report)
    if not check.report.ok:
        raise CourseError(check.report)
    assert check.source is not None  # a course without errors was read
    manifest = Manifest.model_validate(check.source.data)
    return Course(root=check.manifest_path.parent, manifest=manifest)
