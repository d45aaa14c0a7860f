"""``/me``, ``/courses``, ``/courses/{id}`` and the OpenAPI document."""

from __future__ import annotations

from kit.server import views
from kit.server.handlers.base import KitHandler, allowed
from kit.server.openapi import document
from kit.server.roles import ROLES


class OpenApiHandler(KitHandler):
    """``GET /openapi.json``."""

    @allowed(*ROLES)
    async def get(self) -> None:
        self.send(document())


class MeHandler(KitHandler):
    """``GET /me``."""

    @allowed(*ROLES)
    async def get(self) -> None:
        me = self.identity
        courses = [c.id for c in self.services.courses.courses(self.query("notebook"))]
        self.send({"name": me.name, "role": me.role, "mentor_id": me.mentor_id, "courses": courses})


class CoursesHandler(KitHandler):
    """``GET /courses``."""

    @allowed(*ROLES)
    async def get(self) -> None:
        registry = self.services.courses
        self.send(
            [
                views.course_summary(c, registry.relative(c, "."))
                for c in registry.courses(self.query("notebook"))
            ]
        )


class CourseHandler(KitHandler):
    """``GET /courses/{id}``."""

    @allowed(*ROLES)
    async def get(self, course_id: str) -> None:
        registry = self.services.courses
        course = registry.course(course_id)
        self.send(
            views.course_detail(course, registry.relative(course, "."), self.relative(course))
        )
