"""Running one submission notebook in a sandboxed kernel, in a worker process.

:class:`LocalExecutor` is the pool of worker processes on this machine; each worker runs
:func:`run_job` on the jobs it is given, on the kernels of its :class:`WarmKernels` (one
started ahead of need for each next job). Another executor (a Dask cluster's) runs the same
:func:`run_job`; see :class:`kit.grading.jobs.Executor`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from kit.grading.jobs import AFTER, BEFORE, Job, JobResult, nbgrader_steps, unpack
from kit.grading.kernels import Kernel, WarmKernels, kernel_pid, kill_tree
from kit.grading.sandbox import Cgroup, Limits, die_with_parent
from kit.grading.spool import Spool

NOT_RUN = "NotRun"

_kernels: WarmKernels | None = None
"""This worker process's kernels (made by the pool's initializer, or by the first job in a
process that other means started)."""


def worker_kernels() -> WarmKernels:
    """This worker process's :class:`WarmKernels`."""
    global _kernels
    if _kernels is None:
        _kernels = WarmKernels()
    return _kernels


def use_kernels(kernels: WarmKernels | None) -> None:
    """Make ``kernels`` this worker process's (another executor's worker start-up); None
    stops the current ones (its end)."""
    global _kernels
    if _kernels is not None and _kernels is not kernels:
        _kernels.stop()
    _kernels = kernels


def _start_worker(parent: int, run: str) -> None:
    """Worker start-up: its kernels (in the run's folder ``run``), and dying with the grader
    instead of waiting forever for work."""
    global _kernels
    _kernels = WarmKernels(Spool(Path(run)))
    die_with_parent(signal.SIGTERM)

    def watch() -> None:  # where prctl is missing: poll
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


