"""The gradebook of an nbgrader course directory being imported: found from its configuration,
checked before anything is written, and copied into the new course (see
:mod:`kit.grading.importer` for why a copy)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.course.manifest import WORKSPACE_NAME
from kit.grading.errors import CourseImportError
from kit.grading.nbgrader_config import NbgraderConfig
from kit.grading.nbgrader_course import GRADEBOOK_NAME

__all__ = ["SourceGradebook", "find_gradebook"]

TABLES = {"assignment", "notebook", "student", "submitted_assignment", "grade"}
"""Tables every nbgrader gradebook has."""
GRADED_BEFORE = "graded by nbgrader before the import"


def _open(path: Path) -> sqlite3.Connection:
    """The SQLite file, opened so that reading it changes nothing (read-only; a database in
    WAL mode whose folder cannot be written is read as immutable)."""
    uri = path.resolve().as_uri()
    try:
        return _checked(sqlite3.connect(f"{uri}?mode=ro", uri=True))
    except sqlite3.OperationalError:
        return _checked(sqlite3.connect(f"{uri}?immutable=1", uri=True))


def _checked(connection: sqlite3.Connection) -> sqlite3.Connection:
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def _unreadable(path: Path, exc: Exception) -> CourseImportError:
    return CourseImportError(
        f"{path}: the gradebook cannot be read ({exc})",
        fix="restore it from a backup, or move it away to import the course without grades",
    )


def _check(path: Path) -> None:
    """Raise unless ``path`` is an SQLite database with nbgrader's tables."""
    try:
        with closing(_open(path)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.Error as exc:
        raise _unreadable(path, exc) from exc
    missing = TABLES - {row[0] for row in rows}
    if missing:
        raise CourseImportError(
            f"{path}: an SQLite database but not an nbgrader gradebook (no table "
            f"{', '.join(sorted(missing))})",
            fix="point CourseDirectory.db_url at the course's gradebook, or move this file away",
        )


@dataclass(frozen=True)
class SourceGradebook:
    """Where the imported course's grades are.

    Attributes
    ----------
    path:
        An SQLite gradebook to copy (None: none to copy).
    url:
        A gradebook on a database server, which the new course uses in place ("" for none).
    """

    path: Path | None = None
    url: str = ""

    def describe(self) -> str:
        """Where the grades came from, in words."""
        if self.url:
            return f"kept on its server: {self.url} (course.yml's grading.gradebook)"
        if self.path is None:
            return "none found: the course starts with an empty gradebook"
        return f"copied from {self.path}"

    def copy_to(
        self, target: Path, course_id: str, names: list[str]
    ) -> tuple[dict[str, set[str]], list[str]]:
        """Copy the gradebook to ``target`` and open the copy with nbgrader; the learners
        with a submission of each assignment of ``names``, and notes (assignments in the
        gradebook without a source folder)."""
        if self.path is None:
            return {}, []
        try:
            with closing(_open(self.path)) as source, closing(sqlite3.connect(target)) as copy:
                source.backup(copy)
        except sqlite3.Error as exc:
            raise _unreadable(self.path, exc) from exc
        return self._submissions(f"sqlite:///{target.resolve()}", course_id, names)

    def _submissions(
        self, url: str, course_id: str, names: list[str]
    ) -> tuple[dict[str, set[str]], list[str]]:
        from nbgrader.api import Gradebook, MissingEntry

        found: dict[str, set[str]] = {}
        try:
            with Gradebook(url, course_id=course_id) as gb:
                for name in names:
                    try:
                        assignment = gb.find_assignment(name)
                    except MissingEntry:
                        continue
                    found[name] = {s.student.id for s in assignment.submissions}
                others = sorted(a.name for a in gb.assignments if a.name not in names)
        except Exception as exc:  # nbgrader raises many kinds on a gradebook it cannot use
            raise CourseImportError(
                f"{self.path}: nbgrader cannot open the gradebook ({exc})",
                fix="run 'nbgrader db upgrade' in the nbgrader course directory (a gradebook "
                "of an older nbgrader), or move it away to import without grades",
            ) from exc
        notes = [
            f"the gradebook has grades of {name}, which has no source folder: they stay in "
            "the gradebook, but the course has no project for it"
            for name in others
        ]
        return found, notes

    @staticmethod
    def skip_graded(course: Path, nbgrader: Path, submissions: dict[str, set[str]]) -> int:
        """Record in the new course's journal each submission that nbgrader graded (in the
        gradebook, with an autograded folder), as ``nbgrader autograde`` would skip it: ``kit
        grade`` then shows its score from the gradebook instead of grading it again (its
        ``--force`` regrades, as nbgrader's does). Returns how many."""
        from kit.grading.journal import Journal, digest_of, journal_path
        from kit.grading.submission import Outcome

        if not submissions:
            return 0
        journal = Journal(journal_path(course / WORKSPACE_NAME))
        count = 0
        try:
            for assignment, learners in submissions.items():
                for learner in sorted(learners):
                    submitted = nbgrader / "submitted" / learner / assignment
                    if (
                        submitted.is_dir()
                        and (nbgrader / "autograded" / learner / assignment).is_dir()
                    ):
                        outcome = Outcome(learner, "graded", notes=[GRADED_BEFORE])
                        journal.record(assignment, outcome, digest_of(submitted))
                        count += 1
        finally:
            journal.close()
        return count


def find_gradebook(directory: Path, config: NbgraderConfig) -> SourceGradebook:
    """The gradebook of the nbgrader course directory ``directory``: the one its
    ``CourseDirectory.db_url`` names, else ``gradebook.db`` in it (nbgrader's default). An
    SQLite gradebook is checked here, before anything is written.

    Raises
    ------
    CourseImportError
        When the configured gradebook is missing, or one found cannot be read as nbgrader's.
    """
    url = str(config.get("CourseDirectory.db_url", "") or "")
    if not url:
        path = directory / GRADEBOOK_NAME
        if not path.exists():
            return SourceGradebook()
        _check(path)
        return SourceGradebook(path)
    database = _sqlite_file(url, config)
    if database is None:
        return SourceGradebook(url=url)
    path = database if database.is_absolute() else directory / database
    if not path.is_file():
        raise CourseImportError(
            f"{config.path}:{config.lines.get('CourseDirectory.db_url', 0)}: the gradebook "
            f"it names, {path}, is not there",
            fix="put the gradebook there, or correct CourseDirectory.db_url",
        )
    _check(path)
    return SourceGradebook(path)


def _sqlite_file(url: str, config: NbgraderConfig) -> Path | None:
    """The file of an SQLite URL (None for another database)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed: Any = make_url(url)
    except ArgumentError as exc:
        raise CourseImportError(
            f"{config.path}: CourseDirectory.db_url {url!r} is not a database URL",
            fix="write it as sqlite:///path/to/gradebook.db or a SQLAlchemy URL",
        ) from exc
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise CourseImportError(
            f"{config.path}: CourseDirectory.db_url {url!r} names no gradebook file",
            fix="write it as sqlite:///path/to/gradebook.db",
        )
    return Path(parsed.database)
