"""``kit new``, ``kit check``, ``kit info``, ``kit graph`` and ``kit schema``: the course itself."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kit.cli._common import COURSE, console, drawing, load, output_option, print_report, wrote


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--id", "course_id", help="Course id (a lower-case slug); defaults to the folder name."
)
@click.option("--title", help="Course title; defaults to one made from the id.")
def new(directory: Path, course_id: str | None, title: str | None) -> None:
    """Create a small working course in DIRECTORY that passes 'kit check'."""
    from kit.course.scaffold import new_course

    root = new_course(directory, course_id=course_id, title=title)
    out = console()
    out.print(f"[green]created[/green] {root}")
    out.print(f"next: edit {root / 'course.yml'}, then run 'kit check {root}'")


@click.command()
@COURSE
@click.option("--json", "as_json", is_flag=True, help="Print the problems as one JSON object.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any problem).")
def check(course: Path, as_json: bool, strict: bool) -> None:
    """Check COURSE and report every problem at once.

    Exit code 0: no errors (warnings allowed unless --strict); 1: errors found.
    """
    from kit.course import check_course

    report = check_course(course)
    if as_json:
        payload = {
            "course": str(course),
            "ok": report.ok,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "problems": [p.to_dict() for p in report],
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        print_report(report)
    if not report.ok or (strict and report.warnings):
        sys.exit(1)


@click.command()
@COURSE
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def info(course: Path, as_json: bool) -> None:
    """Summarise COURSE: skills, lessons, projects, and tracks with their total hours."""
    from kit.course.summary import course_summary, print_summary

    loaded = load(course)
    if as_json:
        click.echo(json.dumps(course_summary(loaded), indent=2))
    else:
        print_summary(loaded, console())


@click.command()
@COURSE
@output_option("Picture to write: .svg, .png or .pdf.", default=Path("skills.svg"))
@click.option("--track", help="Highlight this track's skills and fade the rest.")
def graph(course: Path, output: Path, track: str | None) -> None:
    """Draw the skill graph of COURSE, layered by depth, tracks in colour."""
    from kit.course.drawing import draw_skill_graph

    loaded = load(course)
    with drawing(output):
        written = draw_skill_graph(loaded, output, track=track)
    wrote(written)


@click.command()
@output_option("Write the schema to this file instead of printing it.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of course.yml (for editors and CI checks)."""
    from kit.course.manifest import json_schema_text

    text = json_schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        wrote(output)


COMMANDS = (new, check, info, graph, schema)
