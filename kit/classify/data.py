"""Labelled text for the classifiers: CSV files of questions, and the evaluation data sets.

Every reading error names the file, the line and the column, and says how to fix it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OFF_TOPIC = "off-topic"
"""The label of questions that no skill of the course covers (the router answers "not sure")."""

DATA_SOURCE = (
    "the evaluation data lives in ../shared/data/questions/ beside the project (Stack Overflow "
    "titles of Xu et al. 2015; MOOC forum urgency of Svabensky et al. 2023); see its README"
)


class DataFormatError(ValueError):
    """A labelled-text file that cannot be read; the message names the file, line and fix."""


class DataNotFoundError(FileNotFoundError):
    """An evaluation data set that is not on this machine; the message says where it comes from."""


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
    DataFormatError
        The file is missing, not UTF-8, lacks a column, or has a row with an empty text or label.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{path}: not found (expected a CSV file with columns text,label)")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _read_rows(path, csv.reader(handle), label_column)
    except UnicodeDecodeError as exc:
        raise DataFormatError(
            f"{path}: is not UTF-8 text ({exc.reason}); save it as UTF-8 (CSV UTF-8 in a spreadsheet)"
        ) from None
    except csv.Error as exc:
        raise DataFormatError(
            f"{path}: is not valid CSV ({exc}); quote texts that hold commas"
        ) from None


def numbered_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """The rows of a ``csv.reader`` after the ones read so far, each with the file line it
    starts on (a quoted text may span lines); blank rows are left out."""
    end = reader.line_num
    for row in reader:
        start, end = end + 1, reader.line_num
        if any(cell.strip() for cell in row):
            yield start, row


def _read_rows(path: Path, reader: Any, label_column: str | None) -> LabelledTexts:
    header = next(reader, None)
    if header is None:
        raise DataFormatError(
            f"{path}: is empty; add a header row 'text,label' and one row per text"
        )
    names = [name.strip().lower() for name in header]
    wanted = label_column or ("label" if "label" in names or "skill" not in names else "skill")
    for column in ("text", wanted):
        if column not in names:
            raise DataFormatError(
                f"{path}:1: no '{column}' column (the header has {', '.join(header) or 'nothing'}); "
                f"the first row must name the columns, e.g. 'text,{wanted}'"
            )
    text_at, label_at = names.index("text"), names.index(wanted)
    texts: list[str] = []
    labels: list[str] = []
    lines: list[int] = []
    for start, row in numbered_rows(reader):
        if len(row) <= max(text_at, label_at):
            raise DataFormatError(
                f"{path}:{start}: has {len(row)} column(s), expected {len(names)}; "
                'quote a text that holds a comma, e.g. "why, though?",numpy'
            )
        text, label = row[text_at].strip(), row[label_at].strip()
        if not text:
            raise DataFormatError(
                f"{path}:{start}: column 'text' is empty; write the text or remove the row"
            )
        if not label:
            raise DataFormatError(
                f"{path}:{start}: column '{wanted}' is empty; give the row a {wanted} or remove it"
            )
        texts.append(text)
        labels.append(label)
        lines.append(start)
    if not texts:
        raise DataFormatError(f"{path}: has a header but no rows; add one row per text")
    return LabelledTexts(texts, labels, lines, path)


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
        raise DataFormatError(f"{folder}: {len(titles)} titles but {len(numbers)} labels")
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
                raise DataFormatError(f"{file}:1: no '{column}' column")
        for row in reader:
            if not any((cell or "").strip() for cell in row.values()):
                continue  # a blank line (the file ends with one holding a space)
            try:
                value = float(row["Urgency_1_7"])
            except (TypeError, ValueError):
                raise DataFormatError(
                    f"{file}:{reader.line_num}: column 'Urgency_1_7' is not a number"
                ) from None
            texts.append(row["post_text"] or "")
            urgency.append(value)
            learners.append(row["id"])
    return UrgencyData(texts, urgency, learners)
