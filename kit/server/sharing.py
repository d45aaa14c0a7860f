"""The JupyterHub (5 and later) sharing API requests that let a learner's mentor open the
learner's server for one question, and take that back.

The functions build the request (method, path under the hub's API, JSON body);
:class:`HubClient` sends it with the learner's server's token. The API is JupyterHub's ``/hub/api/shares/{owner}/{server}``:
``POST`` grants a user scopes on the server (``access:servers!server=owner/name``), ``PATCH``
with the same user revokes them.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from kit.server.errors import ApiError

HUB_SECONDS = 10.0
"""How long the hub may take to answer."""


@dataclass(frozen=True)
class HubRequest:
    """One request to the hub's REST API."""

    method: str
    path: str
    """Under the hub's API, e.g. ``/hub/api/shares/ada/`` (the default server's name is "")."""
    body: dict[str, Any] = field(default_factory=dict)


def _path(owner: str, server_name: str, api_prefix: str) -> str:
    if not owner:
        raise ValueError("the server's owner (a hub user name) is empty")
    return f"{api_prefix.rstrip('/')}/shares/{quote(owner, safe='')}/{quote(server_name, safe='')}"


def access_scope(owner: str, server_name: str = "") -> str:
    """The scope that opens ``owner``'s server ``server_name`` (default server: "")."""
    return f"access:servers!server={owner}/{server_name}"


def hub_share_request(
    owner: str, mentor: str, server_name: str = "", *, api_prefix: str = "/hub/api"
) -> HubRequest:
    """The request that shares ``owner``'s server with the hub user ``mentor`` (access only:
    the mentor may open it, not start, stop or share it)."""
    if not mentor:
        raise ValueError("the mentor's hub user name is empty")
    body = {"user": mentor, "scopes": [access_scope(owner, server_name)]}
    return HubRequest("POST", _path(owner, server_name, api_prefix), body)


def hub_revoke_request(
    owner: str, mentor: str, server_name: str = "", *, api_prefix: str = "/hub/api"
) -> HubRequest:
    """The request that takes the share of ``owner``'s server from ``mentor`` back (every
    scope shared with them on it)."""
    if not mentor:
        raise ValueError("the mentor's hub user name is empty")
    return HubRequest("PATCH", _path(owner, server_name, api_prefix), {"user": mentor})


def server_url(hub_url: str, owner: str, server_name: str = "") -> str:
    """Where the mentor opens ``owner``'s shared server on the hub at ``hub_url``."""
    base = f"{hub_url.rstrip('/')}/user/{quote(owner, safe='')}/"
    return base + (f"{quote(server_name, safe='')}/" if server_name else "")


@dataclass(frozen=True)
class HubClient:
    """Sends :class:`HubRequest` s to the hub's API with a user's server token.

    Parameters
    ----------
    api_url:
        The hub's API (``JUPYTERHUB_API_URL``, e.g. ``http://127.0.0.1:8081/hub/api``).
    token:
        The server's token (``JUPYTERHUB_API_TOKEN``), which needs ``shares!user`` (``kit
        service --print-hub-config`` gives it to users and their servers).
    public_url:
        The hub's public address (``JUPYTERHUB_PUBLIC_URL``; "" where the hub sets none: then
        links are paths on the hub, ``/user/NAME/``).
    """

    api_url: str
    token: str
    public_url: str = ""

    @classmethod
    def from_environment(cls, env: dict[str, str] | None = None) -> HubClient:
        """The hub of this server (JupyterHub's environment; 409 when it is not there)."""
        env = dict(os.environ) if env is None else env
        api_url, token = env.get("JUPYTERHUB_API_URL", ""), env.get("JUPYTERHUB_API_TOKEN", "")
        if not api_url or not token:
            raise ApiError(
                409,
                "this server was not started by a JupyterHub, so it cannot share itself",
                "share your server from a server on the course's hub",
            )
        return cls(api_url.rstrip("/"), token, env.get("JUPYTERHUB_PUBLIC_URL", "").rstrip("/"))

    async def send(self, request: HubRequest, *, what: str) -> Any:
        """Send ``request``; the hub's JSON answer (``what`` names it in errors: 403 when the
        hub refuses, 503 when it cannot be reached)."""
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest

        sent = HTTPRequest(
            self.api_url + request.path,
            method=request.method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
            body=json.dumps(request.body),
            connect_timeout=HUB_SECONDS,
            request_timeout=HUB_SECONDS,
        )
        try:
            response = await AsyncHTTPClient().fetch(sent, raise_error=False)
        except OSError as exc:
            raise ApiError(
                503, f"the hub at {self.api_url} cannot be reached to {what} ({exc})"
            ) from exc
        if response.code == 599 or response.code >= 500:
            raise ApiError(
                503, f"the hub could not {what} ({response.code})", "try again in a minute"
            )
        if response.code >= 400:
            message = ""
            with contextlib.suppress(ValueError, AttributeError):
                message = str(json.loads(response.body or b"{}").get("message", ""))
            raise ApiError(
                403,
                f"the hub refused to {what} ({response.code}: {message or 'no reason given'})",
                "the hub's config must let users share their servers (the shares!user scope, "
                "in the user and server roles: kit service --print-hub-config)",
            )
        return json.loads(response.body or b"null")
