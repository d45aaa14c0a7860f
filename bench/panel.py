"""The Mentor Kit panel's load time in the browser, beside JupyterLab's own start-up.

    .venv/bin/python bench/panel.py [--runs 10]

Starts a real JupyterLab (127.0.0.1, a token) on a copy of the sample course, as the browser
tests do, and loads it in Debian's headless Chromium (/usr/bin/chromium) ``--runs`` times, each
in a fresh browser context with the panel already open in the left side bar (JupyterLab
restores it from the workspace). For each load it records, from the page's navigation start:

- ``shell``: JupyterLab's main area is on the page (JupyterLab's own start-up);
- ``path``: the panel shows the learner's path (the first path item is on the page).

``path - shell`` is what the panel adds: its script, its calls (/me, /me/path, /me/mastery,
/questions) and its rendering. The first load (cold caches in the browser and the server) is
reported apart. Prints a table (median, 90th percentile) and ``path / shell``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.chromium import launch, require_chromium  # noqa: E402
from tests.panel.lab import start_lab  # noqa: E402

COURSE = ROOT / "courses" / "python-ml"
USER = "ada"
SHELL_READY = "() => document.querySelector('#jp-main-dock-panel') && performance.now()"
PATH_SHOWN = "() => document.querySelector('.jp-MentorKit-pathItem') && performance.now()"


def load_once(browser: Any, url: str, open_panel: bool) -> tuple[float, float]:
    """Milliseconds from navigation start to JupyterLab's shell, and to the panel's path."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(url, wait_until="commit")
        shell = float(page.wait_for_function(SHELL_READY, polling="raf").json_value())
        if open_panel:
            page.locator("li.lm-TabBar-tab[data-id='mentor-kit-panel']").click()
        path = float(page.wait_for_function(PATH_SHOWN, polling="raf").json_value())
        if open_panel:
            time.sleep(3)  # JupyterLab saves the workspace (the panel open) after a change
        return shell, path
    finally:
        context.close()


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return f"{statistics.median(values):8.0f} {p90:8.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="measured page loads")
    args = parser.parse_args()
    require_chromium()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="kit-bench-panel-") as tmp:
        root = Path(tmp) / "root"
        shutil.copytree(COURSE, root / COURSE.name, ignore=shutil.ignore_patterns("_kit"))
        lab = start_lab(root, [USER], {"KitServer": {"instructors": ["nobody"]}}, Path(tmp) / "lab")
        try:
            lab.api(USER, "PUT", "me/profile", {"track": "data-analyst", "hours_per_week": 4})
            url = lab.login_url(USER)
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    cold = load_once(browser, url, open_panel=True)
                    runs = [load_once(browser, url, open_panel=False) for _ in range(args.runs)]
                finally:
                    browser.close()
        finally:
            lab.stop()
    shells = [shell for shell, _ in runs]
    paths = [path for _, path in runs]
    added = [path - shell for shell, path in runs]
    print(f"panel load, {args.runs} warm loads (ms from navigation start)")
    print(f"{'':28} {'median':>8} {'p90':>8}")
    print(f"{'JupyterLab shell shown':28} {summary(shells)}")
    print(f"{'panel path shown':28} {summary(paths)}")
    print(f"{'added by the panel':28} {summary(added)}")
    ratio = statistics.median(paths) / statistics.median(shells)
    print(f"path / shell (medians): {ratio:.2f}")
    print(
        f"first (cold) load: shell {cold[0]:.0f} ms, path {cold[1]:.0f} ms (panel opened by a click)"
    )


if __name__ == "__main__":
    main()
