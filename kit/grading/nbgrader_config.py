"""An existing nbgrader course directory's ``nbgrader_config.py``, read without running it.

nbgrader itself executes the file (traitlets' ``PyFileConfigLoader``): it is Python, and may
import modules or compute paths. ``kit import`` reads it instead, with :mod:`ast`: each top-level
line ``c.Section.name = <value>`` whose value is a literal (a string, a number, a list...) is
read; nothing in the file runs. A setting the import needs that the file computes (an f-string,
``os.path.join``, a line inside an ``if``) is reported with its line, rather than guessed.
``nbgrader_config.json``, traitlets' other format, is read as JSON.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.grading.errors import CourseImportError

__all__ = ["CONFIG_NAMES", "NbgraderConfig", "read_config"]

CONFIG_NAMES = ("nbgrader_config.py", "nbgrader_config.json")
"""The files nbgrader reads its configuration from, in a course directory."""


@dataclass(frozen=True)
class NbgraderConfig:
    """The settings of an nbgrader course directory, as ``Section.name`` keys.

    Attributes
    ----------
    path:
        The file read (None when the directory has none: nbgrader's defaults apply).
    values:
        Each setting read, by key (``"CourseDirectory.db_url"``).
    lines:
        The line of each setting in the file (read or not).
    computed:
        The keys of settings whose value the file computes: not read.
    """

    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    computed: frozenset[str] = frozenset()

    def get(self, key: str, default: Any = None) -> Any:
        """The setting ``key`` (``Section.name``), or ``default`` where the file sets none.

        Raises
        ------
        CourseImportError
            When the file computes it: the import will not run the file to find out.
        """
        if key in self.computed:
            raise CourseImportError(
                f"{self.path}:{self.lines[key]}: c.{key} is computed by code, which "
                "'kit import' does not run",
                fix=f"write c.{key} as a plain value (a string in quotes) and import again",
            )
        return self.values.get(key, default)

    def has(self, key: str) -> bool:
        """Whether the file sets ``key`` (read or computed)."""
        return key in self.values or key in self.computed

    @property
    def keys(self) -> list[str]:
        """Every key the file sets, in the order of its lines."""
        return sorted({*self.values, *self.computed}, key=lambda k: self.lines.get(k, 0))


def read_config(directory: Path) -> NbgraderConfig:
    """The configuration of the nbgrader course directory ``directory`` (nbgrader's defaults
    where it has no config file).

    Raises
    ------
    CourseImportError
        When the file cannot be read or parsed (its line named).
    """
    for name in CONFIG_NAMES:
        path = directory / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise CourseImportError(
                f"{path}: cannot be read ({reason})",
                fix="check the file's permissions and encoding",
            ) from exc
        return _read_json(path, text) if path.suffix == ".json" else _read_python(path, text)
    return NbgraderConfig()


def _read_json(path: Path, text: str) -> NbgraderConfig:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CourseImportError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg})", fix="correct the file"
        ) from exc
    if not isinstance(data, dict):
        raise CourseImportError(
            f"{path}: must be a mapping of sections", fix='write it as {"Section": {...}}'
        )
    values = {
        f"{section}.{name}": value
        for section, settings in data.items()
        if isinstance(settings, dict)
        for name, value in settings.items()
    }
    return NbgraderConfig(path, values, dict.fromkeys(values, 0))


def _setting(target: ast.expr, config_names: set[str]) -> str | None:
    """``Section.name`` for an assignment target ``c.Section.name`` (None for anything else)."""
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Attribute)
        and isinstance(target.value.value, ast.Name)
        and target.value.value.id in config_names
    ):
        return f"{target.value.attr}.{target.attr}"
    return None


def _config_names(tree: ast.Module) -> set[str]:
    """The names the file binds to ``get_config()`` (``c``, as nbgrader writes it)."""
    names = {"c"}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "get_config"
        ):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _read_python(path: Path, text: str) -> NbgraderConfig:
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        raise CourseImportError(
            f"{path}:{exc.lineno}: not valid Python ({exc.msg})",
            fix="correct the file (nbgrader could not read it either)",
        ) from exc
    names = _config_names(tree)
    top_level = {id(node) for node in tree.body}
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    computed: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            key = _setting(target, names)
            if key is None:
                continue
            lines[key] = node.lineno
            try:
                if id(node) not in top_level:
                    raise ValueError("set inside a block: whether it runs depends on code")
                values[key] = ast.literal_eval(node.value)
                computed.discard(key)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                values.pop(key, None)
                computed.add(key)
    return NbgraderConfig(path, values, lines, frozenset(computed))
