"""A picture of the skill graph: layered by depth, prerequisites above, tracks in colour."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from kit.course.model import Course
from kit.errors import KitError

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


@dataclass(frozen=True)
class NodeStyle:
    """How one skill's box looks."""

    face: str | tuple[float, float, float, float] = "#ffffff"
    edge: str = "#444444"
    width: float = 1.0
    text: str = "#111111"
    dots: tuple[str, ...] = ()
    """Small coloured dots under the title (one per track that needs the skill)."""
    faded: bool = False
    """Edges touching a faded box are drawn faint."""


@dataclass(frozen=True)
class LegendEntry:
    """One entry of the legend under the picture."""

    label: str
    face: str | tuple[float, float, float, float] = "#ffffff"
    edge: str = "#444444"
    width: float = 1.0
    dot: bool = False


class DrawingError(KitError, ValueError):
    """A picture that cannot be drawn as asked (its format, its track); a ``ValueError`` too,
    as callers have caught."""


def check_output(output: str | Path) -> Path:
    """The output path, if its format can be drawn; else a :class:`DrawingError` naming the
    choices."""
    output = Path(output)
    if output.suffix.lower() not in FORMATS:
        raise DrawingError(
            f"cannot draw to '{output.name}': use a name ending in {', '.join(FORMATS)}",
            fix=f"name the picture e.g. '{output.stem or 'skills'}.svg'",
        )
    return output


def render(
    course: Course,
    style: dict[str, NodeStyle],
    legend: list[LegendEntry],
    heading: str,
    output: str | Path | BinaryIO,
    *,
    fmt: str | None = None,
) -> None:
    """Draw the layered skill graph with one style per skill to a file or a binary stream."""
    from matplotlib.figure import Figure

    layout = _layout(course)
    inches_x = max(6.0, layout.width * 1.05 + 0.4)
    inches_y = max(3.0, layout.layers * ROW * 0.95 + 1.6)
    fig = Figure(figsize=(inches_x, inches_y))
    ax = fig.add_axes((0.01, 1.0 / inches_y, 0.98, 1 - 1.5 / inches_y))
    ax.set_axis_off()
    _draw_edges(ax, layout, style)
    _draw_boxes(ax, layout, style, course)
    ax.set_xlim(-0.1, layout.width + 0.1)
    ax.set_ylim(-(layout.layers - 1) * ROW - BOX_HEIGHT, BOX_HEIGHT)
    ax.set_aspect("equal", adjustable="box")
    fig.suptitle(heading, fontsize=12, y=0.985)
    _draw_legend(fig, legend)
    _save(fig, output, fmt)


def _draw_edges(ax: Any, layout: _Layout, style: dict[str, NodeStyle]) -> None:
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path as MplPath

    for pre, skill, points in layout.edges:
        faint = style[pre].faded or style[skill].faded
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
                color="#dddddd" if faint else "#555555",
                zorder=1,
            )
        )


def _draw_boxes(ax: Any, layout: _Layout, style: dict[str, NodeStyle], course: Course) -> None:
    from matplotlib.patches import FancyBboxPatch

    for node, (x, y) in layout.xy.items():
        look = style[node]
        ax.add_patch(
            FancyBboxPatch(
                (x - BOX_WIDTH / 2, y - BOX_HEIGHT / 2),
                BOX_WIDTH,
                BOX_HEIGHT,
                boxstyle="round,pad=0.02,rounding_size=0.12",
                facecolor=look.face,
                edgecolor=look.edge,
                lw=look.width,
                zorder=2,
            )
        )
        label = textwrap.fill(course.skills[node].title, 24)
        ax.text(
            x, y + 0.02, label, ha="center", va="center", fontsize=8.2, zorder=3, color=look.text
        )
        for k, dot in enumerate(look.dots):
            dx = (k - (len(look.dots) - 1) / 2) * 0.16
            ax.plot(x + dx, y - BOX_HEIGHT / 2 + 0.09, "o", ms=4, zorder=4, color=dot)


