"""The browser tests' look-up of Chromium: a skip with the reason on a user's machine, a
failure where KIT_REQUIRE_BROWSER is set (CI), so that CI cannot pass by skipping them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import chromium


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(chromium, "CHROMIUM", tmp_path / "no-chromium")


def test_a_missing_browser_skips_with_the_reason(
    no_browser: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(chromium.REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        chromium.require_chromium()


def test_a_missing_browser_fails_where_it_is_required(
    no_browser: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(chromium.REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception, match="KIT_REQUIRE_BROWSER is set"):
        chromium.require_chromium()


def test_the_browser_is_launched_offline_and_headless() -> None:
    for flag in ("--headless", "--no-sandbox", "--disable-background-networking", "--no-first-run"):
        assert flag in chromium.LAUNCH_ARGS
