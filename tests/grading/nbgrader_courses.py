"""nbgrader course directories for the import tests, built in memory as nbgrader keeps them:
``nbgrader_config.py``, ``source/<assignment>/`` with nbgrader-format notebooks, and (once
nbgrader itself has graded them) a gradebook and the submitted and autograded folders."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat

from .submissions import fill_release

CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "NumMeth"
c.Execute.timeout = 20
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
"""

NORM = "def norm(v):\n    return sum(x * x for x in v) ** 0.5"
TRACE = "def trace(m):\n    return sum(m[i][i] for i in range(len(m)))"


def cell(kind: str, source: str, grade_id: str, points: float | None = None, **flags: bool) -> Any:
    """A cell with nbgrader's metadata (``grade``, ``solution``, ``task``, ``locked`` flags)."""
    new = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    made = new(source)
    meta: dict[str, Any] = {
        "grade": flags.get("grade", False),
        "solution": flags.get("solution", False),
        "task": flags.get("task", False),
        "locked": flags.get("locked", False),
        "grade_id": grade_id,
        "schema_version": 3,
    }
    if points is not None:
        meta["points"] = points
    made.metadata["nbgrader"] = meta
    return made


def notebook(*cells: Any) -> Any:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def qr() -> Any:
    """QR: autograded tests (one with hidden tests), an answer graded by hand, a task cell;
    nbgrader's solution markers written without a space, as some courses do."""
    return notebook(
        cell("markdown", "# Norms and QR", "qr-intro", locked=True),
        cell(
            "code",
            "def norm(v):\n    ###BEGIN SOLUTION\n    return sum(x * x for x in v) ** 0.5\n"
            "    ###END SOLUTION",
            "norm",
            solution=True,
        ),
        cell("code", "assert norm([3, 4]) == 5", "test-norm", 2, grade=True, locked=True),
        cell(
            "code",
            "assert norm([0]) == 0\n### BEGIN HIDDEN TESTS\nassert norm([1, 1]) == 2 ** 0.5\n"
            "### END HIDDEN TESTS",
            "test-norm-hidden",
            1,
            grade=True,
            locked=True,
        ),
        cell(
            "markdown",
            "Why is a norm never negative?",
            "explain-norm",
            2,
            grade=True,
            solution=True,
        ),
        cell(
            "markdown",
            "Discuss when Gram-Schmidt loses orthogonality.",
            "task-stability",
            3,
            task=True,
            locked=True,
        ),
    )


def eigenvalues() -> Any:
    return notebook(
        cell(
            "code",
            "def trace(m):\n    ### BEGIN SOLUTION\n    return sum(m[i][i] for i in range(len(m)))\n"
            "    ### END SOLUTION",
            "trace",
            solution=True,
        ),
        cell(
            "code", "assert trace([[1, 0], [0, 2]]) == 3", "test-trace", 1, grade=True, locked=True
        ),
        cell("code", "assert trace([[5]]) == 5", "test-trace-more", 2, grade=True, locked=True),
    )


POINTS = {"QR": 8.0, "Eigenvalues": 3.0}
"""Each assignment's grade and task cells (QR: 5 of its 8 graded by hand)."""


def nbgrader_course(root: Path) -> Path:
    """An nbgrader course directory with two assignments, QR and Eigenvalues, and a header
    notebook beside them (not an assignment)."""
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(CONFIG)
    for name, nb in (("QR", qr()), ("Eigenvalues", eigenvalues())):
        folder = root / "source" / name
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
    (root / "source" / "Eigenvalues" / "matrix.txt").write_text("1 0\n0 2\n")
    nbformat.write(
        notebook(nbformat.v4.new_markdown_cell("Course header")), root / "source" / "header.ipynb"
    )
    return root


def nbgrader(root: Path, *args: str) -> None:
    """Run nbgrader in the course directory ``root`` (as an instructor would)."""
    exe = Path(sys.executable).parent / "nbgrader"
    done = subprocess.run([str(exe), *args], cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


SUBMISSIONS = {
    ("ada", "QR"): {"norm": NORM, "explain-norm": "A sum of squares, then a root."},
    ("bob", "QR"): {"norm": "def norm(v):\n    return sum(v)"},
    ("ada", "Eigenvalues"): {"trace": TRACE},
}
"""(learner, assignment) -> the answers they wrote, by grade_id."""


def submit(root: Path) -> None:
    """Every learner's submission, from the release version, in submitted/."""
    for (learner, name), answers in SUBMISSIONS.items():
        fill_release(root / "release" / name, root / "submitted" / learner / name, answers)


def graded_nbgrader_course(root: Path) -> Path:
    """The course after a term of nbgrader: assignments generated, learners' work submitted
    and autograded (gradebook.db, autograded/)."""
    nbgrader_course(root)
    for name in POINTS:
        nbgrader(root, "generate_assignment", name)
    submit(root)
    for name in POINTS:
        nbgrader(root, "autograde", name)
    return root


def snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every entry under ``folder``: (mode, mtime, digest of its content), to show nothing
    changed."""
    found = {}
    for path in sorted(folder.rglob("*")):
        stat = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        found[str(path.relative_to(folder))] = (stat.st_mode, stat.st_mtime_ns, digest)
    return found
