"""The JupyterHub (5 and later) sharing API requests that let a learner's mentor open the
learner's server for one question, and take that back.

Pure functions: they build the request (method, path under the hub's API, JSON body); whoever
holds the learner's token sends it. The API is JupyterHub's ``/hub/api/shares/{owner}/{server}``:
``POST`` grants a user scopes on the server (``access:servers!server=owner/name``), ``PATCH``
with the same user revokes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote


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
