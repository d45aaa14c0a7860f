"""``kit hub``: a JupyterHub on this machine (127.0.0.1) for a course, run in the foreground."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kit.cli._common import COURSE, console, load


@click.command()
@COURSE
@click.option(
    "--folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build/hub"),
    show_default=True,
    help="The hub's folder: its config, database, logs and the users' homes.",
)
@click.option(
    "--port",
    type=int,
    default=8000,
    show_default=True,
    help="The hub's port on 127.0.0.1 (0: a free one).",
)
@click.option(
    "--instructor", default="ada", show_default=True, help="The instructor's user name (an admin)."
)
@click.option(
    "--mentor",
    "mentors",
    multiple=True,
    help="A mentor's hub user name, as course.yml's mentors give it (repeat; default: all).",
)
@click.option(
    "--learners", type=click.IntRange(1, 500), default=4, show_default=True, help="learner1..N."
)
@click.option(
    "--password", default=None, help="Everyone's password (default: one made once and kept)."
)
@click.option(
    "--database-url",
    default="",
    help="The kit service's database URL (default: SQLite in the hub's folder).",
)
@click.option(
    "--no-service",
    is_flag=True,
    help="Run no kit service: each server keeps the course's state alone, as without a hub.",
)
@click.option("--write-only", is_flag=True, help="Write the hub's config and stop.")
def hub(
    course: Path,
    folder: Path,
    port: int,
    instructor: str,
    mentors: tuple[str, ...],
    learners: int,
    password: str | None,
    database_url: str,
    no_service: bool,
    write_only: bool,
) -> None:
    """Run a JupyterHub for COURSE on 127.0.0.1: an instructor (ada), the course's mentors
    and learner1..N, all with one password (printed); the kit service runs beside it.
    Ctrl-C stops the hub, its proxy, the service and every user's server."""
    from kit.service.localhub import HubUsers, write_hub

    mentors = mentors or tuple(m.user for m in load(course).manifest.mentors)
    users = HubUsers(
        instructors=(instructor,),
        mentors=mentors,
        learners=tuple(f"learner{i}" for i in range(1, learners + 1)),
    )
    written = write_hub(
        folder,
        course,
        users=users,
        port=port,
        password=password,
        service_database=database_url,
        service=not no_service,
    )
    out = console()
    out.print(f"[green]hub written[/green] {written.config}")
    out.print(f"Open [bold]{written.url}[/bold] and log in as one of:")
    for name in users.all:
        out.print(f"    {name:<10} {users.role(name)}")
    out.print(f"with the password [bold]{written.password}[/bold] (kept in {folder}/password).")
    if write_only:
        out.print(f"Run it: {' '.join(written.command)}")
        return
    out.print("Ctrl-C stops the hub and every server it started.")
    sys.stdout.flush()
    os.chdir(written.folder)
    os.execv(written.command[0], written.command)


COMMANDS = [hub]
