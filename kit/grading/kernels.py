"""The kernels of one grading worker process: each job runs on a kernel started ahead of need,
in an empty working folder, and the next kernel starts while the job runs, so kernel start-up
is hidden. A kernel never serves two submissions.

Where Linux allows, kernels are forked from a template that has already imported the kernel
and the project's modules (:mod:`kit.grading.zygote`); else each starts anew, through the
sandbox launcher (:mod:`kit.grading.sandbox`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.grading.sandbox import Cgroup, Limits, launcher
from kit.grading.zygote import ForkedProcess, Zygote, ZygoteError

TEMPLATE_TRIES = 3
"""Templates that may fail in one worker before its kernels start anew for good."""


def kernel_pid(manager: Any) -> int | None:
    """The process id of the kernel of a jupyter_client kernel manager (None: not started)."""
    provisioner = getattr(manager, "provisioner", None)
    return getattr(provisioner, "pid", None) if provisioner else None


def kill_tree(pid: int | None) -> None:
    """Kill a kernel, everything in its session, and everything in its cgroup."""
    if not pid:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session
    Cgroup(pid).remove()


@dataclass(frozen=True)
class Kernel:
    """A started kernel and its folders.

    Parameters
    ----------
    manager:
        jupyter_client's (asynchronous) kernel manager.
    work:
        The kernel's working folder (where a job's files go).
    base:
        The private folder holding ``work``, the connection files, the kernel's log and the
        sandbox's report.
    """

    manager: Any
    work: Path
    base: Path

    @property
    def pid(self) -> int | None:
        """The kernel's process id."""
        return kernel_pid(self.manager)

    @property
    def report(self) -> Path:
        """Where the sandbox writes what it applied (JSON list)."""
        return self.base / "isolation.json"

    @property
    def log(self) -> Path:
        """The kernel's own stdout and stderr."""
        return self.base / "kernel.log"

    def alive(self) -> bool:
        """Whether a kernel kept waiting is still there (its template may have ended)."""
        process = getattr(getattr(self.manager, "provisioner", None), "process", None)
        return process is not None and process.poll() is None

    def read_log(self) -> str:
        """The end of the kernel's log."""
        try:
            return self.log.read_text(errors="replace")[-20000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Kill the kernel and all it started, and remove its folders."""
        from jupyter_core.utils import run_sync

        pid = self.pid
        kill_tree(pid)
        with contextlib.suppress(Exception):
            run_sync(self.manager.shutdown_kernel)(now=True)
        kill_tree(pid)
        shutil.rmtree(self.base, ignore_errors=True)


def _fork_provisioner(
    km: Any, zygote: Zygote, limits: Limits, work: Path, report: Path, log: Path
) -> Any:
    """A jupyter_client provisioner whose kernel is forked from ``zygote``."""
    import uuid

    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):  # type: ignore[misc]
        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            pid = zygote.spawn(
                cmd[1:], env=kwargs["env"], limits=limits, cwd=str(work), report=report, log=log
            )
            self.process = ForkedProcess(pid)  # type: ignore[assignment]
            self.pid = self.pgid = pid  # confine() makes it a session leader
            self.cwd = str(work)
            return self.connection_info

    km.kernel_id = str(uuid.uuid4())
    return ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)


class WarmKernels:
    """This worker process's kernels: the one waiting for its next job, and the template
    kernels are forked from.

    One per worker process (:func:`kit.grading.executor.worker_kernels`); its methods may be
    called from the job's thread and the thread starting the next kernel.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready: Kernel | None = None
        self._ready_for: tuple[Limits, tuple[str, ...] | None] | None = None
        self._thread: threading.Thread | None = None
        self._zygote: Zygote | None = None
        self._zygote_failures = 0  # past a few, kernels start from scratch

    @property
    def template_pid(self) -> int | None:
        """The process id of the kernel template (None: there is none)."""
        return self._zygote.pid if self._zygote is not None else None

    def take(self, limits: Limits, preload: tuple[str, ...] | None) -> Kernel:
        """The kernel started ahead for these settings, or a new one."""
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            warm, self._ready = self._ready, None
        if warm is not None and self._ready_for == (limits, preload) and warm.alive():
            return warm
        if warm is not None:
            warm.stop()
        return self.start(limits, preload)

    def prestart(self, limits: Limits, preload: tuple[str, ...] | None) -> None:
        """Start the next job's kernel in the background."""
        if self._thread is None:  # first job in this process: stop the spare kernel at exit
            import atexit
            from multiprocessing import util

            atexit.register(self.stop)
            util.Finalize(None, self.stop, exitpriority=100)

        def run() -> None:
            from jupyter_core.utils import ensure_event_loop

            try:
                warm = self.start(limits, preload)
            except Exception:  # a failed warm start is retried cold at the next job
                return
            finally:
                ensure_event_loop().close()  # this thread's loop, made for starting the kernel
            with self._lock:
                self._ready = warm

        self._ready_for = (limits, preload)
        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the kernel kept for a next job that will not come, and the template (the
        worker is ending)."""
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            warm, self._ready = self._ready, None
        if warm is not None:
            warm.stop()
        if self._zygote is not None:
            self._zygote.close()
            self._zygote = None

    def start(self, limits: Limits, preload: tuple[str, ...] | None) -> Kernel:
        """Start a kernel now: forked from the template for ``preload`` where there is one,
        else anew inside the sandbox launcher."""
        from jupyter_client.kernelspec import KernelSpec
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        base = Path(tempfile.mkdtemp(prefix="kit-grade-"))
        work, runtime = base / "work", base / "runtime"
        work.mkdir()
        runtime.mkdir()
        os.chmod(base, 0o700)
        kernel = Kernel(None, work, base)
        zygote = None
        if preload is not None and self._zygote_failures < TEMPLATE_TRIES:
            zygote = self._template(preload)
        args = ["-f", "{connection_file}", "--HistoryManager.hist_file=:memory:"]
        if zygote is not None:
            argv = ["ipykernel", *args]
        else:
            sandbox = launcher(limits, str(work), str(kernel.report))
            argv = [*sandbox, sys.executable, "-m", "ipykernel_launcher", *args]
        # asynchronous, as nbgrader's Execute uses: a blocking client would stall nbclient's
        # event loop (and every timeout with it) on a kernel that stops answering
        km = AsyncKernelManager(
            transport="ipc", ip=str(runtime / "k"), connection_file=str(runtime / "kernel.json")
        )
        km._kernel_spec = KernelSpec(argv=argv, display_name="sandbox", language="python")
        if zygote is not None:
            km.provisioner = _fork_provisioner(km, zygote, limits, work, kernel.report, kernel.log)
        env = dict(os.environ, NBGRADER_EXECUTION="autograde")  # as nbgrader's autograde sets it
        # the kernel's own stdout and stderr go to a file: a process the learner's code leaves
        # behind must never hold the grader's terminal or pipes open
        log = open(kernel.log, "ab")  # noqa: SIM115 (closed with the folder)
        try:
            run_sync(km.start_kernel)(
                cwd=str(work), env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL
            )
        except ZygoteError:  # the template ended: this kernel starts anew, the next from a new one
            self._zygote_failures += 1
            shutil.rmtree(base, ignore_errors=True)
            return self.start(limits, preload)
        finally:
            log.close()
        return Kernel(km, work, base)

    def _template(self, preload: tuple[str, ...]) -> Zygote | None:
        """This worker's kernel template for ``preload``, started on first use; None where it
        cannot start (kernels then start from scratch)."""
        if not sys.platform.startswith("linux"):  # forking a kernel needs Linux's process tools
            return None
        with self._lock:
            current = self._zygote
            if current is not None and current.alive() and current.preload == preload:
                return current
            if current is not None:
                current.close()
            try:
                self._zygote = Zygote(preload)
            except (OSError, ZygoteError):
                self._zygote = None
                self._zygote_failures += 1
            return self._zygote
