"""The kernels of one grading worker process: each job runs on a kernel started ahead of need,
in an empty working folder, and the next kernel starts while the job runs, so kernel start-up
is hidden. A kernel never serves two submissions.

Where Linux allows, kernels are forked from a template that has already imported the kernel
and the project's modules (:mod:`kit.grading.zygote`); else each starts anew, through the
sandbox launcher (:mod:`kit.grading.sandbox`). Either way each kernel runs in the jail of
:mod:`kit.grading.jail` where the machine allows one, and reports at its door
(:class:`kit.grading.sandbox.Door`) before it is used: the worker learns its process id there and,
as root, puts it in its cgroup.

Every kernel and template is started from one thread that lives as long as the worker: a
process started from a thread that ends would be told its parent died.
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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.grading import jail
from kit.grading.errors import GradingError
from kit.grading.sandbox import Cgroup, Door, Limits, launcher
from kit.grading.spool import Spool
from kit.grading.zygote import ForkedProcess, Zygote, ZygoteError

TEMPLATE_TRIES = 3
"""Templates that may fail in one worker before its kernels start anew for good."""


def kernel_pid(manager: Any) -> int | None:
    """The process id of the kernel of a jupyter_client kernel manager (None: not started)."""
    provisioner = getattr(manager, "provisioner", None)
    return getattr(provisioner, "pid", None) if provisioner else None


def kill_tree(pid: int | None) -> None:
    """Kill a kernel, everything in its session, and everything in its cgroup (in the jail, the
    kernel is the first process of its process namespace: all of it ends with it)."""
    if not pid:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
    Cgroup(pid).remove()


@dataclass(frozen=True)
class Kernel:
    """A started kernel and its folders.

    Parameters
    ----------
    manager:
        jupyter_client's (asynchronous) kernel manager.
    base:
        The kernel's private folder: its working folder ``work``, its connection files, its
        log and its door.
    owner:
        The user and group ids it runs as, where not the worker's (the sandbox user).
    isolation:
        What its sandbox applied (filled in as it starts).
    """

    manager: Any
    base: Path
    owner: tuple[int, int] | None = None
    isolation: list[str] = field(default_factory=list)

    @property
    def work(self) -> Path:
        """The kernel's working folder (where a job's files go)."""
        return self.base / "work"

    @property
    def runtime(self) -> Path:
        """The folder of its connection file and sockets."""
        return self.base / "runtime"

    @property
    def door(self) -> Path:
        """Where it reports as it starts."""
        return self.base / "door"

    @property
    def pid(self) -> int | None:
        """The kernel's process id."""
        return kernel_pid(self.manager)

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


@dataclass(frozen=True)
class _Start:
    """How one kernel starts: forked from ``zygote`` (None: anew, by ``argv``), with
    ``limits``, jailed or not, its files owned by ``owner`` (the sandbox user, as root)."""

    kernel: Kernel
    limits: Limits
    zygote: Zygote | None
    jailed: bool
    owner: tuple[int, int] | None
    spool: Path

    def hand_over(self) -> None:
        """Give the kernel's folders, and the connection file just written, to its user."""
        if self.owner is None:
            return
        for path in [self.kernel.base, *self.kernel.base.rglob("*")]:
            with contextlib.suppress(FileNotFoundError):
                os.chown(path, *self.owner, follow_symlinks=False)

    def measures(self) -> list[str]:
        """What the worker applies around the kernel."""
        if not self.jailed:
            return []
        user = f"uid {os.getuid()} (the grader's)" if self.owner is None else f"uid {self.owner[0]}"
        return ["jail (bubblewrap)", "read-only system", "no other files", f"runs as {user}"]


