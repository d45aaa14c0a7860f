"""Courses for grading tests: nbgrader's own user-guide assignment wrapped as a kit course."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbgrader
import pytest

GUIDE = Path(nbgrader.__file__).parent / "docs" / "source" / "user_guide"
APP_FILES = Path(nbgrader.__file__).parent / "tests" / "apps" / "files"

COURSE_YML = """\
id: {course_id}
title: Grading test course
skills:
  - id: python
    title: Python
lessons:
  - id: intro
    notebook: lessons/intro.ipynb
    title: Intro
    skills: [python]
    minutes: 10
projects:
  - id: ps1
    source: projects/ps1
    title: Problem set 1
    skills: [python]
    points: {points}
grading:
  timeout_cell: {timeout}
  memory_mb: 512
  output_kb: 64
"""


def tag_grade_cells(folder: Path, skill: str = "python") -> float:
    """Add the kit's skill tag to every grade and task cell of the notebooks in ``folder``;
    return their total points (nbgrader's maximum score)."""
    total = 0.0
    for path in folder.glob("*.ipynb"):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") or meta.get("task"):
                cell["metadata"]["kit"] = {"skill": skill}
                total += float(meta.get("points", 0))
        path.write_text(json.dumps(nb, indent=1))
    return total


def guide_course(root: Path, course_id: str = "course101", timeout: int = 30) -> Path:
    """A kit course whose project ps1 is nbgrader's user-guide ps1, with the guide's two
    submissions (bitdiddle, hacker) collected."""
    course = root / course_id
    (course / "lessons").mkdir(parents=True)
    shutil.copytree(GUIDE / "source" / "ps1", course / "projects" / "ps1")
    points = tag_grade_cells(course / "projects" / "ps1")
    shutil.copy(GUIDE / "source" / "header.ipynb", course / "lessons" / "intro.ipynb")
    nb = json.loads((course / "lessons" / "intro.ipynb").read_text())
    nb["metadata"]["kit"] = {"skills": ["python"]}
    (course / "lessons" / "intro.ipynb").write_text(json.dumps(nb))
    (course / "course.yml").write_text(
        COURSE_YML.format(course_id=course_id, points=points, timeout=timeout)
    )
    return course


def collect_guide_submissions(
    nbgrader_root: Path, learners: tuple[str, ...] = ("bitdiddle", "hacker")
) -> None:
    """Put the user guide's submissions where `nbgrader collect` would."""
    for learner in learners:
        shutil.copytree(
            GUIDE / "submitted" / learner / "ps1", nbgrader_root / "submitted" / learner / "ps1"
        )


def nbgrader_scores(
    db_url: str, course_id: str, assignment: str
) -> dict[tuple[str, str, str], float]:
    """(learner, notebook, grade cell) -> score, from a gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(db_url, course_id) as gb:
        for submission in gb.find_assignment(assignment).submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores[(submission.student.id, notebook.name, grade.cell.name)] = float(
                        grade.score or 0.0
                    )
    return scores


def run_nbgrader_autograde(nbgrader_root: Path, assignment: str, *, check: bool = True) -> None:
    """`nbgrader autograde ASSIGNMENT --force` in a course directory (the reference). With
    ``check=False`` a run that fails some submissions (nbgrader then exits 1) is accepted:
    what it could grade is in the gradebook."""
    exe = Path(sys.executable).parent / "nbgrader"
    subprocess.run(
        [str(exe), "autograde", assignment, "--force"],
        cwd=nbgrader_root,
        check=check,
        capture_output=True,
        text=True,
    )


NOBODY = 65534


def can_switch_to_nobody() -> str:
    """Why the tests cannot run the grader as an ordinary user ("" when they can): that needs
    root, and bubblewrap to give that user a view of this Python."""
    if os.geteuid() != 0:
        return "the grader runs as an ordinary user only when the tests run as root"
    if shutil.which("bwrap") is None or shutil.which("setpriv") is None:
        return "bubblewrap and setpriv are needed to run the grader as nobody"
    return ""


def for_nobody(path: Path) -> Path:
    """Give ``path`` and everything in it to nobody (the ordinary user of these tests)."""
    for item in [path, *path.rglob("*")]:
        os.chown(item, NOBODY, NOBODY, follow_symlinks=False)
    return path


def nobody_folder(prefix: str) -> Path:
    """A new folder that nobody owns (a test's temporary folder is private to root)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return for_nobody(path)


def as_nobody(argv: list[str], home: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` as nobody, as a JupyterHub user's server runs: an ordinary user, no
    capabilities, its home its own. This machine's Python lives in root's private home, which
    the user is shown (read-only), as a hub's single-user image keeps Python where users can
    read it."""
    view = ["bwrap", "--dev-bind", "/", "/", "--tmpfs", "/root"]
    for folder in {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix)}:
        if folder.startswith("/root/"):
            parents = [
                str(p) for p in reversed(Path(folder).parents) if str(p) not in ("/", "/root")
            ]
            for parent in parents:
                view += ["--perms", "0755", "--dir", parent]
            view += ["--ro-bind", folder, folder]
    user = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    env = {**os.environ, "HOME": str(home), "JUPYTER_DATA_DIR": str(home / "jupyter-data")}
    env.update(kwargs.pop("env", {}))
    return subprocess.run(
        [*view, "--", *user, *argv], env=env, capture_output=True, text=True, check=False, **kwargs
    )


def jail_or_skip() -> None:
    """Skip a test of the jail where this machine allows none (with the reason), except where
    ``KIT_REQUIRE_JAIL`` is set (CI, whose set-up installs bubblewrap): there it fails."""
    from kit.grading.jail import available

    why = available()
    if why and os.environ.get("KIT_REQUIRE_JAIL"):
        pytest.fail(f"the jail is required here (KIT_REQUIRE_JAIL) but unavailable: {why}")
    if why:
        pytest.skip(f"no jail on this machine: {why}")


def mode_folder(request: Any, tmp_path_factory: Any, name: str, mode: str = "") -> Path:
    """A folder for a course graded in ``mode`` (by default ``request.param``): by the
    grader's own user ("grader"; "dask", on a local Dask cluster), or by nobody (an ordinary
    user; skipped where the tests cannot switch)."""
    if (mode or request.param) in ("grader", "dask"):
        return Path(tmp_path_factory.mktemp(name))
    why = can_switch_to_nobody()
    if why:
        pytest.skip(why)
    folder = nobody_folder(f"kit-{name}-")
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    return folder


def grade_as(mode: str, course: Any, project: str) -> tuple[dict[str, Any], str]:
    """Grade ``project`` by the grader's own user (``mode`` "grader", in this process; "dask",
    on a local Dask cluster of 2 workers) or by nobody (`kit grade --json`, an ordinary user as on a JupyterHub user's server): the
    outcomes by learner, and an entry of the environment of the run's kernels."""
    from kit.grading.engine import Outcome, grade

    if mode in ("grader", "dask"):
        scheduler = "local:2" if mode == "dask" else ""
        outcomes = {o.learner: o for o in grade(course, project, workers=2, scheduler=scheduler)}
        return outcomes, f"JUPYTER_DATA_DIR={os.environ['JUPYTER_DATA_DIR']}"
    for_nobody(course.root)
    home = course.root.parent / "home"
    home.mkdir()
    for_nobody(home)
    kit = str(Path(sys.executable).with_name("kit"))
    argv = [kit, "grade", str(course.root), project, "--workers", "2", "--json"]
    done = as_nobody(argv, home, timeout=600)
    assert done.stdout.startswith("["), done.stderr[-3000:]
    outcomes = {o["learner"]: Outcome(**o) for o in json.loads(done.stdout)}
    return outcomes, f"JUPYTER_DATA_DIR={home / 'jupyter-data'}"
