"""A plan as HTML (for the widget and the book), as text (for a terminal) and as a picture."""

from __future__ import annotations

import html
import io
from pathlib import Path, PurePosixPath

from kit.course import Course
from kit.paths.planner import Plan

DONE, NEXT, LATER = "#2ca02c", "#ff7f0e", "#1f77b4"

PLAN_CSS = """<style>
.kit-plan table { border-collapse: collapse; margin: 0.4em 0 0.8em; }
.kit-plan th, .kit-plan td { padding: 4px 10px; text-align: left; vertical-align: top;
  border-bottom: 1px solid var(--jp-border-color2, #e0e0e0); line-height: 1.35; }
.kit-plan th { border-bottom-width: 2px; }
.kit-plan td.kit-num { white-space: nowrap; text-align: right; }
.kit-plan a { color: var(--jp-content-link-color, #1976d2); text-decoration: underline; }
.kit-plan .kit-note { color: var(--jp-warn-color0, #8a5a00); }
</style>"""


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h" if minutes >= 60 else f"{minutes} min"


def _link(path: str, base: PurePosixPath | None) -> str:
    if base is None:
        return path
    target = PurePosixPath(path)
    # relative to the notebook that shows the plan (JupyterLab opens relative links in place)
    up = len(base.parts)
    return str(PurePosixPath(*([".."] * up), target)) if up else str(target)


def plan_html(course: Course, plan: Plan, *, link_base: str | None = "") -> str:
    """The plan as an HTML fragment: summary, notes, the ordered table with reasons, the weeks.

    ``link_base`` is the folder, relative to the course folder, of the notebook that shows the
    plan (``""`` for the course folder itself); links to lessons are made relative to it.
    ``None`` leaves paths as they are.
    """
    base = None if link_base is None else PurePosixPath(link_base or ".")
    if base is not None and base == PurePosixPath("."):
        base = PurePosixPath()
    esc = html.escape
    goals = ", ".join(esc(course.skills[g].title) for g in plan.goals)
    done, needed = len(plan.mastered), len(plan.needed)
    parts = [
        PLAN_CSS,
        '<div class="kit-plan">',
        f"<p><b>Goal:</b> {goals}. <b>Skills mastered:</b> {done} of {needed} "
        f'<progress value="{done}" max="{max(needed, 1)}"></progress></p>',
    ]
    if plan.items:
        parts.append(
            f"<p><b>Still to do:</b> {len(plan.items)} items, about {_hours(plan.minutes)}, "
            f"over {len(plan.weeks)} week{'s' if len(plan.weeks) != 1 else ''}.</p>"
        )
    parts += [f'<p class="kit-note">{esc(m)}</p>' for m in plan.messages]
    if plan.items:
        parts.append(
            '<table class="kit-plan-table"><thead><tr><th>#</th><th>week</th><th>what</th>'
            "<th>time</th><th>why</th></tr></thead><tbody>"
        )
        for number, item in enumerate(plan.items, start=1):
            label = "Project: " if item.kind == "project" else ""
            what = esc(label + item.title)
            if item.notebook:
                what = f'<a href="{esc(_link(item.path, base))}">{what}</a>'
            parts.append(
                f'<tr><td class="kit-num">{number}</td><td class="kit-num">{item.week}</td>'
                f'<td>{what}</td><td class="kit-num">{item.minutes} min</td>'
                f"<td>{esc(item.reason)}</td></tr>"
            )
        parts.append("</tbody></table>")
        parts.append("<p><b>Week by week</b></p><ul>")
        for week in plan.weeks:
            titles = ", ".join(esc(i.title) for i in week.items) or "(continue the work above)"
            parts.append(f"<li>Week {week.number} ({_hours(week.minutes)}): {titles}</li>")
        parts.append("</ul>")
    parts.append("</div>")
    return "\n".join(parts)


def plan_text(course: Course, plan: Plan) -> str:
    """The plan as plain text, for a terminal or a log."""
    goals = ", ".join(course.skills[g].title for g in plan.goals)
    lines = [f"Goal: {goals}. Mastered {len(plan.mastered)} of {len(plan.needed)} skills."]
    lines += plan.messages
    for week in plan.weeks:
        lines.append(f"Week {week.number} ({_hours(week.minutes)}):")
        lines += [f"  - {i.title} ({i.minutes} min): {i.reason}" for i in week.items]
    return "\n".join(lines)


def draw_plan(course: Course, plan: Plan, output: str | Path | None = None) -> bytes | Path:
    """The learner's path on the skill graph: done (green), next (orange), later (blue).

    Writes ``output`` (.svg, .png or .pdf) and returns its path, or returns PNG bytes when no
    output is given (for a widget).
    """
    from matplotlib.colors import to_rgba

    from kit.course.drawing import LegendEntry, NodeStyle, check_output, render

    mastered = set(plan.mastered)
    upcoming = {s for item in plan.items for s in item.skills}
    first = set(plan.items[0].skills) if plan.items else set()
    needed = set(plan.needed)
    style: dict[str, NodeStyle] = {}
    for node in course.graph.order:
        if node in mastered:
            look = NodeStyle(face=to_rgba(DONE, 0.25), edge=DONE, width=1.6)
        elif node in first:
            look = NodeStyle(face=to_rgba(NEXT, 0.3), edge=NEXT, width=2.6)
        elif node in upcoming:
            look = NodeStyle(face=to_rgba(LATER, 0.1), edge=LATER, width=1.6)
        elif node in needed:  # needed, but no lesson teaches it yet
            look = NodeStyle(edge=LATER, width=1.0, text="#555555")
        else:
            look = NodeStyle(edge="#cccccc", text="#aaaaaa", faded=True)
        if node in plan.goals:
            look = NodeStyle(look.face, look.edge, 3.2, look.text, ("#111111",), look.faded)
        style[node] = look
    legend = [
        LegendEntry("done", face=to_rgba(DONE, 0.25), edge=DONE, width=1.6),
        LegendEntry("next", face=to_rgba(NEXT, 0.3), edge=NEXT, width=2.6),
        LegendEntry("later", face=to_rgba(LATER, 0.1), edge=LATER, width=1.6),
        LegendEntry("goal", edge="#111111", dot=True),
    ]
    if needed - mastered - upcoming:
        legend.insert(3, LegendEntry("needed, no lesson yet", edge=LATER))
    heading = f"Your path: {', '.join(course.skills[g].title for g in plan.goals)}"
    if output is None:
        buffer = io.BytesIO()
        render(course, style, legend, heading, buffer, fmt="png")
        return buffer.getvalue()
    path = check_output(output)
    render(course, style, legend, heading, path)
    return path
