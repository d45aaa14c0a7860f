"""``kit new``: a small course that works from the first minute and shows every part of the format."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from kit.course.manifest import ID_PATTERN
from kit.errors import KitError


class ScaffoldError(KitError):
    """The course cannot be created where asked (the folder is in use, or the id is not valid)."""


COURSE_YML = """\
# Mentor Kit course manifest. Check it with: kit check {folder}
# Editors can validate and complete this file: run 'kit schema -o course.schema.json' and
# add the line '# yaml-language-server: $schema=course.schema.json' at the top.
id: {course_id}
title: {title}
summary: >
  What learners will be able to do at the end, in two sentences.
version: "0.1"

# The knowledge graph: each skill lists the skills a learner needs first.
skills:
  - id: first-steps
    title: First steps
    description: Run cells, use names and call functions.
  - id: loops
    title: Loops
    description: Repeat work with for loops.
    prerequisites: [first-steps]
  - id: functions
    title: Writing functions
    description: Wrap work in a function with parameters and a return value.
    prerequisites: [first-steps]

# Lesson notebooks and the skills each teaches.
lessons:
  - id: first-steps
    notebook: lessons/01-first-steps.ipynb
    title: First steps
    skills: [first-steps]
    minutes: 30
    level: beginner
  - id: loops-and-functions
    notebook: lessons/02-loops-and-functions.ipynb
    title: Loops and functions
    skills: [loops, functions]
    minutes: 45
    level: beginner

# nbgrader source folders; each grade cell names the skill it measures in its
# metadata: "kit": {{"skill": "<id>"}}.
projects:
  - id: first-project
    source: projects/first-project
    title: Your first graded project
    skills: [loops, functions]
    points: 3
    minutes: 60

# Goals a learner can choose; their path follows the prerequisites.
tracks:
  - id: programmer
    title: Programmer
    audience: Anyone who wants to write small programs.
    goals: [functions, loops]

# Who answers questions on which skills.
mentors:
  - id: mentor
    name: Your Name
    skills: [first-steps, loops, functions]
    contact: you@example.org
"""

QUESTIONS_CSV = """\
text,skill
how do i run a cell,first-steps
what is a variable,first-steps
my for loop runs one time too many,loops
how do I loop over a list and keep a running total,loops
my function returns None instead of the number,functions
what does return do,functions
"""


def _notebook(cells: list[Any], skills: list[str]) -> Any:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata.update(
        {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
            "kit": {"skills": skills},
        }
    )
    return nb


def _lessons() -> dict[str, Any]:
    from nbformat.v4 import new_code_cell as code
    from nbformat.v4 import new_markdown_cell as md

    first = _notebook(
        [
            md(
                "# First steps\n\nIn this lesson you run code and give values names.\n\n"
                "```{tip}\nPress **Shift+Enter** to run a cell and move to the next.\n```"
            ),
            code("greeting = 'hello'\nprint(greeting.upper())"),
            md("A name refers to a value. Change `greeting` above and run the cell again."),
            code("len(greeting)"),
        ],
        ["first-steps"],
    )
    second = _notebook(
        [
            md("# Loops and functions\n\nA `for` loop repeats work; a function gives it a name."),
            code("total = 0\nfor n in [1, 2, 3]:\n    total += n\ntotal"),
            code(
                'def add_all(numbers):\n    """Return the sum of numbers."""\n'
                "    total = 0\n    for n in numbers:\n        total += n\n    return total\n\n"
                "add_all([4, 5, 6])"
            ),
        ],
        ["loops", "functions"],
    )
    return {"lessons/01-first-steps.ipynb": first, "lessons/02-loops-and-functions.ipynb": second}


def _nbgrader(grade_id: str, **flags: Any) -> dict[str, Any]:
    meta = {
        "grade": False,
        "solution": False,
        "locked": False,
        "task": False,
        "grade_id": grade_id,
        "schema_version": 3,
    }
    meta.update(flags)
    return meta


def _project() -> Any:
    from nbformat.v4 import new_code_cell as code
    from nbformat.v4 import new_markdown_cell as md

    cells = [
        md(
            "# Your first graded project\n\nWrite `count_evens(numbers)`: how many numbers in the "
            "list are even. Then run the tests below."
        ),
        code(
            'def count_evens(numbers):\n    """Return how many of numbers are even."""\n'
            "    ### BEGIN SOLUTION\n    return sum(1 for n in numbers if n % 2 == 0)\n"
            "    ### END SOLUTION"
        ),
        code("assert count_evens([1, 2, 3, 4]) == 2\nassert count_evens([]) == 0"),
        code(
            "assert count_evens([2, 2, 2]) == 3\n### BEGIN HIDDEN TESTS\n"
            "assert count_evens([-2, 7, 0]) == 2\n### END HIDDEN TESTS"
        ),
    ]
    cells[0].metadata["nbgrader"] = _nbgrader("instructions", locked=True)
    cells[1].metadata["nbgrader"] = _nbgrader("count-evens", solution=True)
    cells[2].metadata["nbgrader"] = _nbgrader("test-count-evens", grade=True, locked=True, points=2)
    cells[2].metadata["kit"] = {"skill": "loops"}
    cells[3].metadata["nbgrader"] = _nbgrader(
        "test-count-evens-more", grade=True, locked=True, points=1
    )
    cells[3].metadata["kit"] = {"skill": "functions"}
    return _notebook(cells, ["loops", "functions"])


def _default_id(directory: Path) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", directory.resolve().name.lower()).strip("-_")
    return slug or "my-course"


def new_course(
    directory: str | Path, *, course_id: str | None = None, title: str | None = None
) -> Path:
    """Create a working course in ``directory`` (which must not exist or be empty).

    The files are written to a temporary folder first and moved into place at the end, so a
    failure leaves nothing half-written.

    Returns
    -------
    Path
        The course folder.
    """
    import nbformat

    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(
            f"'{target}' already exists and is not empty", fix="choose a new folder"
        )
    course_id = course_id or _default_id(target)
    if not re.match(ID_PATTERN, course_id):
        raise ScaffoldError(
            f"course id '{course_id}' is not a valid id",
            fix="pass --id with lower-case letters, digits, '-' and '_'",
        )
    title = title or course_id.replace("-", " ").replace("_", " ").capitalize()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".kit-new-") as tmp:
        staging = Path(tmp) / "course"
        (staging / "lessons").mkdir(parents=True)
        (staging / "projects" / "first-project").mkdir(parents=True)
        safe_title = title.replace('"', '\\"')
        (staging / "course.yml").write_text(
            COURSE_YML.format(folder=target, course_id=course_id, title=f'"{safe_title}"'),
            encoding="utf-8",
        )
        (staging / "questions.csv").write_text(QUESTIONS_CSV, encoding="utf-8")
        for relative, nb in _lessons().items():
            nbformat.write(nb, staging / relative)
        nbformat.write(_project(), staging / "projects" / "first-project" / "first-project.ipynb")
        if target.exists():
            target.rmdir()
        shutil.move(str(staging), str(target))
    return target
