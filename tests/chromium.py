"""Debian's Chromium for the browser tests: found, or the test skipped with the reason.

The tests never download a browser: they drive the system's `/usr/bin/chromium` through
Playwright. On a user's machine without it, a browser test skips and says how to install it;
where ``KIT_REQUIRE_BROWSER`` is set (CI, whose `.ci/run` installs Chromium), a missing browser
fails the test instead, so a CI run can never pass by skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE = "KIT_REQUIRE_BROWSER"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRE):
        pytest.fail(f"{reason}; {REQUIRE} is set, so the browser tests must run", pytrace=False)
    pytest.skip(reason)


def require_chromium() -> Path:
    """The Chromium binary and Playwright, or skip (fail under KIT_REQUIRE_BROWSER)."""
    if not CHROMIUM.is_file():
        _missing(
            f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium); "
            "the browser tests never download one"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    return CHROMIUM


def launch(playwright: Any) -> Any:
    """Start headless Chromium with the flags that keep it offline and quiet."""
    return playwright.chromium.launch(
        executable_path=str(require_chromium()), headless=True, args=LAUNCH_ARGS
    )


def assert_not_blank(path: Path) -> None:
    """A screenshot shows something: grey levels spread out, and many of them."""
    from PIL import Image, ImageStat

    with Image.open(path) as image:
        grey = image.convert("L")
        spread = ImageStat.Stat(grey).stddev[0]
        colours = len(grey.getcolors(maxcolors=256 * 256) or [])
    assert spread > 15, f"{path} looks blank (grey-level spread {spread:.1f})"
    assert colours > 20, f"{path} has only {colours} grey levels"
