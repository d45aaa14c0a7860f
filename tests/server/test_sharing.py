"""The JupyterHub sharing API requests built for a mentor, checked against JupyterHub's own
handlers and request models (jupyterhub/apihandlers/shares.py)."""

from __future__ import annotations

import re

import pytest

from kit.server.sharing import hub_revoke_request, hub_share_request, server_url

shares = pytest.importorskip("jupyterhub.apihandlers.shares")


def _handler(path: str) -> type:
    """The JupyterHub handler that serves ``path`` (under /hub/api), as the hub routes it."""
    assert path.startswith("/hub/api/")
    for pattern, handler in shares.default_handlers:
        if re.fullmatch(pattern, path.removeprefix("/hub")):
            return handler  # type: ignore[no-any-return]
    raise AssertionError(f"no JupyterHub handler for {path}")


def test_a_share_grants_the_mentor_access_to_the_learners_default_server() -> None:
    request = hub_share_request("ada", "grace")
    assert (request.method, request.path) == ("POST", "/hub/api/shares/ada/")
    assert request.body == {"user": "grace", "scopes": ["access:servers!server=ada/"]}
    assert _handler(request.path) is shares.ServerShareAPIHandler
    assert callable(getattr(shares.ServerShareAPIHandler, request.method.lower()))
    grant = shares.ShareGrantRequest(**request.body)  # the hub's own validation
    assert (grant.user, grant.group, grant.scopes) == ("grace", None, request.body["scopes"])


def test_a_named_server_and_odd_names_are_quoted_in_the_path() -> None:
    request = hub_share_request("ada lovelace", "grace", "lab 2")
    assert request.path == "/hub/api/shares/ada%20lovelace/lab%202"
    assert request.body["scopes"] == ["access:servers!server=ada lovelace/lab 2"]
    assert _handler(request.path) is shares.ServerShareAPIHandler


def test_revoking_takes_every_scope_shared_with_the_mentor_back() -> None:
    request = hub_revoke_request("ada", "grace")
    assert (request.method, request.path, request.body) == (
        "PATCH",
        "/hub/api/shares/ada/",
        {"user": "grace"},
    )
    assert callable(shares.ServerShareAPIHandler.patch)
    revoke = shares.ShareRevokeRequest(**request.body)
    assert revoke.user == "grace" and revoke.scopes is None  # None: all of them


def test_empty_names_are_refused_and_the_server_address_is_built() -> None:
    with pytest.raises(ValueError, match="owner"):
        hub_share_request("", "grace")
    with pytest.raises(ValueError, match="mentor"):
        hub_revoke_request("ada", "")
    assert server_url("https://hub.example.org/", "ada") == "https://hub.example.org/user/ada/"
    assert server_url("https://hub.example.org", "ada", "lab") == (
        "https://hub.example.org/user/ada/lab/"
    )