class LocalExecutor:
    """A pool of ``workers`` processes on this machine (a :class:`kit.grading.jobs.Executor`).

    Its workers end with the grader, even when it is killed, and their spare kernels notice
    their worker is gone and end too.

    Parameters
    ----------
    workers:
        Worker processes; each runs one notebook at a time.
    """

    def __init__(self, workers: int) -> None:
        Cgroup.sweep()
        Spool.sweep()
        self.spool = Spool()
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            initializer=_start_worker,
            initargs=(os.getpid(), str(self.spool.path)),
        )

    def submit(self, job: Job) -> Future[JobResult]:
        """Run ``job`` in a worker."""
        return self._pool.submit(run_job, job)

    def close(self) -> None:
        """Let running jobs end, drop the others, end the workers, and remove the run's
        folder."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.spool.remove()


class _NoStart(Exception):
    """The kernel never came up; nothing of the submission ran."""


def run_job(job: Job) -> JobResult:
    """Execute one notebook (sanitized first when ``job.path`` names a submitted one).

    Returns the executed notebook, notes on what went wrong, and the isolation applied; or,
    where nbgrader refused to sanitize it, why.
    """
    import nbformat

    resources: dict[str, Any] = {}
    submitted = job.path or job.submitted
    if submitted:  # sanitize here, off the grader's one writing thread (reads only)
        try:
            text = Path(job.path).read_text() if job.path else job.submitted.decode()
            nb, resources = nbgrader_steps(
                BEFORE, nbformat.reads(text, as_version=4), job.resources, job.config
            )
        except Exception as exc:
            return JobResult(refused=str(exc) or type(exc).__name__)
    else:
        nb = nbformat.reads(job.notebook, as_version=4)
    kernels = worker_kernels()
    kernel = kernels.take(job.limits, job.preload)
    kernels.prestart(job.limits, job.preload)
    try:
        try:
            nb, notes, isolation = _execute(nb, job, kernel)
        except _NoStart:  # the waiting kernel died (its template ended): once more, anew
            kernel.stop()
            kernel = kernels.start(job.limits, job.preload)
            nb, notes, isolation = _execute(nb, job, kernel)
    except _NoStart as exc:  # twice: the machine cannot start kernels; no fault of the learner's
        return JobResult(not_run=f"the kernel did not start ({exc})")
    finally:
        kernel.stop()
    if submitted:  # nbgrader's steps between execution and scoring (no writes)
        nb, _ = nbgrader_steps(AFTER, nb, resources, job.config)
    return JobResult(nbformat.writes(nb), tuple(notes), tuple(isolation))


def _copy_files(folder: Path, work: Path) -> None:
    """The submission's plain files and folders into the kernel's working folder (a link is
    left out: it could point at what the learner may not read)."""
    for item in folder.iterdir():
        target = work / item.name
        if item.is_symlink():
            continue
        if item.is_dir():
            shutil.copytree(item, target, symlinks=True, ignore=_links)
        elif item.is_file():
            shutil.copy2(item, target)


def _links(folder: str, names: list[str]) -> set[str]:
    return {name for name in names if os.path.islink(os.path.join(folder, name))}


def _client(job: Job) -> _CappedClient:
    return _CappedClient(
        timeout=job.timeout_cell,
        interrupt_on_timeout=True,
        raise_on_iopub_timeout=False,
        record_timing=False,
        output_bytes=job.output_bytes,
        error_on_timeout={
            "ename": "CellTimeoutError",
            "evalue": "",
            "traceback": [
                f"CellTimeoutError: the cell ran longer than {job.timeout_cell} s and was stopped"
            ],
        },
    )


def _execute(nb: Any, job: Job, kernel: Kernel) -> tuple[Any, list[str], list[str]]:
    """Run ``nb`` on the started ``kernel`` in its working folder: the executed notebook,
    notes on what went wrong, and the isolation applied (:class:`_NoStart` where the kernel
    never came up)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    notes: list[str] = []
    if job.archive:
        unpack(job.archive, kernel.work)
    else:
        _copy_files(Path(job.files), kernel.work)
    if kernel.owner is not None:  # the learner's files are theirs to change, as in nbgrader
        for path in [kernel.work, *kernel.work.rglob("*")]:
            os.chown(path, *kernel.owner, follow_symlinks=False)
    isolation = list(kernel.isolation)
    client = _client(job)
    deadline = threading.Timer(job.timeout_notebook, _kill, args=(kernel, client))
    deadline.start()
    try:
        nb, _ = client.preprocess(nb, {"metadata": {"path": str(kernel.work)}}, km=kernel.manager)
    except DeadKernelError:
        why = (
            "the notebook ran past its time limit"
            if client.killed_for_time
            else "the kernel died: " + _why_dead(kernel, job.limits)
        )
        notes.append(why)
        _mark_not_run(nb, client.completed, why)
    except RuntimeError as exc:  # the kernel never came up
        if not client.completed:
            raise _NoStart(str(exc) or type(exc).__name__) from exc
        notes.append(f"the kernel stopped answering: {exc}")
        _mark_not_run(nb, client.completed, "the kernel stopped answering")
    except CellTimeoutError:
        notes.append("a cell did not answer in time")
        _mark_not_run(nb, client.completed, "a cell did not answer in time")
    finally:
        deadline.cancel()
    notes += _limits_met(nb, kernel, job, notes)
    if client.truncated:
        notes.append(f"output cut in {client.truncated} cell(s) at {job.output_bytes // 1024} KB")
    return nb, notes, isolation


def _limits_met(nb: Any, kernel: Kernel, job: Job, noted: list[str]) -> list[str]:
    """The limits the executed notebook met that its kernel survived, beyond those ``noted``:
    a fork bomb held back by the process limit (its cell timed out, or failed on a refused
    fork), a memory bomb held back by the address-space limit where no cgroup counts memory
    (a MemoryError), a write refused by the file size limit, a cell stopped at its time limit
    (the cells after it ran)."""
    limits, said = job.limits, " | ".join(noted)
    notes = []
    if "process limit" not in said and (
        _hit_process_limit(kernel, limits) or _raised(nb, _refused_fork)
    ):
        notes.append(_process_limit_reached(limits))
    if "memory limit" not in said and _raised(nb, _out_of_memory):
        notes.append(_memory_limit_reached(limits))
    if _raised(nb, _file_too_large):
        notes.append(f"the file size limit ({limits.file_mb} MB) refused a write")
    if " time" not in said and _raised(nb, _timed_out):
        notes.append(f"a cell ran longer than {job.timeout_cell} s and was stopped")
    return notes


