"""Building a course's book: generate the project, execute what changed, build HTML, check.

``build_book`` is the pipeline ``kit book build`` runs:

1. generate the Jupyter Book project from the course (:mod:`kit.book.source`);
2. execute the notebooks the cache does not hold yet (:mod:`kit.book.execution`);
3. build HTML with Jupyter Book 1.x (Sphinx and myst-nb, outputs from the same cache);
4. scan the HTML for solutions and hidden tests (:mod:`kit.book.leaks`): a leak fails the
   build and removes the HTML, so nothing with a solution in it can be published.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kit.book.config import BookConfig, BookError, load_config
from kit.book.execution import Execution, execute_into_cache, kernel_env, read_notebook
from kit.book.hub import FaqItem
from kit.book.leaks import LeakError, check_leaks
from kit.book.source import BookSource, Generated
from kit.course import Course

Progress = Callable[[str, float, float, str], None]
"""``on_progress(stage, done, total, item)``; stages: ``generate``, ``execute``, ``read``,
``write``, ``check``."""

# jsonschema (which Jupyter Book loads) builds a grammar at import when rfc3987-syntax is
# installed, seconds of every build for an "iri" format no book config uses: leave it out
RUNNER = (
    "import sys; sys.modules.setdefault('rfc3987_syntax', None); "
    "from jupyter_book.cli.main import main; sys.exit(main())"
)
STATUS = re.compile(r"^(reading sources|writing output)\.\.\. \[\s*(\d+)%\]\s*(.*)$")
PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL):")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def default_out(course: Course) -> Path:
    """The default build folder of a course's book: ``book`` in the course's workspace."""
    return course.workspace / "book"


def html_dir(out: Path) -> Path:
    """Where the HTML of a build folder is."""
    return out / "_build" / "html"


@dataclass
class BookResult:
    """What a build did.

    Attributes
    ----------
    html:
        The folder of the built HTML (``index.html`` at its top).
    executions:
        Each notebook to execute: run now, or found in the cache.
    changed:
        Files of the generated project that this build (re)wrote.
    warnings:
        Sphinx's warnings, as it printed them.
    pages:
        HTML pages built.
    seconds:
        Time per stage.
    faq:
        Entries on the FAQ page (0: the book has none).
    """

    out: Path
    html: Path
    executions: list[Execution] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    faq: int = 0

    @property
    def log(self) -> Path:
        """Jupyter Book's full output."""
        return self.out / "build.log"


def _executes(relative: str, path: Path, patterns: list[str]) -> bool:
    """Whether the book executes a notebook (not excluded by the config or its metadata)."""
    if any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
        return False
    meta = read_notebook(path).metadata.get("mystnb", {})
    return not (isinstance(meta, dict) and meta.get("execution_mode") in ("off", False))


def run_jupyter_book(
    src: Path, out: Path, env: dict[str, str], on_progress: Progress | None = None
) -> list[str]:
    """``jupyter-book build`` on ``src`` into ``out/_build/html``; return its warnings.

    It runs in its own process (Sphinx keeps global state), with its output in
    ``out/build.log``; Sphinx's progress lines drive ``on_progress``.
    """
    log = out / "build.log"
    command = [sys.executable, "-c", RUNNER, "build", str(src), "--path-output", str(out)]
    command += ["--builder", "html"]
    problems: list[str] = []
    lines: list[str] = []
    env = {**env, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    with log.open("w", encoding="utf-8") as record:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            cwd=src,
        )
        assert process.stdout is not None
        with process:
            for chunk in process.stdout:
                record.write(chunk)
                for piece in ANSI.sub("", chunk).replace("\r", "\n").splitlines():
                    piece = piece.strip()
                    if not piece:
                        continue
                    lines.append(piece)
                    status = STATUS.match(piece)
                    if status and on_progress is not None:
                        stage = "read" if status.group(1).startswith("reading") else "write"
                        on_progress(stage, float(status.group(2)), 100.0, status.group(3))
                    elif PROBLEM.search(piece):
                        problems.append(piece)
        code = process.wait()
    if code != 0:
        tail = "\n".join(f"    {line}" for line in lines[-15:])
        raise BookError(f"Jupyter Book failed (exit code {code}):\n{tail}\n  full log: {log}")
    return problems


