"""Executing the book's notebooks into jupyter-cache, the cache that myst-nb then reads.

A notebook whose code (and kernel) is unchanged since it last ran is matched in the cache and
not run again; editing its Markdown does not invalidate it. A notebook that fails stops the
build with an error that names the notebook, the cell and the exception.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.book.config import BookError


class NotebookError(BookError):
    """A notebook failed to run: the message names it, the cell and the error.

    Attributes
    ----------
    path:
        The notebook's name in the book.
    cell:
        The index of the cell that failed (``None`` when the kernel did not start).
    """

    def __init__(self, path: str, cell: int | None, message: str, fix: str = "") -> None:
        self.path = path
        self.cell = cell
        super().__init__(message, fix)


@dataclass(frozen=True)
class Execution:
    """What happened to one notebook: run now (with its seconds), or found in the cache."""

    path: str
    cached: bool
    seconds: float = 0.0


def read_notebook(path: Path) -> Any:
    """A notebook as nbformat version 4 (as myst-nb reads it, so the cache keys agree)."""
    import nbformat

    with warnings.catch_warnings():
        # nbformat fills in missing cell ids and says so; not a problem for a build
        warnings.simplefilter("ignore")
        return nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)


def _first_line(source: str) -> str:
    lines = [line for line in source.splitlines() if line.strip()]
    first = lines[0].strip() if lines else ""
    return first if len(first) <= 70 else first[:67] + "..."


def _error_text(error: Exception) -> str:
    """The last line of a cell's traceback: ``NameError: name 'x' is not defined``."""
    ename = getattr(error, "ename", "")
    evalue = getattr(error, "evalue", "")
    if ename:
        return f"{ename}: {evalue}" if evalue else str(ename)
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    return lines[-1] if lines else error.__class__.__name__


class _Run:
    """One run of a notebook by nbclient: the cell it has reached (to name it when something
    fails) and the deadline of the whole notebook (which no cell may run past)."""

    def __init__(self, notebook: Any, name: str, cell_timeout: int, notebook_timeout: int) -> None:
        self.notebook = notebook
        self.name = name
        self.kernel: str = notebook.metadata.get("kernelspec", {}).get("name") or "python3"
        self.cell_timeout = cell_timeout
        self.notebook_timeout = notebook_timeout
        self.deadline = time.monotonic() + notebook_timeout
        self.index: int | None = None
        self.cell: Any = None

    def on_cell_start(self, cell: Any, cell_index: int) -> None:
        self.index, self.cell = cell_index, cell

    def timeout_for(self, cell: Any) -> int:
        return max(1, min(self.cell_timeout, int(self.deadline - time.monotonic()) + 1))

    def client(self, folder: Path) -> Any:
        """An nbclient client that runs the notebook in ``folder`` and reports to this run."""
        from nbclient import NotebookClient

        return NotebookClient(
            self.notebook,
            timeout=self.cell_timeout,
            timeout_func=self.timeout_for,
            kernel_name=self.kernel,
            allow_errors=False,
            store_widget_state=False,
            record_timing=False,
            resources={"metadata": {"path": str(folder)}},
            on_cell_start=self.on_cell_start,
        )

    def where(self) -> str:
        """``NAME: cell N (code cell M, `first line`)``: where the run is."""
        if self.index is None:
            return f"{self.name}: the kernel '{self.kernel}' did not start"
        code = sum(1 for c in self.notebook.cells[: self.index + 1] if c.cell_type == "code")
        start = _first_line(self.cell.source) if self.cell is not None else ""
        return f"{self.name}: cell {self.index + 1} (code cell {code}, `{start}`)"

    def failure(self, error: Exception) -> NotebookError:
        """The error that names the notebook, the cell, what went wrong and the fix."""
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        at, fix = self.where(), ""
        if isinstance(error, CellTimeoutError):
            if time.monotonic() >= self.deadline:
                what = f"the notebook ran past its {self.notebook_timeout} s"
            else:
                what = f"the cell ran past its {self.cell_timeout} s"
            fix = (
                "make the cell faster, or raise kit.lesson_timeout / kit.cell_timeout in the "
                "book's _config.yml"
            )
        elif isinstance(error, CellExecutionError):
            what = _error_text(error)
            fix = (
                "run the notebook in JupyterLab (Restart Kernel and Run All Cells) and fix the "
                "cell; tag it raises-exception if the error is meant to be shown"
            )
        elif isinstance(error, DeadKernelError):
            what = "the kernel died (out of memory, or the code ended it)"
        else:
            what = str(error)
        return NotebookError(self.name, self.index, f"{at}: {what}", fix)


