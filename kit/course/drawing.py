"""A picture of the skill graph: layered by depth, prerequisites above, tracks in colour."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from kit.course.model import Course

FORMATS = (".svg", ".png", ".pdf")
TRACK_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#e377c2"]
BOX_WIDTH, BOX_HEIGHT = 2.3, 0.62
COLUMN, ROW = 2.75, 1.45
VIRTUAL_COLUMN = 0.6


@dataclass
class _Layout:
    """Where everything goes: boxes for skills, and each edge as a chain of points."""

    xy: dict[str, tuple[float, float]]
    edges: list[tuple[str, str, list[tuple[float, float]]]]
    width: float
    layers: int


def _layout(course: Course) -> _Layout:
    """A layered (Sugiyama-style) layout of the skill graph.

    Only direct prerequisites are drawn (the transitive reduction: if B needs A and C needs B,
    an edge A -> C adds nothing). An edge that skips layers runs through virtual points, one per
    layer, so it never passes behind a box. Nodes are ordered by barycentre sweeps, down then up,
    to cut crossings; ties keep the order of course.yml.
    """
    import networkx as nx

    skills = course.graph
    depth = dict(skills.depth)
    reduced = nx.transitive_reduction(skills.graph)
    layered: nx.DiGraph[str] = nx.DiGraph()
    layered.add_nodes_from(skills.order)
    rank = {node: float(r) for node, r in skills.rank.items()}
    chains: list[tuple[str, str, list[str]]] = []
    for pre, skill in sorted(reduced.edges, key=lambda e: (rank[e[0]], rank[e[1]])):
        chain = [pre]
        for level in range(depth[pre] + 1, depth[skill]):
            virtual = f"\0{pre}\0{skill}\0{level}"
            depth[virtual] = level
            rank[virtual] = rank[skill]
            chain.append(virtual)
        chain.append(skill)
        nx.add_path(layered, chain)
        chains.append((pre, skill, chain))

    layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for node in sorted(layered.nodes, key=lambda n: rank[n]):
        layers[depth[node]].append(node)

    def place(layer: list[str]) -> dict[str, float]:
        return {node: (k + 0.5) / len(layer) for k, node in enumerate(layer)}

    position: dict[str, float] = {}
    for layer in layers:
        position.update(place(layer))
    for sweep in range(8):
        downward = sweep % 2 == 0
        for i in range(len(layers)) if downward else reversed(range(len(layers))):
            centres: dict[str, float] = {}
            for node in layers[i]:
                near = layered.predecessors(node) if downward else layered.successors(node)
                found = [position[n] for n in near]
                centres[node] = sum(found) / len(found) if found else position[node]
            layers[i] = sorted(layers[i], key=lambda n: (centres[n], rank[n]))
            position.update(place(layers[i]))

    def slot(node: str) -> float:
        return VIRTUAL_COLUMN if node.startswith("\0") else COLUMN

    widths = [sum(slot(n) for n in layer) for layer in layers]
    width = max(widths, default=COLUMN)
    xy: dict[str, tuple[float, float]] = {}
    for level, layer in enumerate(layers):
        x = (width - widths[level]) / 2
        for node in layer:
            xy[node] = (x + slot(node) / 2, -level * ROW)
            x += slot(node)
    edges = [(pre, skill, [xy[n] for n in chain]) for pre, skill, chain in chains]
    return _Layout({n: p for n, p in xy.items() if n in skills}, edges, width, len(layers))


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
        raise ValueError(
            f"cannot draw to '{output.name}': use a name ending in {', '.join(FORMATS)}"
        )
    if track is not None and track not in course.tracks:
        known = ", ".join(course.tracks) or "none"
        raise ValueError(f"unknown track '{track}' (tracks: {known})")

    import matplotlib
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
    from matplotlib.path import Path as MplPath

    graph = course.graph
    layout = _layout(course)
    xy = layout.xy

    tracks = list(course.tracks.values())
    colour = {t.id: TRACK_COLOURS[i % len(TRACK_COLOURS)] for i, t in enumerate(tracks)}
    needs = {t.id: set(graph.closure(t.goals)) for t in tracks}
    focus = needs.get(track) if track else None

    inches_x = max(6.0, layout.width * 1.05 + 0.4)
    inches_y = max(3.0, layout.layers * ROW * 0.95 + 1.6)
    fig = Figure(figsize=(inches_x, inches_y))
    ax = fig.add_axes((0.01, 1.0 / inches_y, 0.98, 1 - 1.5 / inches_y))
    ax.set_axis_off()

    for pre, skill, points in layout.edges:
        inside = focus is None or (pre in focus and skill in focus)
        (x0, y0), (x1, y1) = points[0], points[-1]
        # through a layer the edge runs straight down, so it only slants between rows of boxes
        through = [(x, y + dy) for x, y in points[1:-1] for dy in (BOX_HEIGHT / 2, -BOX_HEIGHT / 2)]
        vertices = [(x0, y0 - BOX_HEIGHT / 2), *through, (x1, y1 + BOX_HEIGHT / 2)]
        codes = [MplPath.MOVETO] + [MplPath.LINETO] * (len(vertices) - 1)
        ax.add_patch(
            FancyArrowPatch(
                path=MplPath(vertices, codes),
                arrowstyle="-|>",
                mutation_scale=11,
                lw=1.1,
                color="#555555" if inside else "#dddddd",
                zorder=1,
            )
        )

    for node, (x, y) in xy.items():
        faded = focus is not None and node not in focus
        goal_of = [t.id for t in tracks if node in t.goals]
        face: str | tuple[float, float, float, float] = "#ffffff"
        if focus is not None and not faded and track is not None:
            strength = 0.28 if node in course.tracks[track].goals else 0.1
            face = to_rgba(colour[track], strength)
        edge = colour[goal_of[0]] if goal_of and not faded else ("#cccccc" if faded else "#444444")
        ax.add_patch(
            FancyBboxPatch(
                (x - BOX_WIDTH / 2, y - BOX_HEIGHT / 2),
                BOX_WIDTH,
                BOX_HEIGHT,
                boxstyle="round,pad=0.02,rounding_size=0.12",
                facecolor=face,
                edgecolor=edge,
                lw=2.6 if goal_of and not faded else 1.0,
                zorder=2,
            )
        )
        label = textwrap.fill(course.skills[node].title, 24)
        ax.text(
            x,
            y + 0.02,
            label,
            ha="center",
            va="center",
            fontsize=8.2,
            zorder=3,
            color="#aaaaaa" if faded else "#111111",
        )
        members = [t.id for t in tracks if node in needs[t.id]]
        for k, track_id in enumerate(members):
            dx = (k - (len(members) - 1) / 2) * 0.16
            ax.plot(
                x + dx,
                y - BOX_HEIGHT / 2 + 0.09,
                "o",
                ms=4,
                zorder=4,
                color="#dddddd" if faded else colour[track_id],
            )

    ax.set_xlim(-0.1, layout.width + 0.1)
    ax.set_ylim(-(layout.layers - 1) * ROW - BOX_HEIGHT, BOX_HEIGHT)
    ax.set_aspect("equal", adjustable="box")

    heading = course.title if track is None else f"{course.title}: {course.tracks[track].title}"
    fig.suptitle(heading, fontsize=12, y=0.985)
    handles: list[Patch | Line2D] = [
        Patch(facecolor="white", edgecolor=colour[t.id], lw=2.4, label=f"{t.title} (goal)")
        for t in tracks
    ]
    if tracks:
        handles.append(
            Line2D(
                [], [], marker="o", ls="", color="#777777", ms=4, label="dot: needed by that track"
            )
        )
        fig.legend(
            handles=handles,
            loc="lower center",
            ncol=min(len(handles), 4),
            fontsize=8,
            frameon=False,
        )

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
