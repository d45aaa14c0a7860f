"""The generated Jupyter Book project: the course's files, the projects' release versions and
the generated pages, written so that a rebuild touches only what changed.

The project folder mirrors the course folder (lessons run where they would in JupyterLab, next
to the course's data and its course.yml), without the instructor's workspace and with each
project's nbgrader *source* replaced by its release version. A file is rewritten only when its
content changed, so Sphinx re-reads only changed pages; files the last generation wrote and
this one did not are removed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from kit.book.config import BookConfig, BookError
from kit.book.hub import FAQ_PAGE, FaqItem, faq_page, launch_settings
from kit.book.pages import (
    Layout,
    landing_values,
    mentors_page,
    project_page,
    render_template,
    skills_page,
    toc,
    track_page,
)
from kit.course import Course
from kit.course.model import WORKSPACE_NAME

SKIPPED_NAMES = {WORKSPACE_NAME, "_build", "__pycache__", ".ipynb_checkpoints", "node_modules"}
MIME_PRIORITY = [
    # the kit's widgets carry a static view (text/html) for pages without a live kernel; other
    # widgets fall back to a note with a link to JupyterLab (see kit.book.extension)
    ["html", "text/html", 5],
    ["html", "application/vnd.jupyter.widget-view+json", 95],
]


class SourceTree:
    """Files written into the generated project, each only when its content changed."""

    def __init__(self, root: Path, record: Path) -> None:
        self.root = root
        self.record = record
        self.written: set[str] = set()
        self.changed: list[str] = []

    def write(self, relative: str, data: bytes | str) -> bool:
        """Write ``relative`` unless it already holds ``data``; True if it changed."""
        content = data.encode("utf-8") if isinstance(data, str) else data
        path = self.root / relative
        self.written.add(relative)
        if path.is_file() and path.stat().st_size == len(content) and path.read_bytes() == content:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(content)
        tmp.replace(path)
        self.changed.append(relative)
        return True

    def copy(self, relative: str, source: Path) -> bool:
        """Copy ``source`` to ``relative`` unless the copy is already the same."""
        path = self.root / relative
        if path.is_file() and path.stat().st_size == source.stat().st_size:
            self.written.add(relative)
            if path.read_bytes() == source.read_bytes():
                return False
        return self.write(relative, source.read_bytes())

    def keep(self, relative: str) -> None:
        """Count a file written earlier as written now (generated only when its input changed)."""
        self.written.add(relative)

    def finish(self) -> list[str]:
        """Remove what an earlier generation wrote and this one did not; return those files."""
        previous: list[str] = []
        if self.record.is_file():
            try:
                previous = json.loads(self.record.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                previous = []
        stale = sorted(set(previous) - self.written)
        for relative in stale:
            (self.root / relative).unlink(missing_ok=True)
        self.record.parent.mkdir(parents=True, exist_ok=True)
        self.record.write_text(json.dumps(sorted(self.written), indent=0), encoding="utf-8")
        return stale


def digest(paths: Iterable[Path], base: Path) -> str:
    """A digest of files' names and contents."""
    hasher = hashlib.sha256()
    for path in sorted(paths):
        hasher.update(str(path.relative_to(base)).encode())
        hasher.update(b"\0")
        hasher.update(path.read_bytes())
        hasher.update(b"\0")
    return hasher.hexdigest()


def _files(folder: Path) -> list[Path]:
    return [
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part in SKIPPED_NAMES for part in p.relative_to(folder).parts)
    ]


@dataclass
class Generated:
    """What a generation produced."""

    src: Path
    layout: Layout
    lessons: list[tuple[str, Path]]
    """Notebooks to execute: ``(path in the course, path in the project)``."""
    release_notebooks: list[Path]
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


