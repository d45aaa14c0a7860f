"""``KitServer``: the jupyter_server extension that serves the kit's REST API at
``<base_url>/kit/api/v1/`` (described by ``openapi.json`` beside this module).

Configured like any Jupyter app (``jupyter_server_config.py``, or the command line)::

    c.KitServer.course_dirs = ["courses/python-ml"]
    c.KitServer.instructors = ["grace"]
    c.KitServer.mentors = {"alan": "alan-t"}     # user name -> course.yml mentor id

Under a JupyterHub with the kit service (``KIT_SERVICE_URL`` and ``JUPYTERHUB_API_TOKEN`` in the
environment) the shared state is the service's: see :mod:`kit.server.forwarding`.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.extension.application import ExtensionApp
from traitlets import Dict, Int, List, Unicode, Union

from kit.server.courses import CourseRegistry
from kit.server.forwarding import SERVICE_URL_ENV, Forwarder
from kit.server.grading import GradingRunner
from kit.server.handlers import ROUTES
from kit.server.roles import Roles
from kit.server.routing import RouterPool
from kit.server.services import SETTINGS_KEY, Services


class KitServer(ExtensionApp):  # type: ignore[misc]
    """Mentor Kit's server extension: courses, paths, mastery, questions, cohort and grading."""

    name = "kit"
    description = "Mentor Kit: the REST API of the JupyterLab panel (/kit/api/v1)."
    load_other_extensions = True

    course_dirs = List(
        Unicode(),
        default_value=[],
        help="Course folders (holding a course.yml), relative to the server's root folder or "
        "absolute. Empty: the courses found under the root folder.",
    ).tag(config=True)
    course_search_depth = Int(
        3, help="How many folder levels below the root folder are searched for courses."
    ).tag(config=True)
    instructors = List(
        Unicode(),
        default_value=[],
        help="User names of the instructors. With no instructors and no mentors configured, "
        "the server's own user is the instructor.",
    ).tag(config=True)
    mentors = Union(
        [Dict(value_trait=Unicode()), List(Unicode())],
        default_value={},
        help="Mentors: user name -> the mentor's id in course.yml, or a list of user names "
        "that are their mentor ids. Users neither instructors nor mentors are learners.",
    ).tag(config=True)
    router_threads = Int(
        1, help="Threads that route questions (each holds a model's forward pass)."
    ).tag(config=True)
    database_url = Unicode(
        "",
        help="The database of every course (a SQLAlchemy URL). Empty: each course's own "
        "(KIT_DATABASE_URL, else course.yml's database:, else a file in the course workspace).",
    ).tag(config=True)
    service_url = Unicode(
        None,
        allow_none=True,
        help="The kit service's URL, to which the shared state is forwarded with the server's "
        f"hub token (JUPYTERHUB_API_TOKEN). None: ${SERVICE_URL_ENV}; empty: never forward.",
    ).tag(config=True)

    def initialize_settings(self) -> None:
        """Make the services the handlers share."""
        assert self.serverapp is not None
        forwarder = Forwarder.from_environment(self.service_url)
        services = Services(
            courses=CourseRegistry(
                self.serverapp.root_dir,
                self.course_dirs,
                self.course_search_depth,
                self.log,
                database_url=self.database_url,
            ),
            roles=Roles(self.instructors, self.mentors),
            routers=RouterPool(self.router_threads),
            grading=GradingRunner(self.log, forwarder),
            forwarder=forwarder,
        )
        self.settings[SETTINGS_KEY] = services
        found = services.courses.courses()
        self.log.info(
            "Mentor Kit: %d course(s) (%s); roles %s",
            len(found),
            ", ".join(c.id for c in found) or "none",
            "from the identity provider"
            if getattr(self.serverapp.identity_provider, "gives_roles", False)
            else "from configuration"
            if not services.roles.alone
            else "alone: the user is instructor",
        )
        if services.forwarder is not None:
            self.log.info(
                "Mentor Kit: the shared state is the kit service's, at %s",
                services.forwarder.service_url,
            )

    def initialize_handlers(self) -> None:
        """Register the API's routes."""
        self.handlers.extend(ROUTES)

    async def stop_extension(self) -> None:
        """Stop grading runs and the routers' threads; close the databases."""
        services: Any = self.settings.get(SETTINGS_KEY)
        if services is not None:
            await services.close()
