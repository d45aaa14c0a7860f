"""The folder a grading run's kernels live in, removed when the run ends.

Each run makes one folder in the temporary folder, ``kit-grading-<pid>-<random>``, private to
the grader's user; its workers make theirs inside it, and each kernel its own inside those (its
working folder, connection files, log and door). A run killed with ``kill -9`` cannot remove
its folder: the next run sweeps every such folder whose run has ended. Jailed kernels see only
their own folder (:func:`kit.grading.jail.private_view`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["Spool"]

PREFIX = "kit-grading-"
OWNER = ".owner"


def _started(pid: int) -> str:
    """When process ``pid`` started (in clock ticks since boot; "" once it is gone): with its
    id, it names one process, even after the id is used again."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


class Spool:
    """A run's folder (made, private, in the temporary folder).

    Parameters
    ----------
    path:
        An existing folder to use (a worker's, inside its run's); default: a new run folder.
    """

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            pid = os.getpid()
            path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{pid}-"))
            os.chmod(path, 0o700)
            (path / OWNER).write_text(f"{pid} {_started(pid)}")
        self.path = path

    @classmethod
    def sweep(cls) -> list[Path]:
        """Remove the folders of runs that ended without removing theirs (killed); returns
        them."""
        swept = []
        for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
            try:
                pid, started = (folder / OWNER).read_text().split()
            except (OSError, ValueError):
                continue  # not a run's folder, or one being made right now
            if _started(int(pid)) != started:
                shutil.rmtree(folder, ignore_errors=True)
                swept.append(folder)
        return swept

    def folder(self, prefix: str, owner: tuple[int, int] | None = None) -> Path:
        """A new private folder in this one, owned by ``owner`` (user and group ids) where
        given."""
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=self.path))
        os.chmod(path, 0o700)
        if owner is not None:
            os.chown(path, *owner)
        return path

    def remove(self) -> None:
        """Remove the folder and everything in it."""
        with contextlib.suppress(OSError):
            shutil.rmtree(self.path)
