"""Checking course.yml: its YAML, the shape of each entry, ids, references and cycles.

A :class:`CourseCheck` holds the state of one check (the report, the parsed YAML, the entries
valid so far); the notebook and questions steps read it after the manifest steps have run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
from pydantic import ValidationError

from kit.course.manifest import SECTIONS, CourseInfo, GradingSettings, RouterSettings
from kit.course.problems import Report, did_you_mean, join_fix
from kit.course.yaml_source import YamlSource, YamlSyntaxError, format_loc, parse_yaml

MANIFEST_NAME = "course.yml"
TOP_LEVEL_FIELDS = [*CourseInfo.model_fields, *SECTIONS]
SETTINGS_FIELDS = {
    "grading": list(GradingSettings.model_fields),
    "router": list(RouterSettings.model_fields),
}
"""The fields of course.yml's settings blocks, for the fix of an unknown one."""


def find_manifest(course: Path) -> Path:
    """course.yml of a course given as its folder or as the file itself."""
    return course if course.suffix in (".yml", ".yaml") else course / MANIFEST_NAME


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_PYDANTIC_FIXES = {
    "missing": "add it",
    "extra_forbidden": "remove it",
    "string_pattern_mismatch": "use lower-case letters, digits, '-' and '_' only, e.g. 'data-cleaning'",
    "string_type": "write it as text",
    "int_parsing": "write a whole number, e.g. 45",
    "int_type": "write a whole number, e.g. 45",
    "int_from_float": "write a whole number, e.g. 45",
    "float_parsing": "write a number, e.g. 10",
    "float_type": "write a number, e.g. 10",
    "list_type": "write a list, e.g. [python-basics, numpy] or one '- item' per line",
    "too_short": "list at least one",
    "greater_than": "use a positive number",
    "greater_than_equal": "use zero or a positive number",
    "less_than": "use a smaller number",
    "less_than_equal": "use a smaller number",
    "enum": "use one of the allowed values",
    "model_type": "write a mapping of 'key: value' lines",
    "dict_type": "write a mapping of 'key: value' lines",
    "string_too_short": "write something here",
    "string_too_long": "shorten it",
    "value_error": "",
}


def _pydantic_problem(
    item: Any, loc: tuple[str | int, ...], allowed: Sequence[str]
) -> tuple[str, str]:
    """The message and fix of one pydantic error, in the words of course.yml."""
    kind = item["type"]
    message = item["msg"]
    fix = _PYDANTIC_FIXES.get(kind, "")
    if kind == "missing":
        message = f"'{loc[-1]}' is required"
        fix = f"add '{loc[-1]}: ...' to this entry"
    elif kind == "extra_forbidden":
        message = f"unknown field '{loc[-1]}'"
        if len(loc) == 2 and str(loc[0]) in SETTINGS_FIELDS:
            allowed = SETTINGS_FIELDS[str(loc[0])]
        fix = join_fix(did_you_mean(str(loc[-1]), allowed), f"allowed fields: {', '.join(allowed)}")
    elif kind == "string_pattern_mismatch":
        message = f"{item['input']!r} is not a valid id"
        if loc[0] == "projects" and loc[-1] == "id":
            fix = (
                "a project id is its nbgrader assignment name: letters, digits, '-', '_' and "
                "'.', e.g. 'ps1' or 'QR'"
            )
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        message = f"{_short(item['input'])} is not a whole number"
    elif kind in ("float_parsing", "float_type"):
        message = f"{_short(item['input'])} is not a number"
    elif kind in ("model_type", "dict_type"):
        message = f"each entry must be a mapping (id: ..., title: ...), not {_short(item['input'])}"
        fix = "write the entry as indented 'key: value' lines under '- '"
    elif kind == "enum":
        expected = item.get("ctx", {}).get("expected", "")
        message = f"{_short(item['input'])} is not one of {expected}"
        fix = f"use one of {expected}"
    elif kind not in ("value_error",) and "input" in item:
        message = f"{message} (got {_short(item['input'])})"
        if loc == ("router", "target_precision"):
            fix = "write a share between 0 and 1 (both excluded), e.g. target_precision: 0.9"
    elif kind == "value_error":
        message, _, fix = message.removeprefix("Value error, ").partition("; ")
        if loc[-1] in ("notebook", "source"):
            fix = "write a relative path such as lessons/01-intro.ipynb"
    return message, fix


