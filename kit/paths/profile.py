"""What a learner tells the kit about themselves: their goal, their level, their time."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

RATING_LEVELS = {
    0: "new to me",
    1: "seen it",
    2: "can use it with help",
    3: "confident",
}
"""Self-rating scale, 0-3, as the path selector shows it."""

RATING_MASTERY = {0: 0.0, 1: 0.3, 2: 0.6, 3: 0.9}
"""P(mastered) assumed from a self-rating when nothing has been measured."""

Rating = Annotated[int, Field(ge=0, le=3)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class LearnerProfile(BaseModel):
    """A learner's goal, self-assessment and time budget for one course.

    Attributes
    ----------
    learner:
        Learner id (JupyterHub user name).
    track:
        Id of the chosen track; its goal skills become the learner's goals.
    goals:
        Goal skill ids chosen by hand (used with or instead of a track).
    ratings:
        Self-rated level per skill, 0 (new to me) to 3 (confident).
    placement:
        Fraction of placement-check questions answered correctly, per skill.
    hours_per_week:
        Time the learner can give each week.
    """

    model_config = ConfigDict(extra="ignore")

    learner: str = ""
    track: str | None = None
    goals: list[str] = Field(default_factory=list)
    ratings: dict[str, Rating] = Field(default_factory=dict)
    placement: dict[str, Fraction] = Field(default_factory=dict)
    hours_per_week: float = Field(5.0, gt=0, le=80)

    def assumed_mastery(self) -> dict[str, float]:
        """P(mastered) per skill from what the learner said: placement beats self-rating."""
        mastery = {skill: RATING_MASTERY[level] for skill, level in self.ratings.items()}
        mastery.update(self.placement)
        return mastery