def _provisioner(km: Any, start: _Start) -> Any:
    """A jupyter_client provisioner that starts the kernel as ``start`` says, then waits for it
    at its door: there the kernel's process id is learnt and, as root, its cgroup made."""
    import uuid

    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    class SandboxProvisioner(LocalProvisioner):  # type: ignore[misc]
        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            kernel = start.kernel
            door = Door(kernel.door, start.owner)
            try:
                start.hand_over()
                if start.zygote is not None:
                    start.zygote.spawn(
                        cmd[1:],
                        env=kwargs["env"],
                        limits=start.limits,
                        cwd=str(kernel.work),
                        door=str(kernel.door),
                        log=kernel.log,
                        folder=str(kernel.base) if start.jailed else "",
                        spool=str(start.spool),
                    )
                    info = self.connection_info
                else:
                    info = await super().launch_kernel(cmd, **kwargs)
                try:
                    pid, applied = door.wait()
                except OSError as exc:
                    raise ZygoteError(f"the kernel did not report as it started ({exc})") from exc
                group = Cgroup(pid).join(start.limits)
                door.let_in(cgroup=bool(group))
            finally:
                door.close()
            limited = [group] if group else ["nproc limit"] if start.owner or os.getuid() else []
            kernel.isolation[:] = [*start.measures(), *applied, *limited]
            if start.zygote is not None:
                self.process = ForkedProcess(pid)  # type: ignore[assignment]
            self.pid = self.pgid = pid  # the kernel leads its own session
            self.cwd = str(kernel.work)
            return info

    km.kernel_id = str(uuid.uuid4())
    return SandboxProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)


