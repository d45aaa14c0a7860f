"""``kit router train|eval`` and ``kit ask``: the question router from the command line.

torch, transformers and scikit-learn load inside the commands, so ``kit --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from kit.cli._common import COURSE, SEED, console, data_file_option, load, progress_bar
from kit.errors import KitError

MODEL_CHOICE = click.Choice(["auto", "ensemble", "encoder", "tfidf"])


def _training_progress(disable: bool) -> Any:
    from rich.progress import MofNCompleteColumn

    return progress_bar("{task.description}", MofNCompleteColumn(), "steps", disable=disable)


def _set_threads(threads: int | None) -> None:
    """torch's CPU threads: as asked, else one per core this process may run on."""
    import os

    import torch

    torch.set_num_threads(threads or len(os.sched_getaffinity(0)))


@click.group()
def router() -> None:
    """Question router: train it on a course's questions and lessons, and measure it."""


@router.command("train")
@COURSE
@click.option(
    "--model",
    type=MODEL_CHOICE,
    default="auto",
    show_default=True,
    help="Skill classifier: fine-tuned encoder blended with TF-IDF (ensemble), either alone, "
    "or auto (the ensemble; TF-IDF when data is scarce).",
)
@click.option(
    "--questions",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Labelled questions (columns text,skill); default COURSE/questions.csv.",
)
@click.option("--no-lessons", is_flag=True, help="Learn from the questions only, not the lessons.")
@click.option(
    "--urgency-data",
    type=click.Path(path_type=Path, exists=True),
    help="MOOC urgency data (folder or CSV); default: ../shared/data beside the project.",
)
@click.option("--no-urgency", is_flag=True, help="Do not train the urgency model.")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    help="Top probability below which the router answers 'not sure' (default: calibrated on "
    "held-out questions for course.yml's router.target_precision).",
)
@click.option("--epochs", type=click.IntRange(1), help="Encoder training epochs (default 8).")
@click.option(
    "--threads",
    type=click.IntRange(1),
    help="CPU threads for torch (default: one per core this process may use; 1 is fastest "
    "on a machine busy with other work).",
)
@SEED
@click.option("--json", "as_json", is_flag=True, help="Print the training summary as JSON.")
def router_train(
    course: Path,
    model: str,
    questions: Path | None,
    no_lessons: bool,
    urgency_data: Path | None,
    no_urgency: bool,
    threshold: float | None,
    epochs: int | None,
    threads: int | None,
    seed: int,
    as_json: bool,
) -> None:
    """Train COURSE's router; it is saved in COURSE/_kit/router/. Mentors' corrections of
    questions' skills and urgency, in the course's database, are learnt too."""
    from kit.classify.router import router_dir, train_router
    from kit.state import read_examples

    loaded = load(course)
    try:
        corrections, _ = read_examples(loaded)
    except KitError as exc:
        console().print(f"[yellow]warning[/yellow]: mentors' corrections not read: {exc.message}")
        corrections = []
    examples = [(e.text, e.skill) for e in corrections if e.skill is not None]
    urgency_examples = [(e.text, e.urgent) for e in corrections if e.urgent is not None]
    _set_threads(threads)
    params: dict[str, Any] = {"epochs": epochs} if epochs else {}
    progress = _training_progress(disable=as_json)
    task = progress.add_task("training", total=None)

    def on_stage(text: str) -> None:
        progress.update(task, description=text)
        if not as_json:
            progress.console.print(text)

    def on_step(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    with progress:
        trained = train_router(
            loaded,
            model=model,
            questions=questions,
            use_lessons=not no_lessons,
            urgency_data=urgency_data,
            urgency=not no_urgency,
            threshold=threshold,
            progress=on_step,
            on_stage=on_stage,
            random_state=seed,
            examples=examples,
            urgency_examples=urgency_examples,
            **params,
        )
    summary = {"router": str(router_dir(loaded)), **trained.info}
    if as_json:
        click.echo(json.dumps(summary))
        return
    calibration = trained.info.get("calibration")
    if calibration:
        sure = (
            f"'sure' from {trained.threshold:.2f} (calibrated on {calibration['heldout']} "
            f"held-out questions for a precision of {calibration['target_precision']}: "
            f"{calibration['heldout_precision']:.0%} right, {calibration['heldout_coverage']:.0%} "
            "sure)"
        )
    else:
        sure = f"'sure' from {trained.threshold:.2f} (too few questions to calibrate)"
    info = trained.info
    console().print(
        f"[green]trained[/green] the {info['model']} router on {info['questions']} questions, "
        f"{info['mentor_examples']} examples from mentors' corrections (and "
        f"{info['mentor_urgency_examples']} of urgency) and {info['lesson_pieces']} lesson "
        f"pieces in {info['fit_seconds']} s; {sure}; "
        f"urgency model: {trained.info['urgency_model']}\n"
        f'saved in {summary["router"]}; try: kit ask {course} "how do I ...?"'
    )
    if trained.info.get("calibration_note"):
        console().print(f"[yellow]warning[/yellow]: {trained.info['calibration_note']}")


@router.command("eval")
@data_file_option("train", "Training texts (CSV with columns text,label).")
@data_file_option("test", "Test texts (CSV with columns text,label).")
@click.option(
    "--model",
    type=click.Choice(["tfidf", "encoder", "ensemble"]),
    default="tfidf",
    show_default=True,
    help="TF-IDF + logistic regression, the fine-tuned MiniLM encoder, or the two blended.",
)
@click.option(
    "--epochs", type=click.IntRange(1), help="Encoder training epochs at most (default 3)."
)
@click.option(
    "--max-length", type=click.IntRange(8, 512), help="Encoder tokens per text (default 64)."
)
@click.option(
    "--threads",
    type=click.IntRange(1),
    help="CPU threads for torch (default: one per core this process may use; 1 is fastest "
    "on a machine busy with other work).",
)
@click.option(
    "--target-precision",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.9,
    show_default=True,
    help="Precision of 'sure' answers the threshold is chosen for, on held-out training texts.",
)
@SEED
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object: accuracy, macro_f1, fit_seconds, predict_seconds, n_train, "
    "n_test, and calibration (threshold, temperature, coverage, ECE).",
)
def router_eval(
    train: Path,
    test: Path,
    model: str,
    epochs: int | None,
    max_length: int | None,
    threads: int | None,
    target_precision: float,
    seed: int,
    as_json: bool,
) -> None:
    """Fit a classifier on TRAIN and score it on TEST: accuracy and macro F1, and calibrated
    abstention (a "sure" threshold chosen on held-out training texts: its precision and
    coverage on TEST, coverage against accuracy, the expected calibration error)."""
    from kit.classify.evaluation import TITLES_ENCODER, TITLES_TFIDF, evaluate

    params: dict[str, Any] = {}
    progress = _training_progress(disable=as_json or model == "tfidf")
    task = progress.add_task(f"fine-tuning {model}", total=None)
    _set_threads(threads)
    if model != "tfidf":
        encoder = dict(TITLES_ENCODER)
        if epochs:
            encoder["epochs"] = epochs
        if max_length:
            encoder["max_length"] = max_length
        step = lambda done, total: progress.update(task, completed=done, total=total)  # noqa: E731
        if model == "encoder":
            params = {**encoder, "validation": 0.1, "random_state": seed, "progress": step}
        else:
            params = {
                "encoder": encoder,
                "tfidf": TITLES_TFIDF,
                "validation": 0.1,
                "random_state": seed,
                "progress": step,
            }
    with progress:
        result = evaluate(model, train, test, target_precision=target_precision, **params)
    if as_json:
        click.echo(json.dumps(result))
        return
    out = console()
    out.print(
        f"{model}: accuracy {result['accuracy']:.4f}, macro F1 {result['macro_f1']:.4f}; "
        f"fit {result['fit_seconds']:.1f} s, predict {result['predict_seconds']:.2f} s "
        f"({result['n_train']} training texts, {result['n_test']} test texts)"
    )
    if "parts" in result:
        parts = ", ".join(f"{name} {acc:.4f}" for name, acc in result["parts"].items())
        out.print(f"parts: {parts}; encoder weight {result['weight']}")
    held, tested = result["calibration"]["heldout"], result["calibration"]["test"]
    out.print(
        f"'sure' from {tested['threshold']:.3f} (temperature {tested['temperature']:.2f}, "
        f"chosen on {held['heldout']} held-out training texts for a precision of "
        f"{target_precision}): on TEST {tested['sure_precision']:.1%} of sure answers right, "
        f"{tested['sure_coverage']:.1%} sure; expected calibration error "
        f"{tested['ece_before']:.4f} before, {tested['ece_after']:.4f} after"
    )
    out.print("threshold  coverage  accuracy")
    for row in tested["coverage"]:
        out.print(f"{row['threshold']:9.3f}  {row['coverage']:8.1%}  {row['accuracy']:8.4f}")


