"""Running one sanitized submission notebook in a sandboxed kernel, in a worker process.

Each worker process keeps one kernel started ahead of need, in an empty working folder; a job
copies its submission's files into that folder and runs. The next kernel starts while the job
runs, so kernel start-up is hidden. A kernel never serves two submissions.

An executor is anything with ``submit(job) -> Future[dict]`` and ``shutdown()``: the local
process pool here, or a Dask distributed client (``client.submit(run_job, job)``) for courses
that outgrow one machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol

NOT_RUN = "NotRun"


class Executor(Protocol):
    """Where jobs run."""

    def submit(self, fn: Any, job: dict[str, Any]) -> Future[dict[str, Any]]: ...

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None: ...


def local_executor(workers: int) -> Executor:
    """A pool of ``workers`` processes on this machine."""
    return ProcessPoolExecutor(max_workers=workers)


class _Warm:
    """The kernel waiting for this worker's next job."""

    lock = threading.Lock()
    ready: tuple[Any, Path, Path] | None = None
    thread: threading.Thread | None = None
    limits: dict[str, Any] | None = None


def _start_kernel(limits: dict[str, Any]) -> tuple[Any, Path, Path]:
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import KernelManager

    base = Path(tempfile.mkdtemp(prefix="kit-grade-"))
    work, runtime = base / "work", base / "runtime"
    work.mkdir()
    runtime.mkdir()
    os.chmod(base, 0o700)
    report = base / "isolation.json"
    settings = dict(limits, cwd=str(work), report=str(report))
    argv = [
        sys.executable,
        "-m",
        "kit.grading.sandbox",
        json.dumps(settings),
        "--",
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
        "--HistoryManager.hist_file=:memory:",
    ]
    km = KernelManager(
        transport="ipc", ip=str(runtime / "k"), connection_file=str(runtime / "kernel.json")
    )
    km._kernel_spec = KernelSpec(argv=argv, display_name="sandbox", language="python")
    env = dict(os.environ, NBGRADER_EXECUTION="autograde")  # as nbgrader's autograde sets it
    km.start_kernel(cwd=str(work), env=env)
    return km, work, base


def _prestart(limits: dict[str, Any]) -> None:
    def run() -> None:
        try:
            warm = _start_kernel(limits)
        except Exception:  # a failed warm start is retried cold at the next job
            return
        with _Warm.lock:
            _Warm.ready = warm

    _Warm.limits = limits
    _Warm.thread = threading.Thread(target=run, daemon=True)
    _Warm.thread.start()


def _take(limits: dict[str, Any]) -> tuple[Any, Path, Path]:
    if _Warm.thread is not None:
        _Warm.thread.join()
    with _Warm.lock:
        warm, _Warm.ready = _Warm.ready, None
    if warm is not None and _Warm.limits == limits:
        return warm
    if warm is not None:
        _stop(*warm)
    return _start_kernel(limits)


