"""Under a JupyterHub, the single-user server forwards the shared state to the kit service.

JupyterHub starts each user's server with ``JUPYTERHUB_API_TOKEN`` (the server's token) and
``JUPYTERHUB_USER`` (its owner); the hub's ``c.Spawner.environment`` adds ``KIT_SERVICE_URL``
(the kit service's address, as ``kit service --print-hub-config`` writes it). With both the
address and the token, every request under the API except :data:`LOCAL` (the OpenAPI document,
grading: the instructor grades in their own server) is sent on to the service, at the same path
under its URL, with the server's token, and the service's answer goes back unchanged. Routes are
chosen by path prefix, so an endpoint added to the API is forwarded without a change here.

Only the server's owner is forwarded: a visitor (a mentor the learner shared the server with)
is refused, since the server's token speaks for its owner only.

A POST goes with an ``Idempotency-Key`` (the panel's, or one made here per request), so the one
retry after a timeout or a dropped connection is recorded once by the service.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse

from kit.server.errors import ApiError
from kit.server.roles import ROLES, Identity

LOCAL = ("openapi.json", "grading")
"""The API's first path parts answered by the server itself, never forwarded."""
KEPT = (re.compile(r"^questions/[^/]+/server-share/?$"),)
"""Paths whose handler runs on the server and calls the service itself (sharing the server with
a mentor: the hub's sharing API is called with this server's token)."""
SERVICE_URL_ENV = "KIT_SERVICE_URL"
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
USER_ENV = "JUPYTERHUB_USER"
IDEMPOTENCY_HEADER = "Idempotency-Key"
CONNECT_SECONDS = 5.0
REQUEST_SECONDS = 30.0
"""How long the service may take to answer one request (routing a question runs a model)."""
TRIES = 2
"""The first try and one retry, with the same idempotency key."""
_PASSED = ("Content-Type", "Accept", IDEMPOTENCY_HEADER)
"""The request's headers sent on to the service (besides the token)."""
ROLE_SECONDS = 30.0
"""How long the owner's role, as the service gave it, is trusted by the endpoints kept local."""
BATCH_BYTES = 48 * 1024
"""The most JSON sent in one ``POST /attempts/batch`` (the API takes bodies up to 64 KB)."""


def forwarded(api_path: str) -> bool:
    """Whether the API path (relative to ``/kit/api/v1/``) is answered by the kit service."""
    path = api_path.strip("/")
    return path.split("/", 1)[0] not in LOCAL and not any(p.match(path) for p in KEPT)


def _json_answer(status: int, body: bytes, refused: str = "") -> Any:
    """The service's JSON answer; its error (``refused`` before its message) as an
    :class:`ApiError` of the same status when it refused."""
    answer = json.loads(body or b"null")
    if status >= 400:
        error = answer if isinstance(answer, dict) else {}
        raise ApiError(status, f"{refused}{error.get('error', status)}", str(error.get("fix", "")))
    return answer


