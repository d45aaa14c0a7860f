"""A kernel template: one process per grading worker that has imported the kernel, and the
modules a project's notebooks import, once; each submission's kernel is forked from it.

Starting a Python kernel the usual way costs about a second of CPU (starting Python, importing
IPython and ipykernel, then the learner's ``import pandas``). On a grading machine that is most
of the work for a short notebook. A forked kernel shares the template's memory copy-on-write,
so it starts in milliseconds and its first ``import pandas`` is already done.

Where the machine allows, the template itself runs in the jail of :mod:`kit.grading.jail`, and
each fork enters its own private view there (:func:`kit.grading.jail.private_view`). The fork
is confined by the same sandbox (:func:`kit.grading.sandbox.confine`) as a kernel started from
scratch, before it runs anything of the learner's, and every kernel is a fresh fork: nothing
one submission does is seen by the next.

The template talks to its worker over its stdin and stdout, one JSON object a line: a request
``{"argv": [...], "env": {...}, "limits": {...}, "cwd": PATH, "door": PATH, "log": PATH,
"folder": PATH, "spool": PATH}`` (``folder`` "" outside the jail), answered ``{"pid": PID}``
once forked; the kernel then reports at its door (:class:`kit.grading.sandbox.Door`).
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kit.grading import jail
from kit.grading.errors import GradingError
from kit.grading.sandbox import Limits, confine, die_with_parent

# modules that must not be imported before the kernel chooses its own settings (matplotlib's
# backend is picked when pyplot is first imported) or that do not survive a fork
NO_PRELOAD = ("matplotlib.pyplot", "pylab", "tkinter", "multiprocessing", "torch", "tensorflow")


class ZygoteError(GradingError):
    """The template could not start or stopped answering (kernels then start anew)."""

    def __init__(self, message: str) -> None:
        super().__init__(
            message,
            fix="kernels start anew meanwhile; to always start them so, set "
            "grading: fork_kernels: false in course.yml",
        )


def imports_of(notebooks: list[Path]) -> list[str]:
    """The modules that ``notebooks`` import at the top level of their code cells, in order,
    that are installed here and safe to load into a template before forking."""
    import nbformat

    found: dict[str, None] = {}
    for path in notebooks:
        try:
            cells = nbformat.read(path, as_version=4).cells
        except Exception:  # an unreadable source is reported by kit check, not here
            continue
        for cell in cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:  # IPython magics, or a cell for the learner to fix
                continue
            for node in tree.body:
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name, None)
    return [name for name in found if _preloadable(name)]


def _preloadable(name: str) -> bool:
    if any(name == bad or name.startswith(bad + ".") for bad in NO_PRELOAD):
        return False
    try:
        return importlib.util.find_spec(name.split(".")[0]) is not None
    except (ImportError, ValueError):
        return False


class Zygote:
    """The worker's side: start the template and ask it for kernels.

    Parameters
    ----------
    preload:
        Modules for the template to import.
    limits:
        Where given, the template runs in the jail these limits describe, with ``spool`` (the
        worker's folder of kernel folders) its one writable folder.
    spool:
        See ``limits``.
    """

    def __init__(
        self, preload: Sequence[str], *, limits: Limits | None = None, spool: Path | None = None
    ) -> None:
        self.preload = tuple(preload)
        self.jailed = limits is not None
        self._lock = threading.Lock()
        # in the jail, bubblewrap ends the template with the worker, and the worker's pid is
        # not the template's parent's
        worker = "0" if self.jailed else str(os.getpid())
        argv = [sys.executable, "-m", "kit.grading.zygote", json.dumps(list(self.preload)), worker]
        if limits is not None:
            argv = jail.command(
                argv,
                writable=[str(spool)],
                hide=limits.hide,
                user=limits.user,
                network=limits.network,
            )
        self._proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=tempfile.gettempdir(),
            text=True,
            start_new_session=True,
        )
        ready = self._read()
        self.loaded: list[str] = ready.get("loaded", [])

    def _read(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self.close()
            raise ZygoteError("the kernel template ended")
        reply: dict[str, Any] = json.loads(line)
        return reply

    @property
    def pid(self) -> int:
        """The template's process id."""
        return self._proc.pid

    def alive(self) -> bool:
        """Whether the template is still running."""
        return self._proc.poll() is None

    def spawn(
        self,
        argv: list[str],
        *,
        env: dict[str, str],
        limits: Limits,
        cwd: str,
        door: str,
        log: Path,
        folder: str = "",
        spool: str = "",
    ) -> int:
        """Fork a kernel running ``argv`` (ipykernel's arguments), confined by ``limits`` in
        ``cwd``, reporting at ``door``, its output to ``log``; in the jail, in the private view
        of its ``folder`` within ``spool``. Returns the fork's process id as the template sees
        it (the kernel's own comes through the door)."""
        request = {
            "argv": argv,
            "env": env,
            "limits": limits.to_dict(),
            "cwd": cwd,
            "door": door,
            "log": str(log),
            "folder": folder,
            "spool": spool,
        }
        with self._lock:
            if not self.alive():
                raise ZygoteError("the kernel template ended")
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.write(json.dumps(request) + "\n")
                self._proc.stdin.flush()
            except OSError as exc:
                raise ZygoteError(f"the kernel template stopped answering: {exc}") from exc
            reply = self._read()
        if "pid" not in reply:
            raise ZygoteError(reply.get("error", "the kernel template refused"))
        return int(reply["pid"])

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._proc.kill()
        with contextlib.suppress(Exception):
            self._proc.wait(timeout=5)
        for stream in (self._proc.stdin, self._proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()


class ForkedProcess:
    """What jupyter_client's provisioner expects of a ``Popen``, for a kernel forked by the
    template (not this process's child: it is watched through its process id)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                stat = Path(f"/proc/{self.pid}/stat").read_text()
            except OSError:
                self.returncode = -9
            else:  # a kernel left by a template that ended may linger unreaped
                if stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
                    self.returncode = -9
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(["kernel"], timeout or 0)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


# the template ------------------------------------------------------------------------------


def _child(request: dict[str, Any], template: int) -> None:
    """In the forked kernel: redirect output, confine, and become the kernel."""
    status = 1
    try:
        die_with_parent(signal.SIGKILL)  # the kernel ends with the template (and its worker)
        if os.getppid() != template:  # the template is already gone
            os._exit(1)
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)  # the learner's subprocesses are reaped
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.closerange(3, 65536)  # nothing of the template's (its pipes) reaches the kernel
        os.environ.clear()
        os.environ.update(request["env"])
        limits = Limits.from_dict(request["limits"])
        applied = []
        if request["folder"]:
            applied = jail.private_view(
                request["folder"],
                tmp_mb=limits.memory_mb,
                spool=request["spool"],
                network=limits.network,
            )
        confine(limits, request["cwd"], request["door"], applied)
        if "numpy" in sys.modules:  # its global generator was seeded in the template
            sys.modules["numpy"].random.seed()
        argv = list(request["argv"])
        sys.argv = ["ipykernel_launcher", *argv]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=argv)
        status = 0
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def main(argv: list[str]) -> None:
    import gc
    import importlib

    worker = int(argv[2]) if len(argv) > 2 else os.getppid()
    die_with_parent(signal.SIGKILL)  # end with the worker (in the jail, with bubblewrap)
    if worker and os.getppid() != worker:  # it is already gone
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they end
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader's ^C is the grader's business
    # as ipykernel's launcher does: the folder it started in is not for importing from (each
    # kernel's IPython puts its own working folder on the path)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]

    import ipykernel.ipkernel
    import ipykernel.kernelapp  # noqa: F401

    loaded = []
    for name in json.loads(argv[1]):
        try:
            importlib.import_module(name)
            loaded.append(name)
        except BaseException:  # a module that fails here is imported by the kernel itself
            continue
    gc.collect()
    gc.freeze()  # the kernels' garbage collector leaves the shared pages alone

    def reply(message: dict[str, Any]) -> None:
        os.write(1, (json.dumps(message) + "\n").encode())

    reply({"loaded": loaded})
    template = os.getpid()
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            reply({"error": "not a request"})
            continue
        try:
            pid = os.fork()
        except OSError as exc:
            reply({"error": f"could not fork: {exc}"})
            continue
        if pid == 0:
            _child(request, template)
        reply({"pid": pid})


if __name__ == "__main__":
    main(sys.argv)
