"""What the API sends: the kit's objects as JSON-ready data, in the OpenAPI document's shapes.

Paths of notebooks are made relative to the server's root folder (what JupyterLab opens), or
None for a course outside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from kit.course import Course
from kit.paths.planner import Plan
from kit.progress.attempts import Attempt
from kit.progress.cohort import AtRisk, MasteryTable
from kit.state import Answer, FaqEntry, GradingJob, Notification, Question

Relative = Callable[[str], str | None]
"""A course file's path -> its path relative to the server's root folder (or None)."""


def course_summary(course: Course, folder: str | None) -> dict[str, Any]:
    """One entry of ``GET /courses``."""
    m = course.manifest
    return {
        "id": course.id,
        "title": course.title,
        "summary": m.summary.strip(),
        "folder": folder,
        "skills": len(m.skills),
        "lessons": len(m.lessons),
        "projects": len(m.projects),
    }


def course_detail(course: Course, folder: str | None, relative: Relative) -> dict[str, Any]:
    """``GET /courses/{id}``."""
    m = course.manifest
    return {
        "id": course.id,
        "title": course.title,
        "summary": m.summary.strip(),
        "folder": folder,
        "skills": [
            {
                "id": s.id,
                "title": s.title,
                "description": s.description,
                "prerequisites": list(s.prerequisites),
            }
            for s in m.skills
        ],
        "lessons": [
            {
                "id": x.id,
                "title": x.title,
                "notebook": relative(x.notebook),
                "skills": list(x.skills),
                "minutes": x.minutes,
                "level": x.level.value,
            }
            for x in m.lessons
        ],
        "projects": [
            {
                "id": p.id,
                "title": p.title,
                "skills": list(p.skills),
                "points": p.points,
                "minutes": p.minutes,
            }
            for p in m.projects
        ],
        "tracks": [
            {"id": t.id, "title": t.title, "audience": t.audience, "goals": list(t.goals)}
            for t in m.tracks
        ],
        "mentors": [
            {"id": x.id, "name": x.name, "skills": list(x.skills), "contact": x.contact}
            for x in m.mentors
        ],
    }


def plan(result: Plan, relative: Relative) -> dict[str, Any]:
    """``GET /me/path``."""
    return {
        "goals": list(result.goals),
        "goal_met": result.goal_met,
        "minutes": result.minutes,
        "progress": round(result.progress, 4),
        "threshold": result.threshold,
        "messages": list(result.messages),
        "items": [
            {
                "kind": item.kind,
                "id": item.id,
                "title": item.title,
                "minutes": item.minutes,
                "skills": list(item.skills),
                "reason": item.reason,
                "week": item.week,
                "path": item.path,
                "notebook": relative(item.notebook) if item.notebook else None,
            }
            for item in result.items
        ],
    }


def no_plan(message: str, threshold: float) -> dict[str, Any]:
    """``GET /me/path`` for a learner with no goal (or one the course no longer has)."""
    return {
        "goals": [],
        "goal_met": False,
        "minutes": 0,
        "progress": 0.0,
        "threshold": threshold,
        "messages": [message],
        "items": [],
    }


def mastery(
    course: Course,
    learner: str,
    values: Mapping[str, float],
    attempts: list[Attempt],
    threshold: float,
) -> dict[str, Any]:
    """``GET /me/mastery``: every skill in learning order, measured or not."""
    counts: dict[str, int] = {}
    for attempt in attempts:
        counts[attempt.skill] = counts.get(attempt.skill, 0) + 1
    skills = []
    for skill_id in course.graph.order:
        value = values.get(skill_id)
        skills.append(
            {
                "id": skill_id,
                "title": course.skills[skill_id].title,
                "mastery": None if value is None else round(float(value), 4),
                "mastered": value is not None and value >= threshold,
                "attempts": counts.get(skill_id, 0),
            }
        )
    return {"learner": learner, "threshold": threshold, "skills": skills}


def attempt(a: Attempt) -> dict[str, Any]:
    """``POST /me/attempts``."""
    return {
        "learner": a.learner,
        "course": a.course,
        "skill": a.skill,
        "item": a.item,
        "correct": a.correct,
        "source": a.source,
        "time": a.time.isoformat(),
    }


def route(data: Mapping[str, Any], relative: Relative) -> dict[str, Any]:
    """A route (``Route.to_dict()``) with its lessons' notebooks relative to the root folder."""
    out = dict(data)
    for key in ("lessons", "fallback_lessons"):
        out[key] = [{**x, "notebook": relative(x["notebook"])} for x in data.get(key, [])]
    return out


