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
import subprocess
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
    """A pool of ``workers`` processes on this machine; they end with the grader, even when
    it is killed (and their spare kernels notice their parent is gone and end too)."""
    sweep_cgroups()
    return ProcessPoolExecutor(
        max_workers=workers, initializer=_follow_parent, initargs=(os.getpid(),)
    )


def _follow_parent(parent: int) -> None:
    """Worker start-up: die with the grader instead of waiting forever for work."""
    from kit.grading.sandbox import die_with_parent

    die_with_parent(signal.SIGTERM)

    def watch() -> None:  # where prctl is missing: poll
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def sweep_cgroups() -> None:
    """Remove sandbox cgroups left empty by an earlier run that was killed."""
    for group in Path("/sys/fs/cgroup").glob("**/kit-sandbox-*"):
        with contextlib.suppress(OSError):
            if not (group / "cgroup.procs").read_text().strip():
                group.rmdir()


class _Warm:
    """The kernel waiting for this worker's next job, and the template kernels fork from."""

    lock = threading.Lock()
    ready: tuple[Any, Path, Path] | None = None
    thread: threading.Thread | None = None
    limits: dict[str, Any] | None = None
    zygote: Any = None
    zygote_failures = 0  # past a few, kernels start from scratch


def _zygote(preload: list[str]) -> Any:
    """This worker's kernel template for ``preload``, started on first use; None where it
    cannot start (kernels then start from scratch)."""
    from kit.grading.zygote import Zygote, ZygoteError

    if not sys.platform.startswith("linux"):  # forking a kernel needs Linux's process tools
        return None
    with _Warm.lock:
        current = _Warm.zygote
        if current is not None and current.alive() and current.preload == preload:
            return current
        if current is not None:
            current.close()
        try:
            _Warm.zygote = Zygote(preload)
        except (OSError, ZygoteError):
            _Warm.zygote = None
            _Warm.zygote_failures += 1
        return _Warm.zygote


def _fork_provisioner(km: Any, zygote: Any, settings: dict[str, Any], log: Path) -> Any:
    """A jupyter_client provisioner whose kernel is forked from ``zygote``."""
    import uuid

    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    from kit.grading.zygote import ForkedProcess

    class ForkProvisioner(LocalProvisioner):  # type: ignore[misc]
        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            pid = zygote.spawn(cmd[1:], env=kwargs["env"], limits=settings, log=log)
            self.process = ForkedProcess(pid)  # type: ignore[assignment]
            self.pid = self.pgid = pid  # confine() makes it a session leader
            self.cwd = settings["cwd"]
            return self.connection_info

    km.kernel_id = str(uuid.uuid4())
    return ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)


def _start_kernel(limits: dict[str, Any]) -> tuple[Any, Path, Path]:
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    from kit.grading.zygote import ZygoteError

    base = Path(tempfile.mkdtemp(prefix="kit-grade-"))
    work, runtime = base / "work", base / "runtime"
    work.mkdir()
    runtime.mkdir()
    os.chmod(base, 0o700)
    report = base / "isolation.json"
    settings = dict(limits, cwd=str(work), report=str(report))
    preload = limits.get("preload")
    zygote = _zygote(preload) if preload is not None and _Warm.zygote_failures < 3 else None
    kernel = ["-f", "{connection_file}", "--HistoryManager.hist_file=:memory:"]
    if zygote is not None:
        argv = ["ipykernel", *kernel]
    else:
        sandbox = [sys.executable, "-m", "kit.grading.sandbox", json.dumps(settings), "--"]
        argv = [*sandbox, sys.executable, "-m", "ipykernel_launcher", *kernel]
    # asynchronous, as nbgrader's Execute uses: a blocking client would stall nbclient's event
    # loop (and every timeout with it) on a kernel that stops answering
    km = AsyncKernelManager(
        transport="ipc", ip=str(runtime / "k"), connection_file=str(runtime / "kernel.json")
    )
    km._kernel_spec = KernelSpec(argv=argv, display_name="sandbox", language="python")
    if zygote is not None:
        km.provisioner = _fork_provisioner(km, zygote, settings, base / "kernel.log")
    env = dict(os.environ, NBGRADER_EXECUTION="autograde")  # as nbgrader's autograde sets it
    # the kernel's own stdout and stderr go to a file: a process the learner's code leaves
    # behind must never hold the grader's terminal or pipes open
    log = open(base / "kernel.log", "ab")  # noqa: SIM115 (closed with the folder)
    try:
        run_sync(km.start_kernel)(
            cwd=str(work), env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL
        )
    except ZygoteError:  # the template ended: this kernel starts anew, the next from a new one
        _Warm.zygote_failures += 1
        shutil.rmtree(base, ignore_errors=True)
        return _start_kernel(limits)
    finally:
        log.close()
    return km, work, base


