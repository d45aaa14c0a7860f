"""Labelled text for the classifiers: CSV files of questions, and the evaluation data sets.

Every reading error names the file, the line and the column, and says how to fix it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kit.classify.errors import DataNotFoundError, QuestionDataError
from kit.course.notebooks import read_notebook
from kit.course.problems import Problem
from kit.course.validation.questions import (
    OFF_TOPIC,
    QUESTIONS_NAME,
    LabelledRows,
    scan_labelled_csv,
    scan_urgent_column,
)

if TYPE_CHECKING:
    from kit.course import Course

__all__ = [
    "OFF_TOPIC",
    "DataNotFoundError",
    "LabelledTexts",
    "QuestionDataError",
    "UrgencyData",
    "default_data_dir",
    "lesson_texts",
    "load_mooc_urgency",
    "load_so_titles",
    "read_labelled_csv",
    "read_questions",
    "read_urgency_labels",
    "training_corpus",
    "write_labelled_csv",
]

DATA_SOURCE = (
    "the evaluation data lives in ../shared/data/questions/ beside the project (Stack Overflow "
    "titles of Xu et al. 2015; MOOC forum urgency of Svabensky et al. 2023); see its README"
)


@dataclass(frozen=True)
class LabelledTexts:
    """Texts with one label each, and where each row came from.

    Attributes
    ----------
    texts, labels:
        Aligned lists.
    lines:
        The 1-based line of each row in its file (for messages).
    path:
        The file read, if any.
    """

    texts: list[str]
    labels: list[str]
    lines: list[int]
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.texts)


def read_labelled_csv(path: str | Path, label_column: str | None = None) -> LabelledTexts:
    """Read a CSV file with a ``text`` column and a label column.

    Parameters
    ----------
    path:
        The file; UTF-8, a header row, then one row per text. Texts may span lines when quoted.
    label_column:
        The label's column; by default ``label``, or ``skill`` when there is no ``label``
        (a course's ``questions.csv``).

    Raises
    ------
    QuestionDataError
        The file is missing, not UTF-8, lacks a column, or has a row with an empty text or label
        (the first problem of the file, as ``kit check`` words it).
    """
    path = Path(path)
    if not path.is_file():
        raise QuestionDataError(
            f"{path}: not found", fix="give a CSV file with the columns text,label"
        )
    return _texts(scan_labelled_csv(path, label_column=label_column))


def read_questions(course: Course, path: Path | None = None) -> LabelledTexts:
    """The course's labelled questions (``questions.csv``), each label a skill id of the course
    or :data:`OFF_TOPIC`.

    Raises
    ------
    QuestionDataError
        The file is missing, or the first problem ``kit check`` reports in it (the message names
        the line; the fix suggests the closest skill id).
    """
    path = path or course.root / QUESTIONS_NAME
    if not path.exists():
        raise QuestionDataError(
            f"{path}: not found",
            fix="write labelled learner questions (columns text,skill) to train the router",
        )
    return _texts(scan_labelled_csv(path, label_column="skill", skills=list(course.skills)))


def read_urgency_labels(course: Course, path: Path | None = None) -> list[tuple[str, bool]]:
    """``(text, urgent)`` of the rows of the course's questions.csv with a 0 or 1 in its
    optional ``urgent`` column (a blank cell: not labelled); none without the column.

    Raises
    ------
    QuestionDataError
        A cell of the column that is not 0, 1 or blank (naming the line).
    """
    path = path or course.root / QUESTIONS_NAME
    if not path.is_file():
        return []
    found, problems = scan_urgent_column(path)
    if problems:
        raise _error(problems[0])
    return found


@dataclass(frozen=True)
class Corpus:
    """What the skill classifier learns from: the questions (the course's, then its mentors'
    labelled examples) first, then the lessons' pieces."""

    texts: list[str]
    labels: list[str]
    questions: int
    """How many of the texts are questions (the held-out share is drawn from them)."""
    examples: int
    """How many of those are mentors' examples."""
    lessons: int


def training_corpus(
    course: Course,
    path: Path | None = None,
    examples: Sequence[tuple[str, str]] = (),
    use_lessons: bool = True,
) -> Corpus:
    """The course's labelled questions, its mentors' ``(text, skill)`` examples (labels that
    are no longer the course's skills are left out) and, with ``use_lessons``, its lessons."""
    asked = read_questions(course, path)
    known = set(course.skills) | {OFF_TOPIC}
    mine = [(text, label) for text, label in examples if label in known and text.strip()]
    texts = [*asked.texts, *(t for t, _ in mine)]
    labels = [*asked.labels, *(label for _, label in mine)]
    n_lessons = 0
    if use_lessons:
        taught = lesson_texts(course)
        texts += taught.texts
        labels += taught.labels
        n_lessons = len(taught)
    return Corpus(texts, labels, len(asked) + len(mine), len(mine), n_lessons)


def _error(problem: Problem) -> QuestionDataError:
    where = f"column '{problem.field}': " if problem.field else ""
    return QuestionDataError(f"{problem.location()}: {where}{problem.message}", problem.fix)


def _texts(found: LabelledRows) -> LabelledTexts:
    """The rows of a scanned file, or its first problem raised."""
    if found.problems:
        raise _error(found.problems[0])
    if not found.rows:
        raise QuestionDataError(f"{found.path}: has a header but no rows", "add one row per text")
    lines = [line for line, _, _ in found.rows]
    texts = [text for _, text, _ in found.rows]
    labels = [label for _, _, label in found.rows]
    return LabelledTexts(texts, labels, lines, found.path)


# -- the lessons' text -----------------------------------------------------------------------

_WORD = re.compile(r"[a-z][a-z0-9_]+")
_MYST_FENCE = re.compile(r"^(```|:::).*$", re.MULTILINE)
_MARKUP = re.compile(r"[#*_`>|\[\]]+|\(https?://[^)]*\)|\{[a-z-]+\}")


def _clean(markdown: str) -> str:
    text = _MYST_FENCE.sub(" ", markdown)
    text = _MARKUP.sub(" ", text)
    return " ".join(text.split())


def _chunks(text: str, words: int = 50) -> list[str]:
    """Short pieces, like questions: sentences packed up to ``words`` words."""
    sentences = re.split(r"(?<=[.!?:])\s+", text)
    out: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        tokens = sentence.split()
        if current and len(current) + len(tokens) > words:
            out.append(" ".join(current))
            current = []
        current.extend(tokens[: words * 2])
    if current:
        out.append(" ".join(current))
    return [chunk for chunk in out if len(chunk.split()) >= 4]


def lesson_texts(course: Course) -> LabelledTexts:
    """Pieces of every lesson's markdown, each labelled with the skill it is about.

    A cell whose metadata names skills (``"kit": {"skill": ...}`` or ``{"skills": [...]}``)
    takes those; otherwise, in a lesson that teaches several skills, a piece goes to the skill
    whose title and description share the most words with it (all of them on a tie).
    """
    texts: list[str] = []
    labels: list[str] = []
    vocab = {
        skill.id: set(_WORD.findall(f"{skill.id} {skill.title} {skill.description}".lower()))
        for skill in course.manifest.skills
    }
    for lesson in course.manifest.lessons:
        result = read_notebook(course.notebook_path(lesson))
        if result.notebook is None:
            continue
        for cell in result.notebook.cells:
            if cell.cell_type != "markdown":
                continue
            meta = cell.metadata.get("kit", {})
            named = meta.get("skills") or ([meta["skill"]] if meta.get("skill") else [])
            candidates = [s for s in named if s in course.skills] or list(lesson.skills)
            for chunk in _chunks(_clean(cell.source)):
                words = set(_WORD.findall(chunk.lower()))
                scores = {s: len(words & vocab.get(s, set())) for s in candidates}
                best = max(scores.values())
                for skill in candidates:
                    if scores[skill] == best:
                        texts.append(chunk)
                        labels.append(skill)
    return LabelledTexts(texts, labels, [0] * len(texts), None)


# -- evaluation data sets ---------------------------------------------------------------------


def write_labelled_csv(path: str | Path, texts: list[str], labels: list[str]) -> Path:
    """Write ``text,label`` rows (the format :func:`read_labelled_csv` and ``kit router eval`` read)."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(zip(texts, labels, strict=True))
    return path


def default_data_dir() -> Path:
    """``../shared/data`` beside the project's source folder (where the evaluation data lives)."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _folder(path: str | Path | None, name: str) -> Path:
    folder = Path(path) if path is not None else default_data_dir() / "questions" / name
    if not folder.exists():
        raise DataNotFoundError(f"{folder}: not found; {DATA_SOURCE}")
    return folder


def load_so_titles(folder: str | Path | None = None) -> LabelledTexts:
    """The 20,000 Stack Overflow titles in 20 topics (labels are the topic names)."""
    folder = _folder(folder, "so_titles20")
    titles_file = folder / "title_StackOverflow.txt"
    topics = [
        *("wordpress", "oracle", "svn", "apache", "excel", "matlab", "visual-studio", "cocoa"),
        *("osx", "bash", "spring", "hibernate", "scala", "sharepoint", "ajax", "qt", "drupal"),
        *("linq", "haskell", "magento"),
    ]
    titles = titles_file.read_text(encoding="utf-8", errors="replace").splitlines()
    numbers = (folder / "label_StackOverflow.txt").read_text(encoding="utf-8").split()
    if len(titles) != len(numbers):
        raise QuestionDataError(
            f"{folder}: {len(titles)} titles but {len(numbers)} labels",
            fix=f"restore the folder's files from the original data; {DATA_SOURCE}",
        )
    labels = [topics[int(n) - 1] for n in numbers]
    return LabelledTexts(titles, labels, list(range(1, len(titles) + 1)), titles_file)


@dataclass(frozen=True)
class UrgencyData:
    """MOOC forum posts: text, urgency coded 1-7, and the learner who wrote each."""

    texts: list[str]
    urgency: list[float]
    learners: list[str]

    @property
    def urgent(self) -> list[int]:
        """1 where the post is urgent (coded above 4, the published cut-off), else 0."""
        return [int(u > 4) for u in self.urgency]


def load_mooc_urgency(path: str | Path | None = None) -> UrgencyData:
    """The 3,503 coded MOOC posts (``All_Courses_REDACTED_CODED.csv``): a folder or the file."""
    found = _folder(path, "mooc_urgency")
    file = found / "All_Courses_REDACTED_CODED.csv" if found.is_dir() else found
    texts: list[str] = []
    urgency: list[float] = []
    learners: list[str] = []
    with file.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for column in ("id", "post_text", "Urgency_1_7"):
            if column not in (reader.fieldnames or []):
                raise QuestionDataError(
                    f"{file}:1: no '{column}' column",
                    fix=f"use the coded file as published; {DATA_SOURCE}",
                )
        for row in reader:
            if not any((cell or "").strip() for cell in row.values()):
                continue  # a blank line (the file ends with one holding a space)
            try:
                value = float(row["Urgency_1_7"])
            except (TypeError, ValueError):
                raise QuestionDataError(
                    f"{file}:{reader.line_num}: column 'Urgency_1_7' is not a number",
                    fix="code each post's urgency from 1 to 7",
                ) from None
            texts.append(row["post_text"] or "")
            urgency.append(value)
            learners.append(row["id"])
    return UrgencyData(texts, urgency, learners)
