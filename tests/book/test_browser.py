"""The built book in headless Chromium: the landing page and a lesson render, not blank."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kit.book.preview import preview_server
from tests.book.conftest import BuiltBook

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.is_file(),
        reason="no Chromium at /usr/bin/chromium (Debian: apt-get install chromium); "
        "the browser check never downloads one",
    ),
]


@pytest.fixture(scope="module")
def served(built_book: BuiltBook) -> Iterator[str]:
    """The built book on a local HTTP server (the one `kit book serve` uses)."""
    server = preview_server(built_book.html, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _not_blank(path: Path) -> None:
    from PIL import Image, ImageStat

    with Image.open(path) as image:
        grey = image.convert("L")
        spread = ImageStat.Stat(grey).stddev[0]
        colours = len(grey.getcolors(maxcolors=256 * 256) or [])
    assert spread > 15, f"{path} looks blank (grey-level spread {spread:.1f})"
    assert colours > 20, f"{path} has only {colours} grey levels"


def test_index_and_lesson_render(served: str, tmp_path: Path) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")

    def offline(route: Any) -> None:
        # the check runs offline: pages must not need the network (CDN scripts are dropped)
        if route.request.url.startswith(served):
            route.continue_()
        else:
            route.abort()

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", offline)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(f"{served}/index.html", wait_until="load")
            assert "Python for machine learning" in page.title()
            assert page.locator("nav.bd-links").first.is_visible()
            page.screenshot(path=str(tmp_path / "index.png"), full_page=False)
            _not_blank(tmp_path / "index.png")

            page.goto(f"{served}/lessons/01-python-basics.html", wait_until="load")
            check = page.locator(".kit-self-check-static").first
            check.scroll_into_view_if_needed()
            assert check.is_visible()
            assert "Open this lesson in JupyterLab" in check.inner_text()
            page.screenshot(path=str(tmp_path / "lesson.png"), full_page=False)
            _not_blank(tmp_path / "lesson.png")
            assert not errors, errors
        finally:
            browser.close()
