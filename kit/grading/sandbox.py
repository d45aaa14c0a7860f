"""Start a learner's kernel inside limits: ``python -m kit.grading.sandbox SETTINGS -- COMMAND``.

Applied before the kernel runs anything of the learner's, each where the system allows it:

- the jail of :mod:`kit.grading.jail` (its own view of the files, no network, no other
  process), unless the machine allows none;
- a session of its own, so everything it starts can be killed together;
- resource limits: address space, CPU seconds, file size, core dumps, processes;
- a cgroup (v1 or v2) with a process limit and a memory limit, where the grader is root: a fork
  bomb or a memory bomb stops there (:class:`Cgroup`). The grader's worker moves the kernel
  into it when the kernel reports at its :class:`Door`, before the kernel goes on.

The kernel's first words go to the door: what was applied, and (from the socket itself) its
process id as the worker sees it, which a process namespace hides from the kernel.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import resource
import signal
import socket
import struct
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from kit.grading.jail import libc, private_view

DOOR_SECONDS = 60
"""How long a kernel waits at the door to be let in, and the worker for it to knock."""


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
        Whether the kernel may reach the network (only without the jail, which has none).
    hide:
        Folders never to show in the kernel's view (the course: gradebook, hidden tests).
    user:
        The user kernels run as when the grader is root (``grading.sandbox_user``).
    jail:
        Whether to jail kernels where the machine allows it (``grading.jail``).
    require_jail:
        Refuse to run a kernel that cannot be jailed (``grading.require_sandbox``).
    """

    memory_mb: int
    cpu_seconds: int
    processes: int
    file_mb: int
    network: bool
    hide: tuple[str, ...] = ()
    user: str = "nobody"
    jail: bool = True
    require_jail: bool = False

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


def die_with_parent(signum: int) -> None:
    """Have the kernel send ``signum`` to this process when the thread that started it ends
    (Linux's PR_SET_PDEATHSIG; nothing where that is missing)."""
    with contextlib.suppress(OSError, AttributeError):
        libc().prctl(1, signum)


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
    (pids, memory, freezer, cpuacct) where those are mounted, else one in the unified (v2) hierarchy.

    Parameters
    ----------
    pid:
        The kernel's process id (the process that created it; it names the cgroup).
    """

    pid: int

    ROOT: ClassVar[Path] = Path("/sys/fs/cgroup")
    PREFIX: ClassVar[str] = "kit-sandbox-"
    # v1 controller -> (limit file, what limits it); the freezer has none: it lets the grader
    # stop a fork bomb's children all at once; nor has cpuacct: it counts the CPU time used
    V1: ClassVar[dict[str, str]] = {
        "pids": "pids.max",
        "memory": "memory.limit_in_bytes",
        "freezer": "",
        "cpuacct": "",
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
        """Create the cgroup with the process and memory limits of ``limits`` and move the
        process :attr:`pid` into it; returns what was done ("" where cgroups cannot be used:
        they need root)."""
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
            (group / "cgroup.procs").write_text(str(self.pid))
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
            (group / "cgroup.procs").write_text(str(self.pid))
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

    def cpu_seconds(self) -> float:
        """The CPU time the cgroup's processes used (read before :meth:`remove`; 0 where no
        cgroup counts it)."""
        used = _read(self.ROOT / "cpuacct" / self.name / "cpuacct.usage").strip()
        if used.isdigit():
            return int(used) / 1e9
        for line in _read(self.ROOT / self.name / "cpu.stat").splitlines():
            if line.startswith("usage_usec "):
                return int(line.split()[1]) / 1e6
        return 0.0

    def hit_cpu_limit(self, limits: Limits) -> bool:
        """Whether the kernel used up its CPU time (read before :meth:`remove`)."""
        return self.cpu_seconds() >= 0.95 * limits.cpu_seconds

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


def _rlimits(limits: Limits) -> Iterator[tuple[str, int]]:
    # the address space limit is looser than the cgroup's: Python maps more than it uses
    yield "RLIMIT_AS", limits.memory_bytes * 4
    yield "RLIMIT_CPU", limits.cpu_seconds
    yield "RLIMIT_FSIZE", limits.file_mb * 2**20
    yield "RLIMIT_CORE", 0


def _limit(name: str, value: int) -> str:
    """Set one resource limit; what was done ("" where the system refused)."""
    try:
        resource.setrlimit(getattr(resource, name), (value, value))
    except (ValueError, OSError):
        return ""
    return name.removeprefix("RLIMIT_").lower() + " limit"


def confine(limits: Limits, cwd: str, door: str, applied: list[str] | None = None) -> None:
    """Apply the limits to this process (before it runs anything of the learner's), report at
    the worker's ``door`` (what was applied, with ``applied`` done before, such as the jail's
    private view) and wait to be let in, then move into ``cwd``.

    Processes are limited by the cgroup the worker puts the kernel in where it can (it says so
    as it lets the kernel in), else by the process limit of the kernel's user: one limit, so
    that the outcome can say which one stopped a fork bomb.
    """
    with contextlib.suppress(PermissionError):  # already a session leader when started so
        os.setsid()
    done = [*(applied or []), *filter(None, (_limit(n, v) for n, v in _rlimits(limits)))]
    if knock(door, done) != "cgroup" and os.getuid():  # root has no process limit
        _limit("RLIMIT_NPROC", limits.processes)
    os.chdir(cwd)


def knock(door: str, applied: list[str]) -> str:
    """Report at the worker's door and wait until it lets this process in (it has put it in its
    cgroup meanwhile: then it answers "cgroup"); end the process if the door does not answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(DOOR_SECONDS)
        try:
            sock.connect(door)
            sock.sendall(json.dumps(applied).encode() + b"\n")
            answer = sock.makefile("rb").readline().decode().split()
        except OSError:
            answer = []
    if not answer or answer[0] != "in":
        os._exit(70)
    return answer[1] if len(answer) > 1 else ""