def _stop_warm() -> None:
    """Stop the kernel kept warm for a next job that will not come (the worker is ending)."""
    if _Warm.thread is not None:
        _Warm.thread.join()
    with _Warm.lock:
        warm, _Warm.ready = _Warm.ready, None
    if warm is not None:
        _stop(*warm)
    if _Warm.zygote is not None:
        _Warm.zygote.close()
        _Warm.zygote = None


def _prestart(limits: dict[str, Any]) -> None:
    if _Warm.thread is None:  # first job in this process: stop the spare kernel at exit
        import atexit
        from multiprocessing import util

        atexit.register(_stop_warm)
        util.Finalize(None, _stop_warm, exitpriority=100)

    def run() -> None:
        from jupyter_core.utils import ensure_event_loop

        try:
            warm = _start_kernel(limits)
        except Exception:  # a failed warm start is retried cold at the next job
            return
        finally:
            ensure_event_loop().close()  # this thread's loop, made for starting the kernel
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
    if warm is not None and _Warm.limits == limits and _alive(warm[0]):
        return warm
    if warm is not None:
        _stop(*warm)
    return _start_kernel(limits)


def _clear_cgroups(name: str) -> None:
    """Kill whatever is left in the kernel's cgroups (a fork bomb's children) and remove them."""
    for _ in range(20):
        groups = [g for g in Path("/sys/fs/cgroup").glob(f"*/{name}") if g.is_dir()]
        groups += [g for g in [Path("/sys/fs/cgroup", name)] if g.is_dir()]
        if not groups:
            return
        for group in groups:
            state = group / "freezer.state"
            with contextlib.suppress(OSError):
                if state.exists():
                    state.write_text("FROZEN")  # no more forking while we kill
            with contextlib.suppress(OSError):
                for line in (group / "cgroup.procs").read_text().split():
                    with contextlib.suppress(ProcessLookupError, PermissionError, ValueError):
                        os.kill(int(line), signal.SIGKILL)
            with contextlib.suppress(OSError):
                if state.exists():
                    state.write_text("THAWED")  # killed processes only die once thawed
            with contextlib.suppress(OSError):
                group.rmdir()
        time.sleep(0.05)


def _alive(km: Any) -> bool:
    """Whether a kernel kept waiting is still there (its template may have ended)."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    return process is not None and process.poll() is None


def _kernel_pid(km: Any) -> int | None:
    provisioner = getattr(km, "provisioner", None)
    return getattr(provisioner, "pid", None) if provisioner else None


def _kill_tree(pid: int | None) -> None:
    """Kill the kernel, everything in its session, and everything in its cgroups."""
    if not pid:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session
    _clear_cgroups(f"kit-sandbox-{pid}")


def _stop(km: Any, work: Path, base: Path) -> None:
    from jupyter_core.utils import run_sync

    pid = _kernel_pid(km)
    _kill_tree(pid)
    with contextlib.suppress(Exception):
        run_sync(km.shutdown_kernel)(now=True)
    _kill_tree(pid)
    shutil.rmtree(base, ignore_errors=True)


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Execute one notebook: ``job`` has ``notebook`` (JSON), ``files`` (folder to copy into
    the working folder), ``limits``, ``timeout_cell``, ``timeout_notebook``, ``output_bytes``.

    Returns the executed notebook (JSON), notes on what went wrong, and the isolation applied.
    """
    import nbformat

    resources: dict[str, Any] = {}
    limits = job["limits"]
    nb = None
    if "path" in job:  # sanitize here, off the grader's one writing thread (reads only)
        try:
            nb, resources = nbgrader_steps(
                BEFORE, nbformat.read(job["path"], as_version=4), job["resources"], job["config"]
            )
        except Exception as exc:
            return {"refused": str(exc) or type(exc).__name__}
    else:
        nb = nbformat.reads(job["notebook"], as_version=4)
    km, work, base = _take(limits)
    _prestart(limits)
    try:
        try:
            nb, notes, isolation = _execute(nb, job, km, work, base)
        except _NoStart:  # the waiting kernel died (its template ended): once more, anew
            _stop(km, work, base)
            km, work, base = _start_kernel(limits)
            nb, notes, isolation = _execute(nb, job, km, work, base, retry=False)
    finally:
        _stop(km, work, base)
    if "path" in job:  # nbgrader's steps between execution and scoring (no writes)
        nb, _ = nbgrader_steps(AFTER, nb, resources, job["config"])
    return {"notebook": nbformat.writes(nb), "notes": notes, "isolation": isolation}


