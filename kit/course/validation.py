"""Checking a course folder and reporting every problem at once.

:func:`check_course` never raises for a mistake in the course: each one becomes a
:class:`~kit.course.problems.Problem` naming the file, the line, the field and a fix.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
from pydantic import ValidationError

from kit.course.manifest import SECTIONS, CourseInfo, Manifest
from kit.course.model import Course
from kit.course.notebooks import grade_cells, kit_metadata, read_notebook
from kit.course.problems import CourseError, Report
from kit.course.yaml_source import YamlSource, YamlSyntaxError, format_loc, parse_yaml

MANIFEST_NAME = "course.yml"
SELF_CHECK_CALL = re.compile(r"""\bself_check\(\s*(?:check_id\s*=\s*)?(["'])([^"']*)\1""")
"""A lesson's ``self_check("id")`` call (the id written as a literal)."""
QUESTIONS_NAME = "questions.csv"
TOP_LEVEL_FIELDS = [*CourseInfo.model_fields, *SECTIONS]
CELL_SKILL_FIX = (
    'add "kit": {"skill": "<skill id>"} to the cell\'s metadata '
    "(JupyterLab: Property Inspector > Advanced Tools > Cell Metadata)"
)


def find_manifest(course: Path) -> Path:
    """course.yml of a course given as its folder or as the file itself."""
    return course if course.suffix in (".yml", ".yaml") else course / MANIFEST_NAME


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.8)
    return f"did you mean '{match[0]}'?" if match else ""


def _join(suggestion: str, general: str) -> str:
    """A fix: the likely correction first, the general rule after it."""
    return f"{suggestion} ({general})" if suggestion else general


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
    "less_than_equal": "use a smaller number",
    "enum": "use one of the allowed values",
    "model_type": "write a mapping of 'key: value' lines",
    "dict_type": "write a mapping of 'key: value' lines",
    "string_too_short": "write something here",
    "string_too_long": "shorten it",
    "value_error": "",
}


class _Checker:
    """The state of one check: the report, the parsed YAML and what is valid so far."""

    def __init__(self, course_dir: Path) -> None:
        self.manifest_path = find_manifest(course_dir)
        self.dir = self.manifest_path.parent
        self.report = Report(self.dir)
        self.source: YamlSource | None = None
        self.valid: dict[str, list[tuple[int, Any]]] = {name: [] for name in SECTIONS}
        self.ids: dict[str, list[str]] = {name: [] for name in SECTIONS}

    # -- reporting -------------------------------------------------------------------------
    def error(self, loc: Sequence[str | int], message: str, fix: str = "") -> None:
        self._add("error", loc, message, fix)

    def warning(self, loc: Sequence[str | int], message: str, fix: str = "") -> None:
        self._add("warning", loc, message, fix)

    def _add(self, kind: str, loc: Sequence[str | int], message: str, fix: str) -> None:
        line = self.source.line_of(loc) if self.source else None
        add = self.report.error if kind == "error" else self.report.warning
        add(self.manifest_path, message, fix=fix, field=format_loc(loc), line=line)

    # -- steps -----------------------------------------------------------------------------
    def run(self) -> Report:
        if not self._read():
            return self.report
        data = self.source.data if self.source else None
        if data is None:
            self.report.error(
                self.manifest_path,
                "course.yml is empty",
                fix="run 'kit new DIR' for a working example, or add id, title and skills",
            )
            return self.report
        if not isinstance(data, dict):
            self.error(
                (),
                f"course.yml must be a mapping of fields, not a {type(data).__name__}",
                "start with lines like 'id: my-course' and 'title: My course'",
            )
            return self.report
        self._duplicate_keys()
        self._shape(data)
        self._duplicate_ids()
        self._references()
        self._cycles()
        self._lessons()
        self._projects()
        self._untaught_skills()
        self._questions()
        self._sort()
        return self.report

    def _sort(self) -> None:
        """course.yml first, by line; then the notebooks, each in the order found."""
        manifest = self.manifest_path

        def key(problem: Any) -> tuple[bool, str, int]:
            is_manifest = problem.file == manifest
            return (not is_manifest, "" if is_manifest else str(problem.file), problem.line or 0)

        self.report.problems.sort(key=key)

    def _read(self) -> bool:
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
        except UnicodeDecodeError:
            self.report.error(
                self.manifest_path,
                "course.yml is not UTF-8 text",
                fix="save it as UTF-8 in your editor",
            )
            return False
        except OSError as exc:
            self.report.error(
                self.manifest_path,
                f"cannot be read: {exc.strerror}",
                fix="check the file's permissions",
            )
            return False
        try:
            self.source = parse_yaml(self.manifest_path, text)
        except YamlSyntaxError as exc:
            self.report.error(self.manifest_path, exc.message, fix=exc.fix, line=exc.line)
            return False
        return True

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

    def _pydantic_errors(
        self, error: ValidationError, prefix: tuple[str | int, ...], allowed: Sequence[str]
    ) -> None:
        for item in error.errors():
            loc = (*prefix, *item["loc"])
            kind = item["type"]
            message = item["msg"]
            fix = _PYDANTIC_FIXES.get(kind, "")
            if kind == "missing":
                message = f"'{loc[-1]}' is required"
                fix = f"add '{loc[-1]}: ...' to this entry"
            elif kind == "extra_forbidden":
                message = f"unknown field '{loc[-1]}'"
                fix = _join(
                    _did_you_mean(str(loc[-1]), allowed), f"allowed fields: {', '.join(allowed)}"
                )
            elif kind == "string_pattern_mismatch":
                message = f"{item['input']!r} is not a valid id"
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
            elif kind == "value_error":
                message, _, fix = message.removeprefix("Value error, ").partition("; ")
                if loc[-1] in ("notebook", "source"):
                    fix = "write a relative path such as lessons/01-intro.ipynb"
            self.error(loc, message, fix)

    def _shape(self, data: dict[str, Any]) -> None:
        top = {k: v for k, v in data.items() if k not in SECTIONS}
        try:
            CourseInfo.model_validate(top)
        except ValidationError as exc:
            self._pydantic_errors(exc, (), TOP_LEVEL_FIELDS)
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
                try:
                    self.valid[section].append((index, model.model_validate(entry)))
                except ValidationError as exc:
                    self._pydantic_errors(exc, (section, index), allowed)

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
            ("tracks", "goals"),
            ("mentors", "skills"),
        ]
        for section, field in [*refs, ("checks", "skill")]:
            for index, entry in self.valid[section]:
                value = getattr(entry, field)
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
                        _join(
                            _did_you_mean(skill_id, known), "skill ids are declared under 'skills:'"
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

    def _lessons(self) -> None:
        known = set(self.ids["skills"])
        seen: dict[str, str] = {}
        for index, lesson in self.valid["lessons"]:
            loc = ("lessons", index, "notebook")
            path = self.dir / lesson.notebook
            result = read_notebook(path)
            if result.problem is not None:
                self.error(
                    loc,
                    f"lesson '{lesson.id}': notebook '{lesson.notebook}' {result.problem.message}",
                    result.problem.fix,
                )
                continue
            if lesson.notebook in seen:
                self.warning(
                    loc,
                    f"lessons '{seen[lesson.notebook]}' and '{lesson.id}' use the same notebook",
                    "give each lesson its own notebook",
                )
            seen.setdefault(lesson.notebook, lesson.id)
            self._self_checks(path, result.notebook)
            declared = kit_metadata(result.notebook).get("skills")
            if declared is None:
                continue
            if not isinstance(declared, list) or not all(isinstance(s, str) for s in declared):
                self.report.error(
                    path,
                    "notebook metadata kit.skills must be a list of skill ids",
                    fix='write it as a list, e.g. ["numpy"]',
                    field="metadata.kit.skills",
                )
                continue
            for skill_id in declared:
                if skill_id not in known:
                    self.report.error(
                        path,
                        f"notebook metadata names unknown skill '{skill_id}'",
                        fix=_join(_did_you_mean(skill_id, known), "use ids declared in course.yml"),
                        field="metadata.kit.skills",
                    )
            if set(declared) & known != set(lesson.skills) & known:
                self.report.warning(
                    path,
                    f"notebook metadata lists skills {sorted(declared)} but course.yml lists "
                    f"{sorted(lesson.skills)} for lesson '{lesson.id}'",
                    fix="make them agree (course.yml is what the kit uses)",
                    field="metadata.kit.skills",
                )

    def _self_checks(self, path: Path, notebook: Any) -> None:
        """Every ``self_check("id")`` in a lesson names a check of course.yml."""
        checks = set(self.ids["checks"])
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            for match in SELF_CHECK_CALL.finditer(cell.source):
                check_id = match.group(2)
                if check_id not in checks:
                    self.report.error(
                        path,
                        f"self_check({check_id!r}) names no check of course.yml",
                        field=f"cells[{index}]",
                        fix=_join(
                            _did_you_mean(check_id, checks),
                            "add the question under 'checks:' in course.yml, or fix the id",
                        ),
                    )

    def _projects(self) -> None:
        known = set(self.ids["skills"])
        for index, project in self.valid["projects"]:
            folder = self.dir / project.source
            loc = ("projects", index, "source")
            if not folder.is_dir():
                what = "is not a folder" if folder.exists() else "not found"
                self.error(
                    loc,
                    f"source folder '{project.source}' of project '{project.id}' {what}",
                    "point 'source' to the folder of the project's nbgrader source notebooks",
                )
                continue
            notebooks = sorted(folder.glob("*.ipynb"))
            if not notebooks:
                self.error(
                    loc,
                    f"project '{project.id}' has no notebooks in '{project.source}'",
                    "add its nbgrader source notebook(s) there",
                )
                continue
            measured: set[str] = set()
            grade_ids: dict[str, Path] = {}
            points = 0.0
            readable = 0
            for path in notebooks:
                result = read_notebook(path)
                if result.problem is not None:
                    self.report.extend([result.problem])
                    continue
                readable += 1
                for cell_index, cell in grade_cells(result.notebook):
                    nbgrader = cell.metadata.nbgrader
                    grade_id = nbgrader.get("grade_id")
                    field = f"cells[{cell_index}]" + (
                        f" (grade_id '{grade_id}')" if grade_id else ""
                    )
                    if not grade_id:
                        self.report.error(
                            path,
                            "grade cell has no nbgrader grade_id",
                            field=field,
                            fix="open it with the nbgrader Create Assignment toolbar "
                            "and give it an id",
                        )
                    elif grade_id in grade_ids:
                        self.report.error(
                            path,
                            f"grade_id '{grade_id}' is used twice",
                            field=field,
                            fix="give each grade cell its own id",
                        )
                    else:
                        grade_ids[grade_id] = path
                    try:
                        points += float(nbgrader.get("points", 0) or 0)
                    except (TypeError, ValueError):
                        self.report.error(
                            path,
                            f"points {nbgrader.get('points')!r} is not a number",
                            field=field,
                            fix="set the cell's points to a number",
                        )
                    skill = kit_metadata(cell).get("skill")
                    if not skill:
                        self.report.error(
                            path, "grade cell names no skill", field=field, fix=CELL_SKILL_FIX
                        )
                    elif not isinstance(skill, str) or skill not in known:
                        self.report.error(
                            path,
                            f"grade cell names unknown skill {skill!r}",
                            field=field,
                            fix=_join(
                                _did_you_mean(str(skill), known),
                                "use a skill id declared in course.yml",
                            ),
                        )
                    else:
                        measured.add(skill)
                        if skill not in project.skills:
                            self.report.warning(
                                path,
                                f"grade cell measures '{skill}', which project "
                                f"'{project.id}' does not list",
                                field=field,
                                fix=f"add '{skill}' to the project's skills in course.yml",
                            )
            if readable == len(notebooks) and not grade_ids:
                self.error(
                    loc,
                    f"project '{project.id}' has no grade cells",
                    "mark its test cells as 'Autograder tests' with nbgrader",
                )
                continue
            for skill in project.skills:
                if skill in known and grade_ids and skill not in measured:
                    self.warning(
                        ("projects", index, "skills"),
                        f"no grade cell of project '{project.id}' measures '{skill}'",
                        "tag a grade cell with it, or remove it from the project's skills",
                    )
            if grade_ids and abs(points - project.points) > 1e-9:
                self.warning(
                    ("projects", index, "points"),
                    f"project '{project.id}' says {project.points:g} points but its grade "
                    f"cells add up to {points:g}",
                    f"set points: {points:g}",
                )

    def _untaught_skills(self) -> None:
        taught = {s for _, lesson in self.valid["lessons"] for s in lesson.skills}
        for index, skill in self.valid["skills"]:
            if skill.id not in taught:
                self.warning(
                    ("skills", index),
                    f"skill '{skill.id}' is not taught by any lesson",
                    "add it to the skills of a lesson, or add a lesson that teaches it",
                )

    def _questions(self) -> None:
        """questions.csv (the router's training data), when present: every label a skill id."""
        from kit.classify.data import OFF_TOPIC, numbered_rows

        path = self.dir / QUESTIONS_NAME
        if not path.is_file():
            return
        skills = [skill.id for _, skill in self.valid["skills"]]
        rule = f"use a skill id from course.yml, or '{OFF_TOPIC}' for questions it does not cover"
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                header = [name.strip().lower() for name in next(reader, [])]
                missing = [name for name in ("text", "skill") if name not in header]
                if missing:
                    self.report.error(
                        path,
                        f"no '{missing[0]}' column in the header",
                        fix="start the file with the header line 'text,skill'",
                        line=1,
                    )
                    return
                text_at, skill_at = header.index("text"), header.index("skill")
                for line, row in numbered_rows(reader):
                    if len(row) <= max(text_at, skill_at):
                        self.report.error(
                            path,
                            f"{len(row)} column(s), expected {len(header)}",
                            fix='quote a question that holds a comma: "why, though?",numpy',
                            line=line,
                        )
                        continue
                    text, skill = row[text_at].strip(), row[skill_at].strip()
                    if not text:
                        self.report.error(
                            path,
                            "the question is empty",
                            fix="write it, or remove the row",
                            field="text",
                            line=line,
                        )
                    if skills and skill not in (*skills, OFF_TOPIC):
                        self.report.error(
                            path,
                            f"'{skill}' is not a skill of the course" if skill else "no skill",
                            fix=_join(_did_you_mean(skill, [*skills, OFF_TOPIC]), rule),
                            field="skill",
                            line=line,
                        )
        except UnicodeDecodeError:
            self.report.error(path, "is not UTF-8 text", fix="save it as UTF-8 (CSV UTF-8)")
        except csv.Error as exc:
            self.report.error(
                path, f"is not valid CSV ({exc})", fix="quote questions that hold commas or quotes"
            )

    def course(self) -> Course:
        assert self.source is not None
        manifest = Manifest.model_validate(self.source.data)
        return Course(root=self.manifest_path.parent, manifest=manifest)


def check_course(course_dir: str | Path) -> Report:
    """Check a course folder; return every problem found (errors and warnings)."""
    return _Checker(Path(course_dir)).run()


def load_course(course_dir: str | Path, *, report: Report | None = None) -> Course:
    """Load and check a course.

    Parameters
    ----------
    course_dir:
        The course folder, or its course.yml.
    report:
        Ignored unless given: then the problems found are added to it (warnings included).

    Raises
    ------
    CourseError
        When the course has errors; ``exc.report`` lists them all.
    """
    checker = _Checker(Path(course_dir))
    found = checker.run()
    if report is not None:
        report.extend(found)
    if not found.ok:
        raise CourseError(found)
    return checker.course()
