"""``kit book build|serve``: build the course's published book and preview it.

The build pipeline (Sphinx, nbclient, nbgrader) loads when a command runs, so ``kit --help``
stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kit.cli._common import COURSE, AliasedOption, console, load, progress_bar
from kit.errors import KitError

if TYPE_CHECKING:
    from kit.book.builder import BookResult

OUTPUT_OPTION = click.option(
    "-o",
    "--output",
    "--out",
    "output",
    cls=AliasedOption,
    hidden_aliases=("--out",),
    type=click.Path(path_type=Path, file_okay=False),
    help="Build folder (default: COURSE/_kit/book). It keeps the execution cache, so the next "
    "build runs only the lessons whose code changed.",
)

STAGES = {
    "generate": "generating the project",
    "execute": "executing lessons",
    "read": "reading pages",
    "write": "writing HTML",
    "check": "checking for leaks",
}
"""What the progress bar says for each stage of a build."""


@click.group()
def book() -> None:
    """The published book: Jupyter Book 1.x, built from the course folder."""


def _print_result(result: BookResult, course: Path, output: Path | None, faq: str) -> None:
    out = console()
    if result.faq:
        out.print(f"FAQ page: {result.faq} shared answer(s) from {faq}", highlight=False)
    else:
        out.print(f"no FAQ page: no answer shared with the course ({faq})", highlight=False)
    ran = [e for e in result.executions if not e.cached]
    cached = len(result.executions) - len(ran)
    if result.executions:
        out.print(
            f"executed {len(ran)} notebook(s), {cached} from the cache"
            + "".join(f"\n  {e.path}: {e.seconds:.1f} s" for e in ran)
        )
    for warning in result.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning}", markup=True, highlight=False)
    out.print(
        f"[green]built[/green] {result.pages} pages in {result.html} "
        f"({sum(result.seconds.values()):.0f} s); no solution or hidden test in them",
        markup=True,
    )
    out.print(f"preview: kit book serve {course}" + (f" -o {output}" if output else ""))


@book.command("build")
@COURSE
@OUTPUT_OPTION
@click.option(
    "--no-execute",
    is_flag=True,
    help="Show the notebooks as saved instead of running them (a quick look).",
)
def build_command(course: Path, output: Path | None, no_execute: bool) -> None:
    """Build the book of COURSE as HTML: lessons executed (cached), tracks, skill map, mentors,
    the course's FAQ (answers mentors shared, from the course database), and project briefs
    with their release notebooks (no solutions, no hidden tests).

    Exit code 1 when a lesson fails (the message names the notebook and the cell), when
    Jupyter Book fails, or when a solution or a hidden test leaked into the HTML (it is then
    removed, and the message names the page).
    """
    from kit.book import FaqItem, build_book
    from kit.state import read_faq

    loaded = load(course)
    try:
        entries, source = read_faq(loaded)
    except KitError as exc:  # an unreachable database leaves the book without its FAQ
        entries, source = [], f"the course database cannot be read: {exc.message}"
    faq = [FaqItem(e.question, e.answer, e.skill) for e in entries]
    progress = progress_bar("{task.description:<24}", "{task.fields[item]}")
    tasks: dict[str, Any] = {}

    def on_progress(stage: str, done: float, total: float, item: str) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(STAGES.get(stage, stage), total=total, item="")
        progress.update(tasks[stage], completed=done, total=total, item=item)

    with progress:
        result = build_book(
            loaded, output, execute=not no_execute, on_progress=on_progress, faq=faq
        )
    _print_result(result, course, output, source)


@book.command("serve")
@COURSE
@OUTPUT_OPTION
@click.option("--port", type=int, default=8000, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
def serve_command(course: Path, output: Path | None, port: int, host: str) -> None:
    """Preview the built book of COURSE in a browser (Ctrl-C stops)."""
    from kit.book.builder import default_out, html_dir
    from kit.book.preview import preview_server

    folder = html_dir(output or default_out(load(course)))
    if not (folder / "index.html").is_file():
        raise KitError(f"no built book in {folder}", fix=f"run 'kit book build {course}' first")
    try:
        server = preview_server(folder, host, port)
    except OSError as exc:
        raise KitError(
            f"cannot listen on {host}:{port}: {exc.strerror}", fix="try another --port"
        ) from exc
    bound = server.server_address[1]
    console().print(f"serving {folder} at http://{host}:{bound}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


COMMANDS = (book,)
