"""The cohort report: a notebook executed with papermill and exported to HTML without code."""

from __future__ import annotations

import tempfile
from pathlib import Path

from kit.course import Course

TEMPLATE = Path(__file__).with_name("report.ipynb")


def write_report(
    course: Course,
    output: str | Path,
    *,
    attempts_url: str | None = None,
    params_path: str | Path | None = None,
    threshold: float = 0.5,
    progress: bool = True,
) -> Path:
    """Execute the report notebook for ``course`` and write it as HTML to ``output``.

    ``params_path`` is a BKT parameter file; by default the course's own (if it ships one).
    The executed notebook is kept beside the HTML (same name, ``.ipynb``) so an instructor can
    open it and dig further.
    """
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    executed = output.with_suffix(".ipynb")
    with tempfile.TemporaryDirectory() as tmp:
        papermill.execute_notebook(
            str(TEMPLATE),
            str(Path(tmp) / "report.ipynb"),
            parameters={
                "course_dir": str(course.root.resolve()),
                "attempts_url": attempts_url or "",
                "params_path": str(Path(params_path).resolve()) if params_path else "",
                "threshold": threshold,
            },
            kernel_name="python3",
            progress_bar=progress,
            cwd=str(course.root.resolve()),
        )
        notebook = nbformat.read(Path(tmp) / "report.ipynb", as_version=4)
    nbformat.write(notebook, executed)
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(notebook)
    tmp_html = output.with_name(f".{output.name}.tmp")
    tmp_html.write_text(body, encoding="utf-8")
    tmp_html.replace(output)
    return output
