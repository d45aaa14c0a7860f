"""Learners' answer sequences: loading them from files and from the attempt log.

Knowledge-tracing models read each learner's answers in order, as skill codes (integers) and
outcomes in [0, 1]. Two file formats are read:

- the **3-line format** of the knowledge-tracing literature: per learner, a line with the
  number of answers N, a line of N skill ids and a line of N 0/1 outcomes (commas, optional
  trailing comma);
- a **long CSV** with a header naming a learner column (``user``, ``user_id``, ``learner``,
  ``student`` or ``student_id``), a skill column (``skill``, ``skill_id``, ``skill_name`` or
  ``kc``) and a ``correct`` column, one row per answer in time order (or sorted by a ``time``
  column when there is one). An item column (``item``, ``item_id``, ``problem_id``,
  ``question`` or ``question_id``) and the time column are kept for the models that use them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kit.errors import KitError
from kit.progress.attempts import Attempt

LEARNER_COLUMNS = ("user", "user_id", "learner", "student", "student_id", "learner_id")
SKILL_COLUMNS = ("skill", "skill_id", "skill_name", "kc")
ITEM_COLUMNS = ("item", "item_id", "problem_id", "question", "question_id")


class AttemptDataError(KitError, ValueError):
    """A file of answers cannot be read; the message names the file, the line and the fix."""


@dataclass
class Sequences:
    """Answer sequences of many learners over a shared skill vocabulary.

    Attributes
    ----------
    learners:
        Learner ids, one per sequence.
    skills:
        Per learner, the skill code of each answer (int array).
    correct:
        Per learner, the outcome of each answer (float array in [0, 1]).
    vocabulary:
        Skill ids; the code of a skill is its index here.
    items:
        Per learner, the item (question) id of each answer (str array); None when the data
        has no item ids.
    times:
        Per learner, when each answer was given (float array, seconds since the epoch); None
        when the data has no times.
    """

    learners: list[str]
    skills: list[np.ndarray]
    correct: list[np.ndarray]
    vocabulary: list[str] = field(default_factory=list)
    items: list[np.ndarray] | None = None
    times: list[np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.learners)

    @property
    def n_answers(self) -> int:
        """Total number of answers."""
        return int(sum(len(s) for s in self.skills))

    @property
    def n_skills(self) -> int:
        """Size of the skill vocabulary."""
        return len(self.vocabulary)

    def subset(self, indices: Iterable[int]) -> Sequences:
        """The sequences at ``indices`` (same vocabulary)."""
        idx = list(indices)
        return Sequences(
            [self.learners[i] for i in idx],
            [self.skills[i] for i in idx],
            [self.correct[i] for i in idx],
            self.vocabulary,
            None if self.items is None else [self.items[i] for i in idx],
            None if self.times is None else [self.times[i] for i in idx],
        )

    def recode(self, vocabulary: Sequence[str]) -> Sequences:
        """The same answers coded against another vocabulary; new skills are appended to it."""
        vocab = list(vocabulary)
        index = {s: i for i, s in enumerate(vocab)}
        for skill in self.vocabulary:
            if skill not in index:
                index[skill] = len(vocab)
                vocab.append(skill)
        mapping = np.array([index[s] for s in self.vocabulary], dtype=np.int64)
        skills = [mapping[s] if len(s) else s for s in self.skills]
        return Sequences(
            list(self.learners),
            skills,
            list(self.correct),
            vocab,
            None if self.items is None else list(self.items),
            None if self.times is None else list(self.times),
        )

    def flat_correct(self) -> np.ndarray:
        """All outcomes, learner after learner, in order."""
        return np.concatenate(self.correct) if self.correct else np.zeros(0)


def _build(
    rows: Iterable[tuple[str, str, float]]
    | Iterable[tuple[str, str, float, str | None, float | None]],
    *,
    with_items: bool = False,
    with_times: bool = False,
) -> Sequences:
    """Sequences from (learner, skill, correct[, item, time]) rows in time order; vocabulary in
    first-seen order. Items and times are kept when asked for (rows then have five fields)."""
    vocab: dict[str, int] = {}
    per_learner: dict[str, tuple[list[int], list[float], list[str], list[float]]] = {}
    for row in rows:
        learner, skill, correct = row[0], row[1], row[2]
        code = vocab.setdefault(skill, len(vocab))
        codes, outcomes, items, times = per_learner.setdefault(learner, ([], [], [], []))
        codes.append(code)
        outcomes.append(correct)
        if with_items:
            items.append(str(row[3]))  # type: ignore[misc]
        if with_times:
            times.append(float(row[4]))  # type: ignore[misc,arg-type]
    values = per_learner.values()
    return Sequences(
        list(per_learner),
        [np.asarray(c, dtype=np.int64) for c, _, _, _ in values],
        [np.asarray(o, dtype=np.float64) for _, o, _, _ in values],
        list(vocab),
        [np.asarray(i, dtype=object) for _, _, i, _ in values] if with_items else None,
        [np.asarray(t, dtype=np.float64) for _, _, _, t in values] if with_times else None,
    )


def _numbers(text: str) -> list[str]:
    return [x for x in (part.strip() for part in text.strip().split(",")) if x]


def load_three_line(path: str | Path) -> Sequences:
    """Read the 3-line knowledge-tracing format (N / skill ids / 0-1 outcomes per learner).

    Learners are named by their position in the file (``"0"``, ``"1"``, ...) since the format
    has no learner ids.
    """
    path = Path(path)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(lines) % 3:
        raise AttemptDataError(
            f"{path}: {len(lines)} non-empty lines is not a multiple of 3; each learner needs "
            "a count line, a skills line and an outcomes line"
        )
    rows: list[tuple[str, str, float]] = []
    for k in range(0, len(lines), 3):
        line_no = k + 1
        try:
            count = int(lines[k].strip().rstrip(","))
        except ValueError:
            raise AttemptDataError(
                f"{path}:{line_no}: expected the number of answers, found {lines[k][:40]!r}"
            ) from None
        skills, outcomes = _numbers(lines[k + 1]), _numbers(lines[k + 2])
        if len(skills) != count or len(outcomes) != count:
            raise AttemptDataError(
                f"{path}:{line_no}: says {count} answers but lists {len(skills)} skills and "
                f"{len(outcomes)} outcomes; make the three lines agree"
            )
        learner = str(k // 3)
        for skill, outcome in zip(skills, outcomes, strict=True):
            value = _outcome(outcome, path, line_no + 2)
            rows.append((learner, skill, value))
    return _build(rows)


def _outcome(text: str, path: Path, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise AttemptDataError(f"{path}:{line}: outcome {text!r} is not a number from 0 to 1")
    return value


def load_long_csv(path: str | Path) -> Sequences:
    """Read a long CSV: one row per answer with learner, skill and correct columns."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        original = dict(zip(header, reader.fieldnames or [], strict=True))
        learner_col = next((original[c] for c in LEARNER_COLUMNS if c in original), None)
        skill_col = next((original[c] for c in SKILL_COLUMNS if c in original), None)
        correct_col = original.get("correct")
        missing = [
            name
            for name, col in (
                ("learner", learner_col),
                ("skill", skill_col),
                ("correct", correct_col),
            )
            if col is None
        ]
        if missing:
            raise AttemptDataError(
                f"{path}:1: no {' or '.join(missing)} column in the header {header}; name them "
                f"e.g. 'user_id,skill,correct'"
            )
        time_col = original.get("time") or original.get("timestamp")
        item_col = next((original[c] for c in ITEM_COLUMNS if c in original), None)
        rows = []
        for line, record in enumerate(reader, start=2):
            value = _outcome(record[correct_col] or "", path, line)  # type: ignore[index]
            when = _time(record[time_col] or "", path, line, time_col) if time_col else 0.0
            rows.append(
                (
                    when,
                    line,
                    str(record[learner_col]),  # type: ignore[index]
                    str(record[skill_col]),  # type: ignore[index]
                    value,
                    str(record[item_col]) if item_col else None,
                )
            )
    if time_col:
        rows.sort(key=lambda r: (r[0], r[1]))
    return _build(
        ((learner, skill, value, item, when) for when, _, learner, skill, value, item in rows),
        with_items=item_col is not None,
        with_times=time_col is not None,
    )


def _time(text: str, path: Path, line: int, column: str) -> float:
    """Seconds since the epoch from a number or an ISO 8601 date and time (UTC if no zone)."""
    import datetime as dt

    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AttemptDataError(
            f"{path}:{line}: {column} {text!r} is neither seconds since 1970 nor an ISO 8601 "
            "date and time (e.g. 2026-09-01T09:30:00)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.timestamp()


def load_sequences(path: str | Path) -> Sequences:
    """Read answers from ``path``, detecting the format: the 3-line format starts with a count."""
    path = Path(path)
    if not path.is_file():
        raise AttemptDataError(f"{path}: no such file")
    with path.open(encoding="utf-8") as handle:
        first = handle.readline().strip().rstrip(",")
    if first.isdigit():
        return load_three_line(path)
    return load_long_csv(path)


def from_attempts(attempts: Iterable[Attempt]) -> Sequences:
    """Sequences from attempt records (sorted by time)."""
    ordered = sorted(attempts, key=lambda a: a.time)
    return _build(
        ((a.learner, a.skill, a.correct, a.item, a.time.timestamp()) for a in ordered),
        with_items=True,
        with_times=True,
    )
