"""Kernels forked from a template behave as kernels started anew, and leave nothing behind."""

from __future__ import annotations

import ast
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from kit.grading.executor import LocalExecutor
from kit.grading.jobs import Job
from kit.grading.sandbox import Limits
from kit.grading.zygote import imports_of

LIMITS = Limits(memory_mb=1024, cpu_seconds=60, processes=64, file_mb=16, network=False)

PROBE = """\
import json, os, sys
before = sorted(m for m in ("numpy", "pandas") if m in sys.modules)
import numpy as np
print(json.dumps({
    "before": before,
    "cwd": os.getcwd(),
    "path": sys.path,
    "execution": os.environ.get("NBGRADER_EXECUTION"),
    "random": float(np.random.default_rng().random()) + float(np.random.rand()),
    "marked": hasattr(json, "kit_mark"),
    "template": os.environ.get("KIT_KERNEL_TEMPLATE"),
}))
json.kit_mark = True  # a change a later submission must not see
"""


@pytest.fixture
def pool() -> Iterator[LocalExecutor]:
    """One grading worker process, as ``kit grade`` uses."""
    workers = LocalExecutor(1)
    yield workers
    workers.close()


def probe(
    pool: LocalExecutor, tmp_path: Path, preload: tuple[str, ...] | None
) -> tuple[dict[str, Any], tuple[str, ...]]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    files = tmp_path / "files"
    files.mkdir(exist_ok=True)
    job = Job(
        notebook=nbformat.writes(nb),
        files=str(files),
        limits=LIMITS,
        preload=preload,
        timeout_cell=30,
        timeout_notebook=60,
        output_bytes=100_000,
    )
    result = pool.submit(job).result()
    outputs = nbformat.reads(result.notebook, as_version=4).cells[0].outputs
    assert result.notes == (), result.notes
    seen: dict[str, Any] = json.loads(outputs[0]["text"])
    return seen, result.isolation


def test_imports_of_finds_the_modules_a_notebook_imports(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import numpy as np\nimport os.path\nx = 1"),
            nbformat.v4.new_code_cell("from pandas import DataFrame\nfrom . import sibling"),
            nbformat.v4.new_code_cell("%matplotlib inline\nimport sqlite3"),  # not Python
            nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nimport no_such_mod_xyz"),
            nbformat.v4.new_code_cell("def f():\n    import json  # not at the top level"),
            nbformat.v4.new_markdown_cell("import csv"),
        ]
    )
    path = tmp_path / "a.ipynb"
    nbformat.write(nb, path)
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert imports_of([path, tmp_path / "broken.ipynb"]) == ["numpy", "os.path", "pandas"]


def test_a_forked_kernel_sees_what_a_kernel_started_anew_sees(
    pool: LocalExecutor, tmp_path: Path
) -> None:
    anew, isolation_anew = probe(pool, tmp_path, None)
    forked, isolation_forked = probe(pool, tmp_path, ("numpy", "pandas"))
    assert anew["before"] == []
    assert forked["before"] == ["numpy", "pandas"]  # imported once, in the template
    assert isolation_forked == isolation_anew
    for seen in (anew, forked):
        assert Path(seen["cwd"]).name == "work"
        assert seen["execution"] == "autograde"
    assert forked["path"] == anew["path"]  # '' where IPython puts it, nothing of the grader's
    assert "" in forked["path"]


def test_each_submission_gets_a_fresh_fork(pool: LocalExecutor, tmp_path: Path) -> None:
    first, _ = probe(pool, tmp_path, ("numpy",))
    second, _ = probe(pool, tmp_path, ("numpy",))
    assert first["template"] == second["template"]  # the same template
    assert not first["marked"] and not second["marked"]  # the first one's change is gone
    assert first["random"] != second["random"]  # numpy's generators are not inherited
    assert first["cwd"] != second["cwd"]


def test_kernels_start_anew_when_the_template_cannot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kit.grading import zygote

    def refuse(self: Any, preload: tuple[str, ...], **settings: Any) -> None:
        raise zygote.ZygoteError("no template here")

    monkeypatch.setattr(zygote.Zygote, "__init__", refuse)
    workers = LocalExecutor(1)  # forked after the patch: it has it too
    try:
        seen, _ = probe(workers, tmp_path, ("numpy",))
    finally:
        workers.close()
    assert seen["before"] == []  # started anew, and graded all the same


def test_a_template_that_dies_is_replaced(pool: LocalExecutor, tmp_path: Path) -> None:
    first, _ = probe(pool, tmp_path, ("numpy",))
    os.kill(int(first["template"]), signal.SIGKILL)  # the next kernel was forked from it
    second, _ = probe(pool, tmp_path, ("numpy",))
    assert second["before"] == ["numpy"]
    assert second["template"] != first["template"]


WORKER = """
import sys
from kit.grading.kernels import WarmKernels
from kit.grading.sandbox import Limits
kernels = WarmKernels()
kernel = kernels.take(Limits.from_dict({limits!r}), ())
print(kernel.pid, kernels.template_pid, flush=True)
sys.stdin.read()
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_template_and_kernels_end_with_a_killed_worker() -> None:
    code = WORKER.format(limits=LIMITS.to_dict())
    ast.parse(code)
    worker = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert worker.stdout is not None
    kernel, template = map(int, worker.stdout.readline().split())
    assert _running(kernel) and _running(template)
    worker.kill()
    worker.wait()
    for _ in range(100):
        if not (_running(kernel) or _running(template)):
            break
        time.sleep(0.1)
    assert not _running(template)
    assert not _running(kernel)
    for stream in (worker.stdin, worker.stdout):
        if stream is not None:
            stream.close()
