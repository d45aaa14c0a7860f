"""A real JupyterHub for the hub tests, the screenshots and the load benchmark.

:func:`start_hub` writes a hub for a course with :func:`kit.service.localhub.write_hub` and runs
``jupyterhub`` in its own process on 127.0.0.1; :class:`Browserless` is one person at the hub
without a browser: they log in through the hub's login form, keep its cookies, start their
server and call it (and the kit service) through the proxy, as JupyterLab's panel does.

Every wait is bounded; when one runs out, the error says what was awaited and ends with the tail
of the hub's log (which holds the proxy's, the service's and the servers' output too).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from kit.service.localhub import LocalHub, free_port, write_hub

T = TypeVar("T")
LOG_TAIL = 80
REQUIRE = "KIT_REQUIRE_HUB"


class HubFailure(AssertionError):
    """A wait on the hub ran out, or the hub answered what it must not; the hub's log follows."""


@dataclass
class RunningHub:
    """A hub written by :func:`write_hub`, its process and its log."""

    hub: LocalHub
    process: subprocess.Popen[bytes]
    log: Path
    people: dict[str, Browserless] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The hub's address, without the trailing slash."""
        return self.hub.url.rstrip("/")

    def tail(self, lines: int = LOG_TAIL) -> str:
        """The last lines of the hub's log."""
        if not self.log.is_file():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def fail(self, message: str) -> HubFailure:
        """An error naming what went wrong, with the end of the hub's log."""
        return HubFailure(f"{message}\n--- the hub's log ({self.log}), last lines:\n{self.tail()}")

    def wait(self, what: str, check: Callable[[], T | None], timeout: float) -> T:
        """Call ``check`` until it returns something other than None (or False); fail with
        ``what`` and the hub's log after ``timeout`` seconds or when the hub exits."""
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise self.fail(f"the hub exited ({self.process.returncode}) while {what}")
            try:
                result = check()
            except (httpx.HTTPError, OSError) as exc:
                last, result = exc, None
            if result is not None and result is not False:
                return result
            time.sleep(0.25)
        raise self.fail(f"timed out after {timeout:.0f} s {what} (last error: {last})")

    def person(self, name: str) -> Browserless:
        """``name`` at the hub (one client each, kept)."""
        if name not in self.people:
            self.people[name] = Browserless(self, name)
        return self.people[name]

    def anonymous(self) -> httpx.Client:
        """A client with no cookie and no token."""
        return httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)

    def service_pid(self) -> int:
        """The process id of the kit service the hub runs (a child of the hub)."""
        import psutil

        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                line = " ".join(child.cmdline())
            except psutil.Error:
                continue
            if " service " in f" {line} " and str(self.hub.course) in line:
                return int(child.pid)
        raise self.fail("the kit service is not among the hub's processes")

    def stop(self) -> None:
        """Stop the hub (SIGTERM: it stops the proxy, the service and the servers), then kill
        whatever is left of its process group."""
        for person in self.people.values():
            person.client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


