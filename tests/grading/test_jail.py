"""The jail: a submission that tries to escape (write outside its folder, read what it must not,
reach the network) is refused or sees nothing, whether the grader is root or an ordinary user;
honest work scores the same; nothing of a run is left behind, even after ``kill -9``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kit.course import Course, load_course
from kit.course.scaffold import new_course
from kit.grading import jail
from kit.grading.engine import Outcome, grade
from kit.grading.errors import GradingError
from kit.grading.nbgrader_course import NbgraderCourse
from kit.grading.spool import OWNER, PREFIX, Spool

from .helpers import NOBODY, grade_as, jail_or_skip, mode_folder
from .submissions import make_submission

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "first-project"
RIGHT = "def count_evens(numbers):\n    return sum(1 for n in numbers if n % 2 == 0)"
MARK = uuid.uuid4().hex[:12]

ESCAPE = """\
import json, os, socket
report = {}
def attempt(name, action):
    try:
        report[name] = ["done", str(action())[:120]]
    except BaseException as exc:
        report[name] = ["refused", type(exc).__name__]
def write(path):
    with open(path, "w") as f:
        return f.write("escaped")
attempt("write home", lambda: write(TARGETS["home"] + "/escape-MARK.txt"))
attempt("write beside the course", lambda: write(TARGETS["beside"] + "/escape-MARK.txt"))
attempt("write /tmp", lambda: write("/tmp/escape-MARK.txt"))
attempt("write the course", lambda: write(TARGETS["course"] + "/escape-MARK.txt"))
attempt("write the kit's code", lambda: write(TARGETS["kit"] + "/escape-MARK.py"))
attempt("read the solution", lambda: open(TARGETS["solution"]).read())
attempt("read another copy of solutions", lambda: os.listdir(TARGETS["repo course"]))
attempt("read the gradebook", lambda: open(TARGETS["gradebook"], "rb").read(16))
attempt("read the exchange", lambda: os.listdir(TARGETS["exchange"]))
attempt("read another submission", lambda: open(TARGETS["other"]).read())
attempt("read an earlier run", lambda: open(TARGETS["earlier run"]).read())
attempt("read /etc/shadow", lambda: open("/etc/shadow").read())
attempt("connect to 127.0.0.1:5432", lambda: socket.create_connection(("127.0.0.1", 5432), 2))
attempt("connect to 1.1.1.1:53", lambda: socket.create_connection(("1.1.1.1", 53), 2))
attempt("unix socket of the grader", lambda: socket.socket(socket.AF_UNIX).connect(TARGETS["door"]))
report["processes"] = sorted(p for p in os.listdir("/proc") if p.isdigit())
report["kernels beside"] = os.listdir(os.path.dirname(os.path.dirname(os.getcwd())))
report["uid"] = os.getuid()
print("REPORT " + json.dumps(report))
"""

REFUSED = [
    "write home",
    "write beside the course",
    "write the course",
    "write the kit's code",
    "read the solution",
    "read another copy of solutions",
    "read the gradebook",
    "read the exchange",
    "read another submission",
    "read an earlier run",
    "read /etc/shadow",
    "connect to 127.0.0.1:5432",
    "connect to 1.1.1.1:53",
    "unix socket of the grader",
]


@dataclass
class Run:
    course: Course
    nbg: NbgraderCourse
    outcomes: dict[str, Outcome]
    targets: dict[str, str]
    earlier: Path
    mode: str

    def report(self, learner: str) -> dict[str, Any]:
        path = self.nbg.autograded(PROJECT, learner) / f"{PROJECT}.ipynb"
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                text = "".join(output.get("text", ""))
                if text.startswith("REPORT "):
                    found: dict[str, Any] = json.loads(text.removeprefix("REPORT "))
                    return found
        raise AssertionError(f"{learner} printed no report")


def _earlier_run() -> Path:
    """A live earlier run's kernel files in the machine's temporary folder (its owner, this
    test process, is alive: no sweep removes them)."""
    folder = Spool().path
    kernel = folder / "w1" / "k-earlier" / "runtime"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text('{"key": "earlier-secret"}')
    return kernel / "kernel.json"


@pytest.fixture(scope="module", params=["grader", "nobody"])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    jail_or_skip()
    folder = mode_folder(request, tmp_path_factory, "jail")
    root = new_course(folder / "course")
    (root / "course.yml").write_text(
        (root / "course.yml").read_text() + "grading:\n  timeout_cell: 10\n"
    )
    course = load_course(root)
    nbg = NbgraderCourse(course)
    nbg.assign(PROJECT)
    nbg.prepare()
    earlier = _earlier_run()
    source = next(course.project_dir(PROJECT).glob("*.ipynb"))
    targets = {
        "home": os.path.expanduser("~") if request.param == "grader" else str(folder / "home"),
        "beside": str(folder),
        "course": str(course.root),
        # shown to the kernel read-only, wherever it lives (a checkout in /tmp included)
        "kit": str(ROOT / "kit"),
        "solution": str(source),
        "repo course": str(ROOT / "courses" / "python-ml" / "projects"),
        "gradebook": nbg.db_url.removeprefix("sqlite:///"),
        "exchange": str(nbg.exchange),
        "other": str(nbg.submitted(PROJECT, "honest") / f"{PROJECT}.ipynb"),
        "earlier run": str(earlier),
        "door": str(earlier.parents[1] / "door"),
    }
    code = f"TARGETS = {targets!r}\n" + ESCAPE.replace("MARK", MARK) + RIGHT
    make_submission(course, PROJECT, nbg.submitted(PROJECT, "escaper"), {"count-evens": code})
    make_submission(course, PROJECT, nbg.submitted(PROJECT, "honest"), {"count-evens": RIGHT})
    outcomes, _ = grade_as(request.param, course, PROJECT)
    yield Run(course, nbg, outcomes, targets, earlier, request.param)
    shutil.rmtree(earlier.parents[3], ignore_errors=True)


@pytest.mark.parametrize("attempt", REFUSED)
def test_escapes_are_refused(run: Run, attempt: str) -> None:
    assert run.report("escaper")[attempt][0] == "refused", run.report("escaper")[attempt]


def test_nothing_was_written_outside(run: Run) -> None:
    report = run.report("escaper")
    assert report["write /tmp"][0] == "done", report  # its own /tmp, gone with it
    for folder in (run.targets["home"], run.targets["beside"], run.targets["course"], "/tmp"):
        assert not (Path(folder) / f"escape-{MARK}.txt").exists(), folder


def test_it_sees_no_other_process_and_no_other_kernel(run: Run) -> None:
    report = run.report("escaper")
    assert report["processes"] == ["1"]  # itself, the first process of its own namespace
    assert len(report["kernels beside"]) == 1  # its own folder among the worker's
    assert report["uid"] == (NOBODY if os.geteuid() == 0 else os.getuid())


def test_honest_scores_are_unchanged(run: Run) -> None:
    assert run.outcomes["honest"].score == run.outcomes["honest"].max_score == 3
    assert run.outcomes["escaper"].score == 3  # it answered right, after looking around


def test_the_isolation_report_says_what_applied(run: Run) -> None:
    isolation = run.outcomes["escaper"].isolation
    for measure in ("jail (bubblewrap)", "read-only system", "private /tmp and home"):
        assert measure in isolation
    assert "no network" in isolation and "own processes only" in isolation
    as_root = os.geteuid() == 0 and run.mode == "grader"
    assert any("cgroup" in m for m in isolation) == as_root, isolation
    assert ("nproc limit" in isolation) == (not as_root), isolation


def test_the_run_leaves_no_folder(run: Run) -> None:
    """The run removed its folder: none is left of this process's runs (as the grader) or of
    nobody's (the grader in a process of its own), but for the fake earlier run's."""
    folders = [p for p in Path(tempfile.gettempdir()).glob(f"{PREFIX}*") if (p / OWNER).exists()]
    if run.mode == "grader":
        mine = [p for p in folders if (p / OWNER).read_text().split()[0] == str(os.getpid())]
    else:
        mine = [p for p in folders if p.stat().st_uid == NOBODY]
    assert mine == ([run.earlier.parents[3]] if run.mode == "grader" else []), mine


def test_a_killed_runs_folder_is_swept_at_the_next_start() -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from kit.grading.spool import Spool; print(Spool().path, flush=True); input()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    folder = Path(child.stdout.readline().strip())
    (folder / "kernel.json").write_text("{}")
    assert folder.is_dir()
    assert folder not in Spool.sweep()  # its run is alive
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdin.close()
    child.stdout.close()
    assert folder in Spool.sweep()
    assert not folder.exists()


def test_without_a_jail_grading_says_so_or_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the machine allows no jail, the kernels run with the limits alone and each
    outcome says no jail applied; with grading.require_sandbox the grader refuses instead."""
    monkeypatch.setattr(jail, "available", lambda user="nobody": "no namespaces here (test)")
    root = new_course(tmp_path / "course")
    course = load_course(root)
    nbg = NbgraderCourse(course)
    nbg.assign(PROJECT)
    make_submission(course, PROJECT, nbg.submitted(PROJECT, "honest"), {"count-evens": RIGHT})
    notes: list[str] = []
    from kit.grading.executor import LocalExecutor

    executor = LocalExecutor(1)  # forked after the patch: its workers have it too
    try:
        outcome = grade(course, PROJECT, executor=executor, on_note=notes.append)[0]
    finally:
        executor.close()
    assert outcome.score == 3
    assert "jail (bubblewrap)" not in outcome.isolation
    assert notes == ["learners' code runs without a jail: no namespaces here (test)"]
    strict = root / "course.yml"
    strict.write_text(strict.read_text() + "grading:\n  require_sandbox: true\n")
    with pytest.raises(GradingError, match="no namespaces here") as refused:
        grade(load_course(root), PROJECT, force=True)
    assert "require_sandbox" in refused.value.fix


def test_a_kernel_never_reports_at_a_door_that_is_not_its_own(tmp_path: Path) -> None:
    """The door tells the worker who knocked: the process id comes from the socket, not from
    what the kernel says."""
    from kit.grading.sandbox import Door, knock

    door = Door(tmp_path / "door")
    pid = os.fork()
    if pid == 0:
        try:
            knock(str(tmp_path / "door"), ["said"])
        finally:
            os._exit(0)
    knocked, said = door.wait()
    door.let_in(cgroup=False)
    door.close()
    os.waitpid(pid, 0)
    assert knocked == pid and said == ["said"]
