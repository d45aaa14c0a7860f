"""``kit import``: an existing nbgrader course directory, as a kit course.

It reads, and never changes, the nbgrader course directory: its configuration
(:mod:`kit.grading.nbgrader_config`, read without running it), its ``source/<assignment>/``
folders, its gradebook, and its submitted, autograded and feedback folders. It writes a new
course folder::

    COURSE/course.yml                one project per assignment, named as nbgrader names it, with
                                     its points, and one skill per project to start from
    COURSE/projects/<assignment>/    the assignment's source folder, copied file for file
    COURSE/autotests.yml             nbgrader's AUTOTEST templates, when the course has them
    COURSE/_kit/nbgrader/            a copy of the gradebook; the submitted, autograded and
                                     feedback folders
    COURSE/_kit/grading/             the journal: what nbgrader graded is not graded again

The gradebook is copied, not linked: the import promises to leave the nbgrader course as it
was, and grading writes to its gradebook (``kit grade`` also switches SQLite files to WAL
mode), so a link would change it at the first grading. A copy keeps the old course working as
a fallback and makes the new one self-contained (it can be moved). A gradebook on a database
server (PostgreSQL, say) is shared by design: course.yml then names its URL instead.

Everything is built in a temporary folder beside the target and renamed into place at the end;
a failure leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kit.course.manifest import PROJECT_ID_PATTERN, WORKSPACE_NAME
from kit.course.notebooks import by_hand, grade_cells, read_notebook
from kit.grading.errors import CourseImportError
from kit.grading.import_gradebook import find_gradebook
from kit.grading.nbgrader_config import NbgraderConfig, read_config
from kit.grading.nbgrader_course import AUTOTESTS_NAME, GRADEBOOK_NAME, NBGRADER_FOLDER

__all__ = ["Assignment", "Imported", "import_course"]

IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")
FOLDERS = ("submitted", "autograded", "feedback")
"""nbgrader's folders of learners' work that come with the course (``release`` is made again
by ``kit assign``)."""
USED = {
    "CourseDirectory.course_id",
    "CourseDirectory.source_directory",
    "CourseDirectory.db_url",
    "Exchange.root",
    "Execute.timeout",
    *(f"CourseDirectory.{folder}_directory" for folder in FOLDERS),
}
"""The settings of nbgrader_config.py that the import carries over."""


@dataclass(frozen=True)
class Assignment:
    """One nbgrader assignment, as it becomes a project.

    Attributes
    ----------
    name:
        The assignment's name, kept as the project's id.
    folder:
        Its source folder in the nbgrader course directory.
    notebooks:
        Its notebooks' names.
    points, by_hand:
        The points of its grade and task cells, and of those the ones graded by hand.
    skill:
        The skill made for it.
    """

    name: str
    folder: Path
    notebooks: tuple[str, ...]
    points: float
    by_hand: float
    skill: str


@dataclass
class Imported:
    """What ``kit import`` did: the course written, its projects, and notes for the user."""

    course: Path
    course_id: str
    assignments: list[Assignment]
    gradebook: str
    submissions: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")


def _number(value: float) -> float | int:
    """Points as YAML shows them best: 13 rather than 13.0."""
    return int(value) if float(value).is_integer() else value


def _assignment(folder: Path, skill: str) -> Assignment:
    """Read an assignment's notebooks (a notebook that cannot be read stops the import)."""
    name = folder.name
    if not re.match(PROJECT_ID_PATTERN, name) or len(name) > 128:
        raise CourseImportError(
            f"{folder}: the assignment name '{name}' cannot be a project id",
            fix="rename the assignment (its folder and, with 'nbgrader db assignment', the "
            "gradebook) to letters, digits, '-', '_' and '.', then import again",
        )
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise CourseImportError(
            f"{folder}: assignment '{name}' has no notebooks",
            fix="add its source notebooks, or move the folder out of source/",
        )
    points = manual = 0.0
    for path in paths:
        result = read_notebook(path)
        if result.problem is not None:
            raise CourseImportError(f"{path}: {result.problem.message}", result.problem.fix)
        for _, cell in grade_cells(result.notebook):
            meta = cell.metadata.nbgrader
            try:
                value = float(meta.get("points", 0) or 0)
            except (TypeError, ValueError):
                raise CourseImportError(
                    f"{path}: cell '{meta.get('grade_id')}' has points "
                    f"{meta.get('points')!r}, not a number",
                    fix="set its points with nbgrader's Create Assignment toolbar",
                ) from None
            points += value
            manual += value if by_hand(cell) else 0.0
    if points <= 0:
        raise CourseImportError(
            f"{folder}: assignment '{name}' has no grade or task cells with points",
            fix="give it grade cells with nbgrader's Create Assignment toolbar, or move the "
            "folder out of source/",
        )
    return Assignment(name, folder, tuple(p.stem for p in paths), points, manual, skill)


