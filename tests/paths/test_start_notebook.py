"""The sample course's start notebook runs in a real kernel and shows the path selector."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient


@pytest.mark.kernel
def test_start_notebook_shows_the_selector_and_a_plan(sample_course: Path) -> None:
    nb = nbformat.read(sample_course / "start.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(sample_course)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert views, "the selector cell must display a widget"
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert text.startswith("Goal: Exploratory data analysis.")
    assert "Week 1" in text and "Python basics" in text
    # the widget state saved with the notebook lets a static page (the book) show it
    assert nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json")


def test_planner_import_loads_no_widgets() -> None:
    code = "import sys, kit.paths; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
