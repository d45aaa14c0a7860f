"""The ``kit`` command (also ``jupyter kit``).

Each command parses its options and calls one library function. Heavy libraries (pydantic,
matplotlib, nbformat, and later torch or nbgrader) are imported inside commands so that
``kit --help`` answers at once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from kit import __version__

if TYPE_CHECKING:
    from kit.course import Course, Report

COURSE = click.argument("course", type=click.Path(path_type=Path), metavar="COURSE")


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # piped output (a file, a CI log) gets room for the tables instead of rich's 80 columns
    width = None if stream.isatty() else 120
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width)


def _print_report(report: Report, *, quiet_ok: bool = False) -> None:
    console = _console()
    base = Path.cwd()
    for problem in report:
        style = "red" if problem.severity.value == "error" else "yellow"
        where = f" [bold]{problem.field}[/bold]:" if problem.field else ""
        console.print(
            f"{problem.location(base)}: [{style}]{problem.severity.value}[/{style}]:{where} "
            f"{problem.message}",
            markup=True,
        )
        if problem.fix:
            console.print(f"    [dim]fix:[/dim] {problem.fix}", markup=True)
    if not (quiet_ok and report.ok):
        colour = "green" if report.ok else "red"
        console.print(f"[{colour}]{report.course_dir}: {report.summary()}[/{colour}]")


def _progress(description: str, *details: Any, disable: bool = False) -> Any:
    """The kit's progress bar, on stderr: ``description`` (a rich format string for the task),
    the bar, ``details`` (columns, or format strings made into text columns), the time left."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = [TextColumn(d) if isinstance(d, str) else d for d in details]
    return Progress(
        TextColumn(description),
        BarColumn(),
        *columns,
        TimeRemainingColumn(),
        console=_console(stderr=True),
        disable=disable,
    )


def _fail(message: str) -> NoReturn:
    _console(stderr=True).print(f"[red]error:[/red] {message}", markup=True)
    sys.exit(1)


def _load(course_dir: Path) -> Course:
    """Load a course or print its problems and exit 1."""
    from kit.course import CourseError, load_course

    try:
        return load_course(course_dir)
    except CourseError as exc:
        _print_report(exc.report)
        _console(stderr=True).print(f"run 'kit check {course_dir}' after fixing these")
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="kit")
def main() -> None:
    """Mentor Kit: run a mentoring course from a folder of Jupyter notebooks.

    A course is a folder with a course.yml (skills, lessons, projects, tracks, mentors),
    lesson notebooks and nbgrader projects. Start with 'kit new my-course', then 'kit check'.
    """
    # nbformat imports jsonschema, which builds a grammar for checking the "iri" format at
    # import when rfc3987-syntax is installed (a second or more, in every process); no schema
    # the kit checks uses that format
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--id", "course_id", help="Course id (a lower-case slug); defaults to the folder name."
)
@click.option("--title", help="Course title; defaults to one made from the id.")
def new(directory: Path, course_id: str | None, title: str | None) -> None:
    """Create a small working course in DIRECTORY that passes 'kit check'."""
    from kit.course.scaffold import ScaffoldError, new_course

    try:
        root = new_course(directory, course_id=course_id, title=title)
    except ScaffoldError as exc:
        _fail(str(exc))
    console = _console()
    console.print(f"[green]created[/green] {root}")
    console.print(f"next: edit {root / 'course.yml'}, then run 'kit check {root}'")


@main.command()
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
        _print_report(report)
    if not report.ok or (strict and report.warnings):
        sys.exit(1)


@main.command()
@COURSE
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def info(course: Path, as_json: bool) -> None:
    """Summarise COURSE: skills, lessons, projects, and tracks with their total hours."""
    from kit.course.summary import course_summary, print_summary

    loaded = _load(course)
    if as_json:
        click.echo(json.dumps(course_summary(loaded), indent=2))
    else:
        print_summary(loaded, _console())


@main.command()
@COURSE
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("skills.svg"),
    show_default=True,
    help="Picture to write: .svg, .png or .pdf.",
)
@click.option("--track", help="Highlight this track's skills and fade the rest.")
def graph(course: Path, output: Path, track: str | None) -> None:
    """Draw the skill graph of COURSE, layered by depth, tracks in colour."""
    from kit.course.drawing import draw_skill_graph

    loaded = _load(course)
    try:
        written = draw_skill_graph(loaded, output, track=track)
    except ValueError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write '{output}': {exc.strerror}")
    _console().print(f"[green]wrote[/green] {written}")


