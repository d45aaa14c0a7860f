"""The book's configuration: the base in ``book/`` (or a course's own ``book/``) and the kit's part.

A book's ``_config.yml`` is Jupyter Book 1.x's own format. The kit reads one extra section,
``kit:``, and removes it before writing the generated project's ``_config.yml``; everything else
passes through, with the course's title, the execution cache and the generated pages filled in.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kit.course import Course
from kit.errors import KitError

LESSON_GROUPS = ("track", "layer")


class BookError(KitError):
    """The book cannot be built; the message names the file (and the fix, or :attr:`fix` does)."""


def base_dir() -> Path:
    """The kit's base book folder: ``book/`` beside the ``kit`` package."""
    import kit

    here = Path(kit.__file__).resolve().parent
    for candidate in (here.parent / "book", here / "book" / "base"):
        if (candidate / "_config.yml").is_file():
            return candidate
    raise BookError(
        f"no base book configuration ({here.parent / 'book' / '_config.yml'}); reinstall the "
        "kit from its source folder, which holds book/_config.yml and the landing pages"
    )


@dataclass(frozen=True)
class KitSettings:
    """The ``kit:`` section of a book's ``_config.yml``.

    Attributes
    ----------
    lesson_groups:
        ``track``: lessons grouped under the first track that needs them (the rest under
        "More lessons"); ``layer``: grouped by the depth of their first skill in the graph.
    jupyterlab_url:
        Where "Open in JupyterLab" links go: a URL with ``{course}`` and ``{path}`` (the
        notebook's path in the course folder), e.g.
        ``https://hub.example.org/hub/user-redirect/lab/tree/{course}/{path}``. Empty: the
        link downloads the notebook.
    lesson_timeout:
        Seconds a whole lesson may run when it is executed.
    cell_timeout:
        Seconds one cell may run.
    hours_per_week:
        Weekly time of the new learner whose schedule each track page shows.
    """

    lesson_groups: str = "track"
    jupyterlab_url: str = ""
    lesson_timeout: int = 1800
    cell_timeout: int = 600
    hours_per_week: float = 5.0


@dataclass(frozen=True)
class BookConfig:
    """The merged configuration of one course's book.

    Attributes
    ----------
    jupyter_book:
        The Jupyter Book ``_config.yml`` mapping, without ``kit:``.
    kit:
        The kit's settings.
    pages:
        Landing pages (Markdown templates) by file name, course ones over the base ones.
    sources:
        The ``_config.yml`` files read, base first.
    """

    jupyter_book: dict[str, Any]
    kit: KitSettings
    pages: dict[str, Path] = field(default_factory=dict)
    sources: tuple[Path, ...] = ()


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise BookError(f"{path}{line}: not valid YAML ({exc}); fix the file") from exc
    if not isinstance(data, dict):
        raise BookError(f"{path}: must be a mapping of settings (key: value)")
    return data


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _kit_settings(raw: Any, where: Path) -> KitSettings:
    if raw is None:
        return KitSettings()
    if not isinstance(raw, dict):
        raise BookError(f"{where}: 'kit' must be a mapping of settings")
    known = set(KitSettings.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise BookError(
            f"{where}: kit.{unknown[0]}: unknown setting (known: {', '.join(sorted(known))})"
        )
    settings = KitSettings(**raw)
    if settings.lesson_groups not in LESSON_GROUPS:
        raise BookError(
            f"{where}: kit.lesson_groups: '{settings.lesson_groups}' is not one of "
            f"{', '.join(LESSON_GROUPS)}"
        )
    if not isinstance(settings.jupyterlab_url, str):
        raise BookError(f"{where}: kit.jupyterlab_url: must be text (a URL), or empty")
    try:
        settings.jupyterlab_url.format(course="c", path="p")
    except (KeyError, IndexError, ValueError) as exc:
        raise BookError(
            f"{where}: kit.jupyterlab_url: only {{course}} and {{path}} may appear in braces "
            f"({exc!r})"
        ) from exc
    for name in ("lesson_timeout", "cell_timeout", "hours_per_week"):
        value = getattr(settings, name)
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise BookError(f"{where}: kit.{name}: must be a positive number, not {value!r}")
    return settings


def load_config(course: Course, base: Path | None = None) -> BookConfig:
    """The book configuration of ``course``: the base, then the course's own ``book/``.

    A course may hold a ``book/`` folder: its ``_config.yml`` is merged over the base one
    (mappings key by key) and its Markdown pages replace the base pages of the same name.
    """
    base = base or base_dir()
    folders = [base] + ([course.root / "book"] if (course.root / "book").is_dir() else [])
    merged: dict[str, Any] = {}
    pages: dict[str, Path] = {}
    sources: list[Path] = []
    for folder in folders:
        config = folder / "_config.yml"
        if config.is_file():
            merged = _merge(merged, _read_yaml(config))
            sources.append(config)
        for page in sorted(folder.glob("*.md")):
            if page.name.lower() != "readme.md":
                pages[page.name] = page
    where = sources[-1] if sources else base / "_config.yml"
    kit_settings = _kit_settings(merged.pop("kit", None), where)
    if "index.md" not in pages:
        raise BookError(f"no landing page: add index.md to {base}")
    return BookConfig(merged, kit_settings, pages, tuple(sources))
