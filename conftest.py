"""Settings for the whole test run, notebooks included.

Learners' files (profiles, attempt logs) go under the Jupyter data directory; a test run, and the
notebook kernels it starts, write them to a temporary one instead of the real one.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

import pytest

_data_dir: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _data_dir
    _data_dir = tempfile.mkdtemp(prefix="kit-test-jupyter-data-")
    os.environ["JUPYTER_DATA_DIR"] = _data_dir
    # tools the kit runs (nbgrader's alembic, jupyter) live beside this Python
    bindir = os.path.dirname(sys.executable)
    os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _data_dir:
        shutil.rmtree(_data_dir, ignore_errors=True)
