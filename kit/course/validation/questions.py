"""The rules of a course's ``questions.csv`` (the router's training data), in one place.

:func:`iter_question_problems` yields every problem of the file: ``kit check`` reports them all,
and the router's reader (:func:`kit.classify.data.read_questions`) raises the first. The same
scan reads any CSV file of labelled texts (:func:`scan_labelled_csv`), so the evaluation data
sets follow the same rules for their header, rows and texts.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.course.problems import Problem, Severity, did_you_mean, join_fix

QUESTIONS_NAME = "questions.csv"
"""The file of a course's labelled learner questions (columns ``text,skill``), beside course.yml."""

OFF_TOPIC = "off-topic"
"""The label of questions that no skill of the course covers (the router answers "not sure")."""

LABEL_RULE = f"use a skill id from course.yml, or '{OFF_TOPIC}' for questions it does not cover"


@dataclass(frozen=True)
class LabelledRows:
    """What a CSV file of labelled texts holds, and what is wrong with it.

    Attributes
    ----------
    path:
        The file read.
    label_column:
        The column the labels were read from (``skill`` in a course's questions.csv).
    rows:
        ``(line, text, label)`` of each row without problems; ``line`` is the 1-based line the
        row starts on (a quoted text may span lines).
    problems:
        Every problem found, in file order (errors only).
    """

    path: Path
    label_column: str
    rows: list[tuple[int, str, str]]
    problems: list[Problem]


def numbered_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """The rows of a ``csv.reader`` after the ones read so far, each with the file line it
    starts on (a quoted text may span lines); blank rows are left out."""
    end = reader.line_num
    for row in reader:
        start, end = end + 1, reader.line_num
        if any(cell.strip() for cell in row):
            yield start, row


def _error(path: Path, message: str, fix: str, field: str = "", line: int | None = None) -> Problem:
    return Problem(Severity.ERROR, path, message, fix, field, line)


def _label_column(header: list[str], wanted: str | None) -> str:
    """The label's column: as asked, else ``label``, or ``skill`` when there is no ``label``."""
    if wanted:
        return wanted
    return "label" if "label" in header or "skill" not in header else "skill"


def _row_problems(
    path: Path, line: int, text: str, label: str, column: str, skills: Collection[str] | None
) -> Iterator[Problem]:
    if not text:
        yield _error(path, "the question is empty", "write it, or remove the row", "text", line)
    if skills is None:
        if not label:
            yield _error(
                path, f"no {column}", f"give the row a {column}, or remove it", column, line
            )
    elif label not in skills and label != OFF_TOPIC:
        yield _error(
            path,
            f"'{label}' is not a skill of the course" if label else "no skill",
            join_fix(did_you_mean(label, [*skills, OFF_TOPIC]), LABEL_RULE),
            column,
            line,
        )


def _scan_rows(
    path: Path,
    reader: Any,
    wanted: str | None,
    skills: Collection[str] | None,
    found: LabelledRows,
) -> str:
    """Read the header and rows into ``found``; the label's column."""
    header = [name.strip().lower() for name in next(reader, [])]
    column = _label_column(header, wanted)
    missing = [name for name in ("text", column) if name not in header]
    if missing:
        fix = f"start the file with the header line 'text,{column}'"
        found.problems.append(_error(path, f"no '{missing[0]}' column in the header", fix, line=1))
        return column
    text_at, label_at = header.index("text"), header.index(column)
    for line, row in numbered_rows(reader):
        if len(row) <= max(text_at, label_at):
            fix = 'quote a question that holds a comma: "why, though?",numpy'
            message = f"{len(row)} column(s), expected {len(header)}"
            found.problems.append(_error(path, message, fix, line=line))
            continue
        text, label = row[text_at].strip(), row[label_at].strip()
        problems = list(_row_problems(path, line, text, label, column, skills))
        found.problems.extend(problems)
        if not problems:
            found.rows.append((line, text, label))
    return column


def scan_labelled_csv(
    path: Path, *, label_column: str | None = None, skills: Collection[str] | None = None
) -> LabelledRows:
    """Read a CSV file of labelled texts (a ``text`` column and a label column), never raising
    for a mistake in it.

    Parameters
    ----------
    path:
        An existing file; UTF-8, a header row, then one row per text.
    label_column:
        The label's column; by default ``label``, or ``skill`` when there is no ``label``.
    skills:
        A course's skill ids: then each label must be one of them or :data:`OFF_TOPIC`; without
        them a label must only be present.
    """
    found = LabelledRows(path, label_column or "label", [], [])
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            column = _scan_rows(path, csv.reader(handle), label_column, skills, found)
    except UnicodeDecodeError:
        found.problems.append(_error(path, "is not UTF-8 text", "save it as UTF-8 (CSV UTF-8)"))
        return found
    except csv.Error as exc:
        fix = "quote questions that hold commas or quotes"
        found.problems.append(_error(path, f"is not valid CSV ({exc})", fix))
        return found
    return LabelledRows(path, column, found.rows, found.problems)


URGENT_COLUMN = "urgent"
"""The optional column of questions.csv that flags a question urgent (1) or not (0)."""


def scan_urgent_column(path: Path) -> tuple[list[tuple[str, bool]], list[Problem]]:
    """``(text, urgent)`` of the rows of a questions.csv with 0 or 1 in its optional ``urgent``
    column (blank: not labelled; no column: none), and the cells that are neither."""
    found: list[tuple[str, bool]] = []
    problems: list[Problem] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [name.strip().lower() for name in next(reader, [])]
            if URGENT_COLUMN not in header or "text" not in header:
                return [], []
            text_at, urgent_at = header.index("text"), header.index(URGENT_COLUMN)
            for line, row in numbered_rows(reader):
                value = row[urgent_at].strip() if len(row) > urgent_at else ""
                text = row[text_at].strip() if len(row) > text_at else ""
                if value not in ("", "0", "1"):
                    fix = "write 1 for an urgent question, 0 for one that is not, or leave it blank"
                    problems.append(
                        _error(path, f"'{value}' is not 0 or 1", fix, URGENT_COLUMN, line)
                    )
                elif value and text:
                    found.append((text, value == "1"))
    except (UnicodeDecodeError, csv.Error):
        return [], []  # the scan of the labels reports these
    return found, problems


def iter_question_problems(path: Path, skills: Iterable[str]) -> Iterator[Problem]:
    """Every problem of a course's questions.csv, in file order.

    Parameters
    ----------
    path:
        The file (it must exist; a course without one has nothing to check).
    skills:
        The course's skill ids: each row's skill must be one of them or :data:`OFF_TOPIC`. When
        there are none (course.yml declares no valid skill), a skill must only be present.
    """
    known = list(skills)
    yield from scan_labelled_csv(path, label_column="skill", skills=known or None).problems
    yield from scan_urgent_column(path)[1]