def _stop(km: Any, work: Path, base: Path) -> None:
    try:
        pid = km.provisioner.pid if km.provisioner else None
        if pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session
        km.shutdown_kernel(now=True)
    except Exception:
        pass
    for controller in ("pids", "memory", ""):
        for group in Path("/sys/fs/cgroup", controller).glob("kit-sandbox-*"):
            procs = group / "cgroup.procs"
            try:
                if procs.exists() and not procs.read_text().strip():
                    group.rmdir()
            except OSError:
                pass
    shutil.rmtree(base, ignore_errors=True)


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Execute one notebook: ``job`` has ``notebook`` (JSON), ``files`` (folder to copy into
    the working folder), ``limits``, ``timeout_cell``, ``timeout_notebook``, ``output_bytes``.

    Returns the executed notebook (JSON), notes on what went wrong, and the isolation applied.
    """
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    limits = job["limits"]
    km, work, base = _take(limits)
    _prestart(limits)
    notes: list[str] = []
    nb = nbformat.reads(job["notebook"], as_version=4)
    try:
        for item in Path(job["files"]).iterdir():
            target = work / item.name
            if item.is_dir():
                shutil.copytree(item, target, symlinks=False)
            elif item.is_file():
                shutil.copy2(item, target)
        isolation = []
        report = base / "isolation.json"
        for _ in range(50):
            if report.exists():
                isolation = json.loads(report.read_text() or "[]")
                break
            time.sleep(0.02)
        client = _CappedClient(
            timeout=job["timeout_cell"],
            interrupt_on_timeout=True,
            raise_on_iopub_timeout=False,
            record_timing=False,
            output_bytes=job["output_bytes"],
            error_on_timeout={
                "ename": "CellTimeoutError",
                "evalue": "",
                "traceback": [
                    f"CellTimeoutError: the cell ran longer than {job['timeout_cell']} s "
                    "and was stopped"
                ],
            },
        )
        deadline = threading.Timer(job["timeout_notebook"], _kill, args=(km, client))
        deadline.start()
        try:
            nb, _ = client.preprocess(nb, {"metadata": {"path": str(work)}}, km=km)
        except DeadKernelError:
            why = (
                "the notebook ran past its time limit"
                if client.killed_for_time
                else "the kernel died (memory or process limit, or the code ended it)"
            )
            notes.append(why)
            _mark_not_run(nb, client.completed, why)
        except RuntimeError as exc:  # the kernel never came up
            notes.append(f"the kernel did not start: {exc}")
            _mark_not_run(nb, client.completed, "the kernel did not start")
        except CellTimeoutError:
            notes.append("a cell did not answer in time")
            _mark_not_run(nb, client.completed, "a cell did not answer in time")
        finally:
            deadline.cancel()
        if client.truncated:
            notes.append(
                f"output cut in {client.truncated} cell(s) at {job['output_bytes'] // 1024} KB"
            )
    finally:
        _stop(km, work, base)
    return {"notebook": nbformat.writes(nb), "notes": notes, "isolation": isolation}


def _kill(km: Any, client: Any) -> None:
    client.killed_for_time = True
    with contextlib.suppress(Exception):
        km.kill_kernel()


def _mark_not_run(nb: Any, completed: set[int], why: str) -> None:
    """Give every code cell that did not run to its end an error, so it can never earn points
    (nbgrader gives a test cell its points when it shows no error)."""
    import nbformat

    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and index not in completed:
            cell.outputs = [
                *cell.get("outputs", []),
                nbformat.v4.new_output(
                    "error", ename=NOT_RUN, evalue=why, traceback=[f"{NOT_RUN}: {why}"]
                ),
            ]


def _client_base() -> Any:
    from nbgrader.preprocessors import Execute

    return Execute


class _CappedClient(_client_base()):  # type: ignore[misc]
    """nbgrader's Execute preprocessor (so execution behaves exactly as in nbgrader, down to
    recording errors a learner's code hides), with a cap on each cell's output: past it, output
    is dropped, and a cell that keeps flooding is interrupted."""

    def __init__(self, *, output_bytes: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.output_bytes = output_bytes
        self.truncated = 0
        self.killed_for_time = False
        self.completed: set[int] = set()
        self._sizes: dict[int, int] = {}

    async def async_execute_cell(
        self, cell: Any, cell_index: int, *args: Any, **kwargs: Any
    ) -> Any:
        result = await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        self.completed.add(cell_index)
        return result

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: Any, cell_index: int) -> Any:
        size = self._sizes.get(cell_index, 0) + len(json.dumps(msg.get("content", {})))
        self._sizes[cell_index] = size
        if size > self.output_bytes:
            if size - len(json.dumps(msg.get("content", {}))) <= self.output_bytes:
                self.truncated += 1
                import nbformat

                outs.append(
                    nbformat.v4.new_output(
                        "stream",
                        name="stderr",
                        text=f"\n[output cut: more than {self.output_bytes // 1024} KB]\n",
                    )
                )
            if size > 20 * self.output_bytes:
                self.km.interrupt_kernel()
            return None
        return super().output(outs, msg, display_id, cell_index)
