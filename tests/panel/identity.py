"""Several users on one test JupyterLab: each token names its user.

A single-user Jupyter server knows one person; the browser tests need a learner and a mentor
side by side. This identity provider (jupyter_server's extension point for who a request
comes from) maps each token of ``KIT_TEST_USERS`` (JSON: token -> user name) to its user; the
login cookie then keeps that user for the browser context, as the default provider does.
"""

from __future__ import annotations

import json
import os

from jupyter_server.auth.identity import IdentityProvider, User
from tornado import web


class TokenUsers(IdentityProvider):
    """One user per token (KIT_TEST_USERS); for tests only."""

    async def get_user_token(self, handler: web.RequestHandler) -> User | None:
        users: dict[str, str] = json.loads(os.environ.get("KIT_TEST_USERS", "{}"))
        name = users.get(self.get_token(handler) or "")
        return User(username=name, name=name, display_name=name) if name else None
