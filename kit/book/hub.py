"""The book on a JupyterHub: the course's FAQ as a page, and Jupyter Book 1's JupyterHub launch
button on every lesson, which opens the lesson in the reader's own server through nbgitpuller
(it clones the course's repository, and never overwrites a learner's edits when it pulls again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from kit.book.config import BookError
from kit.book.pages import text
from kit.course import Course

FAQ_PAGE = "faq"
KNOWN_PROVIDERS = ("github", "gitlab", "bitbucket")


@dataclass(frozen=True)
class FaqItem:
    """An entry of the course's FAQ as the book shows it."""

    question: str
    answer: str
    skill: str | None = None


def _paragraphs(value: str) -> list[str]:
    blocks = [" ".join(b.split()) for b in value.replace("\r\n", "\n").split("\n\n")]
    return [text(b) for b in blocks if b]


def faq_page(course: Course, items: Sequence[FaqItem]) -> str:
    """The FAQ page: the answers mentors shared with the course, grouped by skill in learning
    order (those of no skill last). Their text is shown as text, never as markup."""
    lines = [
        "# Questions and answers",
        "",
        "Questions learners asked, with the answers their mentors shared with the whole course.",
        "",
    ]
    order = {s: i for i, s in enumerate(course.graph.order)}
    groups: dict[str | None, list[FaqItem]] = {}
    for item in items:
        skill = item.skill if item.skill in course.skills else None
        groups.setdefault(skill, []).append(item)
    for skill in sorted(groups, key=lambda s: order.get(s, len(order)) if s else len(order)):
        title = course.skills[skill].title if skill else "Other questions"
        lines += [f"## {text(title)}", ""]
        for item in groups[skill]:
            question = " ".join(item.question.split())
            lines += [f"### {text(question[:120])}", ""]
            if len(question) > 120:
                lines += [text(question), ""]
            for paragraph in _paragraphs(item.answer):
                lines += [paragraph, ""]
    return "\n".join(lines)


def _path_in_repository(folder: Path) -> str:
    """The course folder's path inside its git repository ("" when it is the repository's
    top, or in none)."""
    folder = folder.resolve()
    for parent in [folder, *folder.parents]:
        if (parent / ".git").exists():
            return PurePosixPath(*folder.relative_to(parent).parts).as_posix().strip(".")
    return ""


def launch_settings(course: Course) -> dict[str, Any]:
    """The ``_config.yml`` settings of the JupyterHub launch button: ``launch_buttons`` and
    ``repository`` (empty without course.yml's ``hub.url`` and ``hub.repository``), and the
    Sphinx theme's provider where the repository's host is none it knows. (course.yml's
    checks made sure both are http(s) addresses.)"""
    hub = course.manifest.hub
    if not hub.url or not hub.repository:
        return {}
    if len(urlsplit(hub.repository).path.strip("/").split("/")) < 2:
        raise BookError(
            f"{course.manifest_path}: hub.repository: '{hub.repository}' names no repository",
            fix="write the repository's address, e.g. https://github.com/ORG/REPO",
        )
    settings: dict[str, Any] = {
        "launch_buttons": {
            "jupyterhub_url": hub.url.rstrip("/"),
            "notebook_interface": "jupyterlab",
        },
        "repository": {
            "url": hub.repository.rstrip("/").removesuffix(".git"),
            "branch": hub.branch,
            "path_to_book": _path_in_repository(course.root),
        },
    }
    host = urlsplit(hub.repository).netloc.lower()
    if not any(p in host for p in KNOWN_PROVIDERS):
        # the theme needs a provider to read the address; the hub's link does not use it
        settings["sphinx"] = {
            "recursive_update": True,
            "config": {"html_theme_options": {"repository_provider": "github"}},
        }
    return settings