class BookSource:
    """Generates the Jupyter Book project of a course in ``out/src``.

    Parameters
    ----------
    course:
        The course.
    config:
        The book's configuration (:func:`kit.book.config.load_config`).
    out:
        The build folder: ``src`` (the project), ``cache`` (jupyter-cache), ``_build``.
    execute:
        Whether the book executes its notebooks (``execute_notebooks: cache``) or shows them as
        saved (``off``).
    faq:
        The course's FAQ entries (none: no FAQ page).
    """

    def __init__(
        self,
        course: Course,
        config: BookConfig,
        out: Path,
        *,
        execute: bool,
        faq: Sequence[FaqItem] = (),
    ) -> None:
        self.course = course
        self.faq = list(faq)
        self.config = config
        self.out = out
        self.src = out / "src"
        self.cache = out / "cache"
        self.execute = execute
        self.state_path = out / "state.json"

    # -- state between builds ----------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, json.JSONDecodeError):
            return {}

    def _save_state(self, state: dict[str, Any]) -> None:
        self.state_path.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")

    # -- pieces ------------------------------------------------------------------------------
    def _skipped(self) -> set[Path]:
        """Folders of the course that the book never copies."""
        skipped = {self.course.project_dir(p).resolve() for p in self.course.manifest.projects}
        skipped.add(self.out.resolve())
        skipped.add((self.course.root / "book").resolve())  # the course's own book settings
        return skipped

    def _mirror(self, tree: SourceTree) -> None:
        root = self.course.root
        skipped = self._skipped()

        def walk(folder: Path) -> None:
            for entry in sorted(folder.iterdir()):
                name = entry.name
                if name.startswith(".") or name in SKIPPED_NAMES or entry.resolve() in skipped:
                    continue
                if entry.is_dir():
                    walk(entry)
                elif entry.is_file():
                    tree.copy(str(PurePosixPath(entry.relative_to(root).as_posix())), entry)

        walk(root)

    def _releases(self, tree: SourceTree, state: dict[str, Any]) -> dict[str, list[str]]:
        """Copy each project's release version (made by nbgrader) into ``projects/<id>/``."""
        from kit.grading.nbgrader_course import GradingError, NbgraderCourse

        grading = NbgraderCourse(self.course)
        digests = state.setdefault("projects", {})
        notebooks: dict[str, list[str]] = {}
        for project in self.course.manifest.projects:
            source = self.course.project_dir(project)
            current = digest(_files(source), source)
            release = grading.root / "release" / project.id
            if digests.get(project.id) != current or not release.is_dir():
                try:
                    release = grading.assign(project.id)
                except GradingError as exc:
                    raise BookError(f"project '{project.id}': {exc}") from exc
                digests[project.id] = current
            names: list[str] = []
            for path in sorted(_files(release)):
                relative = path.relative_to(release).as_posix()
                if relative.lower() == "readme.md":
                    continue  # the brief (projects/<id>/index.md) carries it
                target = f"projects/{project.id}/{relative}"
                if path.suffix == ".ipynb":
                    tree.write(target, _unexecuted(path))
                    if "/" not in relative:
                        names.append(relative)
                else:
                    tree.copy(target, path)
            notebooks[project.id] = names
        return notebooks

    def _drawings(self, tree: SourceTree, state: dict[str, Any]) -> None:
        """The skill map and each track's picture, drawn again only when course.yml changed."""
        from kit.course.drawing import draw_skill_graph

        wanted = ["skills.svg"] + [f"tracks/{t}.svg" for t in self.course.tracks]
        current = digest([self.course.manifest_path], self.course.root)
        if state.get("drawings") == current and all((self.src / w).is_file() for w in wanted):
            for relative in wanted:
                tree.keep(relative)
            return
        scratch = self.out / "drawings"
        scratch.mkdir(parents=True, exist_ok=True)
        for relative in wanted:
            track = (
                relative[len("tracks/") : -len(".svg")] if relative.startswith("tracks/") else None
            )
            drawn = draw_skill_graph(self.course, scratch / relative.replace("/", "-"), track=track)
            tree.copy(relative, drawn)
        state["drawings"] = current

    def _jupyter_book_config(self, layout: Layout) -> dict[str, Any]:
        config: dict[str, Any] = json.loads(json.dumps(self.config.jupyter_book))
        course = self.course
        config["title"] = course.title
        config.setdefault("author", "the course's mentors")
        config["only_build_toc_files"] = True
        execute = config.setdefault("execute", {})
        execute["execute_notebooks"] = "cache" if self.execute else "off"
        execute["cache"] = str(self.cache.resolve())
        execute.setdefault("timeout", self.config.kit.cell_timeout)
        patterns = list(execute.get("exclude_patterns") or [])
        for pattern in ("projects/*", "projects/*/*.ipynb"):
            if pattern not in patterns:
                patterns.append(pattern)  # release notebooks are shown as learners get them
        execute["exclude_patterns"] = patterns
        sphinx = config.setdefault("sphinx", {})
        extensions = list(sphinx.get("extra_extensions") or [])
        if "kit.book.extension" not in extensions:
            extensions.append("kit.book.extension")
        sphinx["extra_extensions"] = extensions
        settings = dict(sphinx.get("config") or {})
        settings.setdefault("nb_mime_priority_overrides", MIME_PRIORITY)
        settings.setdefault("nb_ipywidgets_js", {})
        settings["kit_course_id"] = course.id
        settings["kit_jupyterlab_url"] = self.config.kit.jupyterlab_url
        links = {"skills": layout.skills, "mentors": layout.mentors, "index": layout.index}
        links |= {f"track/{t}": layout.track(t) for t in course.tracks}
        links |= {f"lesson/{x.id}": layout.lesson(x) for x in course.manifest.lessons}
        links |= {f"project/{p}": layout.project(p) for p in course.projects}
        if layout.start:
            links["start"] = layout.start
        settings["kit_links"] = links
        launch = launch_settings(course)
        if launch:
            config["launch_buttons"] = {
                **config.get("launch_buttons", {}),
                **launch["launch_buttons"],
            }
            config["repository"] = {**(config.get("repository") or {}), **launch["repository"]}
            if "sphinx" in launch:
                sphinx["recursive_update"] = True
                theme = dict(settings.get("html_theme_options") or {})
                theme.update(launch["sphinx"]["config"]["html_theme_options"])
                settings["html_theme_options"] = theme
        sphinx["config"] = settings
        return config

    # -- the whole project -------------------------------------------------------------------
    def generate(self) -> Generated:
        """Write the project; return what to execute and what changed."""
        course = self.course
        self.src.mkdir(parents=True, exist_ok=True)
        tree = SourceTree(self.src, self.out / "files.json")
        state = self._state()
        self._mirror(tree)
        project_notebooks = self._releases(tree, state)
        self._drawings(tree, state)

        landing = [n for n in self.config.pages if n != "index.md"]
        layout = Layout(
            start="start" if (course.root / "start.ipynb").is_file() else "",
            landing=tuple(PurePosixPath(n).stem for n in landing),
            project_notebooks=project_notebooks,
            faq=FAQ_PAGE if self.faq else "",
        )
        for name, template in self.config.pages.items():
            page = PurePosixPath(name).stem
            values = landing_values(course, layout, self.config.kit, page)
            tree.write(
                name, render_template(template.read_text(encoding="utf-8"), values, template)
            )
        tree.write("skills.md", skills_page(course, layout, "skills.svg"))
        tree.write("mentors.md", mentors_page(course, layout))
        if layout.faq:
            tree.write(f"{layout.faq}.md", faq_page(course, self.faq))
        for track in course.manifest.tracks:
            tree.write(
                f"{layout.track(track)}.md",
                track_page(course, track, layout, self.config.kit, f"{track.id}.svg"),
            )
        for project in course.manifest.projects:
            readme = next(
                (
                    p
                    for p in sorted(course.project_dir(project).glob("*"))
                    if p.name.lower() == "readme.md"
                ),
                None,
            )
            brief = readme.read_text(encoding="utf-8") if readme else None
            tree.write(
                f"{layout.project(project)}.md", project_page(course, project, layout, brief)
            )

        tree.write("_toc.yml", _yaml(toc(course, layout, self.config.kit)))
        tree.write("_config.yml", _yaml(self._jupyter_book_config(layout)))
        removed = tree.finish()
        self._save_state(state)

        lessons: list[tuple[str, Path]] = []
        if layout.start:
            lessons.append(("start.ipynb", self.src / "start.ipynb"))
        for lesson in course.manifest.lessons:
            if lesson.notebook.endswith(".ipynb"):
                lessons.append((lesson.notebook, self.src / lesson.notebook))
        release = [
            self.src / f"projects/{pid}/{name}"
            for pid, names in project_notebooks.items()
            for name in names
        ]
        return Generated(self.src, layout, lessons, release, tree.changed, removed)


def _unexecuted(path: Path) -> str:
    """A release notebook marked for myst-nb as never executed (it is shown as learners get
    it: its solution cells raise NotImplementedError)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook.setdefault("metadata", {}).setdefault("mystnb", {})["execution_mode"] = "off"
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _yaml(data: dict[str, Any]) -> str:
    header = "# Generated by Mentor Kit from course.yml and the book's base folder; do not edit.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def remove_build(out: Path) -> None:
    """Remove a build folder entirely (the cache with it)."""
    if out.exists():
        if not (out / "files.json").exists() and any(out.iterdir()):
            raise BookError(f"{out} holds files that no book build wrote; not removing it")
        shutil.rmtree(out)