class Door:
    """Where a kernel being started reports (the worker's side of :func:`knock`): a listening
    Unix socket in the kernel's private folder. The socket says who knocked: the process id as
    this process sees it, whatever namespaces the kernel is in.

    Parameters
    ----------
    path:
        The socket's path (in the kernel's folder, so the jailed kernel can reach it).
    owner:
        The user and group ids the kernel runs as, where they differ from this process's.
    """

    def __init__(self, path: Path, owner: tuple[int, int] | None = None) -> None:
        self.path = path
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.bind(str(path))
        os.chmod(path, 0o600)
        if owner is not None:
            os.chown(path, *owner)
        self._socket.listen(1)
        self._socket.settimeout(DOOR_SECONDS)
        self._guest: socket.socket | None = None

    def wait(self) -> tuple[int, list[str]]:
        """Wait for the kernel to knock: its process id and what its sandbox applied (an
        ``OSError`` if it does not knock in time, or hangs up)."""
        guest, _ = self._socket.accept()
        self._guest = guest
        guest.settimeout(DOOR_SECONDS)
        credentials = guest.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
        pid = struct.unpack("3i", credentials)[0]
        line = guest.makefile("rb").readline()
        if not line:
            raise ConnectionError("the kernel hung up before it reported")
        applied: list[str] = json.loads(line)
        return pid, applied

    def let_in(self, cgroup: bool) -> None:
        """Let the kernel that knocked go on, telling it whether it is in a cgroup."""
        if self._guest is not None:
            self._guest.sendall(b"in cgroup\n" if cgroup else b"in\n")

    def close(self) -> None:
        """Close the door (a kernel still waiting at it then ends)."""
        for sock in (self._guest, self._socket):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


def launcher(limits: Limits, cwd: str, door: str, folder: str, spool: str) -> list[str]:
    """The command that starts the command following it confined by :func:`confine`, in the
    private view of its ``folder`` (within ``spool``) where the jail is used."""
    settings = {
        "limits": limits.to_dict(),
        "cwd": cwd,
        "door": door,
        "folder": folder,
        "spool": spool,
    }
    return [sys.executable, "-m", "kit.grading.sandbox", json.dumps(settings), "--"]


def main(argv: list[str]) -> None:
    command = argv[argv.index("--") + 1 :]
    settings = json.loads(argv[1])
    limits = Limits.from_dict(settings["limits"])
    applied = []
    if settings["folder"]:  # started in a jail: the kernel's own view first
        applied = private_view(
            settings["folder"],
            tmp_mb=limits.memory_mb,
            spool=settings["spool"],
            network=limits.network,
        )
    confine(limits, settings["cwd"], settings["door"], applied)
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv)
