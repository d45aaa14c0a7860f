"""Start a learner's kernel inside limits: ``python -m kit.grading.sandbox SETTINGS -- COMMAND``.

Applied before the kernel starts, each where the system allows it (what was applied is written
to the file named by ``report``):

- a session of its own, so everything it starts can be killed together;
- a cgroup (v1 or v2) with a process limit and a memory limit: a fork bomb or a memory bomb
  stops there (:class:`Cgroup`);
- a network namespace with no interfaces: no network (the kernel talks to the grader over
  IPC sockets, which need none);
- a mount namespace in which the course folder and the grading workspace are covered by empty
  folders: the gradebook, the source notebooks and the hidden tests cannot be read;
- resource limits: address space, CPU seconds, file size, core dumps, processes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import json
import os
import resource
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_REC, MS_PRIVATE = 0x4000, 0x40000


@dataclass(frozen=True)
class Limits:
    """What a learner's kernel may use (course.yml's ``grading:`` settings of the same names).

    Parameters
    ----------
    memory_mb:
        Memory, enforced by the cgroup (the address space limit is four times looser).
    cpu_seconds:
        CPU time.
    processes:
        Processes at once (a fork bomb stops there).
    file_mb:
        Largest file written.
    network:
        Whether the kernel may reach the network.
    hide:
        Folders covered by empty ones in the kernel's view (the course: gradebook, hidden tests).
    """

    memory_mb: int
    cpu_seconds: int
    processes: int
    file_mb: int
    network: bool
    hide: tuple[str, ...] = ()

    @property
    def memory_bytes(self) -> int:
        """``memory_mb`` in bytes."""
        return self.memory_mb * 2**20

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (for the launcher's command line and the kernel template's requests)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limits:
        """The inverse of :meth:`to_dict`."""
        return cls(**{**data, "hide": tuple(data.get("hide", ()))})


def _libc() -> Any:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def die_with_parent(signum: int) -> None:
    """Have the kernel send ``signum`` to this process when the thread that started it ends
    (Linux's PR_SET_PDEATHSIG; nothing where that is missing)."""
    with contextlib.suppress(OSError, AttributeError):
        _libc().prctl(1, signum)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _counted(text: str, key: str) -> bool:
    """Whether a cgroup events file (``key count`` lines) counts ``key`` at least once."""
    return any(line.startswith(f"{key} ") and line.split()[1] != "0" for line in text.splitlines())


@dataclass(frozen=True)
class Cgroup:
    """The cgroup of one kernel's sandbox, ``kit-sandbox-<pid>``: one folder per v1 controller
    (pids, memory, freezer) where those are mounted, else one in the unified (v2) hierarchy.

    Parameters
    ----------
    pid:
        The kernel's process id (the process that created it; it names the cgroup).
    """

    pid: int

    ROOT: ClassVar[Path] = Path("/sys/fs/cgroup")
    PREFIX: ClassVar[str] = "kit-sandbox-"
    # v1 controller -> (limit file, what limits it); the freezer has none: it lets the grader
    # stop a fork bomb's children all at once
    V1: ClassVar[dict[str, str]] = {
        "pids": "pids.max",
        "memory": "memory.limit_in_bytes",
        "freezer": "",
    }

    @property
    def name(self) -> str:
        """The cgroup's folder name."""
        return f"{self.PREFIX}{self.pid}"

    @classmethod
    def existing(cls) -> list[Path]:
        """The folders of every kit sandbox cgroup on this machine (v1 and v2)."""
        return [g for g in cls.ROOT.glob(f"*/{cls.PREFIX}*") if g.is_dir()] + [
            g for g in cls.ROOT.glob(f"{cls.PREFIX}*") if g.is_dir()
        ]

    @classmethod
    def sweep(cls) -> None:
        """Remove sandbox cgroups left empty by an earlier run that was killed."""
        for group in cls.existing():
            with contextlib.suppress(OSError):
                if not (group / "cgroup.procs").read_text().strip():
                    group.rmdir()

    def folders(self) -> list[Path]:
        """This cgroup's folders that exist."""
        groups = [g for g in self.ROOT.glob(f"*/{self.name}") if g.is_dir()]
        return groups + [g for g in [self.ROOT / self.name] if g.is_dir()]

    def join(self, limits: Limits) -> str:
        """Create the cgroup with the process and memory limits of ``limits`` and move this
        process into it; returns what was done ("" where cgroups cannot be used)."""
        values = {"pids": str(limits.processes), "memory": str(limits.memory_bytes)}
        done = [f"{c} cgroup" for c in self.V1 if self._join_v1(c, values.get(c, ""))]
        if not done and self._join_v2(limits):
            done.append("cgroup v2")
        return ", ".join(done)

    def _join_v1(self, controller: str, value: str) -> bool:
        base = self.ROOT / controller
        if not (base / "cgroup.procs").exists():
            return False
        try:
            group = base / self.name
            group.mkdir(exist_ok=True)
            knob = self.V1[controller]
            if knob:
                (group / knob).write_text(value)
            swap = group / "memory.memsw.limit_in_bytes"
            if controller == "memory" and swap.exists():
                with contextlib.suppress(OSError):
                    swap.write_text(value)
            (group / "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            return False
        return True

    def _join_v2(self, limits: Limits) -> bool:
        if not (self.ROOT / "cgroup.controllers").exists():
            return False
        try:
            group = self.ROOT / self.name
            group.mkdir(exist_ok=True)
            (group / "pids.max").write_text(str(limits.processes))
            (group / "memory.max").write_text(str(limits.memory_bytes))
            (group / "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            return False
        return True

    def _knob(self, controller: str, knob: str) -> str:
        """A file of the cgroup: the v1 controller's, followed by the v2 one's."""
        return _read(self.ROOT / controller / self.name / knob) + _read(
            self.ROOT / self.name / knob
        )

    def hit_process_limit(self) -> bool:
        """Whether a fork was refused for the process limit (read before :meth:`remove`)."""
        return _counted(self._knob("pids", "pids.events"), "max")

    def hit_memory_limit(self, limits: Limits) -> bool:
        """Whether the memory limit was reached, or nearly (read before :meth:`remove`)."""
        failcnt = _read(self.ROOT / "memory" / self.name / "memory.failcnt").strip()
        peak = _read(self.ROOT / "memory" / self.name / "memory.max_usage_in_bytes").strip()
        near_limit = peak.isdigit() and int(peak) >= 0.9 * limits.memory_bytes
        oom_killed = _counted(_read(self.ROOT / self.name / "memory.events"), "oom_kill")
        return bool(failcnt and failcnt != "0") or near_limit or oom_killed

    def remove(self) -> None:
        """Kill whatever is left in the cgroup (a fork bomb's children) and remove it."""
        for _ in range(20):
            groups = self.folders()
            if not groups:
                return
            for group in groups:
                _empty(group)
            time.sleep(0.05)


def _empty(group: Path) -> None:
    """Kill the processes of one cgroup folder, frozen meanwhile where a freezer is, and
    remove the folder."""
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


def _namespaces(network: bool, hide: tuple[str, ...]) -> list[str]:
    libc = _libc()
    done: list[str] = []
    flags = (0 if network else CLONE_NEWNET) | (CLONE_NEWNS if hide else 0)
    if not flags:
        return done
    if libc.unshare(flags) != 0:
        return done
    if not network:
        done.append("no network")
    if hide:
        # keep our mounts to ourselves, then cover each hidden folder with an empty one
        libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None)
        hidden = 0
        for path in hide:
            if (
                os.path.isdir(path)
                and libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, b"size=1k,mode=000") == 0
            ):
                hidden += 1
        if hidden == len(hide):
            done.append("course files hidden")
    return done


def _rlimits(limits: Limits) -> Iterator[tuple[str, int | None]]:
    # the address space limit is looser than the cgroup's: Python maps more than it uses
    yield "RLIMIT_AS", limits.memory_bytes * 4
    yield "RLIMIT_CPU", limits.cpu_seconds
    yield "RLIMIT_FSIZE", limits.file_mb * 2**20
    yield "RLIMIT_CORE", 0
    yield "RLIMIT_NPROC", limits.processes if os.getuid() else None


def confine(limits: Limits, cwd: str, report: str = "") -> list[str]:
    """Apply the sandbox to this process (before it runs anything of the learner's), move into
    ``cwd``, and return what was applied (also written to the file ``report``, if named)."""
    with contextlib.suppress(PermissionError):  # already a session leader when started so
        os.setsid()
    applied = []
    cgroup = Cgroup(os.getpid()).join(limits)
    if cgroup:
        applied.append(cgroup)
    applied += _namespaces(limits.network, limits.hide)
    for name, value in _rlimits(limits):
        if value is None:
            continue
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
            applied.append(name.removeprefix("RLIMIT_").lower() + " limit")
        except (ValueError, OSError):
            pass
    if report:
        Path(report).write_text(json.dumps(applied))
    os.chdir(cwd)
    return applied


def launcher(limits: Limits, cwd: str, report: str) -> list[str]:
    """The command that starts the command following it confined by :func:`confine`."""
    settings = {"limits": limits.to_dict(), "cwd": cwd, "report": report}
    return [sys.executable, "-m", "kit.grading.sandbox", json.dumps(settings), "--"]


def main(argv: list[str]) -> None:
    command = argv[argv.index("--") + 1 :]
    settings = json.loads(argv[1])
    confine(Limits.from_dict(settings["limits"]), settings["cwd"], settings["report"])
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv)