def _draw_legend(fig: Any, legend: list[LegendEntry]) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Patch | Line2D] = [
        Line2D([], [], marker="o", ls="", color=e.edge, ms=4, label=e.label)
        if e.dot
        else Patch(facecolor=e.face, edgecolor=e.edge, lw=e.width, label=e.label)
        for e in legend
    ]
    if handles:
        fig.legend(
            handles=handles,
            loc="lower center",
            ncol=min(len(handles), 4),
            fontsize=8,
            frameon=False,
        )


def _save(fig: Any, output: str | Path | BinaryIO, fmt: str | None) -> None:
    """Write the figure to a file (atomically: a reader never sees half a picture) or a stream."""
    import matplotlib

    fmt = fmt or (Path(output).suffix.lower()[1:] if isinstance(output, str | Path) else "png")
    # SVG: text stays text (searchable, smaller), and ids are stable so diffs stay small
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "mentor-kit"}):
        if isinstance(output, str | Path):
            output = Path(output)
            output.parent.mkdir(parents=True, exist_ok=True)
            tmp = output.with_name(f".{output.name}.tmp")
            fig.savefig(tmp, format=fmt, dpi=150, metadata=_metadata(fmt))
            tmp.replace(output)
        else:
            fig.savefig(output, format=fmt, dpi=110, metadata=_metadata(fmt))


def draw_skill_graph(course: Course, output: str | Path, *, track: str | None = None) -> Path:
    """Draw the skill graph of ``course`` to ``output`` (.svg, .png or .pdf).

    Every track has a colour: a dot under each skill it needs, and a thick border on its goal
    skills. With ``track`` given, that track's skills are filled and the others fade.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    DrawingError
        ``output`` names a format that cannot be drawn, or ``track`` is not a track of the course.
    """
    output = check_output(output)
    if track is not None and track not in course.tracks:
        known = ", ".join(course.tracks) or "none"
        raise DrawingError(
            f"unknown track '{track}' (tracks: {known})",
            fix="name a track of course.yml"
            if course.tracks
            else "draw the whole graph (no track)",
        )
    from matplotlib.colors import to_rgba

    tracks = list(course.tracks.values())
    colour = {t.id: TRACK_COLOURS[i % len(TRACK_COLOURS)] for i, t in enumerate(tracks)}
    needs = {t.id: set(course.graph.closure(t.goals)) for t in tracks}
    focus = needs.get(track) if track else None
    style: dict[str, NodeStyle] = {}
    for node in course.graph.order:
        faded = focus is not None and node not in focus
        goal_of = [t.id for t in tracks if node in t.goals]
        face: str | tuple[float, float, float, float] = "#ffffff"
        if track is not None and not faded:
            face = to_rgba(colour[track], 0.28 if node in course.tracks[track].goals else 0.1)
        edge = colour[goal_of[0]] if goal_of and not faded else ("#cccccc" if faded else "#444444")
        dots = tuple("#dddddd" if faded else colour[t.id] for t in tracks if node in needs[t.id])
        style[node] = NodeStyle(
            face,
            edge,
            2.6 if goal_of and not faded else 1.0,
            "#aaaaaa" if faded else "#111111",
            dots,
            faded,
        )
    legend = [LegendEntry(f"{t.title} (goal)", edge=colour[t.id], width=2.4) for t in tracks]
    if tracks:
        legend.append(LegendEntry("dot: needed by that track", edge="#777777", dot=True))
    heading = course.title if track is None else f"{course.title}: {course.tracks[track].title}"
    render(course, style, legend, heading, output)
    return output


def _metadata(fmt: str) -> dict[str, str | None]:
    if fmt == "svg":
        return {"Date": None, "Creator": "Mentor Kit"}
    if fmt == "pdf":
        return {"CreationDate": None, "Creator": "Mentor Kit"}
    return {"Software": "Mentor Kit"}