@main.command()
@COURSE
@click.option("--track", help="Track id: its goal skills become the goals.")
@click.option("--goal", "goals", multiple=True, help="A goal skill id (repeat for several).")
@click.option("--hours", type=float, default=5.0, show_default=True, help="Hours per week.")
@click.option(
    "--rate",
    "ratings",
    multiple=True,
    metavar="SKILL=LEVEL",
    help="Self-rating 0-3 of a skill (repeat), e.g. --rate numpy=3.",
)
@click.option("--learner", help="Use this learner's recorded answers and saved profile.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Also draw the path on the skill graph (.svg, .png or .pdf).",
)
def path(
    course: Path,
    track: str | None,
    goals: tuple[str, ...],
    hours: float,
    ratings: tuple[str, ...],
    learner: str | None,
    output: Path | None,
) -> None:
    """Plan a learning path through COURSE and print it week by week."""
    from pydantic import ValidationError

    from kit.paths import LearnerProfile, PlanError, plan_path
    from kit.paths.render import draw_plan, plan_text

    loaded = _load(course)
    levels: dict[str, int] = {}
    for rating in ratings:
        skill, _, level = rating.partition("=")
        if not level.strip().isdigit():
            _fail(f"--rate {rating!r}: write SKILL=LEVEL with LEVEL 0-3, e.g. --rate numpy=3")
        levels[skill.strip()] = int(level)
    mastery: dict[str, float] = {}
    base = LearnerProfile()
    if learner:
        from kit.paths.learner import LearnerStore

        store = LearnerStore(loaded.id, learner)
        base = store.load_profile()
        mastery = store.mastery()
    try:
        profile = LearnerProfile(
            learner=learner or "",
            track=track or base.track,
            goals=list(goals) or base.goals,
            ratings={**base.ratings, **levels},
            placement=base.placement,
            hours_per_week=hours,
        )
        plan = plan_path(loaded, profile, mastery)
    except PlanError as exc:
        _fail(str(exc))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        _fail(f"{where}: {error['msg']}")
    click.echo(plan_text(loaded, plan))
    if output is not None:
        try:
            draw_plan(loaded, plan, output)
        except ValueError as exc:
            _fail(str(exc))
        _console().print(f"[green]wrote[/green] {output}")


@contextmanager
def _grading_errors() -> Iterator[None]:
    """A grading step's failure ends the command with its message, never a traceback."""
    from kit.grading.nbgrader_course import GradingError

    try:
        yield
    except GradingError as exc:
        _fail(str(exc))


def _grading(course: Path) -> Any:
    from kit.grading.nbgrader_course import NbgraderCourse

    return NbgraderCourse(_load(course))


PROJECT = click.argument("project")


@main.command()
@COURSE
@PROJECT
def assign(course: Path, project: str) -> None:
    """Generate the release version of PROJECT (solutions and hidden tests removed)."""
    with _grading_errors():
        folder = _grading(course).assign(project)
    _console().print(f"[green]generated[/green] {folder}")


@main.command()
@COURSE
@PROJECT
@click.option("--force", is_flag=True, help="Replace a release made before.")
def release(course: Path, project: str, force: bool) -> None:
    """Release PROJECT to learners through nbgrader's exchange."""
    grading = _grading(course)
    with _grading_errors():
        grading.release(project, force=force)
    _console().print(f"[green]released[/green] {project} to {grading.exchange}")


@main.command()
@COURSE
@PROJECT
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--learner", "learners", multiple=True, help="Submit only this learner (repeat).")
def submit(course: Path, project: str, folder: Path, learners: tuple[str, ...]) -> None:
    """Submit the work in FOLDER/<learner>/PROJECT/ to the exchange, as each learner's
    'nbgrader submit' would (for instance the course's sample submissions)."""
    with _grading_errors():
        done = _grading(course).submit(project, folder, list(learners) or None)
    _console().print(f"[green]submitted[/green] {project} for {len(done)}: {', '.join(done)}")


@main.command()
@COURSE
@PROJECT
def collect(course: Path, project: str) -> None:
    """Collect learners' submissions of PROJECT from the exchange."""
    with _grading_errors():
        learners = _grading(course).collect(project)
    _console().print(f"[green]collected[/green] {len(learners)} submissions of {project}")