class Browserless:
    """One person at the hub, with the cookies a browser would keep."""

    def __init__(self, hub: RunningHub, name: str) -> None:
        self.hub = hub
        self.name = name
        self.client = httpx.Client(base_url=hub.url, timeout=60, follow_redirects=True)
        self.server = f"/user/{name}"

    def _xsrf(self, path: str) -> str:
        """The ``_xsrf`` cookie set for ``path`` (the hub's or this user's server's)."""
        for cookie in self.client.cookies.jar:
            if cookie.name == "_xsrf" and (cookie.path or "/").rstrip("/") == path.rstrip("/"):
                return str(cookie.value)
        return ""

    def login(self) -> None:
        """Log in through the hub's login form (the hub's cookies are kept)."""
        form = self.client.get("/hub/login")
        found = re.search(r'name="_xsrf"\s+value="([^"]+)"', form.text)
        data = {"username": self.name, "password": self.hub.hub.password}
        if found:
            data["_xsrf"] = found.group(1)
        done = self.client.post("/hub/login", data=data, follow_redirects=False)
        if done.status_code != 302:
            raise self.hub.fail(
                f"{self.name} could not log in: {done.status_code} {done.text[:300]}"
            )
        self.client.cookies.extract_cookies(done)

    def hub_api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Call the hub's REST API with the hub's cookie (and its XSRF token)."""
        headers = {"X-XSRFToken": self._xsrf("/hub/"), **kwargs.pop("headers", {})}
        return self.client.request(method, f"/hub/api{path}", headers=headers, **kwargs)

    def spawn(self) -> None:
        """Ask the hub to start this person's server (not waiting for it)."""
        answer = self.hub_api("POST", f"/users/{self.name}/server")
        if answer.status_code not in (201, 202, 400):  # 400: it is running already
            raise self.hub.fail(f"{self.name}'s server did not start: {answer.status_code}")

    def wait_ready(self, timeout: float = 90) -> None:
        """Wait until this person's server is ready, then open JupyterLab on it (the OAuth
        hand-over to the server sets its cookie)."""

        def ready() -> bool:
            model = self.hub_api("GET", f"/users/{self.name}").json()
            server = (model.get("servers") or {}).get("")
            return bool(server and server.get("ready"))

        self.hub.wait(f"for {self.name}'s server to be ready", ready, timeout)
        page = self.client.get(f"{self.server}/lab")
        if page.status_code != 200 or "jupyter-config-data" not in page.text:
            raise self.hub.fail(f"{self.name}'s JupyterLab did not open: {page.status_code}")

    def token(self, note: str = "hub tests") -> str:
        """A new API token of this person's (made through the hub's API)."""
        answer = self.hub_api("POST", f"/users/{self.name}/tokens", json={"note": note})
        if answer.status_code != 201:
            raise self.hub.fail(f"no token for {self.name}: {answer.status_code} {answer.text}")
        return str(answer.json()["token"])

    def on_server(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request to this person's own server (``path`` below ``/user/NAME/``), with its
        cookie and XSRF token, through the proxy."""
        headers = {"X-XSRFToken": self._xsrf(self.server + "/"), **kwargs.pop("headers", {})}
        return self.client.request(
            method, f"{self.server}/{path.lstrip('/')}", headers=headers, **kwargs
        )

    def kit(self, method: str, endpoint: str, expect: int = 200, **kwargs: Any) -> Any:
        """Call the kit's API on this person's server; the JSON answer (fail on another status)."""
        answer = self.on_server(method, f"kit/api/v1/{endpoint.lstrip('/')}", **kwargs)
        if answer.status_code != expect:
            raise self.hub.fail(
                f"{self.name}: {method} {endpoint} answered {answer.status_code}, not {expect}: "
                f"{answer.text[:500]}"
            )
        return answer.json() if answer.content else None


def require_proxy() -> None:
    """configurable-http-proxy, or skip the test (fail where ``KIT_REQUIRE_HUB=1``, as in CI)."""
    import pytest

    from kit.errors import KitError
    from kit.service.localhub import find_proxy

    try:
        find_proxy()
    except KitError as exc:
        reason = f"{exc} ({exc.fix})" if getattr(exc, "fix", "") else str(exc)
        if os.environ.get(REQUIRE) == "1":
            pytest.fail(f"{reason}; {REQUIRE}=1, so the hub tests must run", pytrace=False)
        pytest.skip(reason)


def start_hub(folder: Path, course: Path, timeout: float = 60, **options: Any) -> RunningHub:
    """Write a hub for ``course`` into ``folder`` (:func:`write_hub`'s ``options``), start it
    and wait until its API answers through the proxy."""
    hub = write_hub(folder, course, port=free_port(), **options)
    log = folder / "jupyterhub.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("JUPYTERHUB_API_TOKEN", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            hub.command,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    running = RunningHub(hub, process, log)

    def up() -> bool:
        with running.anonymous() as client:
            return client.get("/hub/api/").status_code == 200

    try:
        running.wait("for the hub's API to answer through the proxy", up, timeout)
    except BaseException:
        running.stop()
        raise
    return running


def browser_page(browser: Any, hub: RunningHub, user: str) -> Any:
    """``user``'s JupyterLab on the hub in a browser context of its own: logged in through the
    hub's login page, their server's lab opened, the layout restored (a
    :class:`tests.panel.pages.LabPage`)."""
    from tests.panel.pages import TIMEOUT_MS, LabPage

    page = LabPage.__new__(LabPage)
    page.user = user
    page.context = browser.new_context(viewport={"width": 1280, "height": 860})
    page.page = page.context.new_page()
    page.page.set_default_timeout(TIMEOUT_MS)
    page.errors = []
    page.page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.page.goto(f"{hub.url}/hub/login")
    page.page.fill("#username_input", user)
    page.page.fill("#password_input", hub.hub.password)
    page.page.click("#login_submit")
    page.page.wait_for_url(lambda url: "/hub/login" not in url)
    page.page.goto(f"{hub.url}/user/{user}/lab")
    page.wait_for_lab()
    return page