def _hit_process_limit(kernel: Kernel, limits: Limits) -> bool:
    """Whether a fork was refused for the process limit: as the kernel's cgroup counted (read
    before it is removed), or, where there is none, as the tasks in the kernel's process
    namespace show (the jail's kernel is the first process of its own; its user's process limit
    counts them, threads too)."""
    if kernel.pid is None:
        return False
    if Cgroup(kernel.pid).folders():
        return Cgroup(kernel.pid).hit_process_limit()
    return _tasks_beside(kernel.pid) >= limits.processes - 1


def _tasks_beside(pid: int) -> int:
    """The tasks (threads) of the processes in the process namespace of ``pid``, if it leads
    one of its own (0 otherwise, or where /proc does not tell)."""
    try:
        space = os.readlink(f"/proc/{pid}/ns/pid")
        if space == os.readlink("/proc/self/ns/pid"):
            return 0
    except OSError:
        return 0
    tasks = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if os.readlink(entry / "ns" / "pid") == space:
                    tasks += len(os.listdir(entry / "task"))
    return tasks


def _process_limit_reached(limits: Limits) -> str:
    return f"the process limit ({limits.processes}) was reached (a fork bomb?)"


def _memory_limit_reached(limits: Limits) -> str:
    return f"the memory limit ({limits.memory_mb} MB) was reached"


def _refused_fork(output: Any) -> bool:
    return output.get("ename") in ("BlockingIOError", "OSError") and "[Errno 11]" in str(
        output.get("evalue", "")
    )


def _out_of_memory(output: Any) -> bool:
    return bool(output.get("ename") == "MemoryError")


def _file_too_large(output: Any) -> bool:
    return "[Errno 27]" in str(output.get("evalue", ""))


def _timed_out(output: Any) -> bool:
    return bool(output.get("ename") == "CellTimeoutError")


def _raised(nb: Any, kind: Callable[[Any], bool]) -> bool:
    """Whether a cell of the executed notebook failed with an error of this kind."""
    return any(
        output.get("output_type") == "error" and kind(output)
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def _why_dead(kernel: Kernel, limits: Limits) -> str:
    """Which limit killed the kernel, read from its cgroup before it is removed (without a
    cgroup, as a user other than root, the CPU time used is not known: both causes are named)."""
    if _hit_process_limit(kernel, limits):
        return _process_limit_reached(limits)
    group = Cgroup(kernel.pid) if kernel.pid else None
    log = kernel.read_log()
    out_of_memory = any(mark in log for mark in ("MemoryError", "Cannot allocate", "bad_alloc"))
    if (group is not None and group.hit_memory_limit(limits)) or out_of_memory:
        return _memory_limit_reached(limits)
    if group is not None and group.hit_cpu_limit(limits):
        return f"the CPU time limit ({limits.cpu_seconds} s) was reached"
    if group is not None and group.folders():  # the cgroup counted: no limit of it was met
        return "its own code ended it (an exit or a crash); no limit was reached"
    return (
        "its own code ended it (an exit or a crash), or the CPU time limit "
        f"({limits.cpu_seconds} s) stopped it"
    )


def _kill(kernel: Kernel, client: _CappedClient) -> None:
    client.killed_for_time = True
    kill_tree(kernel.pid)


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
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    pid = kernel_pid(self.km)
                    if pid:
                        os.kill(pid, signal.SIGINT)  # what interrupt_kernel sends
            return None
        return super().output(outs, msg, display_id, cell_index)
