"""``kit progress eval|simulate|fit|report``: knowledge tracing on a cohort's answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kit.cli._common import (
    COURSE,
    SEED,
    AliasedOption,
    console,
    data_file_option,
    load,
    output_option,
    progress_bar,
    wrote,
)
from kit.errors import KitError

if TYPE_CHECKING:
    from kit.progress.attempts import Attempt
    from kit.progress.bkt import BKT
    from kit.progress.selection import Score

ATTEMPTS_OPTION = click.option(
    "--attempts",
    "attempts_url",
    metavar="URL",
    help="Attempt log (a database URL: sqlite:///..., postgresql://...); default: "
    "KIT_DATABASE_URL, else course.yml's database:, else sqlite:///COURSE/_kit/attempts.sqlite.",
)


@click.group()
def progress() -> None:
    """Progress models: fit knowledge tracing on a cohort and measure it."""


@progress.command("eval")
@data_file_option("train", "Answers of the training learners (3-line format or long CSV).")
@data_file_option("test", "Answers of the test learners, predicted one step ahead.")
@click.option(
    "--model",
    type=click.Choice(["baseline", "bkt", "bkt-forget", "best-lr", "dkt", "best-lr+dkt"]),
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
@SEED
def progress_eval(train: Path, test: Path, model: str, as_json: bool, seed: int) -> None:
    """Fit a model on TRAIN learners and score its one-step-ahead predictions on TEST."""
    import warnings

    from kit.progress.evaluation import LeakWarning, evaluate

    options: dict[str, Any] = {"random_state": seed} if model not in ("baseline", "best-lr") else {}
    if model == "dkt" and not as_json:
        options["progress"] = lambda epoch, loss, auc: console(stderr=True).print(
            f"epoch {epoch}: train loss {loss:.4f}, validation AUC {auc:.4f}"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LeakWarning)
        result = evaluate(model, train, test, **options)
    for warning in caught:
        if issubclass(warning.category, LeakWarning):
            console(stderr=True).print(f"[yellow]warning:[/yellow] {warning.message}")
    if as_json:
        click.echo(json.dumps(result))
        return
    console().print(
        f"{model}: AUC {result['auc']:.4f}, RMSE {result['rmse']:.4f}, accuracy "
        f"{result['accuracy']:.4f}; fit {result['fit_seconds']:.2f} s, predict "
        f"{result['predict_seconds']:.2f} s ({result['n_train']} training answers, "
        f"{result['n_test']} test answers)"
    )


@progress.command("simulate")
@COURSE
@click.option(
    "--count",
    "--learners",
    "count",
    cls=AliasedOption,
    hidden_aliases=("--learners",),
    type=int,
    default=40,
    show_default=True,
    help="How many learners to invent.",
)
@SEED
@ATTEMPTS_OPTION
def progress_simulate(course: Path, count: int, seed: int, attempts_url: str | None) -> None:
    """Fill the attempt log of COURSE with a simulated cohort (for demos and trials)."""
    from kit.progress.attempts import AttemptStore
    from kit.progress.cohort import default_attempts_url, simulate_cohort

    loaded = load(course)
    url = attempts_url or default_attempts_url(loaded)
    store = AttemptStore(url)
    if store.query(course=loaded.id):
        raise KitError(
            f"the attempt log {url} already holds answers for {loaded.id}; simulated learners "
            "would mix with them",
            fix="use another --attempts",
        )
    written = store.add(simulate_cohort(loaded, count, seed=seed))
    console().print(
        f"[green]wrote[/green] {written} answers of {count} simulated learners to {url}"
    )


def _print_params(model: BKT, attempts: list[Attempt], order: list[str]) -> None:
    """The fitted parameters per skill, in the course's order, with the answers behind them."""
    from rich.table import Table

    counts: dict[str, int] = {}
    for attempt in attempts:
        counts[attempt.skill] = counts.get(attempt.skill, 0) + 1
    table = Table(title=f"BKT parameters from {len(attempts)} answers", title_justify="left")
    for column in ("skill", "answers", "prior", "learn", "guess", "slip", "forget"):
        table.add_column(column, justify="left" if column == "skill" else "right")
    for skill in order:
        if skill in model.params_:
            p = model.params_[skill]
            table.add_row(
                skill,
                str(counts.get(skill, 0)),
                *(f"{v:.3f}" for v in (p.prior, p.learn, p.guess, p.slip, p.forget)),
            )
    console().print(table)


