"""What every ``kit`` command shares: the console, the progress bar, loading a course, printing a
course's report, option helpers, and the one path by which errors reach the user.

Only click and the standard library are imported here at import time (rich, pydantic and the
course model load when a command runs), so ``kit --help`` answers at once. Nothing here imports
the command modules.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kit import __version__
from kit.errors import KitError

if TYPE_CHECKING:
    from kit.course import Course, Report

ISSUES_URL = "https://github.com/mentor-kit/mentor-kit/issues"

COURSE = click.argument("course", type=click.Path(path_type=Path), metavar="COURSE")
"""The ``COURSE`` argument of the commands that work on a course folder."""

SEED = click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
"""``--seed``: the random seed of a command that fits or simulates."""

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def output_option(help: str, *, default: Path | None = None, folder: bool = False) -> Decorator:
    """``-o/--output``: the one spelling, in every command, of where to write.

    Parameters
    ----------
    help:
        What is written there (and the default when there is none).
    default:
        The path written when the option is not given (shown in ``--help``).
    folder:
        True when the output is a folder (a file of that name is refused).
    """
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, file_okay=not folder),
        default=default,
        show_default=default is not None,
        help=help,
    )


def data_file_option(name: str, help: str) -> Decorator:
    """A required ``--NAME FILE`` option naming a data file the command reads (it must exist)."""
    return click.option(
        f"--{name}",
        name,
        type=click.Path(path_type=Path, exists=True, dir_okay=False),
        required=True,
        help=help,
    )


def console(stderr: bool = False) -> Any:
    """A rich console on stdout (or stderr), 120 columns wide when the output is not a terminal."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # piped output (a file, a CI log) gets room for the tables instead of rich's 80 columns
    width = None if stream.isatty() else 120
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width)


def progress_bar(description: str, *details: Any, disable: bool = False) -> Any:
    """The kit's progress bar, on stderr.

    Parameters
    ----------
    description:
        A rich format string for the task, e.g. ``"grading {task.description}"``.
    *details:
        Columns after the bar: rich columns, or format strings made into text columns.
    disable:
        Show nothing (for ``--json`` output).
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = [TextColumn(d) if isinstance(d, str) else d for d in details]
    return Progress(
        TextColumn(description),
        BarColumn(),
        *columns,
        TimeRemainingColumn(),
        console=console(stderr=True),
        disable=disable,
    )


def print_report(report: Report) -> None:
    """Print a course's problems, one per line with its fix, and the summary line."""
    out = console()
    base = Path.cwd()
    for problem in report:
        style = "red" if problem.severity.value == "error" else "yellow"
        where = f" [bold]{problem.field}[/bold]:" if problem.field else ""
        out.print(
            f"{problem.location(base)}: [{style}]{problem.severity.value}[/{style}]:{where} "
            f"{problem.message}",
            markup=True,
        )
        if problem.fix:
            out.print(f"    [dim]fix:[/dim] {problem.fix}", markup=True)
    colour = "green" if report.ok else "red"
    out.print(f"[{colour}]{report.course_dir}: {report.summary()}[/{colour}]")


def load(course_dir: Path) -> Course:
    """The course in ``course_dir``; a course with errors raises :class:`kit.course.CourseError`,
    which the command line prints as the full report."""
    from kit.course import load_course

    return load_course(course_dir)


def wrote(path: Path | str, what: str = "") -> None:
    """Say that a file was written: ``wrote PATH`` (``what`` appended)."""
    console().print(f"[green]wrote[/green] {path}{what}")


@contextmanager
def drawing(output: Path) -> Iterator[None]:
    """Around drawing a picture to ``output``: a file that cannot be written becomes a
    :class:`~kit.errors.KitError` (the drawing code raises its own for a format or a track it
    cannot draw)."""
    try:
        yield
    except OSError as exc:
        raise KitError(
            f"cannot write '{output}': {exc.strerror}", fix="choose another -o/--output"
        ) from exc


class AliasedOption(click.Option):
    """An option with old names that still work but are not shown in ``--help``.

    Parameters
    ----------
    hidden_aliases:
        Names among the option's declarations kept for one release after a rename (for example
        ``--out`` beside ``-o/--output``).
    """

    def __init__(self, *args: Any, hidden_aliases: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hidden_aliases = hidden_aliases

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        shown = self.opts
        self.opts = [name for name in shown if name not in self.hidden_aliases]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown


def show_error(error: KitError) -> None:
    """Print a user's error: a course's full report of problems, or one red ``error:`` line;
    then its fix."""
    from rich.markup import escape

    from kit.course import CourseError

    err = console(stderr=True)
    # messages name fields such as skills[1]: text, never markup
    if isinstance(error, CourseError):
        print_report(error.report)
    else:
        err.print(f"[red]error:[/red] {escape(error.message)}", markup=True)
    if error.fix:
        err.print(f"[dim]fix:[/dim] {escape(error.fix)}", markup=True)


def show_bug() -> None:
    """Print the traceback of the exception being handled and ask for a report of it."""
    traceback.print_exc()
    click.echo(
        f"This is a bug in Mentor Kit {__version__}, not a mistake of yours: please report it "
        f"with the traceback above at {ISSUES_URL}",
        err=True,
    )


class KitGroup(click.Group):
    """The ``kit`` command group: the one place where failures reach the user.

    A :class:`~kit.errors.KitError` from any command becomes its message (or a course's report)
    and its fix, with exit code 1 and no traceback. Any other exception is a bug: when ``kit``
    runs as a program it prints the traceback and asks for a report, with exit code 1 (click's
    test runner calls :meth:`main` directly, so tests still see the exception itself).
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KitError as error:
            show_error(error)
            ctx.exit(1)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.main(*args, **kwargs)
        except (click.ClickException, click.Abort, click.exceptions.Exit):
            raise  # click's own, when called with standalone_mode=False
        except Exception:
            show_bug()
            sys.exit(1)
