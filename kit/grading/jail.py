"""The jail a learner's kernel runs in: it sees the system and the Python environment read-only,
its own folder, an empty private ``/tmp`` and home, no network, and no other process.

Two layers, both from the kernel's own user namespaces, so neither needs root:

- **the jail** is made by bubblewrap (``bwrap``, the sandbox Flatpak uses): a new root holding
  only the system folders (``/usr``, ``/etc``, ...), the Python environment (read-only) and the
  grading worker's spool (read-write), with new process, network, IPC and host-name namespaces.
  Nothing else of the machine is there: no course folder, no gradebook, no exchange, no home
  folder, no earlier run's files. When the grader is root, the jail's processes run as an
  unprivileged user (``grading.sandbox_user``, default ``nobody``); otherwise as the grader's own
  user.
- **each kernel's private view** (:func:`private_view`): bubblewrap builds a jail for a command
  it starts, but a kernel forked from a warm template (:mod:`kit.grading.zygote`) is already
  running. So, once forked, and before anything of the learner's runs, the kernel enters user,
  mount, process, network and IPC namespaces of its own in which ``/tmp`` and ``/dev/shm`` are new
  and empty and the spool shows only the kernel's own folder; it then drops every capability and
  the right to make further user namespaces. Kernels started anew take the same step, so every
  kernel is confined the same way.

:func:`available` says whether this machine allows all this (it does not in some container
runtimes); where it does not, kernels run with the limits of :mod:`kit.grading.sandbox` alone.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["available", "command", "libc", "private_view", "sandbox_ids"]

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
LAST_CAPABILITY = 63

SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
"""The system folders every jail shows, read-only (those that exist; links stay links)."""

COVERED = ("/tmp", "/dev/shm")
"""Folders each kernel gets new and empty."""


class _Caps(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]  # fmt: skip


class _CapsHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


@functools.cache
def libc() -> ctypes.CDLL:
    """The C library (for the system calls Python has no function for)."""
    import ctypes.util

    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str, target: str, kind: str | None, flags: int, data: str = "") -> None:
    _check(
        libc().mount(
            source.encode(), target.encode(), kind.encode() if kind else None, flags,
            data.encode() if data else None,
        ),
        f"mount {target}",
    )  # fmt: skip


def sandbox_ids(user: str) -> tuple[int, int] | None:
    """The user and group ids jailed processes run as: ``user``'s when this process is root
    (a name or a number), None otherwise (they run as this process's user)."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(user) if not user.isdigit() else pwd.getpwuid(int(user))
    except KeyError:
        return (int(user), int(user)) if user.isdigit() else None
    return entry.pw_uid, entry.pw_gid


def _folders_of_python(hidden: Iterable[str]) -> list[str]:
    """The folders the Python environment lives in, to show read-only: its prefixes and the
    folders on ``sys.path`` that packages are installed in. A folder on the path that is not an
    installation (a source checkout, the current folder) shows only the kit's own package."""
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    folders = {os.path.realpath(p) for p in prefixes}
    kit_package = str(Path(__file__).resolve().parents[1])
    for entry in sys.path:
        real = os.path.realpath(entry or ".")
        if not os.path.isdir(real) or _under(real, folders):
            continue
        if Path(real).name in ("site-packages", "dist-packages"):
            folders.add(real)
        elif _under(kit_package, {real}):
            folders.add(kit_package)
    hidden = [os.path.realpath(h) for h in hidden]
    return sorted(f for f in folders if not any(_under(f, {h}) for h in hidden))


def _under(path: str, folders: Iterable[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def _with_parents(path: str, made: set[str]) -> list[str]:
    """bubblewrap options that make the parents of ``path`` in the new root, each readable by
    all (left to itself, bubblewrap run as root makes them private to root)."""
    options = []
    for parent in reversed(Path(path).parents):
        name = str(parent)
        if name != "/" and name not in made:
            made.add(name)
            options += ["--perms", "0755", "--dir", name]
    return options


def command(
    argv: list[str],
    *,
    writable: Iterable[str],
    hide: Iterable[str],
    user: str,
    network: bool = False,
    cwd: str = "/tmp",
) -> list[str]:
    """The command that runs ``argv`` in a jail whose only writable folders are ``writable``
    (shown at their own paths), with ``hide`` covered by empty folders where they would show,
    and no network unless ``network``."""
    hide = list(hide)
    made: set[str] = set()
    bound: set[str] = set()
    options = ["bwrap", "--die-with-parent", "--new-session"]
    options += ["--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    options += [] if network else ["--unshare-net"]
    ids = sandbox_ids(user)
    if os.geteuid() != 0:
        options.append("--unshare-user")
    for folder in SYSTEM:
        if os.path.islink(folder):
            options += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            options += ["--ro-bind", folder, folder]
    options += ["--dev", "/dev", "--tmpfs", "/dev/shm"]
    # the machine's /proc, not a new one: a kernel mounts its own over it (private_view), which
    # the kernel allows only where a proc file system is already fully visible
    options += ["--dev-bind", "/proc", "/proc", "--tmpfs", "/tmp"]
    made.update(("/tmp", "/dev", "/proc"))
    for folder in _folders_of_python(hide):
        options += [*_with_parents(folder, made), "--ro-bind", folder, folder]
        bound.add(folder)
        made.add(folder)
    for folder in writable:
        options += [*_with_parents(folder, made), "--bind", folder, folder]
        bound.add(folder)
        made.add(folder)
    for folder in hide:
        if _under(folder, bound) and os.path.isdir(folder):
            options += ["--tmpfs", folder]
    options += ["--chdir", cwd]
    if ids is not None:  # root: drop to the sandbox user inside, once bubblewrap has set up
        options += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--"]
        uid, gid = ids
        return [*options, "setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", *argv]
    return [*options, "--", *argv]


@functools.cache
def available(user: str = "nobody") -> str:
    """Why this machine cannot jail kernels ("" when it can): bubblewrap missing, or user or
    mount namespaces refused (some container runtimes)."""
    if not sys.platform.startswith("linux"):
        return "the jail needs Linux"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (Debian and Ubuntu: apt install bubblewrap)"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "setpriv is not installed (Debian and Ubuntu: apt install util-linux)"
    if os.geteuid() == 0 and sandbox_ids(user) is None:
        return f"the sandbox user {user!r} does not exist (grading.sandbox_user in course.yml)"
    with tempfile.TemporaryDirectory(prefix="kit-jail-probe-") as folder:
        os.chmod(folder, 0o700)
        ids = sandbox_ids(user)
        if ids is not None:
            os.chown(folder, *ids)
        argv = [sys.executable, "-m", "kit.grading.jail", folder]
        try:
            done = subprocess.run(
                command(argv, writable=[folder], hide=[], user=user),
                capture_output=True,
                text=True,
                timeout=60,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bubblewrap could not start: {exc}"
    if done.returncode != 0 or "jailed" not in done.stdout:
        why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return f"this system refuses the namespaces the jail needs ({why})"
    return ""


def private_view(folder: str, *, tmp_mb: int, spool: str = "", network: bool = False) -> list[str]:
    """Enter the kernel's own namespaces, where ``/tmp`` and ``/dev/shm`` are new (each holding
    at most ``tmp_mb`` MB) and ``spool`` (the folder of all kernels' folders) shows only
    ``folder``; then drop every privilege. What was done, to report.

    Forks: this process stays outside as the waiting parent (it ends with the kernel, and the
    kernel with it); the kernel, the first process of its new process namespace, returns.
    Call it in a single-threaded process (a fresh fork of the template, or the launcher).
    """
    uid, gid = os.getuid(), os.getgid()
    spaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
    _check(libc().unshare(spaces | (0 if network else CLONE_NEWNET)), "unshare")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    covered = [*COVERED, *([spool] if spool and not _under(spool, COVERED) else [])]
    # the folder, and the Python environment where it lives in a folder about to be covered (a
    # checkout in /tmp), are kept open before what holds them is covered, then shown again in
    # their places (the environment read-only, as it was)
    python = [f for f in _folders_of_python([]) if _under(f, covered) and os.path.isdir(f)]
    keep = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in [folder, *python]}
    for target in covered:
        size = f"size={tmp_mb}m," if target in COVERED else ""
        _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"{size}mode=1777")
    for path, held in keep.items():
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{held}", path, None, MS_BIND | MS_REC)
        if path != folder:  # read-only already (bound so); made so where it was not
            with contextlib.suppress(OSError):
                _mount("none", path, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
        os.close(held)
    os.makedirs("/tmp/home", mode=0o700, exist_ok=True)
    kernel = os.fork()
    if kernel:
        _wait_for(kernel)
    _check(libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _drop_privileges()
    done = ["own namespaces", "private /tmp and home", "own processes only"]
    return [*done, *([] if network else ["no network"])]


def _wait_for(kernel: int) -> None:
    """Outside the kernel's namespaces: wait for it, then end as it ended."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupts are the kernel's
    while True:
        try:
            _, status = os.waitpid(kernel, 0)
        except ChildProcessError:
            os._exit(1)
        except InterruptedError:
            continue
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _drop_privileges() -> None:
    """No capability left, none to be gained (no new user namespace, no set-user-id
    programs): the folders covered stay covered."""
    with contextlib.suppress(OSError):  # per user namespace: none may be made inside this one
        Path("/proc/sys/user/max_user_namespaces").write_text("0")
    c = libc()
    for capability in range(LAST_CAPABILITY + 1):
        c.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    header, caps = _CapsHeader(0x20080522, 0), (_Caps * 2)()
    _check(c.capset(ctypes.byref(header), caps), "capset")
    _check(c.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl")


def main(argv: list[str]) -> None:
    """``python -m kit.grading.jail FOLDER``: the probe of :func:`available`, run in a jail."""
    private_view(argv[1], tmp_mb=16, spool=argv[1])
    print("jailed", flush=True)


if __name__ == "__main__":
    main(sys.argv)
