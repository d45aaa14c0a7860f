"""Hostile submissions: each ends in a clear per-submission outcome, every cell scores exactly
what `nbgrader autograde` gives the same submission, nothing hangs, and no sandbox is left
behind."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest

from kit.course import Course, load_course
from kit.course.scaffold import new_course
from kit.grading.engine import Outcome
from kit.grading.nbgrader_course import NbgraderCourse

from .helpers import (
    NOBODY,
    grade_as,
    jail_or_skip,
    mode_folder,
    nbgrader_scores,
    run_nbgrader_autograde,
)
from .submissions import make_submission

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

RIGHT = "def count_evens(numbers):\n    return sum(1 for n in numbers if n % 2 == 0)"
PROJECT = "first-project"
TESTS = ("test-count-evens", "test-count-evens-more")
GRADING = (
    "grading:\n  timeout_cell: 4\n  timeout_notebook: 30\n  memory_mb: 256\n"
    "  processes: 40\n  output_kb: 32\n"
)
OUTPUT_CAP = 32 * 1024

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
"""learner -> the code of the solution cell ``count-evens``."""

# nbgrader runs learners' code without a sandbox: on the machine that runs it, the fork and
# memory bombs would take the machine down, and each output flood keeps nbgrader busy for half
# a minute and hundreds of MB. The reference grades, in their place, code that ends the way the
# kit's limits end them: the kernel killed (process and memory limits), or the cell
# interrupted (the output cap).
STAND_INS = {
    "fork-bomb": "import os\nos._exit(137)",
    "memory-bomb": "import os\nos._exit(137)",
    "output-flood": "raise KeyboardInterrupt",
    "output-bomb": "raise KeyboardInterrupt",
}


def _cell(nb: Any, grade_id: str) -> Any:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _retype(nb: Any) -> None:
    """Turn the first test cell into Markdown, as JupyterLab does (outputs dropped)."""
    cell = _cell(nb, TESTS[0])
    cell.update(cell_type="markdown", source="assert True")
    cell.pop("outputs", None)
    cell.pop("execution_count", None)


def _tamper(nb: Any) -> None:
    """Replace the first test with one that passes, and forge its checksum."""
    cell = _cell(nb, TESTS[0])
    cell.update(source="assert True")
    cell.metadata.nbgrader.update(checksum="0" * 32)


EDITS: dict[str, tuple[Callable[[Any], None], str]] = {
    "deleted-test": (lambda nb: nb.cells.remove(_cell(nb, TESTS[0])), RIGHT),
    "reordered": (lambda nb: nb.cells.reverse(), RIGHT),
    "retyped-test": (_retype, RIGHT),
    "tampered-checksum": (_tamper, "def count_evens(n):\n    return -1"),
}
"""learner -> a change to the notebook (a test cell deleted, retyped, forged...), and the
solution handed in with it."""

DAMAGED = ("corrupt", "not-a-notebook", "missing")
LEARNERS = (*HOSTILE, *EDITS, *DAMAGED)

# points per test cell (test-count-evens: 2, test-count-evens-more: 1), as nbgrader gives them
EXPECTED = dict.fromkeys(LEARNERS, (0.0, 0.0)) | {
    "honest": (2.0, 1.0),
    "snoop": (2.0, 1.0),  # it looks around (files, network), then answers right
    "retyped-test": (2.0, 1.0),  # nbgrader puts the test cell back as code, from its source
    "deleted-test": (0.0, 1.0),  # a deleted test cell is not put back: it scores nothing
}


def _course(folder: Path) -> tuple[Course, NbgraderCourse]:
    """A new course with tight grading limits, its first project assigned."""
    root = new_course(folder)
    (root / "course.yml").write_text((root / "course.yml").read_text() + GRADING)
    course = load_course(root)
    nbg = NbgraderCourse(course)
    nbg.assign(PROJECT)
    return course, nbg


def _submit(course: Course, submitted: Path, code: dict[str, str]) -> None:
    """Every learner's submission of ``PROJECT`` under ``submitted``: ``code`` for the
    solution cell of HOSTILE's learners, notebooks edited for EDITS', files damaged for
    DAMAGED's."""
    here = repr(str(course.root.resolve()))
    for learner in HOSTILE:
        fill = {"count-evens": code[learner].replace("COURSE", here)}
        make_submission(course, PROJECT, submitted / learner / PROJECT, fill)
    for learner, (change, solution) in EDITS.items():
        folder = make_submission(
            course, PROJECT, submitted / learner / PROJECT, {"count-evens": solution}
        )
        path = folder / f"{PROJECT}.ipynb"
        nb = nbformat.read(path, as_version=4)
        change(nb)
        nbformat.write(nb, path)
    for learner in DAMAGED:
        shutil.copytree(submitted / "honest" / PROJECT, submitted / learner / PROJECT)
    notebook = f"{PROJECT}/{PROJECT}.ipynb"
    (submitted / "corrupt" / notebook).write_bytes(b"\x00\x01 not a notebook")
    (submitted / "not-a-notebook" / notebook).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (submitted / "missing" / notebook).unlink()


