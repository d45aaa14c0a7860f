"""Personal learning paths: the planner (pure) and the widgets built on it.

``from kit.paths import plan_path`` loads no widget library; ``PathSelector``, ``SelfCheck``,
``PlacementCheck`` and ``self_check`` load ipywidgets on first use.
"""

from __future__ import annotations

from typing import Any

from kit.paths.planner import DEFAULT_THRESHOLD, Plan, PlanError, PlanItem, Week, plan_path
from kit.paths.profile import RATING_LEVELS, LearnerProfile

_WIDGETS = ("PathSelector", "PlacementCheck", "SelfCheck", "self_check")

__all__ = [
    "DEFAULT_THRESHOLD",
    "RATING_LEVELS",
    "LearnerProfile",
    "PathSelector",
    "PlacementCheck",
    "Plan",
    "PlanError",
    "PlanItem",
    "SelfCheck",
    "Week",
    "plan_path",
    "self_check",
]


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        from kit.paths import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'kit.paths' has no attribute {name!r}")
