"""``kit service COURSE``: the course's JupyterHub service (the shared state of many learners).

The Jupyter server and JupyterHub's authentication load when the command runs, so
``kit --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from kit.cli._common import COURSE, load


@click.command()
@COURSE
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    help="Port to listen on (default: the port of $JUPYTERHUB_SERVICE_URL, else 10101).",
)
@click.option(
    "--ip",
    help="Address to listen on (default: the host of $JUPYTERHUB_SERVICE_URL, else 127.0.0.1).",
)
@click.option(
    "--database-url",
    help="The course database, a SQLAlchemy URL: sqlite:////path/file.sqlite, or "
    "postgresql://USER@HOST/NAME for production (default: $KIT_DATABASE_URL, else course.yml's "
    "database:, else an SQLite file in the course workspace).",
)
@click.option(
    "--name",
    default=None,
    help="The service's name on the hub (default: $JUPYTERHUB_SERVICE_NAME, else kit).",
)
@click.option(
    "--root-dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder the notebook paths in answers are relative to (default: the course's parent, "
    "as users' servers keep it).",
)
@click.option(
    "--service-url",
    help="With --print-hub-config: where the hub's proxy and users' servers reach the service "
    "(default: http://127.0.0.1:PORT; on Kubernetes e.g. http://hub:10101).",
)
@click.option(
    "--print-hub-config",
    is_flag=True,
    help="Print the jupyterhub_config.py lines (service, custom scopes, roles, the users' "
    "servers' environment) and exit.",
)
def service(
    course: Path,
    port: int | None,
    ip: str | None,
    database_url: str | None,
    name: str | None,
    root_dir: Path | None,
    service_url: str | None,
    print_hub_config: bool,
) -> None:
    """Run the course's JupyterHub service: the shared state (questions and answers, attempts,
    profiles, the cohort) of every learner, behind the kit's API, with roles from hub groups.

    Under a hub, the hub starts it (see --print-hub-config); users' servers forward to it.
    """
    import os

    from kit.service import ServiceSettings, hub_config, serve

    loaded = load(course)
    settings = ServiceSettings(
        course, port=port, ip=ip, database_url=database_url, root_dir=root_dir
    )
    if name:
        settings.name = name
    if print_hub_config:
        _, chosen = settings.address()
        url = database_url or os.environ.get("KIT_DATABASE_URL") or None
        text = hub_config(
            loaded, name=settings.name, port=chosen, database_url=url, url=service_url
        )
        click.echo(text, nl=False)
        return
    serve(settings)


COMMANDS = [service]