class WarmKernels:
    """This worker process's kernels: the one waiting for its next job, and the template
    kernels are forked from.

    One per worker process (:func:`kit.grading.executor.worker_kernels`); its methods may be
    called from any thread (kernels start on its own starting thread).

    Parameters
    ----------
    spool:
        The run's folder (:class:`kit.grading.spool.Spool`); default: one of its own.
    """

    def __init__(self, spool: Spool | None = None) -> None:
        self._own_spool = spool is None
        self._run = spool or Spool()
        self._spool: Path | None = None  # this worker's folder in the run's, once made
        self._lock = threading.Lock()
        self._starter = ThreadPoolExecutor(1, thread_name_prefix="kit-kernels")
        self._ready: Future[Kernel] | None = None
        self._ready_for: tuple[Limits, tuple[str, ...] | None] | None = None
        self._zygote: Zygote | None = None
        self._zygote_failures = 0  # past a few, kernels start from scratch
        self._stopped = False

    @property
    def template_pid(self) -> int | None:
        """The process id of the kernel template (None: there is none)."""
        return self._zygote.pid if self._zygote is not None else None

    def take(self, limits: Limits, preload: tuple[str, ...] | None) -> Kernel:
        """The kernel started ahead for these settings, or a new one."""
        with self._lock:
            ready, self._ready = self._ready, None
        warm = None
        if ready is not None:
            with contextlib.suppress(Exception):  # a failed warm start: start anew, now
                warm = ready.result()
        if warm is not None and self._ready_for == (limits, preload) and warm.alive():
            return warm
        if warm is not None:
            warm.stop()
        return self.start(limits, preload)

    def prestart(self, limits: Limits, preload: tuple[str, ...] | None) -> None:
        """Start the next job's kernel in the background."""
        if not self._stopped and self._ready_for is None:  # first job: clean up at exit
            import atexit
            from multiprocessing import util

            atexit.register(self.stop)
            util.Finalize(None, self.stop, exitpriority=100)
        self._ready_for = (limits, preload)
        with self._lock:
            self._ready = self._starter.submit(self._start, limits, preload)

    def stop(self) -> None:
        """Stop the kernel kept for a next job that will not come, and the template (the
        worker is ending)."""
        self._stopped = True
        with self._lock:
            ready, self._ready = self._ready, None
        if ready is not None:
            with contextlib.suppress(Exception):
                ready.result().stop()
        if self._zygote is not None:
            self._zygote.close()
            self._zygote = None
        self._starter.shutdown(wait=False)
        if self._own_spool:
            self._run.remove()

    def start(self, limits: Limits, preload: tuple[str, ...] | None) -> Kernel:
        """Start a kernel now: forked from the template for ``preload`` where there is one,
        else anew inside the sandbox launcher."""
        return self._starter.submit(self._start, limits, preload).result()

    def _jailed(self, limits: Limits) -> bool:
        """Whether this worker jails kernels with ``limits`` (a :class:`GradingError` where
        the jail is required and this machine allows none)."""
        if not limits.jail:
            return False
        why = jail.available(limits.user)
        if why and limits.require_jail:
            raise GradingError(
                f"this grading worker cannot jail kernels: {why}",
                fix="grade on a machine that allows the jail, or set grading: require_sandbox: "
                "false in course.yml",
            )
        return not why

    def _worker_folder(self, owner: tuple[int, int] | None) -> Path:
        if self._spool is None:
            self._spool = self._run.folder(f"w{os.getpid()}-", owner)
        return self._spool

    def _start(self, limits: Limits, preload: tuple[str, ...] | None) -> Kernel:
        """Start a kernel (on the starting thread)."""
        from jupyter_client.kernelspec import KernelSpec
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        jailed = self._jailed(limits)
        owner = jail.sandbox_ids(limits.user) if jailed else None
        spool = self._worker_folder(owner)
        base = Path(tempfile.mkdtemp(prefix="k-", dir=spool))
        kernel = Kernel(None, base)  # its folders; the manager comes next
        kernel.work.mkdir()
        kernel.runtime.mkdir()
        zygote = None
        if preload is not None and self._zygote_failures < TEMPLATE_TRIES:
            zygote = self._template(preload, limits if jailed else None, spool)
        args = ["-f", "{connection_file}", "--HistoryManager.hist_file=:memory:"]
        if zygote is not None:
            argv = ["ipykernel", *args]
        else:
            folder = str(base) if jailed else ""
            sandbox = launcher(limits, str(kernel.work), str(kernel.door), folder, str(spool))
            argv = [*sandbox, sys.executable, "-m", "ipykernel_launcher", *args]
            if jailed:
                argv = jail.command(
                    argv,
                    writable=[str(base)],
                    hide=limits.hide,
                    user=limits.user,
                    network=limits.network,
                )
        # asynchronous, as nbgrader's Execute uses: a blocking client would stall nbclient's
        # event loop (and every timeout with it) on a kernel that stops answering
        km = AsyncKernelManager(
            transport="ipc",
            ip=str(kernel.runtime / "k"),
            connection_file=str(kernel.runtime / "kernel.json"),
        )
        km._kernel_spec = KernelSpec(argv=argv, display_name="sandbox", language="python")
        start = _Start(Kernel(km, base, owner), limits, zygote, jailed, owner, spool)
        km.provisioner = _provisioner(km, start)
        env = _environment(jailed, zygote)
        # the kernel's own stdout and stderr go to a file: a process the learner's code leaves
        # behind must never hold the grader's terminal or pipes open
        log = open(kernel.log, "ab")  # noqa: SIM115 (closed with the folder)
        try:
            run_sync(km.start_kernel)(
                cwd=str(kernel.work), env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL
            )
        except ZygoteError:  # the template ended: this kernel starts anew, the next from a new one
            self._zygote_failures += 1
            log.close()
            shutil.rmtree(base, ignore_errors=True)
            return self._start(limits, preload)
        finally:
            log.close()
        return start.kernel

    def _template(
        self, preload: tuple[str, ...], limits: Limits | None, spool: Path
    ) -> Zygote | None:
        """This worker's kernel template for ``preload`` (in the jail of ``limits`` where
        given), started on first use; None where it cannot start (kernels then start anew)."""
        if not sys.platform.startswith("linux"):  # forking a kernel needs Linux's process tools
            return None
        current = self._zygote
        jailed = limits is not None
        if (
            current is not None
            and current.alive()
            and (current.preload, current.jailed) == (preload, jailed)
        ):
            return current
        if current is not None:
            current.close()
        try:
            self._zygote = Zygote(preload, limits=limits, spool=spool)
        except (OSError, ZygoteError):
            self._zygote = None
            self._zygote_failures += 1
        return self._zygote


def _environment(jailed: bool, zygote: Zygote | None) -> dict[str, str]:
    """The kernel's environment: the worker's, marked as nbgrader's autograde marks it; in the
    jail, its home and temporary folder are its own empty ones."""
    env = dict(os.environ, NBGRADER_EXECUTION="autograde")
    if jailed:
        env.update(HOME="/tmp/home", TMPDIR="/tmp")
    if zygote is not None:
        env["KIT_KERNEL_TEMPLATE"] = str(zygote.pid)
    return env
