"""The sample course's book, built once with its lessons executed: pages, links, no leaks."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest

from kit.book import build_book
from kit.book.leaks import MARKERS, check_leaks, page_text
from tests.book.conftest import BuiltBook

pytestmark = [pytest.mark.slow, pytest.mark.kernel]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id", "name"):
            if values.get(name):
                self.ids.add(str(values[name]))
        for name in ("href", "src"):
            value = values.get(name)
            if value is not None and not (tag == "link" and values.get("rel") == "preconnect"):
                self.links.append(value)


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_page_is_built(built_book: BuiltBook) -> None:
    course, html = built_book.course, built_book.html
    expected = ["index", "using-this-book", "start", "skills", "mentors"]
    expected += [str(PurePosixPath(x.notebook).with_suffix("")) for x in course.manifest.lessons]
    expected += [f"tracks/{t}" for t in course.tracks]
    for project in course.manifest.projects:
        expected.append(f"projects/{project.id}/index")
        expected += [
            f"projects/{project.id}/{p.stem}" for p in course.project_dir(project).glob("*.ipynb")
        ]
    missing = [page for page in expected if not (html / f"{page}.html").is_file()]
    assert not missing
    assert built_book.result.pages >= len(expected)
    # the table of contents lists every page, landing first
    toc = (built_book.out / "src" / "_toc.yml").read_text(encoding="utf-8")
    for page in expected[1:]:
        assert f"file: {page}\n" in toc


def test_lessons_are_executed(built_book: BuiltBook) -> None:
    executions = built_book.result.executions
    executed = {e.path for e in executions}
    assert executed == {"start.ipynb"} | {
        x.notebook
        for x in built_book.course.manifest.lessons
        if x.notebook not in built_book.unexecuted
    }
    assert "lessons/01-python-basics.ipynb" in executed
    lesson = built_book.page("lessons/01-python-basics.html")
    assert "42 <class 'int'>" in html.unescape(lesson)  # print(42, type(42)), run by the build
    # a plot of the plotting lesson is an image in the page
    plotting = built_book.page("lessons/05-plotting.html")
    assert re.search(r'<img[^>]+src="[^"]+\.png"', plotting)


def test_no_internal_link_is_broken(built_book: BuiltBook) -> None:
    html = built_book.html
    parsed: dict[Path, _Links] = {}
    broken: list[str] = []
    pages = [p for p in html.rglob("*.html") if "_static" not in p.parts]
    for page in pages:
        parsed[page] = _parse(page)
    for page, links in parsed.items():
        for link in links.links:
            parts = urlsplit(link)
            if parts.scheme in {"http", "https", "mailto", "data", "javascript"} or parts.netloc:
                continue
            assert not parts.scheme, f"{page.relative_to(html)}: odd link {link!r}"
            if not parts.path:
                if parts.fragment and parts.fragment not in links.ids:
                    broken.append(f"{page.relative_to(html)}: {link}")
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(html)}: {link}")
            elif parts.fragment and target.suffix == ".html":
                if target not in parsed:
                    parsed[target] = _parse(target)
                if parts.fragment not in parsed[target].ids:
                    broken.append(f"{page.relative_to(html)}: {link} (no such anchor)")
    assert not broken, "\n".join(broken)


def test_landing_page_links_to_the_parts(built_book: BuiltBook) -> None:
    index = built_book.page("index.html")
    assert built_book.course.title in index
    for href in ["skills.html", "mentors.html", "start.html", "using-this-book.html"]:
        assert f'href="{href}' in index
    for track in built_book.course.tracks:
        assert f'href="tracks/{track}.html' in index
    for project in built_book.course.projects:
        assert f'href="projects/{project}/index.html' in index


def test_no_solution_or_hidden_test_leaked(built_book: BuiltBook) -> None:
    src = built_book.out / "src"
    release = sorted(src.glob("projects/*/*.ipynb"))
    assert release
    lessons = [src / x.notebook for x in built_book.course.manifest.lessons]
    assert check_leaks(built_book.course, built_book.html, release + lessons) == []
    project = page_text(built_book.html / "projects/pandas-analysis/pandas-analysis.html")
    assert "raise NotImplementedError()" in project  # the release version's stubs
    assert "def load_survey(path):" in project
    assert "return pd.read_csv(path)" not in project
    for marker in MARKERS:
        assert marker not in project
    # the release notebook is shown as learners get it: never executed
    assert "Traceback" not in project


def test_project_brief(built_book: BuiltBook) -> None:
    brief = built_book.page("projects/pandas-analysis/index.html")
    assert "Clean and analyse a course-survey dataset" in brief  # its README
    assert "Skills measured" in brief
    assert 'href="pandas-analysis.html"' in brief


def test_track_pages_show_path_and_hours(built_book: BuiltBook) -> None:
    page = built_book.page("tracks/data-analyst.html")
    assert "Data analyst" in page
    assert re.search(r"about [\d.]+ hours", page)
    first = page.index("../lessons/01-python-basics.html")
    later = page.index("../lessons/04-pandas.html")
    assert first < later  # prerequisites first
    assert 'src="../_images/' in page  # the track on the skill map


def test_skill_map_and_mentors(built_book: BuiltBook) -> None:
    skills = built_book.page("skills.html")
    assert re.search(r'<img[^>]+src="_images/skills[^"]*\.svg"', skills)
    svg = next((built_book.html / "_images").glob("skills*.svg")).read_text(encoding="utf-8")
    assert "NumPy arrays" in svg
    mentors = built_book.page("mentors.html")
    text = page_text(built_book.html / "mentors.html")
    for mentor in built_book.course.mentors.values():
        assert mentor.name in mentors
        assert mentor.contact in text
        # Sphinx hides the address from harvesters: mailto:lin%40mentors.example.org
        assert "mailto:" + mentor.contact.replace("@", "%40") in html.unescape(mentors)


def test_widgets_show_their_static_view(built_book: BuiltBook) -> None:
    lesson = built_book.page("lessons/01-python-basics.html")
    assert "kit-self-check-static" in lesson
    assert "What does <code>7 // 2</code> evaluate to?" in lesson
    assert "Open this lesson in JupyterLab</a> to answer" in lesson
    assert 'href="../_sources/lessons/01-python-basics.ipynb" download' in lesson
    start = built_book.page("start.html")
    assert "kit-path-static" in start
    for track in built_book.course.tracks.values():
        assert f'<a href="tracks/{track.id}.html">{track.title}</a>' in start
    for page in built_book.html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget-view+json" not in text, page
        assert "data-kit-link" not in text, page


def test_rebuild_after_editing_one_lesson(built_book: BuiltBook) -> None:
    """Editing a lesson's text rewrites that lesson only and runs nothing again. (Last: it
    rebuilds the shared book.)"""
    course = built_book.course
    lesson = course.notebook_path("plotting")
    notebook = json.loads(lesson.read_text(encoding="utf-8"))
    markdown = next(c for c in notebook["cells"] if c["cell_type"] == "markdown")
    markdown["source"] = [*markdown["source"], "\n\nAn added sentence."]
    lesson.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    result = build_book(course, built_book.out)
    assert result.changed == ["lessons/05-plotting.ipynb"]
    assert all(e.cached for e in result.executions)
    assert "An added sentence." in built_book.page("lessons/05-plotting.html")
    log = result.log.read_text(encoding="utf-8")
    assert "Executing notebook" not in log