class CourseCheck:
    """The state of one check: the report, the parsed YAML and what is valid so far.

    Attributes
    ----------
    manifest_path, dir:
        course.yml and the course folder.
    report:
        Every problem found so far.
    source:
        The parsed course.yml (``None`` until :meth:`read` succeeds).
    valid:
        By section: ``(index, entry)`` of each entry that passed its model.
    ids:
        By section: the id of every entry that has one, valid or not (what references may name).
    """

    def __init__(self, course_dir: Path) -> None:
        self.manifest_path = find_manifest(course_dir)
        self.dir = self.manifest_path.parent
        self.report = Report(self.dir)
        self.source: YamlSource | None = None
        self.valid: dict[str, list[tuple[int, Any]]] = {name: [] for name in SECTIONS}
        self.ids: dict[str, list[str]] = {name: [] for name in SECTIONS}

    # -- reporting -------------------------------------------------------------------------
    def error(self, loc: Sequence[str | int], message: str, fix: str = "") -> None:
        """Record an error at a place in course.yml."""
        self._add("error", loc, message, fix)

    def warning(self, loc: Sequence[str | int], message: str, fix: str = "") -> None:
        """Record a warning at a place in course.yml."""
        self._add("warning", loc, message, fix)

    def _add(self, kind: str, loc: Sequence[str | int], message: str, fix: str) -> None:
        line = self.source.line_of(loc) if self.source else None
        add = self.report.error if kind == "error" else self.report.warning
        add(self.manifest_path, message, fix=fix, field=format_loc(loc), line=line)

    # -- steps -----------------------------------------------------------------------------
    def run(self) -> bool:
        """Check course.yml; False when it cannot be read as a mapping (nothing more to check)."""
        if not self.read():
            return False
        data = self.source.data if self.source else None
        if data is None:
            self.report.error(
                self.manifest_path,
                "course.yml is empty",
                fix="run 'kit new DIR' for a working example, or add id, title and skills",
            )
            return False
        if not isinstance(data, dict):
            self.error(
                (),
                f"course.yml must be a mapping of fields, not a {type(data).__name__}",
                "start with lines like 'id: my-course' and 'title: My course'",
            )
            return False
        self._duplicate_keys()
        self._shape(data)
        self._duplicate_ids()
        self._references()
        self._cycles()
        return True

    def read(self) -> bool:
        """Read and parse course.yml; False (with the problem reported) when that fails."""
        if not self.dir.exists():
            self.report.error(
                self.dir,
                "course folder not found",
                fix="check the path; 'kit new DIR' creates a new course",
            )
            return False
        if not self.manifest_path.is_file():
            self.report.error(
                self.manifest_path,
                "no course.yml here",
                fix="pass the folder that holds course.yml, or run 'kit new DIR' to start a course",
            )
            return False
        try:
            text = self.manifest_path.read_text(encoding="utf-8")
            self.source = parse_yaml(self.manifest_path, text)
        except UnicodeDecodeError:
            self.report.error(
                self.manifest_path,
                "course.yml is not UTF-8 text",
                fix="save it as UTF-8 in your editor",
            )
        except OSError as exc:
            self.report.error(
                self.manifest_path,
                f"cannot be read: {exc.strerror}",
                fix="check the file's permissions",
            )
        except YamlSyntaxError as exc:
            self.report.error(self.manifest_path, exc.message, fix=exc.fix, line=exc.line)
        return self.source is not None

    def _duplicate_keys(self) -> None:
        assert self.source is not None
        for dup in self.source.duplicates:
            self.report.error(
                self.manifest_path,
                f"'{dup.loc[-1]}' is written twice in the same mapping (first on line "
                f"{dup.first_line}); only this last one would count",
                fix="keep one of them",
                field=format_loc(dup.loc),
                line=dup.line,
            )

    def _validate(
        self, model: Any, data: Any, prefix: tuple[str | int, ...], allowed: Sequence[str]
    ) -> Any | None:
        """``model.model_validate(data)``, or None with each of its errors reported."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for item in exc.errors():
                loc = (*prefix, *item["loc"])
                self.error(loc, *_pydantic_problem(item, loc, allowed))
            return None

    def _shape(self, data: dict[str, Any]) -> None:
        top = {k: v for k, v in data.items() if k not in SECTIONS}
        self._validate(CourseInfo, top, (), TOP_LEVEL_FIELDS)
        if "skills" not in data:
            self.error(
                (),
                "course.yml declares no skills",
                "add a 'skills:' list; each skill has an id and a title",
            )
        for section, model in SECTIONS.items():
            entries = data.get(section)
            if entries is None:
                continue
            if not isinstance(entries, list):
                self.error(
                    (section,),
                    f"'{section}' must be a list",
                    "write one '- id: ...' entry per line under it",
                )
                continue
            if section == "skills" and not entries:
                self.error((section,), "the skills list is empty", "add at least one skill")
            allowed = list(model.model_fields)
            for index, entry in enumerate(entries):
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    self.ids[section].append(entry["id"])
                valid = self._validate(model, entry, (section, index), allowed)
                if valid is not None:
                    self.valid[section].append((index, valid))

    def _duplicate_ids(self) -> None:
        assert self.source is not None
        data = self.source.data
        for section in SECTIONS:
            first: dict[str, int] = {}
            entries = data.get(section)
            for index, entry in enumerate(entries if isinstance(entries, list) else []):
                entry_id = entry.get("id") if isinstance(entry, dict) else None
                if not isinstance(entry_id, str):
                    continue
                if entry_id in first:
                    line = self.source.line_of((section, first[entry_id]))
                    self.error(
                        (section, index, "id"),
                        f"duplicate id '{entry_id}' in {section} (first used on line {line})",
                        "give each entry its own id",
                    )
                else:
                    first[entry_id] = index

    def _references(self) -> None:
        known = self.ids["skills"]
        known_set = set(known)
        refs = [
            ("skills", "prerequisites"),
            ("lessons", "skills"),
            ("projects", "skills"),
            ("projects", "skill"),
            ("tracks", "goals"),
            ("mentors", "skills"),
            ("checks", "skill"),
        ]
        for section, field in refs:
            for index, entry in self.valid[section]:
                value = getattr(entry, field)
                if value is None:  # an optional reference left out
                    continue
                for position, skill_id in enumerate([value] if isinstance(value, str) else value):
                    if skill_id in known_set:
                        continue
                    where = (section, index, field) + (
                        () if isinstance(value, str) else (position,)
                    )
                    what = {"goals": "goal", "prerequisites": "prerequisite"}.get(field, "skill")
                    self.error(
                        where,
                        f"{what} '{skill_id}' of {section[:-1]} '{entry.id}' is not a known skill",
                        join_fix(
                            did_you_mean(skill_id, known), "skill ids are declared under 'skills:'"
                        ),
                    )

    def _cycles(self) -> None:
        graph: nx.DiGraph[str] = nx.DiGraph()
        index_of: dict[str, int] = {}
        for index, skill in self.valid["skills"]:
            index_of.setdefault(skill.id, index)
            graph.add_node(skill.id)
            graph.add_edges_from((pre, skill.id) for pre in skill.prerequisites)
        for component in nx.strongly_connected_components(graph):
            start = min(component, key=lambda s: index_of.get(s, 1 << 30))
            if len(component) == 1 and not graph.has_edge(start, start):
                continue
            edges = nx.find_cycle(graph.subgraph(component), source=start)
            # edges run prerequisite -> skill; print the chain of "needs" from the start skill
            chain = [start, *[v for _, v in edges]]
            needs = " -> ".join(reversed(chain))
            self.error(
                ("skills", index_of.get(start, 0), "prerequisites"),
                f"prerequisite cycle: {needs} (each needs the next)",
                "remove one prerequisite in this chain; a skill cannot require itself",
            )

    def untaught_skills(self) -> None:
        """Warn of each skill that no lesson teaches (in a course that has lessons: one without
        any, such as a course just imported from nbgrader, is a set of graded projects)."""
        if not self.valid["lessons"] and not self.ids["lessons"]:
            return
        taught = {s for _, lesson in self.valid["lessons"] for s in lesson.skills}
        for index, skill in self.valid["skills"]:
            if skill.id not in taught:
                self.warning(
                    ("skills", index),
                    f"skill '{skill.id}' is not taught by any lesson",
                    "add it to the skills of a lesson, or add a lesson that teaches it",
                )
