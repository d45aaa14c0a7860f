"""A real JupyterLab for the browser tests and the panel benchmark.

It runs in its own process on 127.0.0.1 (a free port), with the kit's server extension and
the panel as installed, a root folder of its own, one token per user (identity.TokenUsers),
and the panel's settings written to a settings folder of its own.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "jupyterlab-mentor-kit"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Lab:
    """A running JupyterLab: its URL, its users' tokens and its process."""

    url: str
    root: Path
    tokens: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    headers: dict[str, str] = field(default_factory=dict)

    def login_url(self, user: str, page: str = "lab") -> str:
        """The address that logs ``user`` in (their token) and opens ``page``."""
        return f"{self.url}/{page}?token={self.tokens[user]}"

    def api(self, user: str, method: str, endpoint: str, body: Any = None) -> Any:
        """Call the kit's REST API as ``user``; return the JSON body (raises on 4xx/5xx)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/kit/api/v1/{endpoint}",
            data=data,
            method=method,
            headers={
                "Authorization": f"token {self.tokens[user]}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def stop(self) -> None:
        """End the server (and wait for it)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


def write_settings(folder: Path, settings: dict[str, Any]) -> Path:
    """The panel's user settings (what the settings editor would save) in ``folder``, and
    JupyterLab's question about fetching news answered no (the tests run offline)."""
    files = {
        f"{PLUGIN}/plugin.jupyterlab-settings": settings,
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
    }
    for name, values in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")
    return folder


def start_lab(
    root: Path,
    users: list[str],
    config: dict[str, dict[str, Any]],
    work: Path,
    settings: dict[str, Any] | None = None,
    timeout: float = 120,
) -> Lab:
    """Start JupyterLab on ``root`` with one token per user and ``config`` (traitlets, by
    class: ``{"KitServer": {"courses": [...]}}``); wait until it answers."""
    tokens = {user: secrets.token_hex(16) for user in users}
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    config_file = work / "jupyter_server_config.json"
    server: dict[str, dict[str, Any]] = {
        "ServerApp": {
            "ip": "127.0.0.1",
            "port": port,
            "port_retries": 0,
            "open_browser": False,
            # CI runs as root; the server is bound to 127.0.0.1 and needs a token
            "allow_root": True,
            "root_dir": str(root),
            "identity_provider_class": "tests.panel.identity.TokenUsers",
        },
        # a token for the server's own checks; users log in with theirs
        "IdentityProvider": {"token": secrets.token_hex(16)},
        "LabApp": {
            "news_url": None,
            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
            # window.jupyterapp: a test can run JupyterLab's commands (the theme, for one)
            "expose_app_in_browser": True,
        },
    }
    for section, values in config.items():
        server.setdefault(section, {}).update(values)
    config_file.write_text(json.dumps(server), encoding="utf-8")
    env = {
        **os.environ,
        "KIT_TEST_USERS": json.dumps({token: user for user, token in tokens.items()}),
        "JUPYTERLAB_SETTINGS_DIR": str(write_settings(work / "settings", settings or {})),
        "JUPYTERLAB_WORKSPACES_DIR": str(work / "workspaces"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    log = work / "lab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", f"--config={config_file}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    lab = Lab(f"http://127.0.0.1:{port}", root, tokens, process, log)
    _wait(lab, timeout)
    return lab


def _wait(lab: Lab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    user = next(iter(lab.tokens))
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"JupyterLab ended at start-up:\n{lab.log.read_text()[-4000:]}")
        try:
            request = urllib.request.Request(
                f"{lab.url}/api/status", headers={"Authorization": f"token {lab.tokens[user]}"}
            )
            with urllib.request.urlopen(request, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    lab.stop()
    raise RuntimeError(
        f"JupyterLab did not answer in {timeout:.0f} s:\n{lab.log.read_text()[-4000:]}"
    )
