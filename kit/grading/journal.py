"""The journal of finished submissions: what lets a re-run grade only what is new or changed,
and a run killed at any point lose nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from kit.grading.submission import Outcome


def journal_path(workspace: Path) -> Path:
    """The journal of a course whose workspace folder is ``workspace``."""
    return workspace / "grading" / "journal.sqlite"


class Journal:
    """Finished submissions, kept in an SQLite file: committed only once a submission's grades
    and autograded notebooks are written, so a killed run leaves no false entries.

    Parameters
    ----------
    path:
        The SQLite file (created, with its folder, if missing).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS graded (project TEXT, learner TEXT, digest TEXT, "
            "status TEXT, detail TEXT, finished TEXT, PRIMARY KEY (project, learner))"
        )
        self.db.commit()

    def done(self, project: str, learner: str, digest: str) -> bool:
        """Whether the learner's submission with this digest was graded to its end."""
        row = self.db.execute(
            "SELECT digest FROM graded WHERE project = ? AND learner = ?", (project, learner)
        ).fetchone()
        return row is not None and row[0] == digest

    def recorded(self, project: str, learner: str) -> dict[str, Any]:
        """The outcome recorded for the learner's submission (its :meth:`Outcome.to_dict`), or
        {} when none is."""
        row = self.db.execute(
            "SELECT detail FROM graded WHERE project = ? AND learner = ?", (project, learner)
        ).fetchone()
        if row is None:
            return {}
        try:
            detail = json.loads(row[0])
        except (TypeError, ValueError):  # a journal written by hand, or damaged: no details
            return {}
        return detail if isinstance(detail, dict) else {}

    def record(self, project: str, outcome: Outcome, digest: str) -> None:
        """Record a finished submission."""
        self.db.execute(
            "INSERT OR REPLACE INTO graded VALUES (?, ?, ?, ?, ?, ?)",
            (
                project,
                outcome.learner,
                digest,
                outcome.status,
                json.dumps(outcome.to_dict()),
                dt.datetime.now(dt.timezone.utc).isoformat(),
            ),
        )
        self.db.commit()

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def digest_of(folder: Path) -> str:
    """A digest of every file in ``folder`` (names and contents)."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()