def _assignments(source: Path, notes: list[str]) -> list[Assignment]:
    """Every assignment folder of nbgrader's source folder, each with a skill of its own."""
    if not source.is_dir():
        raise CourseImportError(
            f"{source}: no such folder: not an nbgrader course directory (nbgrader keeps "
            "each assignment's source notebooks in source/<assignment>/)",
            fix="pass the folder that holds nbgrader_config.py and source/",
        )
    assignments: list[Assignment] = []
    skills: set[str] = set()
    for entry in sorted(source.iterdir()):
        if entry.name.startswith(".") or entry.name in ("__pycache__",):
            continue
        if not entry.is_dir():
            notes.append(f"{entry}: not an assignment folder; not imported")
            continue
        skill = _slug(entry.name) or "project"
        if not skill[0].isalnum():
            skill = f"p{skill}"
        base, n = skill[:60], 1
        while skill in skills:
            n += 1
            skill = f"{base}-{n}"
        skills.add(skill)
        assignments.append(_assignment(entry, skill))
    if not assignments:
        raise CourseImportError(
            f"{source}: no assignment folders (source/<assignment>/)",
            fix="pass the nbgrader course directory whose source/ holds the assignments",
        )
    return assignments


def _course_id(directory: Path, config: NbgraderConfig, notes: list[str]) -> tuple[str, str]:
    """The kit course id and title: nbgrader's course_id, else the folder's name."""
    name = str(config.get("CourseDirectory.course_id", "") or "").strip()
    title = name or directory.resolve().name
    course_id = _slug(title)[:64].strip("-_") or "imported-course"
    if name and course_id != name:
        notes.append(
            f"nbgrader's course_id '{name}' is the course id '{course_id}' here (course ids are "
            "lower-case slugs); the gradebook's assignments line up by their names"
        )
    return course_id, title


def _settings(config: NbgraderConfig, notes: list[str]) -> dict[str, object]:
    """course.yml's ``grading:`` from the settings that carry over; a note on the others."""
    grading: dict[str, object] = {}
    exchange = config.get("Exchange.root")
    if isinstance(exchange, str) and exchange:
        grading["exchange"] = exchange
    timeout = config.get("Execute.timeout")
    if isinstance(timeout, int) and timeout > 0:
        grading["timeout_cell"] = timeout
    left = [key for key in config.keys if key not in USED]
    if left:
        where = ", ".join(f"c.{key} (line {config.lines.get(key, 0)})" for key in left)
        notes.append(
            f"{config.path}: not carried over: {where}; course.yml's grading: section "
            "configures grading here (the folder imported is nbgrader's course directory)"
        )
    return grading


def _manifest(
    course_id: str,
    title: str,
    directory: Path,
    assignments: list[Assignment],
    grading: dict[str, object],
) -> dict[str, object]:
    """course.yml's content."""
    manifest: dict[str, object] = {
        "id": course_id,
        "title": title,
        "summary": f"Imported from the nbgrader course directory {directory.resolve()}.",
        "version": "0.1",
        "skills": [
            {
                "id": a.skill,
                "title": a.name,
                "description": f"What the grade cells of {a.name} measure.",
            }
            for a in assignments
        ],
        "lessons": [],
        "projects": [
            {
                "id": a.name,
                "source": f"projects/{a.name}",
                "title": a.name,
                "skills": [a.skill],
                "skill": a.skill,
                "points": _number(a.points),
            }
            for a in assignments
        ],
    }
    if grading:
        manifest["grading"] = grading
    return manifest


HEADER = """\
# Imported from the nbgrader course directory {source} by 'kit import'.
# Check it with: kit check {target}
# Each assignment is a project, named as nbgrader names it, with one skill to start from
# (its 'skill:' applies to every grade and task cell that names none). Split the skills as
# the course grows: tag grade cells with "kit": {{"skill": "<id>"}} in their metadata.
# Lessons are yours to add.
"""


