"""What the handlers share, made once by the extension app: the courses, the roles, the warm
routers, the grading runs, and under a hub the forwarder to the kit service."""

from __future__ import annotations

from dataclasses import dataclass

from kit.server.courses import CourseRegistry
from kit.server.forwarding import Forwarder
from kit.server.grading import GradingRunner
from kit.server.roles import Roles
from kit.server.routing import RouterPool

SETTINGS_KEY = "kit_services"
"""The key of the :class:`Services` in the tornado application's settings."""


@dataclass
class Services:
    """The server's parts that outlive a request."""

    courses: CourseRegistry
    roles: Roles
    routers: RouterPool
    grading: GradingRunner
    forwarder: Forwarder | None = None
    """Under a hub: where the shared state is (None: this server keeps it)."""

    async def close(self) -> None:
        """Stop grading, the routers' threads, and close the databases."""
        await self.grading.close()
        self.routers.close()
        self.courses.close()
