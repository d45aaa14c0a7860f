"""What an executed notebook tells of the limits its kernel met, as notes for the outcome.

The worker notes what it sees happen to the kernel (it died, a limit killed it, output was cut).
A limit the kernel survives leaves its trace only in the cell's error: nbclient stops a cell past
its time limit with a ``CellTimeoutError`` and carries on with the next; the file size limit
makes a write fail with ``[Errno 27] File too large``; the memory limit can make one allocation
fail with ``MemoryError``. The grader reads those here, so that the summary's notes column and
its JSON say why the cell earned nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kit.grading.sandbox import Limits

__all__ = ["limit_notes"]

TIMEOUT = "CellTimeoutError"
FILE_TOO_LARGE = ("[Errno 27]", "File too large")


def _name(index: int, cell: Any) -> str:
    """A cell as an instructor finds it: its nbgrader grade_id, else its position."""
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return f"'{grade_id}'" if grade_id else f"cells[{index}]"


def _errors(nb: Any) -> list[tuple[str, str, str]]:
    """(cell name, ename, evalue) of each error output of a code cell."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(
                    (_name(index, cell), output.get("ename", ""), output.get("evalue", ""))
                )
    return found


def limit_notes(nb: Any, timeout_cell: int, limits: Limits, noted: Sequence[str] = ()) -> list[str]:
    """Notes on the limits an executed notebook's cells met and survived.

    Parameters
    ----------
    nb:
        The executed notebook.
    timeout_cell:
        Seconds a cell may run.
    limits:
        The sandbox's limits.
    noted:
        The worker's notes on the same notebook: a limit they name already is not named again.
    """
    timed_out: list[str] = []
    file_limit = memory = False
    for name, ename, evalue in _errors(nb):
        if ename == TIMEOUT and name not in timed_out:
            timed_out.append(name)
        elif any(mark in evalue for mark in FILE_TOO_LARGE):
            file_limit = True
        elif ename == "MemoryError":
            memory = True
    notes = []
    if timed_out:
        cells = ", ".join(timed_out)
        notes.append(
            f"the time limit of a cell ({timeout_cell} s) stopped {cells}; the notebook went on"
        )
    if file_limit and not any("file size limit" in note for note in noted):
        notes.append(f"the file size limit ({limits.file_mb} MB) refused a write")
    if memory and not any("memory limit" in note for note in noted):
        notes.append(f"the memory limit ({limits.memory_mb} MB) refused an allocation")
    return notes
