"""What an executed notebook tells of the limits its kernel met and survived, beyond what the
worker notes (:mod:`kit.grading.executor` names cells stopped at their time limit, allocations
refused by the memory limit, forks refused by the process limit): a write refused by the file
size limit fails with ``[Errno 27] File too large`` in the learner's cell and leaves the kernel
running, so only the cell's error tells; the grader reads it here, so that the summary's notes
and its JSON say why the cell earned nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kit.grading.sandbox import Limits

__all__ = ["limit_notes"]

FILE_TOO_LARGE = ("[Errno 27]", "File too large")


def _file_too_large(nb: Any) -> bool:
    """Whether a code cell of the executed notebook failed writing past the file size limit."""
    return any(
        output.get("output_type") == "error"
        and any(mark in str(output.get("evalue", "")) for mark in FILE_TOO_LARGE)
        for cell in nb.cells
        if cell.get("cell_type") == "code"
        for output in cell.get("outputs", [])
    )


def limit_notes(nb: Any, limits: Limits, noted: Sequence[str] = ()) -> list[str]:
    """Notes on the limits an executed notebook's cells met, that the worker's notes on it
    (``noted``) do not name already."""
    if _file_too_large(nb) and not any("file size limit" in note for note in noted):
        return [f"the file size limit ({limits.file_mb} MB) refused a write"]
    return []