def build_book(
    course: Course,
    out: Path | None = None,
    *,
    execute: bool = True,
    base: Path | None = None,
    on_progress: Progress | None = None,
    faq: Sequence[FaqItem] = (),
) -> BookResult:
    """Build the published book of ``course``.

    Parameters
    ----------
    course:
        The course.
    out:
        The build folder (default ``COURSE/_kit/book``): the generated project (``src``), the
        execution cache (``cache``, kept between builds) and the HTML (``_build/html``).
    execute:
        Execute the lessons (cached: an unchanged lesson is not run again). False shows the
        notebooks as saved, for a quick look.
    base:
        The base book folder (``_config.yml`` and landing pages); default: the kit's ``book/``.
    on_progress:
        Called as the build goes: ``(stage, done, total, item)``.
    faq:
        The course's FAQ (answers mentors shared), shown as a page of its own; none: no page.

    Raises
    ------
    BookError
        With a message naming the file and the fix: bad configuration, a notebook that fails
        (:class:`~kit.book.execution.NotebookError`, naming the notebook and the cell), a
        Sphinx failure, or a leak (:class:`~kit.book.leaks.LeakError`, naming the page).
    """

    def report(stage: str, done: float, total: float, item: str = "") -> None:
        if on_progress is not None:
            on_progress(stage, done, total, item)

    out = (out or default_out(course)).resolve()
    out.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    report("generate", 0, 1, "project")
    config = load_config(course, base)
    generated = BookSource(course, config, out, execute=execute, faq=faq).generate()
    report("generate", 1, 1, "project")
    seconds["generate"] = time.perf_counter() - started

    env = kernel_env(out / "jupyter-data")
    executions: list[Execution] = []
    if execute:
        started = time.perf_counter()
        executions = _execute_lessons(generated, config, out, env, report)
        seconds["execute"] = time.perf_counter() - started

    started = time.perf_counter()
    warnings = run_jupyter_book(generated.src, out, env, on_progress)
    seconds["html"] = time.perf_counter() - started

    started = time.perf_counter()
    html = html_dir(out)
    report("check", 0, 1, "leaks")
    _check_leaks(course, html, generated)
    report("check", 1, 1, "leaks")
    seconds["check"] = time.perf_counter() - started
    pages = sum(1 for _ in html.rglob("*.html"))
    return BookResult(out, html, executions, generated.changed, warnings, pages, seconds, len(faq))


def _execute_lessons(
    generated: Generated, config: BookConfig, out: Path, env: dict[str, str], report: Progress
) -> list[Execution]:
    """Execute the generated lessons the book executes (not excluded), those that changed since
    the cache last ran them, into the cache in ``out``."""
    patterns = list(config.jupyter_book.get("execute", {}).get("exclude_patterns") or [])
    patterns += ["projects/*", "projects/*/*.ipynb"]
    to_run = [(name, path) for name, path in generated.lessons if _executes(name, path, patterns)]
    total = len(to_run)
    finished: list[Execution] = []
    (out / "kernels.log").unlink(missing_ok=True)  # this build's kernels only

    def starting(name: str, cached: bool) -> None:
        report("execute", len(finished), total, name + (" (cached)" if cached else ""))

    def done(result: Execution) -> None:
        finished.append(result)
        report("execute", len(finished), total, result.path)

    return execute_into_cache(
        to_run,
        out / "cache",
        cell_timeout=config.kit.cell_timeout,
        notebook_timeout=config.kit.lesson_timeout,
        env=env,
        kernel_log=out / "kernels.log",
        on_start=starting,
        on_done=done,
    )


def _check_leaks(course: Course, html: Path, generated: Generated) -> None:
    """Fail the build, removing its HTML, when a solution or a hidden test reached it."""
    published = generated.release_notebooks + [path for _, path in generated.lessons]
    leaks = check_leaks(course, html, published)
    if leaks:
        shutil.rmtree(html, ignore_errors=True)
        raise LeakError(leaks)
