"""course.yml as parsed YAML that remembers the line of every value.

PyYAML's ``safe_load`` forgets positions and silently keeps the last of two equal keys; an
instructor needs both: the line of each mistake, and a word about the key written twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kit.errors import KitError

Loc = tuple[str | int, ...]


def format_loc(loc: Sequence[str | int]) -> str:
    """``('skills', 2, 'prerequisites', 0)`` -> ``skills[2].prerequisites[0]``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass
class DuplicateKey:
    """A mapping key written twice; YAML keeps only the last value."""

    loc: Loc
    line: int
    first_line: int


@dataclass
class YamlSource:
    """Parsed YAML data with the line of each key and list item."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    duplicates: list[DuplicateKey] = field(default_factory=list)

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The line of ``loc``, or of its nearest parent that has one."""
        key = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)


class YamlSyntaxError(KitError):
    """course.yml is not valid YAML; ``line`` is where the parser stopped (when known)."""

    def __init__(self, message: str, line: int | None, fix: str) -> None:
        super().__init__(message, fix)
        self.line = line


def _syntax_fix(problem: str) -> str:
    if "\\t" in problem or "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "put quotes around a value that contains ': ', or check the indentation"
    if "could not find expected ':'" in problem or "simple key" in problem:
        return "every entry needs 'key: value'; check for a missing ':' or a line broken in two"
    if "expected <block end>" in problem or "indentation" in problem:
        return "line up entries of the same list or mapping at the same indentation"
    if "found undefined alias" in problem:
        return "define the anchor (&name) before using the alias (*name)"
    return "check the quoting and the indentation on this line and the one before"


def parse_yaml(path: Path, text: str) -> YamlSource:
    """Parse ``text`` (read from ``path``), recording lines and duplicate keys.

    Raises
    ------
    YamlSyntaxError
        With the line of the error and a suggested fix.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{problem} ({exc.context})"
        line = mark.line + 1 if mark is not None else None
        raise YamlSyntaxError(f"YAML syntax error: {problem}", line, _syntax_fix(problem)) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML syntax error: {exc}", None, _syntax_fix(str(exc))) from exc
    source = YamlSource(path=path, data=data)
    if node is not None:
        source.lines[()] = node.start_mark.line + 1
        _walk(node, (), source)
    return source


def _walk(node: yaml.Node, loc: Loc, source: YamlSource) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            child = (*loc, key)
            if key in seen:
                source.duplicates.append(DuplicateKey(child, line, seen[key]))
            else:
                seen[key] = line
            source.lines[child] = line
            _walk(value_node, child, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*loc, index)
            source.lines[child] = item.start_mark.line + 1
            _walk(item, child, source)
