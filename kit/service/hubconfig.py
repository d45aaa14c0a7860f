"""``kit service --print-hub-config``: the lines of ``jupyterhub_config.py`` that make the kit
service part of a hub.

They add (to whatever else the file sets: each one appends or updates):

- ``c.JupyterHub.services``: the service, started and stopped by the hub (``kit service``);
- ``c.JupyterHub.custom_scopes``: ``custom:kit:instructor`` and ``custom:kit:mentor``;
- ``c.JupyterHub.load_roles``: ``kit-instructor`` and ``kit-mentor`` bound to course.yml's hub
  groups; the service's own role (reading users' groups and roles); the ``user`` role with access
  to the service and the sharing of one's own server (a learner lets their mentor open it); the
  ``server`` role, whose scopes a user's server token gets (those its owner holds: JupyterHub
  drops the rest), so that the server may call the service and share itself for its owner;
- ``c.Spawner.environment``: ``KIT_SERVICE_URL``, which turns forwarding on in users' servers.

JupyterHub allows a token only scopes its owner holds (``jupyterhub.scopes``: a role's scopes
are intersected with the owner's when a server's token is made), hence ``access:services`` in
the ``user`` role: without it no server token could carry it.
"""

from __future__ import annotations

import pprint
import sys
from pathlib import Path
from typing import Any

from kit.course import Course
from kit.service.roles import INSTRUCTOR_ROLE, INSTRUCTOR_SCOPE, MENTOR_ROLE, MENTOR_SCOPE

SERVER_SCOPES = ["users:activity!user", "access:servers!server"]
"""The ``server`` role's scopes in JupyterHub (``jupyterhub.roles``), kept."""
SERVICE_SCOPES = ["read:users:name", "read:users:groups", "read:roles:users"]
SHARE_SCOPE = "shares!user"
"""Sharing one's own servers (JupyterHub 5's sharing API): a learner lets the mentor of a
question open their server; JupyterHub's default ``self`` does not include it."""
"""What the service reads from the hub: a user's groups and roles."""


def hub_settings(
    course: Course,
    *,
    name: str = "kit",
    port: int = 10101,
    database_url: str | None = None,
    command: list[str] | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """What :func:`hub_config` writes, as data: ``service``, ``custom_scopes``, ``roles`` and
    ``environment``."""
    access = f"access:services!service={name}"
    # the hub shares a server only with a user its owner may name: the mentors, here
    mentor_names = f"read:users:name!group={course.manifest.hub.mentors_group}"
    url = (url or f"http://127.0.0.1:{port}").rstrip("/")
    hub = course.manifest.hub
    service: dict[str, Any] = {
        "name": name,
        "url": url,
        "command": command
        or [
            sys.executable,
            "-m",
            "kit",
            "service",
            str(course.root.resolve()),
            "--port",
            str(port),
        ],
        "oauth_no_confirm": True,
        "display": False,
    }
    if database_url:
        # the URL's password, if any, is better kept in the hub's environment (KIT_DATABASE_URL)
        service["environment"] = {"KIT_DATABASE_URL": database_url}
    scopes = {
        INSTRUCTOR_SCOPE: {"description": f"Teach the course {course.id} in the kit service."},
        MENTOR_SCOPE: {"description": f"Mentor learners of {course.id} in the kit service."},
    }
    roles = [
        {
            "name": INSTRUCTOR_ROLE,
            "description": f"Instructors of {course.id} (the kit service)",
            "scopes": [INSTRUCTOR_SCOPE, access],
            "groups": [hub.instructors_group],
        },
        {
            "name": MENTOR_ROLE,
            "description": f"Mentors of {course.id} (the kit service)",
            "scopes": [MENTOR_SCOPE, access],
            "groups": [hub.mentors_group],
        },
        {
            "name": f"{name}-service",
            "description": "The kit service reads users' groups and roles",
            "scopes": SERVICE_SCOPES,
            "services": [name],
        },
        {
            "name": "user",
            "description": "Standard user privileges, the kit service, and sharing one's server",
            "scopes": ["self", access, SHARE_SCOPE, mentor_names],
        },
        {
            "name": "server",
            "description": "A user's server: activity, and the kit service for its owner",
            "scopes": [
                *SERVER_SCOPES,
                access,
                INSTRUCTOR_SCOPE,
                MENTOR_SCOPE,
                SHARE_SCOPE,
                mentor_names,
            ],
        },
    ]
    environment = {"KIT_SERVICE_URL": f"{url}/services/{name}/"}
    return {"service": service, "custom_scopes": scopes, "roles": roles, "environment": environment}


def _literal(value: Any) -> str:
    return pprint.pformat(value, width=96, sort_dicts=False)


def hub_config(
    course: Course,
    *,
    name: str = "kit",
    port: int = 10101,
    database_url: str | None = None,
    command: list[str] | None = None,
    url: str | None = None,
) -> str:
    """The ``jupyterhub_config.py`` lines (Python) for the kit service of ``course``.

    Parameters
    ----------
    course:
        The course the service serves.
    name:
        The service's name on the hub (its URL is ``/services/<name>/``).
    port:
        The port it listens on, on 127.0.0.1.
    database_url:
        The course database, when not course.yml's.
    command:
        How the hub starts it (default: this Python's ``kit service COURSE --port PORT``).
    url:
        Where the hub's proxy and users' servers reach it (default ``http://127.0.0.1:PORT``;
        on Kubernetes, the hub's service name, e.g. ``http://hub:10101``).
    """
    s = hub_settings(
        course, name=name, port=port, database_url=database_url, command=command, url=url
    )
    groups = f"{course.manifest.hub.instructors_group!r} and {course.manifest.hub.mentors_group!r}"
    return "\n".join(
        [
            f"# Mentor Kit: the kit service of the course {course.id!r}",
            f"# (kit service {Path(course.root)} --print-hub-config). Every line adds to what the",
            "# file sets elsewhere; if it defines the 'user' or 'server' role itself, merge",
            "# these roles' scopes into those definitions instead of loading them twice.",
            f"# Put instructors and mentors in the hub groups {groups}.",
            "",
            f"c.JupyterHub.services.append({_literal(s['service'])})",
            "",
            f"c.JupyterHub.custom_scopes.update({_literal(s['custom_scopes'])})",
            "",
            f"c.JupyterHub.load_roles.extend({_literal(s['roles'])})",
            "",
            "# users' servers forward the course's shared state to the service",
            f"c.Spawner.environment.update({_literal(s['environment'])})",
            "",
        ]
    )
