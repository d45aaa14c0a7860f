"""A picture of the skill graph: layered by depth, prerequisites above, tracks in colour."""

from __future__ import annotations

import textwrap
from pathlib import Path

from kit.course.model import Course

FORMATS = (".svg", ".png", ".pdf")
TRACK_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#e377c2"]
BOX_WIDTH, BOX_HEIGHT = 2.3, 0.62
COLUMN, ROW = 2.75, 1.45


def _order_layers(course: Course) -> list[list[str]]:
    """Layers with nodes ordered to cut edge crossings (a few barycentre sweeps)."""
    graph = course.graph
    layers = graph.layers()
    for sweep in range(6):
        downward = sweep % 2 == 0
        sequence = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for i in sequence:
            ref = layers[i - 1] if downward else layers[i + 1]
            pos = {node: index for index, node in enumerate(ref)}

            def centre(node: str) -> float:
                near = graph.graph.predecessors(node) if downward else graph.graph.successors(node)
                # a neighbour several layers away counts by its layer's nearest ordering
                found = [pos[n] for n in near if n in pos]
                return sum(found) / len(found) if found else float(layers[i].index(node))

            layers[i] = sorted(layers[i], key=lambda n: (centre(n), graph.rank[n]))
    return layers


def draw_skill_graph(course: Course, output: str | Path, *, track: str | None = None) -> Path:
    """Draw the skill graph of ``course`` to ``output`` (.svg, .png or .pdf).

    Every track has a colour: a dot under each skill it needs, and a thick border on its goal
    skills. With ``track`` given, that track's skills are filled and the others fade.

    Returns
    -------
    Path
        The file written.
    """
    output = Path(output)
    if output.suffix.lower() not in FORMATS:
        raise ValueError(f"cannot draw to '{output.name}': use a name ending in {', '.join(FORMATS)}")
    if track is not None and track not in course.tracks:
        known = ", ".join(course.tracks) or "none"
        raise ValueError(f"unknown track '{track}' (tracks: {known})")

    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

    graph = course.graph
    layers = _order_layers(course)
    width = max((len(layer) for layer in layers), default=1)
    xy: dict[str, tuple[float, float]] = {}
    for depth, layer in enumerate(layers):
        offset = (width - len(layer)) * COLUMN / 2
        for index, node in enumerate(layer):
            xy[node] = (offset + index * COLUMN, -depth * ROW)

    tracks = list(course.tracks.values())
    colour = {t.id: TRACK_COLOURS[i % len(TRACK_COLOURS)] for i, t in enumerate(tracks)}
    needs = {t.id: set(graph.closure(t.goals)) for t in tracks}
    focus = needs.get(track) if track else None

    fig = Figure(figsize=(max(6.0, width * 2.9), max(3.0, len(layers) * 1.35 + 1.4)))
    ax = fig.add_axes((0.01, 0.08, 0.98, 0.84))
    ax.set_axis_off()

    for pre, skill in graph.graph.edges:
        (x0, y0), (x1, y1) = xy[pre], xy[skill]
        inside = focus is None or (pre in focus and skill in focus)
        ax.add_patch(FancyArrowPatch(
            (x0, y0 - BOX_HEIGHT / 2), (x1, y1 + BOX_HEIGHT / 2),
            arrowstyle="-|>", mutation_scale=11, lw=1.1, shrinkA=1, shrinkB=2,
            connectionstyle="arc3,rad=0.08" if abs(y0 - y1) > ROW * 1.5 else "arc3,rad=0",
            color="#555555" if inside else "#dddddd", zorder=1,
        ))

    for node, (x, y) in xy.items():
        faded = focus is not None and node not in focus
        goal_of = [t.id for t in tracks if node in t.goals]
        face = "#ffffff"
        if focus is not None and not faded and track is not None:
            face = "#eef4fb" if node not in course.tracks[track].goals else "#d6e6f7"
        edge = colour[goal_of[0]] if goal_of and not faded else ("#cccccc" if faded else "#444444")
        ax.add_patch(FancyBboxPatch(
            (x - BOX_WIDTH / 2, y - BOX_HEIGHT / 2), BOX_WIDTH, BOX_HEIGHT,
            boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=face, edgecolor=edge,
            lw=2.6 if goal_of and not faded else 1.0, zorder=2,
        ))
        label = textwrap.fill(course.skills[node].title, 24)
        ax.text(x, y + 0.02, label, ha="center", va="center", fontsize=8.2, zorder=3,
                color="#aaaaaa" if faded else "#111111")
        members = [t.id for t in tracks if node in needs[t.id]]
        for k, track_id in enumerate(members):
            dx = (k - (len(members) - 1) / 2) * 0.16
            ax.plot(x + dx, y - BOX_HEIGHT / 2 + 0.09, "o", ms=4, zorder=4,
                    color="#dddddd" if faded else colour[track_id])

    xs = [p[0] for p in xy.values()] or [0.0]
    ys = [p[1] for p in xy.values()] or [0.0]
    ax.set_xlim(min(xs) - BOX_WIDTH / 2 - 0.2, max(xs) + BOX_WIDTH / 2 + 0.2)
    ax.set_ylim(min(ys) - BOX_HEIGHT, max(ys) + BOX_HEIGHT)
    ax.set_aspect("equal", adjustable="datalim")

    heading = course.title if track is None else f"{course.title}: {course.tracks[track].title}"
    fig.suptitle(heading, fontsize=12, y=0.985)
    handles: list[Patch | Line2D] = [
        Patch(facecolor="white", edgecolor=colour[t.id], lw=2.4, label=f"{t.title} (goal)")
        for t in tracks
    ]
    if tracks:
        handles.append(Line2D([], [], marker="o", ls="", color="#777777", ms=4,
                              label="dot: needed by that track"))
        fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4),
                   fontsize=8, frameon=False)

    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    # SVG: text stays text (searchable, smaller), and ids are stable so diffs stay small
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "mentor-kit"}):
        fig.savefig(tmp, format=output.suffix.lower()[1:], dpi=150, metadata=_metadata(output))
    tmp.replace(output)
    return output


def _metadata(output: Path) -> dict[str, str | None]:
    suffix = output.suffix.lower()
    if suffix == ".svg":
        return {"Date": None, "Creator": "Mentor Kit"}
    if suffix == ".pdf":
        return {"CreationDate": None, "Creator": "Mentor Kit"}
    return {"Software": "Mentor Kit"}
