"""A fake JupyterHub API on 127.0.0.1, answering what the kit service asks of a hub: who owns a
token (``/hub/api/user``, as ``HubAuth`` asks; ``/hub/api/authorizations/token/...``, as older
clients do), a user's groups and roles (``/hub/api/users/NAME``, with the service's token), and
the token an OAuth login's code is worth (``/hub/api/oauth2/token``).

It runs on its own thread and event loop, so a service in another process can call it while a
test waits.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from tornado import web
from tornado.httpserver import HTTPServer

SERVICE = "kit"
ACCESS = f"access:services!service={SERVICE}"


@dataclass
class HubUser:
    name: str
    groups: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)


@dataclass
class FakeHub:
    """Users and tokens of a fake hub; ``url`` once started."""

    users: dict[str, HubUser]
    tokens: dict[str, tuple[str, list[str]]]
    """token -> (user name, the token's scopes)."""
    service_token: str
    url: str = ""
    calls: list[str] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)
    """OAuth code -> the token it is traded for."""

    def model(self, token: str) -> dict[str, Any] | None:
        if token == self.service_token:
            return {"kind": "service", "name": SERVICE, "scopes": ["read:users:groups"]}
        if token not in self.tokens:
            return None
        name, scopes = self.tokens[token]
        return {"kind": "user", "name": name, "scopes": scopes, "admin": False}


def _token(handler: web.RequestHandler) -> str:
    header = handler.request.headers.get("Authorization", "")
    return header.split(None, 1)[1] if header.lower().startswith("token ") else ""


class _Base(web.RequestHandler):
    def initialize(self, hub: FakeHub) -> None:
        self.hub = hub
        hub.calls.append(self.request.path)

    def answer(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))


class WhoAmI(_Base):
    def get(self) -> None:
        model = self.hub.model(_token(self))
        self.answer(model or {"status": 403, "message": "no such token"}, 200 if model else 403)


class TokenOwner(_Base):
    def get(self, token: str) -> None:
        model = self.hub.model(token)
        self.answer(model or {"status": 404, "message": "no such token"}, 200 if model else 404)


class OAuthToken(_Base):
    """The end of an OAuth login: the service trades the code the browser brought for the
    user's token (its own token as the client's secret)."""

    def post(self) -> None:
        code = self.get_body_argument("code", "")
        secret = self.get_body_argument("client_secret", "")
        token = self.hub.codes.get(code)
        if secret != self.hub.service_token or token is None:
            self.answer({"error": "invalid_grant"}, 400)
            return
        self.answer({"access_token": token, "token_type": "Bearer"})


class UserModel(_Base):
    def get(self, name: str) -> None:
        if _token(self) != self.hub.service_token:
            self.answer({"status": 403, "message": "not the service"}, 403)
            return
        user = self.hub.users.get(name)
        if user is None:
            self.answer({"status": 404, "message": "no such user"}, 404)
            return
        self.answer({"kind": "user", "name": name, "groups": user.groups, "roles": user.roles})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HubThread:
    """Runs a :class:`FakeHub` until :meth:`stop`."""

    def __init__(self, hub: FakeHub) -> None:
        self.hub = hub
        self.port = free_port()
        hub.url = f"http://127.0.0.1:{self.port}/hub/api"
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            app = web.Application(
                [
                    (r"/hub/api/user", WhoAmI, {"hub": self.hub}),
                    (r"/hub/api/authorizations/token/([^/]+)", TokenOwner, {"hub": self.hub}),
                    (r"/hub/api/users/([^/]+)", UserModel, {"hub": self.hub}),
                    (r"/hub/api/oauth2/token", OAuthToken, {"hub": self.hub}),
                ]
            )
            server = HTTPServer(app)
            server.listen(self.port, "127.0.0.1")
            self._stop = asyncio.Event()
            self._ready.set()
            await self._stop.wait()
            server.stop()

        asyncio.run(main())

    def start(self) -> HubThread:
        self._thread.start()
        assert self._ready.wait(10), "the fake hub did not start"
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
