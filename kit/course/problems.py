"""Problems found in a course: each names the file, the line, the field and the fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from kit.errors import KitError

DID_YOU_MEAN_CUTOFF = 0.8
"""How alike a misspelt id and a known one must be (difflib's ratio) to suggest the known one:
high enough that a suggestion is nearly always the id meant."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``did you mean 'x'?`` for the choice closest to ``word``, or "" when none is close."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=DID_YOU_MEAN_CUTOFF)
    return f"did you mean '{match[0]}'?" if match else ""


def join_fix(suggestion: str, general: str) -> str:
    """A fix: the likely correction first (when there is one), the general rule after it."""
    return f"{suggestion} ({general})" if suggestion else general


class Severity(str, Enum):
    """How bad a problem is: errors stop the course from being used, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a course.

    Attributes
    ----------
    severity:
        ``error`` or ``warning``.
    file:
        The file the problem is in (``course.yml``, a notebook, ...).
    message:
        What is wrong, in one sentence.
    fix:
        What to do about it.
    field:
        Where in the file: a dotted path such as ``skills[2].prerequisites[0]``, or a notebook cell.
    line:
        1-based line number in the file, when known.
    """

    severity: Severity
    file: Path
    message: str
    fix: str = ""
    field: str = ""
    line: int | None = None

    def location(self, relative_to: Path | None = None) -> str:
        """``file:line`` as compilers and editors print it."""
        path = self.file
        if relative_to is not None:
            with suppress(ValueError):  # outside: keep the path as given
                path = path.resolve().relative_to(relative_to.resolve())
        return f"{path}:{self.line}" if self.line else str(path)

    def format(self, relative_to: Path | None = None) -> str:
        """One line (two with the fix) for a terminal."""
        where = f" {self.field}:" if self.field else ""
        text = f"{self.location(relative_to)}: {self.severity.value}:{where} {self.message}"
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        data = asdict(self)
        data["severity"] = self.severity.value
        data["file"] = str(self.file)
        return data


@dataclass
class Report:
    """Every problem found in one course, in the order found."""

    course_dir: Path
    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        severity: Severity,
        file: Path,
        message: str,
        *,
        fix: str = "",
        field: str = "",
        line: int | None = None,
    ) -> None:
        """Record one problem."""
        self.problems.append(Problem(severity, file, message, fix, field, line))

    def error(self, file: Path, message: str, **where: Any) -> None:
        """Record an error."""
        self.add(Severity.ERROR, file, message, **where)

    def warning(self, file: Path, message: str, **where: Any) -> None:
        """Record a warning."""
        self.add(Severity.WARNING, file, message, **where)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add problems found elsewhere."""
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        """The problems that make the course unusable."""
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """The problems worth fixing that do not block anything."""
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        """``2 errors, 1 warning`` or ``no problems``."""
        if not self.problems:
            return "no problems"
        parts = []
        for count, word in ((len(self.errors), "error"), (len(self.warnings), "warning")):
            if count:
                parts.append(f"{count} {word}{'s' if count != 1 else ''}")
        return ", ".join(parts)


class CourseError(KitError):
    """Raised when a course cannot be loaded; carries the full report."""

    def __init__(self, report: Report) -> None:
        self.report = report
        lines = [p.format(report.course_dir.parent) for p in report.errors]
        super().__init__(
            f"{report.summary()} in {report.course_dir}\n" + "\n".join(lines),
            fix=f"run 'kit check {report.course_dir}' after fixing these",
        )