@click.command()
@COURSE
@click.argument("question")
@click.option("--top", type=click.IntRange(1), default=3, show_default=True, help="Skills shown.")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    help="Top probability below which the answer is 'not sure' (default: as trained).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the route as one JSON object.")
def ask(course: Path, question: str, top: int, threshold: float | None, as_json: bool) -> None:
    """Route QUESTION to the skills, lessons and mentors of COURSE ('kit router train' first)."""
    from kit.classify.router import load_router

    loaded = load(course)
    if not question.strip():
        raise KitError(
            "the question is empty", fix='ask something, e.g. kit ask COURSE "how do I ...?"'
        )
    route = load_router(loaded).route(question, threshold=threshold, top_k=top)
    if as_json:
        click.echo(json.dumps(route.to_dict()))
        return
    out = console()
    if route.sure:
        out.print(f"[green]{route.skills[0].title}[/green] ({route.skills[0].id})")
    else:
        out.print(f"[yellow]not sure[/yellow]: {route.reason}")
    for match in route.skills:
        out.print(f"  {match.probability:5.0%}  {match.id}")
    for lesson in route.lessons:
        out.print(f"lesson: {lesson.title} ({lesson.notebook})")
    for mentor in route.mentors:
        contact = f" <{mentor.contact}>" if mentor.contact else ""
        out.print(f"mentor: {mentor.name}{contact} ({', '.join(mentor.skills)})")
    if not route.sure:
        out.print(f"instead: {route.fallback or 'ask a mentor'}")
        for mentor in route.fallback_mentors[:2]:
            contact = f" <{mentor.contact}>" if mentor.contact else ""
            out.print(f"mentor: {mentor.name}{contact}")
        for lesson in route.fallback_lessons:
            out.print(f"lesson: {lesson.title} ({lesson.notebook})")
        out.print("or rephrase the question with more detail")
    if route.urgency is not None:
        flag = "[red]urgent[/red]" if route.urgent else "not urgent"
        out.print(f"urgency: {route.urgency:.2f} ({flag})")
    sys.stdout.flush()


COMMANDS = (router, ask)
