"""``kit assign|release|submit|collect|grade|feedback|export|import``: projects graded as
nbgrader does, and an nbgrader course brought in."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kit.cli._common import COURSE, console, load, output_option, progress_bar

if TYPE_CHECKING:
    from kit.course import Course
    from kit.grading.engine import Outcome
    from kit.grading.importer import Imported
    from kit.grading.nbgrader_course import NbgraderCourse

PROJECT = click.argument("project")


def _grading(course: Path) -> NbgraderCourse:
    from kit.grading.nbgrader_course import NbgraderCourse

    return NbgraderCourse(load(course))


@click.command()
@COURSE
@PROJECT
def assign(course: Path, project: str) -> None:
    """Generate the release version of PROJECT (solutions and hidden tests removed)."""
    folder = _grading(course).assign(project)
    console().print(f"[green]generated[/green] {folder}")


@click.command()
@COURSE
@PROJECT
@click.option("--force", is_flag=True, help="Replace a release made before.")
def release(course: Path, project: str, force: bool) -> None:
    """Release PROJECT to learners through nbgrader's exchange."""
    grading = _grading(course)
    grading.release(project, force=force)
    console().print(f"[green]released[/green] {project} to {grading.exchange}")


@click.command()
@COURSE
@PROJECT
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--learner", "learners", multiple=True, help="Submit only this learner (repeat).")
def submit(course: Path, project: str, folder: Path, learners: tuple[str, ...]) -> None:
    """Submit the work in FOLDER/<learner>/PROJECT/ to the exchange, as each learner's
    'nbgrader submit' would (for instance the course's sample submissions)."""
    done = _grading(course).submit(project, folder, list(learners) or None)
    console().print(f"[green]submitted[/green] {project} for {len(done)}: {', '.join(done)}")


@click.command()
@COURSE
@PROJECT
def collect(course: Path, project: str) -> None:
    """Collect learners' submissions of PROJECT from the exchange."""
    learners = _grading(course).collect(project)
    console().print(f"[green]collected[/green] {len(learners)} submissions of {project}")


def _note(note: str, as_json: bool) -> None:
    """A note on the whole run: on stderr, so that --json output stays JSON."""
    from rich.console import Console

    Console(stderr=True).print(f"[yellow]note:[/yellow] {note}", markup=True, highlight=False)


def _print_outcomes(project: str, outcomes: list[Outcome]) -> None:
    from rich.table import Table

    manual = any(o.awaiting_manual for o in outcomes)
    columns = ["learner", "status", "score", *(["awaiting manual grading"] if manual else [])]
    table = Table(title=f"{project}: {len(outcomes)} submissions", title_justify="left")
    for column in [*columns, "notes"]:
        table.add_column(column, justify="left" if column in ("learner", "notes") else "right")
    for o in sorted(outcomes, key=lambda o: o.learner):
        cells = [o.learner, o.status, f"{o.score:g}/{o.max_score:g}"]
        if manual:
            cells.append(f"{o.awaiting_manual:g}" if o.awaiting_manual else "")
        table.add_row(*cells, "; ".join(o.notes))
    console().print(table)
    if manual:
        console().print(
            "Points awaiting manual grading count in the maximum; they are earned once an "
            "instructor grades those cells in nbgrader's formgrader."
        )


@click.command()
@COURSE
@PROJECT
@click.option("--learner", "learners", multiple=True, help="Grade only this learner (repeat).")
@click.option("--workers", type=int, default=0, help="Parallel kernels (default: CPU cores).")
@click.option("--force", is_flag=True, help="Regrade submissions already graded and unchanged.")
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Grade on a Dask cluster: tcp://HOST:8786, or local:N for N worker processes here "
    "(default: course.yml's grading.scheduler, else a process pool here).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON array with an object per submission (learner, status, score, "
    "max_score, awaiting_manual, notes, ...) instead of the table.",
)
def grade(
    course: Path,
    project: str,
    learners: tuple[str, ...],
    workers: int,
    force: bool,
    scheduler: str | None,
    as_json: bool,
) -> None:
    """Autograde PROJECT's submissions: parallel, sandboxed, resumable.

    Gives nbgrader's scores. A re-run grades only new or changed submissions. Exit code 1 when
    a submission could not be graded at all: a corrupt file (its cells score 0), or a kernel
    that would not start (nothing is scored; the next run grades it). The table says why.
    """
    from kit.grading.engine import grade as run_grading

    loaded = load(course)
    progress = progress_bar(
        "grading {task.description}", "{task.completed}/{task.total}", disable=as_json
    )
    task = progress.add_task(project, total=None)
    with progress:
        outcomes = run_grading(
            loaded,
            project,
            list(learners) or None,
            workers=workers,
            force=force,
            scheduler=scheduler,
            on_start=lambda n: progress.update(task, total=n),
            on_done=lambda _: progress.advance(task),
            on_note=lambda note: _note(note, as_json),
        )
    if as_json:
        click.echo(json.dumps([o.to_dict() for o in outcomes]))
    else:
        _print_outcomes(project, outcomes)
    sent = _send_to_service(loaded, project, outcomes)
    if any(o.status in ("failed", "not graded") for o in outcomes) or not sent:
        sys.exit(1)


