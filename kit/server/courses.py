"""The courses a server sees: configured folders, or those found under its root folder.

Courses are loaded (and checked) once and loaded again when their course.yml changes; a course
with errors is left out, with its report in the server's log. Each course's database is opened
on first use and upgraded to the newest schema.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from kit.course import Course, CourseError, load_course
from kit.course.manifest import WORKSPACE_NAME
from kit.server.errors import ApiError
from kit.state import CourseState

MANIFEST = "course.yml"
SKIP = {WORKSPACE_NAME, "node_modules", "__pycache__", "_build", "site-packages"}
"""Folders never searched for courses (besides hidden ones)."""
RESCAN_SECONDS = 10.0
"""How long a search of the root folder for courses is trusted."""


def find_courses(root: Path, depth: int) -> list[Path]:
    """Course folders (holding a course.yml) under ``root``, at most ``depth`` levels down,
    skipping hidden folders, course workspaces and the insides of a course; sorted by path."""
    found: list[Path] = []

    def walk(folder: Path, level: int) -> None:
        if (folder / MANIFEST).is_file():
            found.append(folder)
            return  # courses do not nest
        if level >= depth:
            return
        try:
            children = sorted(p for p in folder.iterdir() if p.is_dir())
        except OSError:
            return
        for child in children:
            if not child.name.startswith(".") and child.name not in SKIP:
                walk(child, level + 1)

    walk(root, 0)
    return found


class CourseRegistry:
    """The courses of one server, and their databases.

    Parameters
    ----------
    root_dir:
        The Jupyter server's root folder: notebooks' paths are relative to it.
    folders:
        Course folders (relative to ``root_dir`` or absolute); empty: search ``root_dir``.
    depth:
        How many levels below ``root_dir`` to search.
    log:
        Where to report courses left out.
    database_url:
        Every course's database (default: each course's own, :class:`kit.state.CourseState`).
    """

    def __init__(
        self,
        root_dir: str | Path,
        folders: Sequence[str] = (),
        depth: int = 3,
        log: logging.Logger | None = None,
        database_url: str | None = None,
    ) -> None:
        self.database_url = database_url or None
        self.root = Path(root_dir).expanduser().resolve()
        self.folders = [self.root / Path(f).expanduser() for f in folders]
        self.depth = depth
        self.log = log or logging.getLogger(__name__)
        self._found: tuple[float, list[Path]] = (0.0, [])
        self._loaded: dict[Path, tuple[float, Course | None]] = {}
        self._states: dict[Path, CourseState] = {}
        self._lock = threading.Lock()

    def _folders(self) -> list[Path]:
        if self.folders:
            return self.folders
        when, found = self._found
        if time.monotonic() - when > RESCAN_SECONDS:
            found = find_courses(self.root, self.depth)
            self._found = (time.monotonic(), found)
        return found

    def _load(self, folder: Path) -> Course | None:
        manifest = folder / MANIFEST
        try:
            mtime = manifest.stat().st_mtime
        except OSError:
            self.log.warning("Mentor Kit: no course.yml in %s; it is left out", folder)
            return None
        cached = self._loaded.get(folder)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        course: Course | None
        try:
            course = load_course(folder)
        except CourseError as exc:
            self.log.warning(
                "Mentor Kit: the course in %s has errors and is left out (kit check %s): %s",
                folder,
                folder,
                exc.report.summary(),
            )
            course = None
        self._loaded[folder] = (mtime, course)
        return course

    def courses(self, notebook: str | None = None) -> list[Course]:
        """The courses, the one ``notebook`` (a path relative to the root folder) belongs to
        first; courses with the same id as an earlier one are left out."""
        with self._lock:
            loaded = [c for c in (self._load(f) for f in self._folders()) if c is not None]
        unique = list({c.id: c for c in reversed(loaded)}.values())[::-1]
        if notebook:
            try:
                path = (self.root / notebook.lstrip("/")).resolve()
            except (OSError, ValueError):  # a path no file can have: it belongs to no course
                return unique
            unique.sort(key=lambda c: not path.is_relative_to(c.root.resolve()))
        return unique

    def course(self, course_id: str | None = None, notebook: str | None = None) -> Course:
        """The course ``course_id`` (default: the first of :meth:`courses`).

        Raises
        ------
        ApiError
            404 when there is no such course, or no course at all.
        """
        courses = self.courses(notebook)
        if not courses:
            raise ApiError(
                404,
                f"this server sees no course under {self.root}",
                "put a course folder (with a course.yml) under the server's root folder, or "
                "name course folders in c.KitServer.course_dirs",
            )
        if course_id is None:
            return courses[0]
        for course in courses:
            if course.id == course_id:
                return course
        known = ", ".join(c.id for c in courses)
        raise ApiError(404, f"no course '{course_id}' on this server", f"use one of: {known}")

    def state(self, course: Course) -> CourseState:
        """The course's database (opened, and upgraded, on first use)."""
        with self._lock:
            key = course.root.resolve()
            if key not in self._states:
                self._states[key] = CourseState(course, self.database_url)
            return self._states[key]

    def states(self) -> Iterator[CourseState]:
        """The databases opened so far."""
        return iter(list(self._states.values()))

    def relative(self, course: Course, path: str) -> str | None:
        """A course file's path relative to the root folder (None: the course lies outside)."""
        full = (course.root / path).resolve()
        if not full.is_relative_to(self.root):
            return None
        return str(PurePosixPath(*full.relative_to(self.root).parts))

    def close(self) -> None:
        """Close every database."""
        with self._lock:
            for state in self._states.values():
                state.close()
            self._states.clear()