FIT_MODELS = ("bkt", "bkt-forget", "best-lr", "dkt", "best-lr+dkt", "auto")


def _print_comparison(scores: list[Score], chosen: str, learners: int) -> None:
    """The candidates' scores on held-out learners, the chosen one marked."""
    from rich.table import Table

    table = Table(
        title=f"Learner models on held-out learners ({learners} learners)", title_justify="left"
    )
    for column in ("model", "AUC", "RMSE", "fit s", ""):
        table.add_column(column, justify="left" if column in ("model", "") else "right")
    for score in scores:
        if score.note:
            table.add_row(score.model, "", "", "", score.note)
            continue
        mark = "chosen" if score.model == chosen else ("floor" if score.model == "baseline" else "")
        table.add_row(
            score.model, f"{score.auc:.4f}", f"{score.rmse:.4f}", f"{score.fit_seconds:.2f}", mark
        )
    console().print(table)


@progress.command("fit")
@COURSE
@ATTEMPTS_OPTION
@click.option(
    "--gradebook",
    metavar="URL",
    help="Also read graded project cells from this nbgrader gradebook (database URL).",
)
@click.option(
    "--model",
    type=click.Choice(FIT_MODELS),
    default="bkt",
    show_default=True,
    help="Model to fit; auto: fit every candidate, keep the one with the best AUC on held-out "
    "learners.",
)
@click.option(
    "--forget", is_flag=True, help="Fit BKT with forgetting (same as --model bkt-forget)."
)
@click.option(
    "--dkt-seconds",
    type=click.FloatRange(min=1),
    default=600.0,
    show_default=True,
    help="Time limit of each DKT fit (training stops after the epoch that passes it).",
)
@SEED
@output_option(
    "Where to write the model; default COURSE/progress/ (bkt.json, best-lr.json, dkt.pt or "
    "blend.json, "
    "named in progress/model.json: learners' mastery and the at-risk list read it)."
)
def progress_fit(
    course: Path,
    attempts_url: str | None,
    gradebook: str | None,
    model: str,
    forget: bool,
    dkt_seconds: float,
    seed: int,
    output: Path | None,
) -> None:
    """Fit a learner model on the cohort's answers and ship it with COURSE."""
    from kit.progress.cohort import load_attempts
    from kit.progress.data import from_attempts
    from kit.progress.learner_model import save_model, ship
    from kit.progress.selection import best, compare, fit

    loaded = load(course)
    attempts = load_attempts(loaded, attempts_url)
    if gradebook:
        from kit.progress.gradebook import attempts_from_gradebook

        attempts += attempts_from_gradebook(loaded, gradebook)
    if not attempts:
        raise KitError(
            f"no answers recorded for {loaded.id} yet: nothing to fit",
            fix="learners' self-checks and graded projects fill the attempt log; "
            "'kit progress simulate' makes a trial one",
        )
    data = from_attempts(attempts)
    if forget and model == "bkt":
        model = "bkt-forget"
    scores: list[Score] = []
    options = {"dkt": {"max_seconds": dkt_seconds}}
    if model == "auto":
        if len(data) < 2:
            raise KitError(
                f"answers of {len(data)} learner(s): choosing a model needs at least 2 "
                "(some are held out to score the others' fits)",
                fix="use --model bkt until more learners have answered",
            )
        bar = progress_bar(
            "comparing models: {task.description:<10}", "{task.completed}/{task.total} fits"
        )
        task = bar.add_task("", total=None)

        def advance(name: str, done: int, total: int) -> None:
            bar.update(task, description=name, completed=done, total=total)

        with bar:
            scores = compare(data, seed=seed, options=options, progress=advance)
        model = best(scores).model
    fitted = fit(model, data, seed=seed, options=options)
    if output is not None:
        path = save_model(fitted, output, scores)
    else:
        path = ship(loaded.root, model, fitted, scores)
    if scores:
        _print_comparison(scores, model, len(data))
    if model in ("bkt", "bkt-forget"):
        _print_params(fitted, attempts, list(loaded.graph.order))
    wrote(path, f" ({model})")


@progress.command("report")
@COURSE
@ATTEMPTS_OPTION
@output_option("HTML file to write; default COURSE/_kit/reports/progress.html.")
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
    from kit.progress.report import write_report

    loaded = load(course)
    target = output or loaded.workspace / "reports" / "progress.html"
    written = write_report(
        loaded, target, attempts_url=attempts_url, params_path=params_path, threshold=threshold
    )
    wrote(written, " (and the executed notebook beside it)")


COMMANDS = (progress,)
