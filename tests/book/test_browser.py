"""The built book in headless Chromium: the landing page and a lesson render, not blank."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kit.book.preview import preview_server
from tests.book.conftest import BuiltBook
from tests.chromium import assert_not_blank, launch

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def served(chromium: Path, built_book: BuiltBook) -> Iterator[str]:
    """The built book on a local HTTP server (the one `kit book serve` uses); the browser is
    looked for first, so that a machine without one skips before building the book."""
    server = preview_server(built_book.html, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_index_and_lesson_render(served: str, tmp_path: Path) -> None:
    from playwright import sync_api as playwright_api

    def offline(route: Any) -> None:
        # the check runs offline: pages must not need the network (CDN scripts are dropped)
        if route.request.url.startswith(served):
            route.continue_()
        else:
            route.abort()

    with playwright_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", offline)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(f"{served}/index.html", wait_until="load")
            assert "Python for machine learning" in page.title()
            assert page.locator("nav.bd-links").first.is_visible()
            page.screenshot(path=str(tmp_path / "index.png"), full_page=False)
            assert_not_blank(tmp_path / "index.png")

            page.goto(f"{served}/lessons/01-python-basics.html", wait_until="load")
            check = page.locator(".kit-self-check-static").first
            check.scroll_into_view_if_needed()
            assert check.is_visible()
            assert "Open this lesson in JupyterLab" in check.inner_text()
            page.screenshot(path=str(tmp_path / "lesson.png"), full_page=False)
            assert_not_blank(tmp_path / "lesson.png")
            assert not errors, errors
        finally:
            browser.close()
