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
    """A notebook failed to run: the message names it, the cell and the error."""

    def __init__(self, path: str, cell: int | None, message: str) -> None:
        self.path = path
        self.cell = cell
        super().__init__(message)


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
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    notebook = read_notebook(path)
    deadline = time.monotonic() + notebook_timeout
    current: dict[str, Any] = {"index": None, "cell": None}

    def on_cell_start(cell: Any, cell_index: int) -> None:
        current.update(index=cell_index, cell=cell)

    def timeout_for(cell: Any) -> int:
        # the whole notebook has a budget too: no cell may run past the notebook's deadline
        return max(1, min(cell_timeout, int(deadline - time.monotonic()) + 1))

    kernel = notebook.metadata.get("kernelspec", {}).get("name") or "python3"
    client = NotebookClient(
        notebook,
        timeout=cell_timeout,
        timeout_func=timeout_for,
        kernel_name=kernel,
        allow_errors=False,
        store_widget_state=False,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=on_cell_start,
    )

    def where() -> tuple[int | None, str]:
        index = current["index"]
        if index is None:
            return None, f"{name}: the kernel '{kernel}' did not start"
        cell = current["cell"]
        code = sum(1 for c in notebook.cells[: index + 1] if c.cell_type == "code")
        start = _first_line(cell.source) if cell is not None else ""
        return index, f"{name}: cell {index + 1} (code cell {code}, `{start}`)"

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
    except CellTimeoutError as exc:
        index, at = where()
        late = time.monotonic() >= deadline
        limit = (
            f"the notebook ran past its {notebook_timeout} s"
            if late
            else f"the cell ran past its {cell_timeout} s"
        )
        raise NotebookError(
            name,
            index,
            f"{at}: {limit}\n    fix: make the cell faster, or raise kit.lesson_timeout / "
            "kit.cell_timeout in the book's _config.yml",
        ) from exc
    except CellExecutionError as exc:
        index, at = where()
        raise NotebookError(
            name,
            index,
            f"{at}: {_error_text(exc)}\n    fix: run the notebook in JupyterLab (Restart Kernel "
            "and Run All Cells) and fix the cell; tag it raises-exception if the error is "
            "meant to be shown",
        ) from exc
    except DeadKernelError as exc:
        index, at = where()
        raise NotebookError(
            name, index, f"{at}: the kernel died (out of memory, or the code ended it)"
        ) from exc
    except (RuntimeError, OSError) as exc:
        index, at = where()
        raise NotebookError(name, index, f"{at}: {exc}") from exc
    finally:
        if log is not None:
            log.close()
    return notebook, time.monotonic() - started


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