def execute_notebook(
    path: Path,
    name: str,
    *,
    cell_timeout: int,
    notebook_timeout: int,
    env: Mapping[str, str] | None = None,
    kernel_log: Path | None = None,
) -> tuple[Any, float]:
    """Run a notebook in its own folder; return the executed notebook and the seconds it took.

    Raises
    ------
    NotebookError
        When a cell raises (cells tagged ``raises-exception`` may), a cell or the whole
        notebook runs past its time, or the kernel dies.
    """
    from nbclient.exceptions import CellExecutionError

    run = _Run(read_notebook(path), name, cell_timeout, notebook_timeout)
    client = run.client(path.parent)
    started = time.monotonic()
    # the kernel process's own messages (not the cells' output) go to a log, not the terminal
    log = kernel_log.open("a", encoding="utf-8") if kernel_log is not None else None
    try:
        with warnings.catch_warnings():
            # jupyter_client and zmq warn about their own deprecations while a kernel runs
            warnings.simplefilter("ignore", DeprecationWarning)
            extra: dict[str, Any] = {"stderr": log, "stdout": log} if log is not None else {}
            if env is not None:
                extra["env"] = dict(env)
            client.execute(**extra)
    # a cell's timeout is an OSError (TimeoutError), a dead kernel a RuntimeError
    except (CellExecutionError, RuntimeError, OSError) as exc:
        raise run.failure(exc) from exc
    finally:
        if log is not None:
            log.close()
    return run.notebook, time.monotonic() - started


def execute_into_cache(
    notebooks: Sequence[tuple[str, Path]],
    cache_dir: Path,
    *,
    cell_timeout: int,
    notebook_timeout: int,
    env: Mapping[str, str] | None = None,
    kernel_log: Path | None = None,
    on_start: Callable[[str, bool], None] | None = None,
    on_done: Callable[[Execution], None] | None = None,
) -> list[Execution]:
    """Run every notebook the cache does not hold yet, and cache the results.

    Parameters
    ----------
    notebooks:
        ``(name, path)`` pairs: the name is used in messages.
    cache_dir:
        The jupyter-cache folder (the book's ``execute.cache``).
    kernel_log:
        File for the kernels' own messages (what a kernel process prints outside cells).
    on_start, on_done:
        Called with ``(name, cached)`` before each notebook and with its :class:`Execution`
        after it.
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(cache_dir))
    done: list[Execution] = []
    for name, path in notebooks:
        notebook = read_notebook(path)
        try:
            cache.match_cache_notebook(notebook)
            cached = True
        except KeyError:
            cached = False
        if on_start is not None:
            on_start(name, cached)
        if cached:
            result = Execution(name, True)
        else:
            executed, seconds = execute_notebook(
                path,
                name,
                cell_timeout=cell_timeout,
                notebook_timeout=notebook_timeout,
                env=env,
                kernel_log=kernel_log,
            )
            cache.cache_notebook_bundle(
                CacheBundleIn(executed, str(path), data={"execution_seconds": seconds}),
                check_validity=False,
                overwrite=True,
            )
            result = Execution(name, False, seconds)
        done.append(result)
        if on_done is not None:
            on_done(result)
    return done


def kernel_env(data_dir: Path) -> dict[str, str]:
    """The environment of the book's kernels: learners' files (the path selector saves a
    profile) go to the build folder, never to the instructor's own Jupyter data directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["JUPYTER_DATA_DIR"] = str(data_dir)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env
