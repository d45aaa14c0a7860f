"""Driving the panel in a page of JupyterLab, as a user would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.chromium import assert_not_blank
from tests.panel.lab import Lab

PANEL = "#mentor-kit-panel"
TIMEOUT_MS = 60_000


class LabPage:
    """One user's JupyterLab in its own browser context (its own login cookie)."""

    def __init__(self, browser: Any, lab: Lab, user: str) -> None:
        self.user = user
        self.context = browser.new_context(viewport={"width": 1280, "height": 860})
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(lab.login_url(user))
        self.wait_for_lab()

    def wait_for_lab(self) -> None:
        """Wait until JupyterLab is on the page and has restored its layout (the panel open or
        not, from the workspace): a click on the panel's tab before that could close it."""
        self.page.wait_for_selector("#jp-main-dock-panel")
        self.page.wait_for_function("() => window.jupyterapp !== undefined")
        self.page.evaluate("async () => { await window.jupyterapp.restored; }")

    def reload(self) -> None:
        """Load the page again, as a user pressing F5."""
        self.page.reload()
        self.wait_for_lab()

    def theme(self, name: str) -> None:
        """Switch JupyterLab's theme ("JupyterLab Dark", "JupyterLab Light")."""
        self.page.evaluate(
            "name => window.jupyterapp.commands.execute('apputils:change-theme', {theme: name})",
            name,
        )
        self.page.wait_for_function(
            "dark => document.body.dataset.jpThemeLight === (dark ? 'false' : 'true')",
            arg="Dark" in name,
        )

    def open_panel(self) -> Any:
        """Click the panel's tab in the left side bar; return the panel."""
        panel = self.page.locator(PANEL)
        if not panel.is_visible():
            self.page.locator("li.lm-TabBar-tab[data-id='mentor-kit-panel']").click()
        panel.wait_for(state="visible")
        self.widen_panel()
        return panel

    def widen_panel(self, width: int = 420) -> None:
        """Drag the side bar's edge so that the panel is ``width`` pixels wide."""
        panel = self.page.locator(PANEL).bounding_box()
        handle = self.page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
        box = handle.bounding_box()
        if not panel or not box:
            return
        y = box["y"] + box["height"] / 2
        self.page.mouse.move(box["x"] + box["width"] / 2, y)
        self.page.mouse.down()
        self.page.mouse.move(panel["x"] + width, y, steps=5)
        self.page.mouse.up()

    def section(self, name: str) -> Any:
        """A section of the panel (path, mastery, ask, inbox, cohort, grading)."""
        return self.page.locator(f"{PANEL} [data-section='{name}']")

    def shot(self, folder: Path, name: str) -> Path:
        """A screenshot of the whole window, checked not to be blank."""
        target = folder / f"{name}.png"
        self.page.screenshot(path=str(target))
        assert_not_blank(target)
        return target

    def close(self) -> None:
        self.context.close()