@main.command()
@COURSE
@PROJECT
@click.option("--learner", "learners", multiple=True, help="Grade only this learner (repeat).")
@click.option("--workers", type=int, default=0, help="Parallel kernels (default: CPU cores).")
@click.option("--force", is_flag=True, help="Regrade submissions already graded and unchanged.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per submission.")
def grade(
    course: Path, project: str, learners: tuple[str, ...], workers: int, force: bool, as_json: bool
) -> None:
    """Autograde PROJECT's submissions: parallel, sandboxed, resumable.

    Gives nbgrader's scores. A re-run grades only new or changed submissions. Exit code 1 when
    a submission could not be graded at all (a corrupt file, say): its cells score 0 and the
    table says why.
    """
    from rich.table import Table

    from kit.grading.engine import grade as run_grading

    loaded = _load(course)
    progress = _progress(
        "grading {task.description}", "{task.completed}/{task.total}", disable=as_json
    )
    task = progress.add_task(project, total=None)
    with progress, _grading_errors():
        outcomes = run_grading(
            loaded,
            project,
            list(learners) or None,
            workers=workers,
            force=force,
            on_start=lambda n: progress.update(task, total=n),
            on_done=lambda _: progress.advance(task),
        )
    if as_json:
        click.echo(json.dumps([o.to_dict() for o in outcomes]))
    else:
        table = Table(title=f"{project}: {len(outcomes)} submissions", title_justify="left")
        for column in ("learner", "status", "score", "notes"):
            table.add_column(column, justify="right" if column == "score" else "left")
        for o in sorted(outcomes, key=lambda o: o.learner):
            score = f"{o.score:g}/{o.max_score:g}" if o.status != "skipped" else ""
            table.add_row(o.learner, o.status, score, "; ".join(o.notes))
        _console().print(table)
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


@main.command()
@COURSE
@PROJECT
@click.option("--learner", help="Only this learner.")
def feedback(course: Path, project: str, learner: str | None) -> None:
    """Generate HTML feedback for PROJECT's graded submissions and release it."""
    with _grading_errors():
        folder = _grading(course).feedback(project, learner)
    _console().print(f"[green]feedback[/green] in {folder}")


@main.command("export")
@COURSE
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("grades"),
    show_default=True,
    help="Folder for projects.csv and skills.csv.",
)
def export_command(course: Path, output: Path) -> None:
    """Export grades: learner x project and learner x skill CSV files."""
    from kit.grading.export import export_grades

    projects_csv, skills_csv = export_grades(_load(course), output)
    _console().print(f"[green]wrote[/green] {projects_csv} and {skills_csv}")


@main.group()
def progress() -> None:
    """Progress models: fit knowledge tracing on a cohort and measure it."""


