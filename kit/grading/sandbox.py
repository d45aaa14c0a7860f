"""Start a learner's kernel inside limits: ``python -m kit.grading.sandbox LIMITS -- COMMAND``.

Applied before the kernel starts, each where the system allows it (what was applied is written
to the file named by ``report``):

- a session of its own, so everything it starts can be killed together;
- a cgroup (v1 or v2) with a process limit and a memory limit: a fork bomb or a memory bomb
  stops there;
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
import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_REC, MS_PRIVATE = 0x4000, 0x40000


def _libc() -> Any:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def die_with_parent(signum: int) -> None:
    """Have the kernel send ``signum`` to this process when the thread that started it ends
    (Linux's PR_SET_PDEATHSIG; nothing where that is missing)."""
    with contextlib.suppress(OSError, AttributeError):
        _libc().prctl(1, signum)


def _cgroup(name: str, processes: int, memory_bytes: int) -> str:
    """Join a new cgroup limiting processes and memory; returns what was done."""
    done = []
    pid = str(os.getpid())
    v1 = {
        "pids": ("pids.max", str(processes)),
        "memory": ("memory.limit_in_bytes", str(memory_bytes)),
        "freezer": ("", ""),  # lets the grader stop a fork bomb's children all at once
    }
    for controller, (knob, value) in v1.items():
        base = Path("/sys/fs/cgroup") / controller
        if not (base / "cgroup.procs").exists():
            continue
        try:
            group = base / name
            group.mkdir(exist_ok=True)
            if knob:
                (group / knob).write_text(value)
            if controller == "memory":
                swap = group / "memory.memsw.limit_in_bytes"
                if swap.exists():
                    with contextlib.suppress(OSError):
                        swap.write_text(value)
            (group / "cgroup.procs").write_text(pid)
            done.append(f"{controller} cgroup")
        except OSError:
            continue
    if not done:
        unified = Path("/sys/fs/cgroup")
        if (unified / "cgroup.controllers").exists():
            try:
                group = unified / name
                group.mkdir(exist_ok=True)
                (group / "pids.max").write_text(str(processes))
                (group / "memory.max").write_text(str(memory_bytes))
                (group / "cgroup.procs").write_text(pid)
                done.append("cgroup v2")
            except OSError:
                pass
    return ", ".join(done)


def _namespaces(network: bool, hide: list[str]) -> list[str]:
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


def confine(limits: dict[str, Any]) -> list[str]:
    """Apply the sandbox to this process (before it runs anything of the learner's), move into
    ``limits["cwd"]``, and return what was applied (also written to ``limits["report"]``)."""
    with contextlib.suppress(PermissionError):  # already a session leader when started so
        os.setsid()
    applied = []
    cgroup = _cgroup(f"kit-sandbox-{os.getpid()}", limits["processes"], limits["memory_mb"] * 2**20)
    if cgroup:
        applied.append(cgroup)
    applied += _namespaces(limits["network"], limits.get("hide", []))
    mem = limits["memory_mb"] * 2**20
    # the address space limit is looser than the cgroup's: Python maps more than it uses
    for name, value in (
        ("RLIMIT_AS", mem * 4),
        ("RLIMIT_CPU", limits["cpu_seconds"]),
        ("RLIMIT_FSIZE", limits["file_mb"] * 2**20),
        ("RLIMIT_CORE", 0),
        ("RLIMIT_NPROC", limits["processes"] if os.getuid() else None),
    ):
        if value is None:
            continue
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
            applied.append(name.removeprefix("RLIMIT_").lower() + " limit")
        except (ValueError, OSError):
            pass
    if limits.get("report"):
        Path(limits["report"]).write_text(json.dumps(applied))
    os.chdir(limits["cwd"])
    return applied


def main(argv: list[str]) -> None:
    command = argv[argv.index("--") + 1 :]
    confine(json.loads(argv[1]))
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv)
