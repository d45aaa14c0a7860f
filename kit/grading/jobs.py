"""What passes between the grader and the processes that run notebooks: a :class:`Job` goes
out, a :class:`JobResult` comes back, through an :class:`Executor`.

nbgrader's autograde is split between the two sides along who writes the gradebook: the
workers run the steps that only read it (:data:`BEFORE` and :data:`AFTER`, around execution);
the grader, its one writer, runs :data:`WRITE` (scoring).
"""

from __future__ import annotations

import io
import tarfile
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kit.grading.sandbox import Limits

__all__ = ["AFTER", "BEFORE", "WRITE", "Executor", "Job", "JobResult", "nbgrader_steps"]

BEFORE = (
    "ClearOutput",
    "DeduplicateIds",
    "OverwriteKernelspec",
    "OverwriteCells",
    "CheckCellMetadata",
)
"""nbgrader's sanitizing steps (they read the gradebook: locked cells, hidden tests)."""

AFTER = ("IgnorePattern", "LimitOutput", "CheckCellMetadata")
"""nbgrader's steps after execution that do not write the gradebook."""

WRITE = ("SaveAutoGrades", "AssignLatePenalties")
"""nbgrader's steps that write the gradebook: they run in the grader, the one writer."""


def nbgrader_steps(
    names: tuple[str, ...], nb: Any, resources: dict[str, Any], config: Any
) -> tuple[Any, dict[str, Any]]:
    """Run nbgrader's preprocessors ``names`` (class names) over a notebook, in order."""
    from nbgrader import preprocessors

    for name in names:
        nb, resources = getattr(preprocessors, name)(config=config)(nb, resources)
    return nb, resources


@dataclass(frozen=True)
class Job:
    """One notebook to run in a sandboxed kernel.

    Parameters
    ----------
    files:
        Folder whose files are copied into the kernel's working folder (the submission's).
    limits:
        The sandbox's limits.
    timeout_cell, timeout_notebook:
        Seconds one cell, and the whole notebook, may run.
    output_bytes:
        Output kept per cell; the rest is cut.
    preload:
        Modules the kernel template imports before kernels are forked from it (None: no
        template, each kernel starts anew).
    path:
        A submitted notebook: the worker sanitizes it (:data:`BEFORE`, with ``resources`` and
        nbgrader's ``config``), runs it, and applies :data:`AFTER`.
    notebook:
        Or a notebook (JSON) to run as it is.
    archive, submitted:
        The same, carried in the job itself for a worker on another machine (no shared
        folder): the files of ``files`` as a tar archive, and the notebook ``path`` names
        (:meth:`portable`).
    """

    files: str
    limits: Limits
    timeout_cell: int
    timeout_notebook: int
    output_bytes: int
    preload: tuple[str, ...] | None = None
    path: str = ""
    resources: dict[str, Any] = field(default_factory=dict)
    config: Any = None
    notebook: str = ""
    archive: bytes = b""
    submitted: bytes = b""

    def portable(self) -> Job:
        """This job with its files and its submitted notebook in it, for a worker that cannot
        read the grader's folders. Only plain files and folders go (no links)."""
        import dataclasses

        submitted = Path(self.path).read_bytes() if self.path else b""
        return dataclasses.replace(
            self, files="", path="", archive=pack(Path(self.files)), submitted=submitted
        )


def pack(folder: Path) -> bytes:
    """The plain files and folders under ``folder`` as a tar archive."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for item in sorted(folder.rglob("*")):
            if item.is_symlink() or not (item.is_file() or item.is_dir()):
                continue
            tar.add(item, arcname=str(item.relative_to(folder)), recursive=False)
    return buffer.getvalue()


def unpack(archive: bytes, folder: Path) -> None:
    """Extract an archive of :func:`pack` into ``folder`` (nothing may land outside it)."""
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r") as tar:
        tar.extractall(folder, filter="data")


@dataclass(frozen=True)
class JobResult:
    """What running a :class:`Job` gave.

    Parameters
    ----------
    notebook:
        The executed notebook (JSON); "" when refused.
    notes:
        What went wrong (a limit reached, output cut), for the learner's outcome.
    isolation:
        The sandbox measures applied.
    refused:
        Why nbgrader's sanitizing refused the notebook ("" when it did not): tampered
        metadata, among others. Nothing ran.
    not_run:
        Why the notebook could not be run at all ("" when it ran): its kernel did not start,
        twice. That is the grading machine's failure, not the learner's, so nothing is scored.
    """

    notebook: str = ""
    notes: tuple[str, ...] = ()
    isolation: tuple[str, ...] = ()
    refused: str = ""
    not_run: str = ""


class Executor(Protocol):
    """Where jobs run: the grader submits each job and waits on the future it gets back.

    :class:`kit.grading.executor.LocalExecutor`, a pool of processes on this machine, is the
    implementation the kit uses. Another (a Dask cluster's) runs
    :func:`kit.grading.executor.run_job` on each job wherever it likes and hands back a
    :class:`concurrent.futures.Future`. A job that fails sets its future's exception: that
    notebook scores zero, and grading goes on.
    """

    def submit(self, job: Job) -> Future[JobResult]:
        """Start running ``job``; the future ends with its result."""
        ...

    def close(self) -> None:
        """Let running jobs end, drop those not started, and release the workers."""
        ...