class _NoStart(Exception):
    """The kernel never came up; nothing of the submission ran."""


def _execute(
    nb: Any, job: dict[str, Any], km: Any, work: Path, base: Path, *, retry: bool = True
) -> tuple[Any, list[str], list[str]]:
    """Run ``nb`` on the started kernel ``km`` in ``work``: the executed notebook, notes on
    what went wrong, and the isolation applied."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    limits = job["limits"]
    kernel_pid = _kernel_pid(km)
    notes: list[str] = []
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
            else "the kernel died: " + _why_dead(kernel_pid, limits, _read_log(base))
        )
        notes.append(why)
        _mark_not_run(nb, client.completed, why)
    except RuntimeError as exc:  # the kernel never came up
        if retry and not client.completed:
            raise _NoStart from exc
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
    return nb, notes, isolation


BEFORE = (
    "ClearOutput",
    "DeduplicateIds",
    "OverwriteKernelspec",
    "OverwriteCells",
    "CheckCellMetadata",
)
"""nbgrader's sanitizing steps (they read the gradebook: locked cells, hidden tests)."""
AFTER = ("IgnorePattern", "LimitOutput", "CheckCellMetadata")
"""nbgrader's steps after execution that do not write the gradebook (scoring does, and runs
in the grader)."""


def nbgrader_steps(
    names: tuple[str, ...], nb: Any, resources: dict[str, Any], config: Any
) -> tuple[Any, dict[str, Any]]:
    """Run nbgrader's preprocessors ``names`` (class names) over a notebook, in order."""
    from nbgrader import preprocessors

    for name in names:
        nb, resources = getattr(preprocessors, name)(config=config)(nb, resources)
    return nb, resources


def _why_dead(pid: int | None, limits: dict[str, Any], log: str = "") -> str:
    """Which limit killed the kernel, read from its cgroups before they are removed."""

    def read(path: Path) -> str:
        try:
            return path.read_text()
        except OSError:
            return ""

    name = f"kit-sandbox-{pid}"
    base = Path("/sys/fs/cgroup")
    pids = read(base / "pids" / name / "pids.events") + read(base / name / "pids.events")
    if any(line.startswith("max ") and line.split()[1] != "0" for line in pids.splitlines()):
        return f"the process limit ({limits['processes']}) was reached (a fork bomb?)"
    failcnt = read(base / "memory" / name / "memory.failcnt").strip()
    peak = read(base / "memory" / name / "memory.max_usage_in_bytes").strip()
    events = read(base / name / "memory.events")
    near_limit = peak.isdigit() and int(peak) >= 0.9 * limits["memory_mb"] * 2**20
    oom_killed = any(
        line.startswith("oom_kill ") and line.split()[1] != "0" for line in events.splitlines()
    )
    out_of_memory = any(mark in log for mark in ("MemoryError", "Cannot allocate", "bad_alloc"))
    if (failcnt and failcnt != "0") or near_limit or oom_killed or out_of_memory:
        return f"the memory limit ({limits['memory_mb']} MB) was reached"
    return "the code ended it, or a limit stopped it"


def _read_log(base: Path) -> str:
    try:
        return (base / "kernel.log").read_text(errors="replace")[-20000:]
    except OSError:
        return ""


def _kill(km: Any, client: Any) -> None:
    client.killed_for_time = True
    _kill_tree(_kernel_pid(km))


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
                    pid = _kernel_pid(self.km)
                    if pid:
                        os.kill(pid, signal.SIGINT)  # what interrupt_kernel sends
            return None
        return super().output(outs, msg, display_id, cell_index)
