"""Progress: the attempt log that grading and self-checks write, and the models built on it."""

from __future__ import annotations

from kit.progress.attempts import Attempt, AttemptStore, StoreRecovered

__all__ = ["Attempt", "AttemptStore", "StoreRecovered"]
