"""The extension is installed enabled: ``jupyter server extension list`` shows it, and OK."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from kit.server import _jupyter_server_extension_points
from kit.server.app import KitServer


def test_the_extension_point_is_the_kit_server_app() -> None:
    assert _jupyter_server_extension_points() == [{"module": "kit.server", "app": KitServer}]
    assert KitServer.name == "kit"


def test_jupyter_lists_the_extension_enabled_and_ok() -> None:
    jupyter = Path(sys.executable).with_name("jupyter")
    done = subprocess.run(
        [str(jupyter), "server", "extension", "list"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)  # colours off
    assert re.search(r"^\s*kit\.server enabled\s*$", text, re.M), text
    assert re.search(r"^\s*kit\.server\s+OK\s*$", text, re.M), text
