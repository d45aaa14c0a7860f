"""The base of every handler: who is asking (and their role), which course, the JSON body checked
against the OpenAPI document, errors sent as ``{"error", "fix"}``, a POST's idempotency key, and
under a hub the shared state forwarded to the kit service (:mod:`kit.server.forwarding`)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from jupyter_server.auth.decorator import authorized
from jupyter_server.auth.identity import IdentityProvider, PasswordIdentityProvider
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from kit.course import Course
from kit.errors import KitError
from kit.server.errors import FIXES, ApiError, from_kit_error
from kit.server.forwarding import IDEMPOTENCY_HEADER, forwarded
from kit.server.openapi import PREFIX, problem
from kit.server.roles import Identity, Role
from kit.server.services import SETTINGS_KEY, Services

MAX_BODY = 64 * 1024
"""The largest request body accepted."""
WAIT_SECONDS = 10.0
"""How long a retried POST waits for the first one with its idempotency key to be answered."""

Method = TypeVar("Method", bound=Callable[..., Awaitable[None]])

_OWNER_PROVIDERS = (IdentityProvider, PasswordIdentityProvider)
"""Identity providers that know only a shared token or password: whoever holds it is the
server's owner, whatever anonymous name the provider makes up for the session."""


def allowed(*roles: Role) -> Callable[[Method], Method]:
    """An endpoint of the API: the user must be logged in (jupyter_server's authentication),
    authorized for the resource ``kit`` (its authorizer) and of one of ``roles`` (403 for the
    others); the kit's errors the method raises become 4xx answers."""

    def wrap(method: Method) -> Method:
        @functools.wraps(method)
        async def inner(self: KitHandler, *args: Any, **kwargs: Any) -> None:
            me = self.identity
            if me.role not in roles:
                raise ApiError(
                    403,
                    f"{me.name} is a {me.role}; only a {' or '.join(roles)} may do this",
                    "ask an instructor to give you that role in the server's configuration",
                )
            try:
                await self.once(method, *args, **kwargs)
            except KitError as exc:
                raise from_kit_error(exc) from exc

        return cast(Method, web.authenticated(authorized(inner)))

    return wrap


