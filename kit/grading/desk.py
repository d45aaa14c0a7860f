"""The grader's side of one project: everything it does in its own process, where it is the
one writer of the gradebook, the staging and autograded folders, and the attempt log.

Each write to the gradebook is a unit of work for one submission: it holds that submission's
lock (:func:`kit.databases.advisory_lock`), so that two graders sharing a gradebook on a
server take turns on a learner they both grade, and it runs again where the server drops
its connection (:func:`kit.databases.retrying`), so that every submission is recorded once.
"""

from __future__ import annotations

import contextlib
import copy
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kit.course import Course
from kit.databases import (
    advisory_lock,
    check_reachable,
    create_engine,
    retrying,
    sqlite_file,
)
from kit.grading.jobs import WRITE, Job, nbgrader_steps
from kit.grading.nbgrader_course import NbgraderCourse
from kit.grading.sandbox import Limits
from kit.progress.cohort import default_attempts_url

if TYPE_CHECKING:
    from kit.progress.gradebook import GradedCell, Skills

IGNORE = (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback")
"""Files nbgrader leaves out of the autograded folder."""


class Desk:
    """One project's grading, on the grader's side: the gradebook's notebooks and submissions,
    each submission's staging folder, the jobs for its notebooks, scoring, publishing, and the
    graded cells as attempts for the progress models.

    Parameters
    ----------
    course:
        The course.
    project:
        The project's id (a :class:`kit.grading.GradingError` if the course has none such).
    """

    def __init__(self, course: Course, project: str) -> None:
        self.course = course
        self.project = project
        self.nbg = NbgraderCourse(course)
        self.nbg.project(project)
        self.settings = course.manifest.grading
        self.attempts_url = default_attempts_url(course)
        self._check_databases()  # before anything is written
        self.config = self.nbg.config()
        self.nbg.prepare()
        self.notebooks = self._notebooks()
        self.limits = Limits(
            memory_mb=self.settings.memory_mb,
            cpu_seconds=self.settings.cpu_seconds,
            processes=self.settings.processes,
            file_mb=self.settings.file_mb,
            network=self.settings.network,
            hide=(str(course.root.resolve()),),
            user=self.settings.sandbox_user,
            require_jail=self.settings.require_sandbox,
        )
        self.preload = self._preload()
        self._skills: Skills | None = None
        self._store: Any = None

    def _check_databases(self) -> None:
        """A :class:`kit.databases.DatabaseUnreachable` for a gradebook or attempt log on a
        server that cannot be reached."""
        for url, what in (
            (self.nbg.gradebook_url, "the gradebook"),
            (self.attempts_url, "the attempt log"),
        ):
            if sqlite_file(url) is None:
                engine = create_engine(url)
                try:
                    check_reachable(engine, url, what)
                finally:
                    engine.dispose()

    @contextlib.contextmanager
    def unit(self, *key: str) -> Iterator[None]:
        """Hold the gradebook's lock on ``key`` (this project's, and a learner's when given)."""
        with advisory_lock(
            self.nbg.gradebook_url, "kit-gradebook", self.course.id, self.project, *key
        ):
            yield

    def _notebooks(self) -> list[str]:
        """The project's notebooks in the gradebook (put there first if they are not)."""
        from nbgrader.api import Gradebook, MissingEntry

        def names() -> list[str]:
            with Gradebook(self.nbg.db_url, self.course.id) as gb:
                try:
                    return [nb.name for nb in gb.find_assignment(self.project).notebooks]
                except MissingEntry:
                    return []

        with self.unit():  # one grader puts the project in a new gradebook; the others wait
            found = retrying(names)
            if not found:
                self.nbg.assign(self.project)  # puts the source cells (and hidden tests) in it
                found = retrying(names)
        return found

    def _preload(self) -> tuple[str, ...] | None:
        """What the kernel template imports (None: no template)."""
        from kit.grading.zygote import imports_of

        if not self.settings.fork_kernels:
            return None
        if self.settings.preload is not None:
            return tuple(self.settings.preload)
        return tuple(imports_of(sorted(self.course.project_dir(self.project).glob("*.ipynb"))))

    def learners(self) -> list[str]:
        """Learners with a submission of this project."""
        folder = self.nbg.submitted(self.project)
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if (p / self.project).is_dir())

    def submitted(self, learner: str) -> Path:
        """The learner's collected submission."""
        return self.nbg.submitted(self.project, learner)

    def autograded(self, learner: str) -> Path:
        """The learner's autograded folder."""
        return self.nbg.autograded(self.project, learner)

    # -- a submission's start --------------------------------------------------------------------
    def stage(self, learner: str) -> Path:
        """Lay out the learner's autograded folder in a staging folder: the submission's
        files, then the instructors' (they win, as in nbgrader)."""
        staging = self.autograded(learner).with_name(f".{self.project}.staging")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(
            self.submitted(learner), staging, symlinks=False, ignore=shutil.ignore_patterns(*IGNORE)
        )
        source = self.nbg.root / "source" / self.project
        for path in source.rglob("*"):
            ignored = any(path.match(pattern) for pattern in IGNORE) or any(
                part in IGNORE for part in path.relative_to(source).parts
            )
            if path.is_file() and path.suffix != ".ipynb" and not ignored:
                target = staging / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
        return staging

    def register(self, learner: str) -> None:
        """Put the learner and the submission (with its timestamp) in the gradebook."""
        from nbgrader.api import Gradebook
        from nbgrader.coursedir import CourseDirectory

        submitted = str(self.submitted(learner))
        timestamp = CourseDirectory(config=self.config).get_existing_timestamp(submitted)

        def write() -> None:
            with Gradebook(self.nbg.db_url, self.course.id) as gb:
                gb.update_or_create_student(learner)
                if timestamp:
                    gb.update_or_create_submission(self.project, learner, timestamp=timestamp)
                else:
                    gb.update_or_create_submission(self.project, learner)

        with self.unit(learner):
            retrying(write)

    @staticmethod
    def unreadable(path: Path) -> str:
        """Why a submitted notebook cannot be graded ("" when it can)."""
        from kit.course.notebooks import read_notebook

        if not path.exists():
            return "not submitted"
        result = read_notebook(path)
        return result.problem.message if result.problem else ""

    def job(self, learner: str, name: str, path: Path, staging: Path) -> Job:
        """The job that runs the learner's notebook ``name`` (at ``path``) with the staged
        files."""
        resources = {
            "unique_key": name,
            "output_files_dir": f"{name}_files",
            "nbgrader": {
                "student": learner,
                "assignment": self.project,
                "notebook": name,
                "db_url": self.nbg.db_url,
                "course_id": self.course.id,
            },
        }
        return Job(
            files=str(staging),
            limits=self.limits,
            timeout_cell=self.settings.timeout_cell,
            timeout_notebook=self.settings.timeout_notebook,
            output_bytes=self.settings.output_kb * 1024,
            preload=self.preload,
            path=str(path),
            resources=resources,
            config=self.config,
        )

    # -- a notebook's result ---------------------------------------------------------------------
    def zero(self, learner: str, name: str) -> None:
        """Score every graded cell of the learner's notebook ``name`` zero."""
        from nbgrader.api import Gradebook

        def write() -> None:
            with Gradebook(self.nbg.db_url, self.course.id) as gb:
                notebook = gb.find_submission_notebook(name, self.project, learner)
                for grade in notebook.grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
                gb.db.commit()

        with self.unit(learner):
            retrying(write)

    def score(self, staging: Path, name: str, executed: Any, resources: dict[str, Any]) -> None:
        """Score an executed notebook (nbgrader's preprocessors) and write it out."""
        import nbformat

        def write() -> Any:  # on a fresh copy each time: the steps change what they are given
            nb, _ = nbgrader_steps(
                WRITE, copy.deepcopy(executed), copy.deepcopy(resources), self.config
            )
            return nb

        with self.unit(resources["nbgrader"]["student"]):
            nb = retrying(write)
        nbformat.write(nb, staging / f"{name}.ipynb")

    # -- a submission's end ----------------------------------------------------------------------
    def publish(self, learner: str, staging: Path) -> Path:
        """Put the staging folder in the place of the learner's autograded folder."""
        final = self.autograded(learner)
        old = final.with_name(f".{self.project}.old")
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        return final

    def scores(self, learner: str) -> list[GradedCell]:
        """The submission's graded cells (grade and task cells), as the gradebook holds them."""
        from kit.progress.gradebook import grade_cell_skills, graded_cells

        if self._skills is None:
            self._skills = grade_cell_skills(self.course)
        skills = self._skills
        with self.unit(learner):  # never while another grader is writing them
            return retrying(
                lambda: list(
                    graded_cells(
                        self.course,
                        self.nbg.db_url,
                        project=self.project,
                        learner=learner,
                        skills=skills,
                    )
                )
            )

    def attempts(self, learner: str, cells: list[GradedCell]) -> None:
        """Record the submission's graded cells that have a skill (and a grade: none awaiting
        manual grading) as the learner's attempts, in place of those of an earlier grading."""
        from kit.progress.attempts import AttemptStore

        rows = [a for a in (cell.attempt(self.course.id) for cell in cells) if a is not None]
        if self._store is None:
            self._store = AttemptStore(self.attempts_url)
        self._store.replace(learner, f"{self.project}/", "grading", rows, course=self.course.id)

    def close(self) -> None:
        """Close the attempt log, if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None