@progress.command("eval")
@click.option(
    "--train",
    "train",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="Answers of the training learners (3-line format or long CSV).",
)
@click.option(
    "--test",
    "test",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="Answers of the test learners, predicted one step ahead.",
)
@click.option(
    "--model",
    type=click.Choice(["baseline", "bkt", "bkt-forget", "dkt"]),
    default="bkt",
    show_default=True,
    help="Model to fit and score.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object: auc, rmse, accuracy, fit_seconds, predict_seconds.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
def progress_eval(train: Path, test: Path, model: str, as_json: bool, seed: int) -> None:
    """Fit a model on TRAIN learners and score its one-step-ahead predictions on TEST."""
    import warnings

    from kit.progress.data import DataFormatError
    from kit.progress.evaluation import LeakWarning, evaluate

    options: dict[str, Any] = {"random_state": seed} if model != "baseline" else {}
    if model == "dkt" and not as_json:
        options["progress"] = lambda epoch, loss, auc: _console(stderr=True).print(
            f"epoch {epoch}: train loss {loss:.4f}, validation AUC {auc:.4f}"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LeakWarning)
        try:
            result = evaluate(model, train, test, **options)
        except DataFormatError as exc:
            _fail(str(exc))
    for warning in caught:
        if issubclass(warning.category, LeakWarning):
            _console(stderr=True).print(f"[yellow]warning:[/yellow] {warning.message}")
    if as_json:
        click.echo(json.dumps(result))
        return
    console = _console()
    console.print(
        f"{model}: AUC {result['auc']:.4f}, RMSE {result['rmse']:.4f}, accuracy "
        f"{result['accuracy']:.4f}; fit {result['fit_seconds']:.2f} s, predict "
        f"{result['predict_seconds']:.2f} s ({result['n_train']} training answers, "
        f"{result['n_test']} test answers)"
    )


ATTEMPTS_OPTION = click.option(
    "--attempts",
    "attempts_url",
    metavar="URL",
    help="Attempt log (SQLAlchemy URL); default: sqlite:///COURSE/_kit/attempts.sqlite.",
)


@progress.command("simulate")
@COURSE
@click.option("--learners", type=int, default=40, show_default=True, help="Learners to invent.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@ATTEMPTS_OPTION
def progress_simulate(course: Path, learners: int, seed: int, attempts_url: str | None) -> None:
    """Fill the attempt log of COURSE with a simulated cohort (for demos and trials)."""
    from kit.progress.attempts import AttemptStore
    from kit.progress.cohort import default_attempts_url, simulate_cohort

    loaded = _load(course)
    url = attempts_url or default_attempts_url(loaded)
    store = AttemptStore(url)
    if store.query(course=loaded.id):
        _fail(
            f"the attempt log {url} already holds answers for {loaded.id}; simulated learners "
            "would mix with them (use another --attempts)"
        )
    written = store.add(simulate_cohort(loaded, learners, seed=seed))
    _console().print(
        f"[green]wrote[/green] {written} answers of {learners} simulated learners to {url}"
    )


@progress.command("fit")
@COURSE
@ATTEMPTS_OPTION
@click.option(
    "--gradebook",
    metavar="URL",
    help="Also read graded project cells from this nbgrader gradebook (database URL).",
)
@click.option("--forget", is_flag=True, help="Fit BKT with forgetting.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Where to write the parameters; default COURSE/progress/bkt.json (shipped "
    "with the course: learners' mastery uses it).",
)
def progress_fit(
    course: Path, attempts_url: str | None, gradebook: str | None, forget: bool, output: Path | None
) -> None:
    """Fit BKT on the cohort's answers and save its parameters with COURSE."""
    from rich.table import Table

    from kit.progress.bkt import BKT
    from kit.progress.cohort import PARAMS_FILE, load_attempts
    from kit.progress.data import from_attempts

    loaded = _load(course)
    attempts = load_attempts(loaded, attempts_url)
    if gradebook:
        from kit.progress.gradebook import attempts_from_gradebook

        attempts += attempts_from_gradebook(loaded, gradebook)
    if not attempts:
        _fail(
            f"no answers recorded for {loaded.id} yet: nothing to fit (learners' self-checks "
            "and graded projects fill the attempt log)"
        )
    model = BKT(forget=forget).fit(from_attempts(attempts))
    path = model.save(output or loaded.root / PARAMS_FILE)
    counts: dict[str, int] = {}
    for attempt in attempts:
        counts[attempt.skill] = counts.get(attempt.skill, 0) + 1
    table = Table(title=f"BKT parameters from {len(attempts)} answers", title_justify="left")
    for column in ("skill", "answers", "prior", "learn", "guess", "slip", "forget"):
        table.add_column(column, justify="left" if column == "skill" else "right")
    for skill in loaded.graph.order:
        if skill in model.params_:
            p = model.params_[skill]
            table.add_row(
                skill,
                str(counts.get(skill, 0)),
                *(f"{v:.3f}" for v in (p.prior, p.learn, p.guess, p.slip, p.forget)),
            )
    console = _console()
    console.print(table)
    console.print(f"[green]wrote[/green] {path}")


@progress.command("report")
@COURSE
@ATTEMPTS_OPTION
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="HTML file to write; default COURSE/_kit/reports/progress.html.",
)
@click.option(
    "--threshold",
    type=float,
    default=0.5,
    show_default=True,
    help="P(mastered) below which a skill counts as weak.",
)
@click.option(
    "--params",
    "params_path",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="BKT parameter file (from 'kit progress fit -o'); default: the course's own.",
)
def progress_report(
    course: Path,
    attempts_url: str | None,
    output: Path | None,
    threshold: float,
    params_path: Path | None,
) -> None:
    """Write the cohort report of COURSE: mastery heatmap, learners at risk, hard skills."""
    from kit.progress.cohort import workspace
    from kit.progress.report import write_report

    loaded = _load(course)
    target = output or workspace(loaded) / "reports" / "progress.html"
    written = write_report(
        loaded, target, attempts_url=attempts_url, params_path=params_path, threshold=threshold
    )
    _console().print(f"[green]wrote[/green] {written} (and the executed notebook beside it)")


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the schema to this file instead of printing it.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of course.yml (for editors and CI checks)."""
    from kit.course.manifest import json_schema_text

    text = json_schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        _console().print(f"[green]wrote[/green] {output}")


from kit.book.cli import book  # noqa: E402

main.add_command(book)

from kit.classify.cli import ask, router  # noqa: E402

main.add_command(router)
main.add_command(ask)


if __name__ == "__main__":  # pragma: no cover
    main()
