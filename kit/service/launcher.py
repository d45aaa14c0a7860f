"""``kit service COURSE``: a Jupyter server with only the kit's extension, behind the hub.

Started by JupyterHub as a managed service, it reads the hub's environment: the service's name
(``JUPYTERHUB_SERVICE_NAME``), its URL prefix (``JUPYTERHUB_SERVICE_PREFIX``, e.g.
``/services/kit/``) and address (``JUPYTERHUB_SERVICE_URL``), the hub's API and the service's
token; HubOAuth reads the rest. Its API is at ``<prefix>kit/api/v1/``, through the hub's proxy
and at its own address alike.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_PORT = 10101
DEFAULT_NAME = "kit"


def _prefix(name: str) -> str:
    value = os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or f"/services/{name}/"
    return "/" + value.strip("/") + "/"


@dataclass
class ServiceSettings:
    """How the service runs.

    Parameters
    ----------
    course:
        The course folder (its course.yml).
    port, ip:
        Where it listens (default: ``JUPYTERHUB_SERVICE_URL``'s, else 127.0.0.1:10101).
    database_url:
        The course database (default: ``KIT_DATABASE_URL``, else course.yml's ``database:``,
        else the SQLite file in the course workspace).
    name:
        The service's name on the hub (``JUPYTERHUB_SERVICE_NAME``, else ``kit``).
    root_dir:
        The folder lesson and notebook paths in answers are relative to (default: the course
        folder's parent, where users' servers are expected to keep the course too).
    """

    course: Path
    port: int | None = None
    ip: str | None = None
    database_url: str | None = None
    name: str = field(
        default_factory=lambda: os.environ.get("JUPYTERHUB_SERVICE_NAME", DEFAULT_NAME)
    )
    root_dir: Path | None = None

    def address(self) -> tuple[str, int]:
        """(ip, port) to listen on."""
        url = urllib.parse.urlsplit(os.environ.get("JUPYTERHUB_SERVICE_URL", ""))
        ip = self.ip or url.hostname or "127.0.0.1"
        port = self.port or url.port or DEFAULT_PORT
        return ip, port

    def config(self) -> Any:
        """The Jupyter server's configuration."""
        from traitlets.config import Config

        from kit.service.identity import HubIdentityProvider, KitOnlyAuthorizer

        course = self.course.expanduser().resolve()
        ip, port = self.address()
        c = Config()
        c.ServerApp.jpserver_extensions = {"kit.server": True}
        c.ServerApp.identity_provider_class = HubIdentityProvider
        c.ServerApp.authorizer_class = KitOnlyAuthorizer
        c.ServerApp.base_url = _prefix(self.name)
        c.ServerApp.ip = ip
        c.ServerApp.port = port
        c.ServerApp.port_retries = 0  # the hub's proxy points at this port, and no other
        c.ServerApp.open_browser = False
        c.ServerApp.allow_root = (
            True  # it runs no kernels or terminals: its authorizer refuses them
        )
        c.ServerApp.root_dir = str((self.root_dir or course.parent).resolve())
        c.ServerApp.allow_remote_access = ip not in ("127.0.0.1", "localhost")
        c.KitServer.course_dirs = [str(course)]
        c.KitServer.service_url = ""  # the service keeps the state: it never forwards
        c.KitServer.database_url = self.database_url or ""
        c.HubOAuth.access_scopes = {f"access:services!service={self.name}"}
        c.HubOAuth.base_url = _prefix(self.name)  # the OAuth cookie's path
        c.HubOAuth.oauth_client_id = (
            os.environ.get("JUPYTERHUB_CLIENT_ID") or f"service-{self.name}"
        )
        if not os.environ.get("JUPYTERHUB_OAUTH_CALLBACK_URL"):
            c.HubOAuth.oauth_redirect_uri = f"{_prefix(self.name)}oauth_callback"
        return c


def service_app() -> Any:
    """The Jupyter server class of the service: one that reads no user configuration and
    loads no extension but the kit's."""
    from jupyter_server.serverapp import ServerApp

    class KitServiceApp(ServerApp):  # type: ignore[misc]
        name = "kit-service"
        description = "Mentor Kit's JupyterHub service: the course's shared state."

        @property
        def config_file_paths(self) -> list[str]:
            return []  # jupyter_server_config.d enables JupyterLab, nbgrader...: none of them

        def find_server_extensions(self) -> None:
            self.jpserver_extensions = {"kit.server": True}

    return KitServiceApp


def check_hub_environment(env: dict[str, str] | None = None) -> None:
    """Refuse to start without a hub to ask who is who.

    Raises
    ------
    KitError
        Without ``JUPYTERHUB_API_TOKEN`` (the hub sets it for the services it manages).
    """
    from kit.errors import KitError

    env = dict(os.environ) if env is None else env
    if not env.get("JUPYTERHUB_API_TOKEN", "").strip():
        raise KitError(
            "JUPYTERHUB_API_TOKEN is not set: the kit service asks JupyterHub who each request's "
            "user is, with the token the hub gives it",
            fix="let the hub start it: add the lines of 'kit service COURSE --print-hub-config' "
            "to jupyterhub_config.py; started by hand, set JUPYTERHUB_API_TOKEN (a service "
            "token) and JUPYTERHUB_API_URL",
        )


def serve(settings: ServiceSettings) -> None:
    """Run the service until it is stopped."""
    from kit.course import load_course

    check_hub_environment()
    load_course(settings.course)  # a course with errors stops here, with its report
    app = service_app()(config=settings.config())
    app.initialize(argv=[])
    app.start()
