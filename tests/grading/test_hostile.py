"""Hostile submissions: each ends in a clear per-submission outcome, affected cells score zero,
nothing hangs, nothing earns points it should not, and the run finishes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from kit.course import load_course
from kit.course.scaffold import new_course
from kit.grading.engine import grade
from kit.grading.nbgrader_course import NbgraderCourse

from .helpers import nbgrader_scores
from .submissions import make_submission

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

RIGHT = "def count_evens(numbers):\n    return sum(1 for n in numbers if n % 2 == 0)"
PROJECT = "first-project"
TESTS = ("test-count-evens", "test-count-evens-more")


def _edit(folder: Path, change: object) -> None:
    path = folder / f"{PROJECT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    change(nb)  # type: ignore[operator]
    nbformat.write(nb, path)


def _cell(nb: object, grade_id: str) -> object:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)  # type: ignore[attr-defined]


def _retype(nb: object) -> None:
    """Turn the first test cell into Markdown, as JupyterLab does (outputs dropped)."""
    cell = _cell(nb, TESTS[0])
    cell.update(cell_type="markdown", source="assert True")  # type: ignore[attr-defined]
    cell.pop("outputs", None)  # type: ignore[attr-defined]
    cell.pop("execution_count", None)  # type: ignore[attr-defined]


HOSTILE = {
    "honest": RIGHT,
    "infinite-loop": "while True:\n    pass",
    "fork-bomb": "import os\nwhile True:\n    os.fork()",
    "memory-bomb": "hog = []\nwhile True:\n    hog.append(bytearray(50 * 2**20))",
    "dead-kernel": "import os\nos._exit(3)",
    "output-flood": "i = 0\nwhile True:\n    print(i)\n    i += 1",
    "output-bomb": "while True:\n    print('x' * 10000)",
    "snoop": (
        "import glob, os, socket\n"
        "found = [p for p in glob.glob(COURSE + '/**', recursive=True) if os.path.isfile(p)]\n"
        "print('SEEN', len(found))\n"
        "try:\n"
        "    socket.create_connection(('1.1.1.1', 53), timeout=2)\n"
        "    print('NETWORK OPEN')\n"
        "except OSError as exc:\n"
        "    print('NETWORK', exc)\n" + RIGHT
    ),
    "exit-trick": (
        "import IPython.core.interactiveshell as s\n"
        "s.InteractiveShell.showtraceback = lambda *a, **k: None\n"
        "def count_evens(numbers):\n    return 0"
    ),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, dict[str, object], Path]:
    root = tmp_path_factory.mktemp("hostile")
    course_dir = new_course(root / "course")
    text = (course_dir / "course.yml").read_text()
    text += (
        "grading:\n  timeout_cell: 4\n  timeout_notebook: 30\n  memory_mb: 256\n"
        "  processes: 40\n  output_kb: 32\n"
    )
    (course_dir / "course.yml").write_text(text)
    course = load_course(course_dir)
    nbg = NbgraderCourse(course)
    nbg.assign(PROJECT)
    submitted = nbg.root / "submitted"
    for learner, code in HOSTILE.items():
        code = code.replace("COURSE", repr(str(course_dir.resolve())))
        make_submission(course, PROJECT, submitted / learner / PROJECT, {"count-evens": code})

    def submission(learner: str, change: object, code: str = RIGHT) -> None:
        folder = make_submission(
            course, PROJECT, submitted / learner / PROJECT, {"count-evens": code}
        )
        _edit(folder, change)

    submission("deleted-test", lambda nb: nb.cells.remove(_cell(nb, TESTS[0])))
    submission("reordered", lambda nb: nb.cells.reverse())
    submission(
        "retyped-test",
        _retype,
    )
    submission(
        "tampered-checksum",
        lambda nb: (
            _cell(nb, TESTS[0]).update(source="assert True"),
            _cell(nb, TESTS[0]).metadata.nbgrader.update(checksum="0" * 32),
        ),
        "def count_evens(n):\n    return -1",
    )
    corrupt = submitted / "corrupt" / PROJECT
    shutil.copytree(submitted / "honest" / PROJECT, corrupt)
    (corrupt / f"{PROJECT}.ipynb").write_bytes(b"\x00\x01 not a notebook")
    image = submitted / "not-a-notebook" / PROJECT
    shutil.copytree(submitted / "honest" / PROJECT, image)
    (image / f"{PROJECT}.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    missing = submitted / "missing" / PROJECT
    shutil.copytree(submitted / "honest" / PROJECT, missing)
    (missing / f"{PROJECT}.ipynb").unlink()

    outcomes = {o.learner: o for o in grade(course, PROJECT, workers=2)}
    return course, outcomes, nbg.root


def _scores(graded: tuple[object, dict[str, object], Path]) -> dict[str, dict[str, float]]:
    course, _, _root = graded
    scores: dict[str, dict[str, float]] = {}
    for (learner, _nb, cell), score in nbgrader_scores(
        NbgraderCourse(course).db_url,
        course.id,
        PROJECT,  # type: ignore[arg-type]
    ).items():
        scores.setdefault(learner, {})[cell] = score
    return scores


def _output(root: Path, learner: str) -> str:
    path = root / "autograded" / learner / PROJECT / f"{PROJECT}.ipynb"
    cells = json.loads(path.read_text())["cells"]
    return json.dumps([c.get("outputs", []) for c in cells])  # outputs only, not the code


def test_every_submission_has_an_outcome(graded: tuple[object, dict, Path]) -> None:
    _, outcomes, _ = graded
    expected = set(HOSTILE) | {
        "deleted-test",
        "reordered",
        "retyped-test",
        "tampered-checksum",
        "corrupt",
        "not-a-notebook",
        "missing",
    }
    assert set(outcomes) == expected
    assert outcomes["honest"].score == 3 and outcomes["honest"].status == "graded"


@pytest.mark.parametrize(
    "learner",
    [
        "infinite-loop",
        "fork-bomb",
        "memory-bomb",
        "dead-kernel",
        "output-flood",
        "exit-trick",
        "tampered-checksum",
        "corrupt",
        "not-a-notebook",
        "missing",
        "reordered",
    ],
)
def test_hostile_submissions_earn_nothing(graded: tuple[object, dict, Path], learner: str) -> None:
    scores = _scores(graded)[learner]
    assert set(scores) == set(TESTS)
    assert sum(scores.values()) == 0, scores


def test_reasons_are_recorded(graded: tuple[object, dict, Path]) -> None:
    _, outcomes, root = graded
    assert "CellTimeoutError" in _output(root, "infinite-loop")
    assert any("kernel died" in n for n in outcomes["dead-kernel"].notes)
    assert any("process limit" in n for n in outcomes["fork-bomb"].notes)
    assert any("memory limit" in n for n in outcomes["memory-bomb"].notes)
    assert "NotRun" in _output(root, "dead-kernel")
    assert any("output cut" in n for n in outcomes["output-flood"].notes)
    assert any("not valid notebook JSON" in n for n in outcomes["corrupt"].notes)
    assert any("not submitted" in n for n in outcomes["missing"].notes)


@pytest.mark.skipif(
    os.geteuid() != 0, reason="network and mount namespaces need root (as on a grading server)"
)
def test_learner_code_sees_no_course_files_and_no_network(
    graded: tuple[object, dict, Path],
) -> None:
    _, outcomes, root = graded
    output = _output(root, "snoop")
    assert "SEEN 0" in output  # the course folder (gradebook, sources, hidden tests) is empty
    assert "NETWORK OPEN" not in output and "NETWORK" in output
    assert "no network" in outcomes["snoop"].isolation
    assert "course files hidden" in outcomes["snoop"].isolation
    assert _scores(graded)["snoop"] == {TESTS[0]: 2.0, TESTS[1]: 1.0}


def test_edited_test_cells_do_not_earn_unearned_points(graded: tuple[object, dict, Path]) -> None:
    scores = _scores(graded)
    assert scores["deleted-test"][TESTS[0]] == 0
    assert scores["retyped-test"][TESTS[0]] <= 2
    assert sum(scores["retyped-test"].values()) <= 3


@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups are only used as root")
def test_no_sandbox_left_behind(graded: tuple[object, dict, Path]) -> None:
    # every sandbox of this run is gone: no process, no cgroup
    import time

    from kit.grading.executor import sweep_cgroups

    time.sleep(2)  # spare kernels notice their worker is gone
    sweep_cgroups()
    assert not list(Path("/sys/fs/cgroup").glob("*/kit-sandbox-*"))
