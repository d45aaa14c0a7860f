"""Courses built in memory for planner tests (no files needed: the planner reads the model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kit.course import Course, Manifest


def make_course(
    skills: dict[str, list[str]],
    lessons: dict[str, tuple[list[str], int]],
    projects: dict[str, tuple[list[str], int]] | None = None,
    tracks: dict[str, list[str]] | None = None,
    mentors: dict[str, list[str]] | None = None,
    checks: dict[str, str] | None = None,
) -> Course:
    """skills: id -> prerequisites; lessons/projects: id -> (skills, minutes); tracks: id -> goals;
    checks: id -> the skill of a two-choice self-check question."""
    data: dict[str, Any] = {
        "id": "test",
        "title": "Test course",
        "skills": [{"id": s, "title": s.upper(), "prerequisites": p} for s, p in skills.items()],
        "lessons": [
            {
                "id": i,
                "notebook": f"lessons/{i}.ipynb",
                "title": f"Lesson {i}",
                "skills": sk,
                "minutes": m,
            }
            for i, (sk, m) in lessons.items()
        ],
        "projects": [
            {
                "id": i,
                "source": f"projects/{i}",
                "title": f"Project {i}",
                "skills": sk,
                "points": 1,
                "minutes": m,
            }
            for i, (sk, m) in (projects or {}).items()
        ],
        "tracks": [{"id": t, "title": t.title(), "goals": g} for t, g in (tracks or {}).items()],
        "mentors": [
            {"id": m, "name": m.title(), "skills": sk} for m, sk in (mentors or {}).items()
        ],
        "checks": [
            {"id": i, "skill": sk, "question": f"{i}?", "choices": ["yes", "no"], "answer": "yes"}
            for i, sk in (checks or {}).items()
        ],
    }
    return Course(root=Path("/nonexistent"), manifest=Manifest.model_validate(data))


def chain_course() -> Course:
    """a -> b -> c -> d, plus x (independent), with one lesson per skill and a project on c."""
    return make_course(
        skills={"a": [], "b": ["a"], "x": [], "c": ["b"], "d": ["c", "x"]},
        lessons={
            "la": (["a"], 30),
            "lb": (["b"], 40),
            "lx": (["x"], 20),
            "lc": (["c"], 50),
            "ld": (["d"], 60),
        },
        projects={"pc": (["b", "c"], 90)},
        tracks={"to-c": ["c"], "to-d": ["d"]},
        mentors={"mo": ["d"]},
    )