def _scores(nbg: NbgraderCourse) -> dict[str, tuple[float, float]]:
    """learner -> the scores of the two test cells, from the gradebook."""
    cells: dict[str, dict[str, float]] = {}
    for (learner, _nb, cell), score in nbgrader_scores(nbg.db_url, nbg.course.id, PROJECT).items():
        cells.setdefault(learner, {})[cell] = score
    assert all(set(scores) == set(TESTS) for scores in cells.values()), cells
    return {learner: (scores[TESTS[0]], scores[TESTS[1]]) for learner, scores in cells.items()}


CGROUPS = Path("/sys/fs/cgroup")


def _sandbox_groups() -> set[Path]:
    """The kit's sandbox cgroups now: cgroup v2's at the top of the hierarchy, v1's (and a
    hybrid system's v2) one level down, under each controller."""
    return set(CGROUPS.glob("kit-sandbox-*")) | set(CGROUPS.glob("*/kit-sandbox-*"))


@dataclass
class Graded:
    """The kit's run on the hostile submissions (by the grader's user, or by nobody)."""

    nbg: NbgraderCourse
    outcomes: dict[str, Outcome]
    groups_before: set[Path]
    scores: dict[str, tuple[float, float]]
    mode: str
    marker: str
    """An environment entry of the run's kernels (to find those left behind)."""

    def output(self, learner: str) -> str:
        """The outputs of the learner's autograded notebook (not its code), as JSON."""
        path = self.nbg.autograded(PROJECT, learner) / f"{PROJECT}.ipynb"
        cells = json.loads(path.read_text())["cells"]
        return json.dumps([c.get("outputs", []) for c in cells])


@pytest.fixture(scope="module", params=["grader", "nobody", "dask"])
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Graded:
    """The hostile submissions graded by the grader's own user (root, on a grading server),
    where the tests run as root by nobody (an ordinary user, as on a JupyterHub), and on the
    workers of a local Dask cluster."""
    folder = mode_folder(request, tmp_path_factory, "hostile")
    course, nbg = _course(folder / "course")
    _submit(course, nbg.submitted(PROJECT), HOSTILE)
    before = _sandbox_groups()  # other runs' groups (the kit sweeps empty ones as it starts)
    outcomes, marker = grade_as(request.param, course, PROJECT)
    return Graded(nbg, outcomes, before, _scores(nbg), request.param, marker)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[float, float]]:
    """`nbgrader autograde` on the same submissions, in a course of its own (it exits 1 for
    the submissions it cannot grade: what it graded is in its gradebook)."""
    course, nbg = _course(tmp_path_factory.mktemp("hostile-nbgrader") / "course")
    _submit(course, nbg.submitted(PROJECT), HOSTILE | STAND_INS)
    run_nbgrader_autograde(nbg.root, PROJECT, check=False)
    return _scores(nbg)


def test_every_submission_has_an_outcome(graded: Graded) -> None:
    assert set(graded.outcomes) == set(LEARNERS)
    assert graded.outcomes["honest"].score == 3 and graded.outcomes["honest"].status == "graded"


@pytest.mark.parametrize("learner", LEARNERS)
def test_scores_are_nbgraders(
    graded: Graded, reference: dict[str, tuple[float, float]], learner: str
) -> None:
    """Cell by cell, the kit gives what nbgrader gives; a submission nbgrader refuses to
    grade (no notebook) is recorded by the kit, at zero."""
    assert graded.scores[learner] == EXPECTED[learner]
    if learner == "missing":
        assert learner not in reference
    else:
        assert reference[learner] == EXPECTED[learner]
    assert graded.outcomes[learner].score == sum(EXPECTED[learner])


def test_reasons_are_recorded(graded: Graded) -> None:
    notes = {learner: " | ".join(o.notes) for learner, o in graded.outcomes.items()}
    assert "CellTimeoutError" in graded.output("infinite-loop")
    assert "kernel died" in notes["dead-kernel"]
    assert "NotRun" in graded.output("dead-kernel")
    assert "process limit" in notes["fork-bomb"]
    assert "memory limit" in notes["memory-bomb"]
    assert "not valid notebook JSON" in notes["corrupt"]
    assert "not submitted" in notes["missing"]
    assert notes["honest"] == ""


