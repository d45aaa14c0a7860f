"""The ``kit`` command (also ``jupyter kit``).

Each command parses its options and calls one library function. The commands live in one module
per group (:mod:`~kit.cli.course`, :mod:`~kit.cli.paths`, :mod:`~kit.cli.grading`,
:mod:`~kit.cli.progress`, :mod:`~kit.cli.book`, :mod:`~kit.cli.router`,
:mod:`~kit.cli.service`); what they share is in
:mod:`kit.cli._common`, which also holds the one path by which errors reach the user. Heavy
libraries (pydantic, matplotlib, nbformat, torch, nbgrader) are imported inside commands so
that ``kit --help`` answers at once.
"""

from __future__ import annotations

import sys

import click

from kit import __version__
from kit.cli import book, course, grading, hub, paths, progress, router, service
from kit.cli._common import KitGroup

__all__ = ["main"]


@click.group(
    cls=KitGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, "-V", "--version", prog_name="kit")
def main() -> None:
    """Mentor Kit: run a mentoring course from a folder of Jupyter notebooks.

    A course is a folder with a course.yml (skills, lessons, projects, tracks, mentors),
    lesson notebooks and nbgrader projects. Start with 'kit new my-course', then 'kit check'.
    """
    # nbformat imports jsonschema, which builds a grammar for checking the "iri" format at
    # import when rfc3987-syntax is installed (a second or more, in every process); no schema
    # the kit checks uses that format
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


for _group in (course, paths, grading, progress, book, router, service, hub):
    for _command in _group.COMMANDS:
        main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