@dataclass(frozen=True)
class Forwarder:
    """Sends the API's shared-state requests to the kit service.

    Parameters
    ----------
    service_url:
        The service's base URL (its ``JUPYTERHUB_SERVICE_PREFIX`` included), under which the
        API lives at ``kit/api/v1/``.
    token:
        The server's hub token (``JUPYTERHUB_API_TOKEN``).
    owner:
        The server's owner (``JUPYTERHUB_USER``): the one user whose requests are forwarded.
    """

    service_url: str
    token: str
    owner: str
    connect_timeout: float = CONNECT_SECONDS
    request_timeout: float = REQUEST_SECONDS
    _role: dict[str, tuple[float, Identity]] = field(default_factory=dict, compare=False)

    @classmethod
    def from_environment(
        cls, service_url: str | None = None, env: dict[str, str] | None = None
    ) -> Forwarder | None:
        """The forwarder JupyterHub's environment asks for (None: not under a hub, or no
        service configured)."""
        env = dict(os.environ) if env is None else env
        url = (env.get(SERVICE_URL_ENV, "") if service_url is None else service_url).strip()
        token = env.get(TOKEN_ENV, "").strip()
        if not url or not token:
            return None
        return cls(url.rstrip("/") + "/", token, env.get(USER_ENV, "").strip())

    def url(self, api_path: str, query: str) -> str:
        """The service's URL for an API path (relative to ``/kit/api/v1/``) and query."""
        target = f"{self.service_url}kit/api/v1/{api_path.lstrip('/')}"
        return f"{target}?{query}" if query else target

    async def send(
        self, method: str, api_path: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, bytes]:
        """Send one request to the service: (status, content type, body) of its answer.

        Raises
        ------
        ApiError
            503 when the service cannot be reached, 502 when it does not answer in time (after
            one retry) or answers with something that is not the API's JSON.
        """
        sent = {k: v for k, v in headers.items() if k in _PASSED}
        sent["Authorization"] = f"token {self.token}"
        if method == "POST" and IDEMPOTENCY_HEADER not in sent:
            sent[IDEMPOTENCY_HEADER] = uuid.uuid4().hex
        request = HTTPRequest(
            self.url(api_path, query),
            method=method,
            headers=sent,
            body=body if method in ("POST", "PUT", "PATCH") else None,
            allow_nonstandard_methods=True,
            connect_timeout=self.connect_timeout,
            request_timeout=self.request_timeout,
            follow_redirects=False,
        )
        client = AsyncHTTPClient()
        failure: BaseException | None = None
        for _ in range(TRIES):
            try:
                response: HTTPResponse = await client.fetch(request, raise_error=False)
            except (OSError, HTTPClientError) as exc:  # refused, reset, name unknown
                failure = exc
                continue
            if response.code == 599:  # tornado's timeout (or a connection closed early)
                failure = response.error or TimeoutError("no answer")
                continue
            return self._answer(response)
        raise self._unreachable(failure)

    def _answer(self, response: HTTPResponse) -> tuple[int, str, bytes]:
        kind = response.headers.get("Content-Type", "")
        if not kind.startswith("application/json"):
            # a login page, a proxy's error page: not the kit's API
            raise ApiError(
                502,
                f"the kit service at {self.service_url} answered {response.code} with "
                f"{kind or 'no content type'}, not the API's JSON",
                f"check that {SERVICE_URL_ENV} names the kit service (its URL ends in "
                "/services/kit/) and that the hub's config gives this server's token the "
                "access:services!service=kit scope (kit service --print-hub-config)",
            )
        return response.code, kind, response.body or b""

    def _unreachable(self, failure: BaseException | None) -> ApiError:
        reason = f"{failure.__class__.__name__}: {failure}" if failure else "no answer"
        if isinstance(failure, OSError) and not isinstance(failure, TimeoutError):
            return ApiError(
                503,
                f"the kit service at {self.service_url} cannot be reached ({reason})",
                "the service may be restarting: try again in a minute; if it stays down, ask "
                "the hub's admin to check the kit service (jupyterhub's log, kit service)",
            )
        return ApiError(
            502,
            f"the kit service at {self.service_url} did not answer in "
            f"{self.request_timeout:g} s, twice ({reason})",
            "try again; if it keeps happening, ask the hub's admin to look at the kit "
            "service's log",
        )

    async def post_json(self, api_path: str, query: str, data: Any, key: str) -> Any:
        """POST ``data`` as JSON to the service with an idempotency key; its JSON answer.

        Raises
        ------
        ApiError
            As :meth:`send` does, and with the service's own error when it refuses.
        """
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: key}
        status, _, body = await self.send(
            "POST", api_path, query, headers, json.dumps(data).encode()
        )
        return _json_answer(status, body, f"the kit service refused {api_path}: ")

    async def get_json(self, api_path: str, query: str) -> Any:
        """GET ``api_path`` from the service; its JSON answer (its error, as an
        :class:`ApiError`, when it refuses)."""
        status, _, body = await self.send(
            "GET", api_path, query, {"Accept": "application/json"}, b""
        )
        return _json_answer(status, body)

    async def owner_identity(self) -> Identity:
        """The owner's identity as the service sees it (``GET /me``, trusted for
        :data:`ROLE_SECONDS`): the role of the endpoints a server keeps (grading)."""
        cached = self._role.get("me")
        if cached is not None and time.monotonic() - cached[0] < ROLE_SECONDS:
            return cached[1]
        status, _, body = await self.send("GET", "me", "", {"Accept": "application/json"}, b"")
        me = json.loads(body or b"{}")
        if status != 200 or me.get("role") not in ROLES:
            raise ApiError(
                502 if status < 400 else status,
                f"the kit service did not say who {self.owner} is ({status})",
                "check the hub's config for the kit service (kit service --print-hub-config)",
            )
        identity = Identity(str(me["name"]), me["role"], me.get("mentor_id"))
        self._role["me"] = (time.monotonic(), identity)
        return identity

    async def post_attempts(
        self, course: str, project: str, learners: list[str], attempts: list[dict[str, Any]]
    ) -> int:
        """Send a grading run's attempts to the service (``POST /attempts/batch``, in batches
        of at most :data:`BATCH_BYTES`, each learner's in one batch, each batch with its own
        idempotency key); returns how many the service recorded."""
        run = uuid.uuid4().hex
        by_learner = {name: [a for a in attempts if a["learner"] == name] for name in learners}
        batches: list[tuple[list[str], list[dict[str, Any]]]] = [([], [])]
        for name, rows in by_learner.items():
            names, current = batches[-1]
            if current and len(json.dumps(current + rows)) > BATCH_BYTES:
                batches.append(([], []))
                names, current = batches[-1]
            names.append(name)
            current.extend(rows)
        recorded = 0
        for i, (names, rows) in enumerate(batches):
            if not names:
                continue
            body = {"project": project, "learners": names, "attempts": rows}
            query = f"course={course}"
            answer = await self.post_json("attempts/batch", query, body, f"grading-{run}-{i}")
            recorded += int(answer.get("recorded", 0))
        return recorded