def _clean(value: Any, where: str = "the body") -> None:
    """Refuse text no database keeps faithfully: NUL and other control characters, and lone
    surrogates (JSON can spell them; UTF-8 cannot)."""
    if isinstance(value, str):
        if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
            raise ApiError(422, f"{where}: control characters are not allowed", FIXES[422])
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(422, f"{where}: not valid Unicode text", FIXES[422]) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _clean(key, where)
            _clean(item, f"{key}" if where == "the body" else f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _clean(item, f"{where}[{i}]")


class KitHandler(ExtensionHandlerMixin, APIHandler):  # type: ignore[misc]
    """A handler of the kit's API (authentication and XSRF as jupyter_server does them)."""

    auth_resource = "kit"

    @property
    def services(self) -> Services:
        """The server's courses, roles, routers and grading runs."""
        return cast(Services, self.settings[SETTINGS_KEY])

    @functools.cached_property
    def identity(self) -> Identity:
        """The user behind the request and their role (an identity provider that knows the
        role, as the kit service's does, gives it on the user as ``kit_identity``)."""
        from kit.paths.learner import default_learner

        given = self._owner or getattr(self.current_user, "kit_identity", None)
        if isinstance(given, Identity):
            return given
        name = str(self.current_user.username)
        if type(self.identity_provider) in _OWNER_PROVIDERS:
            # a login without a name (a container's bare user id) keeps the provider's
            with contextlib.suppress(KeyError, OSError):
                name = default_learner()
        return self.services.roles.of(name)

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if len(self.request.body or b"") > MAX_BODY:
            raise ApiError(413, f"the body is {len(self.request.body)} bytes; at most {MAX_BODY}")
        forwarder = self.services.forwarder
        if forwarder is None:
            return
        if forwarded(self.api_path):
            await self.forward()
        elif self.current_user is not None and self.api_path != "openapi.json":
            # kept here (grading), but the role is the one the hub gives the owner
            self.check_owner()
            self._owner = await forwarder.owner_identity()

    @property
    def api_path(self) -> str:
        """The request's path under ``/kit/api/v1/``."""
        path = self.request.path
        start = path.find(PREFIX + "/")
        return path[start + len(PREFIX) + 1 :] if start >= 0 else ""

    _owner: Identity | None = None

    def check_owner(self) -> None:
        """Under a hub: only the server's owner, authorized for the kit's API (403)."""
        forwarder = self.services.forwarder
        assert forwarder is not None
        user = self.current_user
        if user is None:
            raise ApiError(403, "not logged in")
        if forwarder.owner and user.username != forwarder.owner:
            raise ApiError(
                403,
                f"{user.username} is visiting {forwarder.owner}'s server; the course's shared "
                "state answers its owner only",
                "use the kit's panel on your own server",
            )
        action = "read" if self.request.method in ("GET", "HEAD", "OPTIONS") else "write"
        if not self.authorizer.is_authorized(self, user, action, self.auth_resource):
            raise ApiError(403, f"{user.username} may not use the kit's API on this server")

    async def forward(self) -> None:
        """Answer with the kit service's answer to the same request (under a hub)."""
        forwarder = self.services.forwarder
        assert forwarder is not None
        self.check_owner()
        headers = {k: v for k, v in self.request.headers.get_all()}
        status, kind, body = await forwarder.send(
            self.request.method or "GET",
            self.api_path,
            self.request.query,
            headers,
            self.request.body or b"",
        )
        self.relay(status, kind, body)

    def relay(self, status: int, kind: str, body: bytes) -> None:
        """Answer with the kit service's answer as it came (status, content type, body)."""
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.finish(body)

    # -- idempotency -----------------------------------------------------------------------------
    async def once(self, method: Callable[..., Awaitable[None]], *args: Any, **kwargs: Any) -> None:
        """Run the endpoint; a POST with an ``Idempotency-Key`` runs once per user and key, a
        retry getting the first answer (:mod:`kit.state.idempotency`)."""
        key = self.request.headers.get(IDEMPOTENCY_HEADER)
        if self.request.method != "POST" or key is None:
            await method(self, *args, **kwargs)
            return
        from kit.state import request_digest
        from kit.state.idempotency import MAX_KEY

        if not key:
            raise ApiError(422, f"{IDEMPOTENCY_HEADER}: empty", "send one new value per request")
        if len(key) > MAX_KEY or not re.fullmatch(r"[!-~]+", key):
            # as the OpenAPI document says: printable ASCII, no spaces
            raise ApiError(
                422,
                f"{IDEMPOTENCY_HEADER}: only printable ASCII without spaces, at most {MAX_KEY} "
                "characters",
                "send a UUID: one new value per request",
            )
        store = self.services.courses.state(self.course()).idempotency
        user = self.identity.name
        digest = request_digest("POST", self.request.uri or "", self.request.body or b"")
        deadline = time.monotonic() + WAIT_SECONDS
        while (earlier := store.reserve(user, key, digest)) is not None:
            if earlier.request != digest:
                raise ApiError(
                    422,
                    f"{IDEMPOTENCY_HEADER} {key!r} was sent before with another request",
                    "send one new value per request, and the same one only with its retries",
                )
            if earlier.status is not None:
                self.set_status(earlier.status)
                self.set_header("Content-Type", "application/json; charset=UTF-8")
                self.set_header("Idempotent-Replayed", "true")
                self.finish(earlier.body or "")
                return
            if time.monotonic() > deadline:
                raise ApiError(
                    409,
                    f"the request first sent with {IDEMPOTENCY_HEADER} {key!r} is still running",
                    "send it again with the same key in a few seconds",
                )
            await asyncio.sleep(0.1)
        self._idempotent = (store, user, key)
        try:
            await method(self, *args, **kwargs)
        finally:
            if not self._finished:  # it failed: the next try with this key runs again
                store.release(user, key)

    # -- the request ---------------------------------------------------------------------------
    def query(self, name: str, *, limit: int = 1024) -> str | None:
        """A query argument (None when absent); over ``limit`` characters is a 422."""
        # read as sent: tornado's own reading drops control characters without a word
        raw = self.request.query_arguments.get(name)
        if not raw:
            return None
        try:
            value = raw[-1].decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, f"{name}: not UTF-8", "send UTF-8 query arguments") from None
        return self.part(name, value, limit=limit)

    def part(self, name: str, value: str, *, limit: int = 256) -> str:
        """A part of the path (a learner's name, say), checked as a query argument is."""
        _clean(value, name)
        if len(value) > limit:
            raise ApiError(422, f"{name}: longer than {limit} characters")
        return value

    def course(self) -> Course:
        """The course of the request: ``?course=``, else the course of ``?notebook=``, else
        the first (404 when there is none such)."""
        return self.services.courses.course(self.query("course"), self.query("notebook"))

    def relative(self, course: Course) -> Callable[[str], str | None]:
        """Course file path -> path relative to the server's root folder."""
        return functools.partial(self.services.courses.relative, course)

    def body(self, schema: str, *, required: bool = True) -> dict[str, Any]:
        """The JSON body, checked against the OpenAPI document's ``schema`` (400 when it is not
        UTF-8 JSON, 422 when it does not fit the schema)."""
        raw = self.request.body or b""
        if not raw.strip():
            if not required:
                return {}
            raise ApiError(400, "the body is empty; this endpoint takes a JSON object")
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ApiError(400, f"the body is not UTF-8 (byte {exc.start})") from None
        except json.JSONDecodeError as exc:
            raise ApiError(
                400, f"the body is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
        if not isinstance(data, dict):
            raise ApiError(422, "the body must be a JSON object")
        _clean(data)
        found = problem(schema, data)
        if found:
            raise ApiError(422, found)
        return data

    # -- the answer ----------------------------------------------------------------------------
    _idempotent: tuple[Any, str, str] | None = None

    def send(self, data: Any, status: int = 200) -> None:
        """Send ``data`` as JSON (recording it first as the answer to the request's
        idempotency key, if it has one)."""
        text = json.dumps(data)
        if self._idempotent is not None:
            store, user, key = self._idempotent
            store.record(user, key, status, text)
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(text)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Every error as ``{"error", "fix"}``; a bug's traceback goes to the log only."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ApiError):
            message, fix = exc.message, exc.fix
        elif isinstance(exc, web.HTTPError):
            message = exc.log_message or self._reason
            if exc.log_message and exc.args:
                message = exc.log_message % exc.args
            fix = FIXES.get(status_code, "")
        else:
            message = "the server failed on this request; its log says why"
            fix = "report it with the server's log"
        if status_code == 405:
            self.set_header("Allow", ", ".join(self.methods()))
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps({"error": message, "fix": fix}))

    @classmethod
    def methods(cls) -> list[str]:
        """The HTTP methods this handler answers."""
        return [
            m
            for m in ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")
            if getattr(cls, m.lower()) is not getattr(web.RequestHandler, m.lower())
        ]


class NotFound(KitHandler):
    """Any other path under the API: a JSON 404."""

    @web.authenticated
    async def get(self, path: str) -> None:
        raise ApiError(404, f"no endpoint {self.request.path}")

    post = put = delete = patch = get
