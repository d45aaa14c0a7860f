"""What ``kit info`` shows: the course in tables, and the same as JSON."""

from __future__ import annotations

from typing import Any

from kit.course.model import Course


def course_summary(course: Course) -> dict[str, Any]:
    """The course as plain data: skills, lessons, projects and tracks with their hours."""
    minutes = sum(x.minutes for x in course.manifest.lessons) + sum(
        p.minutes for p in course.manifest.projects
    )
    return {
        "id": course.id,
        "title": course.title,
        "version": course.manifest.version,
        "skills": _skills(course),
        "lessons": [
            {
                "id": x.id,
                "title": x.title,
                "skills": list(x.skills),
                "minutes": x.minutes,
                "level": x.level.value,
                "notebook": x.notebook,
            }
            for x in course.manifest.lessons
        ],
        "projects": [
            {
                "id": p.id,
                "title": p.title,
                "skills": list(p.skills),
                "points": p.points,
                "minutes": p.minutes,
                "source": p.source,
            }
            for p in course.manifest.projects
        ],
        "tracks": _tracks(course),
        "mentors": [
            {"id": m.id, "name": m.name, "skills": list(m.skills), "contact": m.contact}
            for m in course.manifest.mentors
        ],
        "total_hours": round(minutes / 60, 1),
    }


def _skills(course: Course) -> list[dict[str, Any]]:
    """Each skill, prerequisites first, with who teaches and mentors it."""
    graph = course.graph
    return [
        {
            "id": s.id,
            "title": s.title,
            "prerequisites": list(s.prerequisites),
            "depth": graph.depth[s.id],
            "lessons": [lesson.id for lesson in course.lessons_teaching(s.id)],
            "mentors": [m.id for m in course.mentors_for(s.id)],
        }
        for s in (course.skills[i] for i in graph.order)
    ]


def _tracks(course: Course) -> list[dict[str, Any]]:
    """Each track with what it asks of a learner who starts from nothing."""
    tracks = []
    for track in course.manifest.tracks:
        summary = course.track_summary(track)
        tracks.append(
            {
                "id": track.id,
                "title": track.title,
                "goals": list(track.goals),
                "skills": summary.skills,
                "lessons": [x.id for x in summary.lessons],
                "projects": [p.id for p in summary.projects],
                "hours": summary.hours,
            }
        )
    return tracks


def _count(items: list[Any], word: str) -> str:
    return f"{len(items)} {word}{'' if len(items) == 1 else 's'}"


RIGHT_ALIGNED = ("depth", "min", "points", "hours")


def _table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left", title_style="bold")
    for column in columns:
        table.add_column(column, justify="right" if column in RIGHT_ALIGNED else "left")
    for row in rows:
        table.add_row(*row)
    return table


def _sections(data: dict[str, Any]) -> list[tuple[str, tuple[str, ...], list[tuple[str, ...]]]]:
    """The tables of ``kit info``: title, columns and rows of each."""
    join = ", ".join
    return [
        (
            "Skills (prerequisites first)",
            ("id", "title", "depth", "prerequisites", "taught by", "mentors"),
            [
                (
                    s["id"],
                    s["title"],
                    str(s["depth"]),
                    join(s["prerequisites"]),
                    join(s["lessons"]) or "[yellow]no lesson[/yellow]",
                    join(s["mentors"]),
                )
                for s in data["skills"]
            ],
        ),
        (
            "Lessons",
            ("id", "title", "skills", "level", "min"),
            [
                (x["id"], x["title"], join(x["skills"]), x["level"], str(x["minutes"]))
                for x in data["lessons"]
            ],
        ),
        (
            "Projects",
            ("id", "title", "skills", "points", "min"),
            [
                (p["id"], p["title"], join(p["skills"]), f"{p['points']:g}", str(p["minutes"]))
                for p in data["projects"]
            ],
        ),
        (
            "Tracks (from scratch)",
            ("id", "title", "goals", "skills", "lessons", "projects", "hours"),
            [
                (
                    t["id"],
                    t["title"],
                    join(t["goals"]),
                    str(len(t["skills"])),
                    str(len(t["lessons"])),
                    str(len(t["projects"])),
                    f"{t['hours']:g}",
                )
                for t in data["tracks"]
            ],
        ),
    ]


def print_summary(course: Course, console: Any) -> None:
    """Print the summary as rich tables."""
    data = course_summary(course)
    console.print(
        f"[bold]{data['title']}[/bold] ({data['id']}, version {data['version']}): "
        f"{_count(data['skills'], 'skill')}, {_count(data['lessons'], 'lesson')}, "
        f"{_count(data['projects'], 'project')}, {data['total_hours']:g} hours in all"
    )
    for title, columns, rows in _sections(data):
        # a course may have no projects or tracks yet; every course has skills and lessons
        if rows or title.startswith(("Skills", "Lessons")):
            console.print(_table(title, columns, rows))
