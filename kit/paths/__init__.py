"""Personal learning paths: the planner (pure) and, separately, the widgets built on it."""

from __future__ import annotations

from kit.paths.planner import DEFAULT_THRESHOLD, Plan, PlanError, PlanItem, Week, plan_path
from kit.paths.profile import RATING_LEVELS, LearnerProfile

__all__ = [
    "DEFAULT_THRESHOLD",
    "RATING_LEVELS",
    "LearnerProfile",
    "Plan",
    "PlanError",
    "PlanItem",
    "Week",
    "plan_path",
]
