"""A hub user's role in the course: from the hub's groups and roles (read with the service's own
token, kept for :data:`CACHE_SECONDS`), or from custom scopes their token carries.

- instructor: in course.yml's ``hub.instructors_group`` (default ``kit-instructors``), or given
  the ``kit-instructor`` role, or a token with the ``custom:kit:instructor`` scope;
- mentor: the same with ``hub.mentors_group`` / ``kit-mentor`` / ``custom:kit:mentor``, and one of
  course.yml's mentors (the one whose ``user``, ``hub_user`` or else ``id``, is the hub name);
- everyone else is a learner.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.parse
from collections.abc import Collection
from dataclasses import dataclass

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from kit.course import Course
from kit.server.errors import ApiError
from kit.server.roles import Identity

INSTRUCTOR_SCOPE = "custom:kit:instructor"
MENTOR_SCOPE = "custom:kit:mentor"
INSTRUCTOR_ROLE = "kit-instructor"
MENTOR_ROLE = "kit-mentor"
CACHE_SECONDS = 30.0
"""How long a user's groups and roles, as the hub gave them, are trusted."""
STALE_SECONDS = 600.0
"""How long, after that, they still answer a request while they are read again behind it (so a
busy or restarting hub does not stop the course); older than this, a request waits for the hub."""
HUB_SECONDS = 10.0
"""How long the hub may take to answer."""


@dataclass(frozen=True)
class Membership:
    """A hub user's groups and roles."""

    groups: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()


def role_of(course: Course, name: str, scopes: Collection[str], membership: Membership) -> Identity:
    """The identity of the hub user ``name`` in ``course``, given their token's scopes and
    their groups and roles."""
    hub = course.manifest.hub
    mentor_id = next((m.id for m in course.mentors.values() if m.user == name), None)
    if (
        INSTRUCTOR_SCOPE in scopes
        or hub.instructors_group in membership.groups
        or INSTRUCTOR_ROLE in membership.roles
    ):
        return Identity(name, "instructor", mentor_id)
    mentor = (
        MENTOR_SCOPE in scopes
        or hub.mentors_group in membership.groups
        or MENTOR_ROLE in membership.roles
    )
    if mentor and mentor_id is not None:
        return Identity(name, "mentor", mentor_id)
    return Identity(name, "learner")


class HubRoles:
    """Hub users' roles, their groups and roles read from the hub's API with the service's token.

    Parameters
    ----------
    api_url:
        The hub's API (``JUPYTERHUB_API_URL``).
    token:
        The service's own token (``JUPYTERHUB_API_TOKEN``), which needs ``read:users:groups``
        and ``read:roles:users`` (the printed hub config gives them).
    """

    def __init__(
        self,
        api_url: str,
        token: str,
        log: logging.Logger | None = None,
        ttl: float = CACHE_SECONDS,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.ttl = ttl
        self.log = log or logging.getLogger(__name__)
        self._cache: dict[str, tuple[float, Membership]] = {}
        self._reading: dict[str, asyncio.Future[Membership]] = {}
        self._warned: set[str] = set()

    async def membership(self, name: str) -> Membership:
        """The hub user's groups and roles: as last read while that is under ``ttl`` seconds
        old; up to :data:`STALE_SECONDS` old, as last read while the hub is asked again behind
        the request; else from the hub. One request to the hub per user at a time, however many
        of their requests wait for it (200 learners whose roles expire together ask the hub 200
        times, not once per request)."""
        cached = self._cache.get(name)
        if cached is not None:
            age = time.monotonic() - cached[0]
            if age < self.ttl:
                return cached[1]
            if age < self.ttl + STALE_SECONDS:
                self._read(name)  # a failure keeps the last answer (and is logged)
                return cached[1]
        return await asyncio.shield(self._read(name))

    def _read(self, name: str) -> asyncio.Future[Membership]:
        """The one reading of ``name``'s groups under way, started if none is."""
        reading = self._reading.get(name)
        if reading is None:
            reading = asyncio.ensure_future(self._fetch_and_keep(name))
            self._reading[name] = reading
            reading.add_done_callback(lambda done: self._read_done(name, done))
        return reading

    def _read_done(self, name: str, done: asyncio.Future[Membership]) -> None:
        self._reading.pop(name, None)
        if not done.cancelled() and done.exception() is not None and name in self._cache:
            self.log.warning(
                "kit service: %s's groups could not be read again (%s); their last ones stand",
                name,
                done.exception(),
            )

    async def _fetch_and_keep(self, name: str) -> Membership:
        found = await self._fetch(name)
        self._cache[name] = (time.monotonic(), found)
        return found

    async def _fetch(self, name: str) -> Membership:
        url = f"{self.api_url}/users/{urllib.parse.quote(name, safe='')}"
        request = HTTPRequest(
            url,
            headers={"Authorization": f"token {self.token}"},
            connect_timeout=HUB_SECONDS,
            request_timeout=HUB_SECONDS,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except Exception as exc:  # the hub is down or restarting
            raise ApiError(
                503,
                f"the hub at {self.api_url} cannot be reached to read {name}'s groups ({exc})",
                "try again in a minute; the hub may be restarting",
            ) from exc
        if response.code in (403, 404):
            if name not in self._warned:
                self._warned.add(name)
                self.log.warning(
                    "kit service: the hub gave no groups for %s (%d); they are a learner. "
                    "The service's token needs read:users:groups and read:roles:users "
                    "(kit service --print-hub-config)",
                    name,
                    response.code,
                )
            return Membership()
        if response.code >= 400:
            raise ApiError(
                503,
                f"the hub answered {response.code} when asked for {name}'s groups",
                "try again in a minute; if it keeps happening, see the hub's log",
            )
        model = json.loads(response.body or b"{}")
        return Membership(frozenset(model.get("groups") or ()), frozenset(model.get("roles") or ()))

    async def identity(self, course: Course, model: dict[str, object]) -> Identity:
        """The identity of the hub user or service that ``model`` (HubAuth's answer for a
        token) describes."""
        name = str(model["name"])
        scopes = {str(s) for s in model.get("scopes") or ()}  # type: ignore[attr-defined]
        if model.get("kind", "user") == "user":
            membership = await self.membership(name)
        else:  # a service: its token's scopes say all
            membership = Membership()
        found = role_of(course, name, scopes, membership)
        hub = course.manifest.hub
        claimed = MENTOR_SCOPE in scopes or hub.mentors_group in membership.groups
        if found.role == "learner" and claimed and name not in self._warned:
            self._warned.add(name)
            self.log.warning(
                "kit service: %s is in the hub group %s but no mentor in %s's course.yml has "
                "that hub user name (hub_user or id); they are a learner",
                name,
                hub.mentors_group,
                course.id,
            )
        return found
