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
from kit.course.validation import check_course, load_course

__all__ = [
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
    "json_schema",
    "load_course",
]