@pytest.mark.parametrize("learner", ["output-flood", "output-bomb"])
def test_output_floods_are_stopped_and_cut(graded: Graded, learner: str) -> None:
    """A cell that prints without end is stopped: by the output cap (the cell interrupted),
    or by the memory limit when the kernel buffers output faster than it can send it (the
    kernel killed, or its MemoryError stopping the cell). Either way the outcome says which, and the notebook keeps under the
    course's 32 KB of output (nbgrader alone writes 10 MB of the bomb's)."""
    notes = " | ".join(graded.outcomes[learner].notes)
    output = graded.output(learner)
    assert len(output) < OUTPUT_CAP
    if "output cut" in notes:
        # the kit's mark, or nbgrader's own where over 1000 short lines came in under 32 KB
        assert "[output cut: more than 32 KB]" in output or "... Output truncated ..." in output
    else:
        # the kernel killed (the cells after it not run), or, under an address-space limit,
        # the kernel's own MemoryError stopping the cell (the cells after it ran)
        assert "memory limit" in notes, notes
        assert "NotRun" in output or "MemoryError" in output, output[:2000]


def test_learner_code_sees_no_course_files_and_no_network(graded: Graded) -> None:
    jail_or_skip()
    output = graded.output("snoop")
    assert "SEEN 0" in output  # the course folder (gradebook, sources, hidden tests) is not there
    assert "NETWORK OPEN" not in output and "NETWORK" in output
    isolation = graded.outcomes["snoop"].isolation
    for measure in ("jail (bubblewrap)", "read-only system", "no other files", "no network"):
        assert measure in isolation, isolation
    uid = NOBODY if os.geteuid() == 0 else os.getuid()  # root grades as nobody, others as self
    assert any(m.startswith(f"runs as uid {uid}") for m in isolation), isolation


def _parent(pid: int) -> int:
    """The parent of a live process (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:"))


def _of_this_run(pid: int, marker: str) -> bool:
    """Whether a live process belongs to this test run: a descendant of it, or a process
    that left it (a kernel forked from a template) but carries the ``marker`` of its
    environment."""
    ancestor = pid
    while ancestor > 1:
        ancestor = _parent(ancestor)
        if ancestor == os.getpid():
            return True
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return marker.encode() in environ


def _kernels_of_this_run(marker: str) -> list[str]:
    """The command lines of this run's live kernels and sandboxes."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _of_this_run(int(entry.name), marker):
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if any(mark in command for mark in ("ipykernel", "kit.grading", "bwrap")):
                found.append(command)
    return found


def _left_by_this_run(groups: set[Path], marker: str) -> set[Path]:
    """The groups that are this run's: those empty, and those holding its processes (a group
    holding another run's live processes is that run's)."""
    left = set()
    for group in groups:
        try:
            pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
        except OSError:  # removed meanwhile
            continue
        if not pids or any(_of_this_run(pid, marker) for pid in pids):
            left.add(group)
    return left


def test_no_sandbox_left_behind(graded: Graded) -> None:
    """Every sandbox of this run is gone, processes, cgroups and folders, without any sweeping:
    the cgroups there now that were not there before grading are another run's (still working,
    or about to remove them) or none."""
    isolation = graded.outcomes["fork-bomb"].isolation
    assert isolation, "the kit ran no sandbox here"
    if os.geteuid() == 0 and graded.mode != "nobody":  # cgroups need root
        assert any("cgroup" in measure for measure in isolation), isolation
    else:
        assert "nproc limit" in isolation, isolation
    left: set[Path] = set()
    for _ in range(100):  # a grace period for other runs' groups being removed right now
        left = _left_by_this_run(_sandbox_groups() - graded.groups_before, graded.marker)
        if not left:
            break
        time.sleep(0.1)
    assert not left, sorted(map(str, left))
    assert not _kernels_of_this_run(graded.marker)


@pytest.mark.parametrize("mode", ["grader", "nobody"])
def test_a_kernel_stopped_by_its_cpu_time_says_so(
    mode: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A cell that spins past the CPU time limit (before any wall-clock limit) kills its kernel;
    the note names the CPU time limit: read from the cgroup where the grader is root, and, for
    an ordinary user who has no cgroup, named beside the other cause a kernel dies of."""
    folder = mode_folder(request, tmp_path_factory, "cpu", mode)
    root = new_course(folder / "course")
    limits = "grading:\n  timeout_cell: 60\n  timeout_notebook: 90\n  cpu_seconds: 2\n"
    (root / "course.yml").write_text((root / "course.yml").read_text() + limits)
    course = load_course(root)
    nbg = NbgraderCourse(course)
    nbg.assign(PROJECT)
    for learner, code in (("spinner", "while True:\n    pass"), ("honest", RIGHT)):
        make_submission(
            course, PROJECT, nbg.submitted(PROJECT) / learner / PROJECT, {"count-evens": code}
        )
    outcomes, _ = grade_as(mode, course, PROJECT)
    notes = " | ".join(outcomes["spinner"].notes)
    assert "kernel died" in notes and "CPU time limit (2 s)" in notes, notes
    if mode == "grader" and os.getuid() == 0:
        assert "was reached" in notes, notes  # the cgroup counted it
    assert outcomes["spinner"].score == 0
    assert outcomes["honest"].score == 3 and not outcomes["honest"].notes