def _send_to_service(course: Course, project: str, outcomes: list[Outcome]) -> bool:
    """Under a hub with the kit service (a terminal on the instructor's server: its
    ``KIT_SERVICE_URL`` and ``JUPYTERHUB_API_TOKEN``), send the graded cells of this run to
    the service, as the panel's grading does; False when they did not reach it."""
    from kit.server.forwarding import Forwarder

    forwarder = Forwarder.from_environment()
    if forwarder is None:
        return True
    import asyncio

    from kit.server.errors import ApiError
    from kit.server.grading import graded_attempts
    from kit.state import CourseState

    learners = sorted({o.learner for o in outcomes if o.status not in ("failed", "not graded")})
    state = CourseState(course)
    try:
        rows = graded_attempts(state, project, learners)
        count = asyncio.run(forwarder.post_attempts(course.id, project, learners, rows))
    except ApiError as exc:
        _note(f"the graded cells did not reach the kit service: {exc.message}", True)
        _note(f"fix: {exc.fix or 'grade again to send them'}", True)
        return False
    finally:
        state.close()
    _note(f"{count} attempts of {len(learners)} learners sent to the kit service", True)
    return True


@click.command()
@COURSE
@PROJECT
@click.option("--learner", help="Only this learner.")
def feedback(course: Path, project: str, learner: str | None) -> None:
    """Generate HTML feedback for PROJECT's graded submissions and release it."""
    folder = _grading(course).feedback(project, learner)
    console().print(f"[green]feedback[/green] in {folder}")


@click.command("export")
@COURSE
@output_option("Folder for projects.csv and skills.csv.", default=Path("grades"), folder=True)
def export_command(course: Path, output: Path) -> None:
    """Export grades: learner x project and learner x skill CSV files."""
    from kit.grading.export import export_grades

    projects_csv, skills_csv = export_grades(load(course), output)
    console().print(f"[green]wrote[/green] {projects_csv} and {skills_csv}")


def _print_import(imported: Imported) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{imported.course}: course '{imported.course_id}'", title_justify="left")
    for column in ("project", "notebooks", "points", "graded by hand", "skill", "submissions"):
        table.add_column(column, justify="left" if column in ("project", "skill") else "right")
    for a in imported.assignments:
        table.add_row(
            a.name,
            str(len(a.notebooks)),
            f"{a.points:g}",
            f"{a.by_hand:g}" if a.by_hand else "",
            a.skill,
            str(imported.submissions.get(a.name, 0)),
        )
    out = console()
    out.print(table)
    out.print(f"gradebook: {imported.gradebook}")
    for note in imported.notes:
        out.print(f"[yellow]note:[/yellow] {escape(note)}")
    out.print(
        f"[green]imported[/green] into {escape(str(imported.course))}; "
        f"next: kit check {escape(str(imported.course))}"
    )


@click.command("import")
@click.argument(
    "nbgrader_dir",
    metavar="NBGRADER_COURSE_DIR",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
)
@output_option("The new course folder (must not exist; default: ./<course id>).", folder=True)
def import_command(nbgrader_dir: Path, output: Path | None) -> None:
    """Import an nbgrader course directory as a new kit course.

    Each assignment of NBGRADER_COURSE_DIR/source/ becomes a project of the same name, with its
    points and one skill to start from; the gradebook and the learners' submitted, autograded
    and feedback folders are copied, so kit grade and the formgrader see the grades given.
    NBGRADER_COURSE_DIR is only read (nbgrader_config.py too: it is parsed, not run).
    """
    from kit.grading.importer import import_course

    progress = progress_bar("{task.description}", "{task.completed}/{task.total}")
    task = progress.add_task(f"importing {nbgrader_dir.name}", total=None)
    with progress:
        imported = import_course(
            nbgrader_dir,
            output,
            on_start=lambda n: progress.update(task, total=n),
            step=lambda what: progress.update(task, advance=1, description=what),
        )
    _print_import(imported)


COMMANDS = (assign, release, submit, collect, grade, feedback, export_command, import_command)
