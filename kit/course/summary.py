"""What ``kit info`` shows: the course in tables, and the same as JSON."""

from __future__ import annotations

from typing import Any

from kit.course.model import Course


def course_summary(course: Course) -> dict[str, Any]:
    """The course as plain data: skills, lessons, projects and tracks with their hours."""
    graph = course.graph
    return {
        "id": course.id,
        "title": course.title,
        "version": course.manifest.version,
        "skills": [
            {
                "id": s.id,
                "title": s.title,
                "prerequisites": list(s.prerequisites),
                "depth": graph.depth[s.id],
                "lessons": [lesson.id for lesson in course.lessons_teaching(s.id)],
                "mentors": [m.id for m in course.mentors_for(s.id)],
            }
            for s in (course.skills[i] for i in graph.order)
        ],
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
        "tracks": [
            {
                "id": t.id,
                "title": t.title,
                "goals": list(t.goals),
                "skills": summary.skills,
                "lessons": [x.id for x in summary.lessons],
                "projects": [p.id for p in summary.projects],
                "hours": summary.hours,
            }
            for t in course.manifest.tracks
            for summary in [course.track_summary(t)]
        ],
        "mentors": [
            {"id": m.id, "name": m.name, "skills": list(m.skills), "contact": m.contact}
            for m in course.manifest.mentors
        ],
        "total_hours": round(
            (
                sum(x.minutes for x in course.manifest.lessons)
                + sum(p.minutes for p in course.manifest.projects)
            )
            / 60,
            1,
        ),
    }


def _count(items: list[Any], word: str) -> str:
    return f"{len(items)} {word}{'' if len(items) == 1 else 's'}"


def print_summary(course: Course, console: Any) -> None:
    """Print the summary as rich tables."""
    from rich.table import Table

    data = course_summary(course)
    console.print(
        f"[bold]{data['title']}[/bold] ({data['id']}, version {data['version']}): "
        f"{_count(data['skills'], 'skill')}, {_count(data['lessons'], 'lesson')}, "
        f"{_count(data['projects'], 'project')}, {data['total_hours']:g} hours in all"
    )

    def table(title: str, *columns: str) -> Any:
        t = Table(title=title, title_justify="left", title_style="bold")
        for column in columns:
            t.add_column(
                column, justify="right" if column in ("depth", "min", "points", "hours") else "left"
            )
        return t

    skills = table(
        "Skills (prerequisites first)",
        "id",
        "title",
        "depth",
        "prerequisites",
        "taught by",
        "mentors",
    )
    for s in data["skills"]:
        taught = ", ".join(s["lessons"]) or "[yellow]no lesson[/yellow]"
        skills.add_row(
            s["id"],
            s["title"],
            str(s["depth"]),
            ", ".join(s["prerequisites"]),
            taught,
            ", ".join(s["mentors"]),
        )
    console.print(skills)

    lessons = table("Lessons", "id", "title", "skills", "level", "min")
    for x in data["lessons"]:
        lessons.add_row(x["id"], x["title"], ", ".join(x["skills"]), x["level"], str(x["minutes"]))
    console.print(lessons)

    if data["projects"]:
        projects = table("Projects", "id", "title", "skills", "points", "min")
        for p in data["projects"]:
            projects.add_row(
                p["id"], p["title"], ", ".join(p["skills"]), f"{p['points']:g}", str(p["minutes"])
            )
        console.print(projects)

    if data["tracks"]:
        tracks = table(
            "Tracks (from scratch)",
            "id",
            "title",
            "goals",
            "skills",
            "lessons",
            "projects",
            "hours",
        )
        for t in data["tracks"]:
            tracks.add_row(
                t["id"],
                t["title"],
                ", ".join(t["goals"]),
                str(len(t["skills"])),
                str(len(t["lessons"])),
                str(len(t["projects"])),
                f"{t['hours']:g}",
            )
        console.print(tracks)
