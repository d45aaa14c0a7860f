"""Checking the notebooks course.yml names: lessons (metadata, self-checks) and projects
(nbgrader grade cells, their skills and points)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.course.notebooks import (
    by_hand,
    cell_skill,
    grade_cells,
    is_task,
    kit_metadata,
    read_notebook,
)
from kit.course.problems import did_you_mean, join_fix
from kit.course.validation.manifest import CourseCheck

SELF_CHECK_CALL = re.compile(r"""\bself_check\(\s*(?:check_id\s*=\s*)?(["'])([^"']*)\1""")
"""A lesson's ``self_check("id")`` call (the id written as a literal)."""
CELL_SKILL_FIX = (
    'add "kit": {"skill": "<skill id>"} to the cell\'s metadata '
    "(JupyterLab: Property Inspector > Advanced Tools > Cell Metadata), or give the project "
    "a 'skill:' in course.yml for all its cells that name none"
)


# -- lessons ----------------------------------------------------------------------------------


def check_lessons(check: CourseCheck) -> None:
    """Each lesson's notebook: readable, used by one lesson, its self-checks and skills known."""
    seen: dict[str, str] = {}
    for index, lesson in check.valid["lessons"]:
        loc = ("lessons", index, "notebook")
        path = check.dir / lesson.notebook
        result = read_notebook(path)
        if result.problem is not None:
            check.error(
                loc,
                f"lesson '{lesson.id}': notebook '{lesson.notebook}' {result.problem.message}",
                result.problem.fix,
            )
            continue
        if lesson.notebook in seen:
            check.warning(
                loc,
                f"lessons '{seen[lesson.notebook]}' and '{lesson.id}' use the same notebook",
                "give each lesson its own notebook",
            )
        seen.setdefault(lesson.notebook, lesson.id)
        _self_checks(check, path, result.notebook)
        _lesson_skills(check, lesson, path, result.notebook)


def _lesson_skills(check: CourseCheck, lesson: Any, path: Path, notebook: Any) -> None:
    """The skills a notebook's metadata declares: known, and the same as course.yml's."""
    known = set(check.ids["skills"])
    declared = kit_metadata(notebook).get("skills")
    if declared is None:
        return
    where = "metadata.kit.skills"
    if not isinstance(declared, list) or not all(isinstance(s, str) for s in declared):
        check.report.error(
            path,
            "notebook metadata kit.skills must be a list of skill ids",
            fix='write it as a list, e.g. ["numpy"]',
            field=where,
        )
        return
    for skill_id in declared:
        if skill_id not in known:
            check.report.error(
                path,
                f"notebook metadata names unknown skill '{skill_id}'",
                fix=join_fix(did_you_mean(skill_id, known), "use ids declared in course.yml"),
                field=where,
            )
    if set(declared) & known != set(lesson.skills) & known:
        check.report.warning(
            path,
            f"notebook metadata lists skills {sorted(declared)} but course.yml lists "
            f"{sorted(lesson.skills)} for lesson '{lesson.id}'",
            fix="make them agree (course.yml is what the kit uses)",
            field=where,
        )


def _self_checks(check: CourseCheck, path: Path, notebook: Any) -> None:
    """Every ``self_check("id")`` in a lesson names a check of course.yml."""
    checks = set(check.ids["checks"])
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for match in SELF_CHECK_CALL.finditer(cell.source):
            check_id = match.group(2)
            if check_id not in checks:
                check.report.error(
                    path,
                    f"self_check({check_id!r}) names no check of course.yml",
                    field=f"cells[{index}]",
                    fix=join_fix(
                        did_you_mean(check_id, checks),
                        "add the question under 'checks:' in course.yml, or fix the id",
                    ),
                )


# -- projects ---------------------------------------------------------------------------------


@dataclass
class _GradeCells:
    """What a project's grade and task cells add up to."""

    measured: set[str] = field(default_factory=set)
    grade_ids: dict[str, Path] = field(default_factory=dict)
    points: float = 0.0
    by_hand: float = 0.0  # of which graded by hand (task cells, answers without tests)
    readable: int = 0


def check_projects(check: CourseCheck) -> None:
    """Each project's source folder: notebooks with grade cells whose skills and points agree
    with course.yml."""
    for index, project in check.valid["projects"]:
        notebooks = _project_notebooks(check, index, project)
        if not notebooks:
            continue
        cells = _GradeCells()
        for path in notebooks:
            result = read_notebook(path)
            if result.problem is not None:
                check.report.extend([result.problem])
                continue
            cells.readable += 1
            for cell_index, cell in grade_cells(result.notebook):
                _grade_cell(check, project, path, cell_index, cell, cells)
        _project_totals(check, index, project, cells, all_read=cells.readable == len(notebooks))


def _project_notebooks(check: CourseCheck, index: int, project: Any) -> list[Path]:
    """The project's source notebooks, or [] with the reason reported."""
    folder = check.dir / project.source
    loc = ("projects", index, "source")
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "not found"
        check.error(
            loc,
            f"source folder '{project.source}' of project '{project.id}' {what}",
            "point 'source' to the folder of the project's nbgrader source notebooks",
        )
        return []
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        check.error(
            loc,
            f"project '{project.id}' has no notebooks in '{project.source}'",
            "add its nbgrader source notebook(s) there",
        )
    return notebooks


def _grade_cell(
    check: CourseCheck, project: Any, path: Path, index: int, cell: Any, cells: _GradeCells
) -> None:
    """One grade or task cell: its id unique, its points a number, its skill known and the
    project's."""
    nbgrader = cell.metadata.nbgrader
    grade_id = nbgrader.get("grade_id")
    where = f"cells[{index}]" + (f" (grade_id '{grade_id}')" if grade_id else "")
    kind = "task cell" if is_task(cell) else "grade cell"
    if not grade_id:
        check.report.error(
            path,
            f"{kind} has no nbgrader grade_id",
            field=where,
            fix="open it with the nbgrader Create Assignment toolbar and give it an id",
        )
    elif grade_id in cells.grade_ids:
        check.report.error(
            path,
            f"grade_id '{grade_id}' is used twice",
            field=where,
            fix="give each grade cell its own id",
        )
    else:
        cells.grade_ids[grade_id] = path
    try:
        points = float(nbgrader.get("points", 0) or 0)
    except (TypeError, ValueError):
        check.report.error(
            path,
            f"points {nbgrader.get('points')!r} is not a number",
            field=where,
            fix="set the cell's points to a number",
        )
    else:
        cells.points += points
        cells.by_hand += points if by_hand(cell) else 0.0
    _grade_cell_skill(check, project, path, (kind, where), cell, cells)


def _grade_cell_skill(
    check: CourseCheck,
    project: Any,
    path: Path,
    place: tuple[str, str],
    cell: Any,
    cells: _GradeCells,
) -> None:
    """The skill a grade or task cell measures (its own, or the project's): known, and one of
    the project's skills. ``place`` is the kind of cell and where it is."""
    kind, where = place
    own = kit_metadata(cell).get("skill")
    skill = cell_skill(cell, project.skill)
    known = set(check.ids["skills"])
    if not skill:
        check.report.error(path, f"{kind} names no skill", field=where, fix=CELL_SKILL_FIX)
    elif not isinstance(skill, str) or skill not in known:
        if not own:
            return  # the project's skill: reported once, on course.yml
        check.report.error(
            path,
            f"{kind} names unknown skill {skill!r}",
            field=where,
            fix=join_fix(did_you_mean(str(skill), known), "use a skill id declared in course.yml"),
        )
    else:
        cells.measured.add(skill)
        if own and skill not in project.skills:
            check.report.warning(
                path,
                f"{kind} measures '{skill}', which project '{project.id}' does not list",
                field=where,
                fix=f"add '{skill}' to the project's skills in course.yml",
            )


def _project_totals(
    check: CourseCheck, index: int, project: Any, cells: _GradeCells, *, all_read: bool
) -> None:
    """The project as a whole: it has grade cells, they measure its skills, points add up."""
    if all_read and not cells.grade_ids:
        check.error(
            ("projects", index, "source"),
            f"project '{project.id}' has no grade cells",
            "mark its test cells as 'Autograder tests' with nbgrader",
        )
        return
    known = set(check.ids["skills"])
    for skill in project.skills:
        if skill in known and cells.grade_ids and skill not in cells.measured:
            check.warning(
                ("projects", index, "skills"),
                f"no grade cell of project '{project.id}' measures '{skill}'",
                "tag a grade cell with it, or remove it from the project's skills",
            )
    if project.skill in known and project.skill not in project.skills:
        check.warning(
            ("projects", index, "skill"),
            f"project '{project.id}' gives its cells skill '{project.skill}', which its "
            "skills do not list",
            f"add '{project.skill}' to the project's skills",
        )
    if cells.grade_ids and abs(cells.points - project.points) > 1e-9:
        by_hand = f", {cells.by_hand:g} of them graded by hand" if cells.by_hand else ""
        check.warning(
            ("projects", index, "points"),
            f"project '{project.id}' says {project.points:g} points but its grade and task "
            f"cells add up to {cells.points:g}{by_hand}",
            f"set points: {cells.points:g}",
        )
