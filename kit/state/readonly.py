"""Reading a course's records without opening (and so creating or upgrading) its database:
what ``kit book build`` and ``kit router train`` take from it. A database that is absent, or
older than the records asked for, holds none of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

from kit.course import Course
from kit.databases import create_engine, masked, sqlite_file
from kit.progress.cohort import default_attempts_url
from kit.state.database import DatabaseError
from kit.state.examples import ExampleStore, LabelledExample
from kit.state.faq import FaqEntry, FaqStore

_T = TypeVar("_T")


def _existing(
    course: Course, url: str | None, table: str, read: Callable[[sa.Engine], _T], empty: _T
) -> tuple[_T, str]:
    """``read`` on the course's database when it holds ``table``, else ``empty``; and a note
    saying which."""
    url = url or default_attempts_url(course)
    file = sqlite_file(url)
    if file is not None and not file.is_file():
        return empty, f"no course database ({file})"
    engine = create_engine(url)
    try:
        if table not in set(sa.inspect(engine).get_table_names()):
            return empty, f"the course database ({masked(url)}) holds no {table} yet"
        return read(engine), f"the course database ({masked(url)})"
    except sa.exc.SQLAlchemyError as exc:
        raise DatabaseError(
            f"{masked(url)}: the course database cannot be read ({exc.__class__.__name__})",
            fix="check the database URL (course.yml's database:, KIT_DATABASE_URL)",
        ) from exc
    finally:
        engine.dispose()


def read_faq(course: Course, url: str | None = None) -> tuple[list[FaqEntry], str]:
    """The course's FAQ entries (oldest first), and where they came from."""
    return _existing(course, url, "faq", lambda db: FaqStore(db, course.id).entries(), [])


def read_examples(course: Course, url: str | None = None) -> tuple[list[LabelledExample], str]:
    """Mentors' labelled examples of the course, and where they came from."""
    return _existing(
        course, url, "labelled_examples", lambda db: ExampleStore(db, course.id).examples(), []
    )
