"""The course: manifest model, loading with validation, and the skill graph."""

from __future__ import annotations

from kit.course.graph import SkillGraph
from kit.course.manifest import (
    Check,
    Lesson,
    Level,
    Manifest,
    Mentor,
    Project,
    Skill,
    Track,
    json_schema,
)
from kit.course.model import Course, TrackSummary
from kit.course.problems import CourseError, Problem, Report, Severity
from kit.course.validation import (
    OFF_TOPIC,
    QUESTIONS_NAME,
    check_course,
    iter_question_problems,
    load_course,
)

__all__ = [
    "OFF_TOPIC",
    "QUESTIONS_NAME",
    "Check",
    "Course",
    "CourseError",
    "Lesson",
    "Level",
    "Manifest",
    "Mentor",
    "Problem",
    "Project",
    "Report",
    "Severity",
    "Skill",
    "SkillGraph",
    "Track",
    "TrackSummary",
    "check_course",
    "iter_question_problems",
    "json_schema",
    "load_course",
]
