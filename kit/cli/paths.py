"""``kit path``: a learner's path through a course, week by week."""

from __future__ import annotations

from pathlib import Path

import click

from kit.cli._common import COURSE, drawing, load, output_option, wrote
from kit.errors import KitError


def _levels(ratings: tuple[str, ...]) -> dict[str, int]:
    """``--rate SKILL=LEVEL`` options as ``{skill: level}``."""
    levels: dict[str, int] = {}
    for rating in ratings:
        skill, _, level = rating.partition("=")
        if not level.strip().isdigit():
            raise KitError(
                f"--rate {rating!r}: not SKILL=LEVEL",
                fix="write SKILL=LEVEL with LEVEL 0-3, e.g. --rate numpy=3",
            )
        levels[skill.strip()] = int(level)
    return levels


@click.command()
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
@output_option("Also draw the path on the skill graph (.svg, .png or .pdf).")
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

    from kit.paths import LearnerProfile, plan_path
    from kit.paths.render import draw_plan, plan_text

    loaded = load(course)
    levels = _levels(ratings)
    mastery: dict[str, float] = {}
    answers: dict[str, int] | None = None
    base = LearnerProfile()
    if learner:
        from kit.paths.learner import LearnerStore

        store = LearnerStore(loaded.id, learner)
        base = store.load_profile()
        mastery = store.mastery()
        answers = store.answers()
    try:
        profile = LearnerProfile(
            learner=learner or "",
            track=track or base.track,
            goals=list(goals) or base.goals,
            ratings={**base.ratings, **levels},
            placement=base.placement,
            hours_per_week=hours,
        )
    except ValidationError as exc:  # an option out of range: name it, as the profile does
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise KitError(f"{where}: {error['msg']}") from exc
    plan = plan_path(loaded, profile, mastery, answers=answers)
    click.echo(plan_text(loaded, plan))
    if output is not None:
        with drawing(output):
            draw_plan(loaded, plan, output)
        wrote(output)


COMMANDS = (path,)