def answer(a: Answer) -> dict[str, Any]:
    """An answer."""
    return {
        "id": a.id,
        "author": a.author,
        "role": a.role,
        "text": a.text,
        "created": a.created.isoformat(),
    }


def question(course: Course, q: Question, relative: Relative) -> dict[str, Any]:
    """A question with its route, mentor and answers."""
    mentor = course.mentors.get(q.mentor) if q.mentor else None
    return {
        "id": q.id,
        "course": q.course,
        "text": q.text,
        "learner": q.learner,
        "status": q.status,
        "created": q.created.isoformat(),
        "updated": q.updated.isoformat(),
        "route": route(q.route, relative) if q.route else None,
        "unrouted": q.unrouted,
        "skill": q.skill,
        "mentor": {"id": mentor.id, "name": mentor.name, "user": mentor.user} if mentor else None,
        "urgency": q.urgency,
        "urgent": q.urgent,
        "answers": [answer(a) for a in q.answers],
        "escalated": q.escalated(course.manifest.mentoring.escalate_after_hours),
        "resolved_by": q.resolved_by,
        "server_share": q.server_share,
    }


def similar(q: Question, score: float) -> dict[str, Any]:
    """An answered question like a new one: its text and its mentors' answers, never the
    asker's name (nor their follow-ups)."""
    return {
        "id": q.id,
        "text": q.text,
        "skill": q.skill,
        "status": q.status,
        "score": score,
        "answers": [
            {"text": a.text, "role": a.role, "created": a.created.isoformat()}
            for a in q.staff_answers
        ],
    }


def faq_entry(e: FaqEntry) -> dict[str, Any]:
    """An entry of the course's FAQ."""
    return {
        "id": e.id,
        "question_id": e.question_id,
        "question": e.question,
        "answer": e.answer,
        "skill": e.skill,
        "shared_by": e.author,
        "created": e.created.isoformat(),
    }


def notification(n: Notification) -> dict[str, Any]:
    """A notification."""
    return {
        "id": n.id,
        "kind": n.kind,
        "question": n.question,
        "text": n.text,
        "created": n.created.isoformat(),
    }


def job(j: GradingJob) -> dict[str, Any]:
    """A grading job."""
    return {
        "id": j.id,
        "project": j.project,
        "state": j.state,
        "done": j.done,
        "total": j.total,
        "message": j.message,
        "started": j.started.isoformat(),
        "finished": j.finished.isoformat() if j.finished else None,
    }


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


def cohort(
    course: Course,
    table: MasteryTable,
    risks: list[AtRisk],
    hardest: list[tuple[str, float, int]],
    threshold: float,
) -> dict[str, Any]:
    """``GET /cohort``."""
    means = {}
    for j, skill in enumerate(table.skills):
        tried = [v for v in table.values[:, j] if not math.isnan(v)]
        if tried:
            means[skill] = round(sum(tried) / len(tried), 4)
    return {
        "threshold": threshold,
        "learners": list(table.learners),
        "skills": [{"id": s, "title": course.skills[s].title} for s in table.skills],
        "mastery": [[_number(v) for v in row] for row in table.values],
        "at_risk": [
            {
                "learner": r.learner,
                "next_project": r.project,
                "weak": [
                    {"skill": s, "mastery": None if v is None else round(v, 4)}
                    for s, v in r.weak.items()
                ],
            }
            for r in risks
        ],
        "struggles": [
            {
                "skill": skill,
                "title": course.skills[skill].title,
                "share": round(share, 4),
                "mean": means.get(skill, 0.0),
                "learners": tried,
            }
            for skill, share, tried in hardest
        ],
    }
