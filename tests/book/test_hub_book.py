"""The book on a hub: the course's FAQ as a page (searchable like any page), and the JupyterHub
launch button on lessons (an nbgitpuller link from course.yml's hub settings)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from kit.book import BookError, FaqItem, build_book
from kit.book.config import KitSettings, load_config
from kit.book.hub import faq_page, launch_settings
from kit.book.pages import Layout, toc
from kit.book.source import BookSource
from kit.course import load_course
from kit.state import CourseState
from tests.conftest import run_cli

HUB = (
    "\nhub:\n  url: https://hub.example.org/\n  repository: https://github.com/acme/ml-course.git\n"
)

ITEMS = [
    FaqItem("Why is my groupby NaN?", "Missing keys give NaN.\n\nUse dropna=False.", "pandas"),
    FaqItem("What is *broadcasting*?", "Shapes <b>stretch</b>.", "numpy"),
    FaqItem("Where is the room?", "Room 4.", None),
]


def _with_hub(course_dir: Path, extra: str = HUB) -> None:
    manifest = course_dir / "course.yml"
    manifest.write_text(manifest.read_text() + extra)


def test_the_faq_page_groups_answers_by_skill_in_learning_order(sample_course: Path) -> None:
    page = faq_page(load_course(sample_course), ITEMS)  # by skill, in learning order
    titles = re.findall(r"^## (.+)$", page, re.MULTILINE)
    course = load_course(sample_course)
    expected = [course.skills[s].title for s in course.graph.sort(["pandas", "numpy"])]
    assert titles == [*expected, "Other questions"]
    assert r"### What is \*broadcasting\*?" in page  # text, not markup
    assert r"Shapes \<b\>stretch\</b\>." in page
    assert "Missing keys give NaN.\n\nUse dropna=False." in page


def test_the_toc_lists_the_faq_only_when_there_is_one(sample_course: Path) -> None:
    course = load_course(sample_course)

    def the_course(layout: Layout) -> list[dict[str, str]]:
        parts = toc(course, layout, KitSettings())["parts"]
        return next(p["chapters"] for p in parts if p["caption"] == "The course")

    assert the_course(Layout()) == [{"file": "skills"}, {"file": "mentors"}]
    assert the_course(Layout(faq="faq"))[-1] == {"file": "faq"}


def test_launch_settings_come_from_the_hub_section(course_copy: Path) -> None:
    assert launch_settings(load_course(course_copy)) == {}  # no hub: no button
    _with_hub(course_copy)
    settings = launch_settings(load_course(course_copy))
    assert settings == {
        "launch_buttons": {
            "jupyterhub_url": "https://hub.example.org",
            "notebook_interface": "jupyterlab",
        },
        "repository": {
            "url": "https://github.com/acme/ml-course",
            "branch": "main",
            "path_to_book": "",  # the copy is in no repository: it is the repository's top
        },
    }


def test_a_course_inside_a_repository_and_an_unknown_host(course_copy: Path) -> None:
    (course_copy.parent / ".git").mkdir()
    parent = course_copy.parent / "courses"
    parent.mkdir()
    moved = Path(shutil.move(course_copy, parent / "python-ml"))
    _with_hub(
        moved,
        "\nhub:\n  url: https://hub.example.org\n  repository: https://git.example.org/acme/ml\n"
        "  branch: spring\n",
    )
    settings = launch_settings(load_course(moved))
    assert settings["repository"] == {
        "url": "https://git.example.org/acme/ml",
        "branch": "spring",
        "path_to_book": "courses/python-ml",
    }
    assert settings["sphinx"]["config"]["html_theme_options"] == {"repository_provider": "github"}


def test_a_repository_address_without_a_repository_names_the_field(course_copy: Path) -> None:
    _with_hub(
        course_copy,
        "\nhub:\n  url: https://hub.example.org\n  repository: https://github.com/acme\n",
    )
    with pytest.raises(BookError) as caught:
        launch_settings(load_course(course_copy))
    assert "course.yml: hub.repository:" in caught.value.message and caught.value.fix


@pytest.mark.slow
def test_the_generated_config_has_the_launch_button_and_the_faq_page(
    course_copy: Path, tmp_path: Path
) -> None:
    _with_hub(course_copy)
    course = load_course(course_copy)
    out = tmp_path / "out"
    generated = BookSource(course, load_config(course), out, execute=False, faq=ITEMS).generate()
    config = yaml.safe_load((generated.src / "_config.yml").read_text())
    assert config["launch_buttons"]["jupyterhub_url"] == "https://hub.example.org"
    assert config["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert config["repository"]["url"] == "https://github.com/acme/ml-course"
    assert "faq.md" in generated.changed and (generated.src / "faq.md").is_file()
    again = BookSource(course, load_config(course), out, execute=False).generate()
    assert "faq.md" in again.removed  # an FAQ emptied since: its page goes


@pytest.mark.slow
def test_a_built_lesson_launches_on_the_hub_and_the_faq_is_searchable(
    course_copy: Path, tmp_path: Path
) -> None:
    _with_hub(course_copy)
    course = load_course(course_copy)
    result = build_book(course, tmp_path / "out", execute=False, faq=ITEMS)
    assert result.faq == 3
    lesson = (result.html / "lessons" / "04-pandas.html").read_text(encoding="utf-8")
    links = re.findall(
        r'href="(https://hub\.example\.org/hub/user-redirect/git-pull\?[^"]+)"', lesson
    )
    assert links, "no JupyterHub launch button on the lesson"
    query = parse_qs(urlsplit(links[0].replace("&amp;", "&")).query)
    assert query == {
        "repo": ["https://github.com/acme/ml-course"],
        "urlpath": ["lab/tree/ml-course/lessons/04-pandas.ipynb"],
        "branch": ["main"],
    }
    assert "git-pull" not in (result.html / "skills.html").read_text(encoding="utf-8")
    faq = (result.html / "faq.html").read_text(encoding="utf-8")
    assert "Why is my groupby NaN?" in faq
    index = (result.html / "searchindex.js").read_text(encoding="utf-8")
    data = json.loads(index[index.index("(") + 1 : index.rindex(")")])
    assert "faq" in data["docnames"] and "dropna" in data["terms"]


@pytest.mark.slow
def test_book_build_says_when_there_is_no_faq_and_reads_it_from_the_database(
    course_copy: Path, tmp_path: Path
) -> None:
    code, out = run_cli(
        "book", "build", str(course_copy), "--no-execute", "-o", str(tmp_path / "a")
    )
    assert code == 0, out
    assert "no FAQ page" in out and "no course database" in " ".join(out.split())
    assert not (course_copy / "_kit" / "attempts.sqlite").exists()
    state = CourseState(load_course(course_copy))
    state.faq.share(1, "Why is my groupby NaN?", "Missing keys.", "pandas", "lin")
    state.close()
    code, out = run_cli(
        "book", "build", str(course_copy), "--no-execute", "-o", str(tmp_path / "b")
    )
    assert code == 0, out
    assert "FAQ page: 1 shared answer(s)" in out
    assert "Missing keys." in (tmp_path / "b" / "_build" / "html" / "faq.html").read_text()