def _write_manifest(staging: Path, text_header: str, manifest: dict[str, object]) -> None:
    """course.yml, written as ``kit new`` writes one: lists indented, short ones on a line."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)

    def short_list(dumper: yaml.SafeDumper, value: list[object]) -> yaml.Node:
        flow = all(isinstance(v, str | int | float) for v in value)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)

    Dumper.add_representer(list, short_list)
    body = yaml.dump(manifest, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=96)
    (staging / "course.yml").write_text(text_header + body, encoding="utf-8")


def _check(staging: Path, source: Path, notes: list[str]) -> None:
    """The new course must pass ``kit check``; its first error stops the import."""
    from kit.course import check_course

    report = check_course(staging)
    for problem in report:
        try:
            relative = problem.file.resolve().relative_to(staging.resolve())
        except ValueError:
            relative = problem.file
        parts = relative.parts
        file = source.joinpath(*parts[1:]) if parts[:1] == ("projects",) else relative
        where = f" {problem.field}:" if problem.field else ""
        if problem.severity.value == "error":
            more = len(report.errors) - 1
            raise CourseImportError(
                f"{file}:{where} {problem.message}"
                + (f" (and {more} more problems)" if more else ""),
                fix=problem.fix,
            )
        notes.append(f"{file}:{where} {problem.message}")


def _copy_work(
    directory: Path, config: NbgraderConfig, nbgrader: Path, step: Callable[[str], None]
) -> list[str]:
    """Copy nbgrader's folders of learners' work; the folders copied."""
    copied = []
    for folder in FOLDERS:
        name = config.get(f"CourseDirectory.{folder}_directory", folder)
        path = directory / str(name)
        step(f"copying {folder}/")
        if path.is_dir():
            shutil.copytree(path, nbgrader / folder, symlinks=False, ignore=IGNORE)
            copied.append(folder)
    return copied


def _make_folders(folder: Path) -> list[Path]:
    """Make ``folder`` and the folders above it that are missing; those made, deepest first."""
    missing = [f for f in (folder, *folder.parents) if not f.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def _umask() -> int:
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def _target(directory: Path, target: Path | None, course_id: str) -> Path:
    """Where the course goes: a new folder, outside the nbgrader course directory."""
    target = Path(target) if target is not None else Path.cwd() / course_id
    if target.exists() or target.is_symlink():
        raise CourseImportError(
            f"{target}: already exists; the import never writes over a folder",
            fix="choose a new folder with -o/--output, or move that one away",
        )
    inside = target.resolve().is_relative_to(directory.resolve())
    if inside:
        raise CourseImportError(
            f"{target}: inside the nbgrader course directory {directory}, which the import "
            "leaves as it is",
            fix="choose a folder outside it with -o/--output",
        )
    return target


def import_course(
    directory: str | Path,
    target: str | Path | None = None,
    *,
    on_start: Callable[[int], None] | None = None,
    step: Callable[[str], None] | None = None,
) -> Imported:
    """Import the nbgrader course directory ``directory`` as a kit course at ``target``
    (default: a folder named after the course id, in the current folder).

    For a progress bar, ``on_start`` is told how many steps there are once the assignments
    are read, and ``step`` each step as it starts.

    Raises
    ------
    CourseImportError
        For every input that cannot be imported as it is; nothing is written then.
    """
    directory = Path(directory)
    step = step or (lambda _: None)
    if not directory.is_dir():
        raise CourseImportError(
            f"{directory}: no such folder", fix="pass an nbgrader course directory"
        )
    notes: list[str] = []
    config = read_config(directory)
    source = directory / str(config.get("CourseDirectory.source_directory", "source"))
    assignments = _assignments(source, notes)
    if on_start:
        on_start(len(assignments) + len(FOLDERS) + 2)
    course_id, title = _course_id(directory, config, notes)
    gradebook = find_gradebook(directory, config)
    grading = _settings(config, notes) | ({"gradebook": gradebook.url} if gradebook.url else {})
    final = _target(directory, None if target is None else Path(target), course_id)
    made = _make_folders(final.parent)
    staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.import-"))
    try:
        staging.chmod(0o777 & ~_umask())  # a folder as mkdir makes it, not mkdtemp's private one
        for a in assignments:
            step(f"copying {a.name}")
            shutil.copytree(a.folder, staging / "projects" / a.name, symlinks=False, ignore=IGNORE)
        if (directory / AUTOTESTS_NAME).is_file():
            shutil.copy2(directory / AUTOTESTS_NAME, staging / AUTOTESTS_NAME)
        header = HEADER.format(source=directory.resolve(), target=final)
        _write_manifest(
            staging, header, _manifest(course_id, title, directory, assignments, grading)
        )
        nbgrader = staging / WORKSPACE_NAME / NBGRADER_FOLDER
        nbgrader.mkdir(parents=True)
        copied = _copy_work(directory, config, nbgrader, step)
        step("copying the gradebook")
        submissions, found = gradebook.copy_to(
            nbgrader / GRADEBOOK_NAME, course_id, [a.name for a in assignments]
        )
        notes += found
        graded = gradebook.skip_graded(staging, nbgrader, submissions)
        step("checking the course")
        _check(staging, source, notes)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in made:  # the folders made for the target, deepest first
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    counts = {name: len(learners) for name, learners in submissions.items()}
    if copied:
        notes.append(f"copied nbgrader's {', '.join(f'{f}/' for f in copied)}")
    if graded:
        notes.append(
            f"{graded} submissions graded by nbgrader: kit grade shows their grades and grades "
            "them again only when they change (or with --force)"
        )
    return Imported(final, course_id, assignments, gradebook.describe(), counts, notes)
