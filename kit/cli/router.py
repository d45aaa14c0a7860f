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

MODEL_CHOICE = click.Choice(["auto", "encoder", "tfidf"])


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
    help="Skill classifier: fine-tuned encoder, TF-IDF, or auto (TF-IDF when data is scarce).",
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
    help="Top probability below which the router answers 'not sure' (default: 0.5 for the "
    "encoder, 0.3 for TF-IDF).",
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
    """Train COURSE's router; it is saved in COURSE/_kit/router/."""
    from kit.classify.router import router_dir, train_router

    loaded = load(course)
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
            **params,
        )
    summary = {"router": str(router_dir(loaded)), **trained.info}
    if as_json:
        click.echo(json.dumps(summary))
        return
    console().print(
        f"[green]trained[/green] the {trained.info['model']} router on "
        f"{trained.info['questions']} questions and {trained.info['lesson_pieces']} lesson pieces "
        f"in {trained.info['fit_seconds']} s; urgency model: {trained.info['urgency_model']}\n"
        f'saved in {summary["router"]}; try: kit ask {course} "how do I ...?"'
    )


@router.command("eval")
@data_file_option("train", "Training texts (CSV with columns text,label).")
@data_file_option("test", "Test texts (CSV with columns text,label).")
@click.option(
    "--model",
    type=click.Choice(["tfidf", "encoder"]),
    default="tfidf",
    show_default=True,
    help="TF-IDF + logistic regression, or the fine-tuned MiniLM encoder.",
)
@click.option("--epochs", type=click.IntRange(1), help="Encoder training epochs (default 3).")
@click.option(
    "--max-length", type=click.IntRange(8, 512), help="Encoder tokens per text (default 64)."
)
@click.option(
    "--threads",
    type=click.IntRange(1),
    help="CPU threads for torch (default: one per core this process may use; 1 is fastest "
    "on a machine busy with other work).",
)
@SEED
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object: accuracy, macro_f1, fit_seconds, predict_seconds, n_train, n_test.",
)
def router_eval(
    train: Path,
    test: Path,
    model: str,
    epochs: int | None,
    max_length: int | None,
    threads: int | None,
    seed: int,
    as_json: bool,
) -> None:
    """Fit a classifier on TRAIN and score it on TEST: accuracy and macro F1."""
    from kit.classify.evaluation import evaluate

    params: dict[str, Any] = {}
    progress = _training_progress(disable=as_json or model != "encoder")
    task = progress.add_task(f"fine-tuning {model}", total=None)
    _set_threads(threads)
    if model == "encoder":
        params["random_state"] = seed
        params["progress"] = lambda done, total: progress.update(task, completed=done, total=total)
        if epochs:
            params["epochs"] = epochs
        if max_length:
            params["max_length"] = max_length
    with progress:
        result = evaluate(model, train, test, **params)
    if as_json:
        click.echo(json.dumps(result))
        return
    console().print(
        f"{model}: accuracy {result['accuracy']:.4f}, macro F1 {result['macro_f1']:.4f}; "
        f"fit {result['fit_seconds']:.1f} s, predict {result['predict_seconds']:.2f} s "
        f"({result['n_train']} training texts, {result['n_test']} test texts)"
    )


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
        out.print("ask a mentor, or rephrase the question with more detail")
    if route.urgency is not None:
        flag = "[red]urgent[/red]" if route.urgent else "not urgent"
        out.print(f"urgency: {route.urgency:.2f} ({flag})")
    sys.stdout.flush()


COMMANDS = (router, ask)
