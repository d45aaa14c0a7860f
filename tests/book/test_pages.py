"""Generated pages, the table of contents and the book's configuration, without building."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.book.config import BookError, KitSettings, load_config
from kit.book.pages import Layout, lesson_groups, link, render_template, text, toc
from kit.course import load_course


def test_lessons_grouped_by_track_then_the_rest(sample_course: Path) -> None:
    course = load_course(sample_course)
    groups = lesson_groups(course, KitSettings(lesson_groups="track"))
    assert groups[0][0] == "Data analyst"
    assert [x.id for x in groups[0][1]][:3] == [
        "python-basics",
        "functions-and-collections",
        "numpy",
    ]
    grouped = [x.id for _, members in groups for x in members]
    assert sorted(grouped) == sorted(course.lessons)  # each lesson once
    assert len(grouped) == len(set(grouped))


def test_lessons_grouped_by_layer(sample_course: Path) -> None:
    course = load_course(sample_course)
    groups = lesson_groups(course, KitSettings(lesson_groups="layer"))
    assert groups[0] == ("Skill layer 1", [course.lessons["python-basics"]])
    grouped = [x.id for _, members in groups for x in members]
    assert sorted(grouped) == sorted(course.lessons)


def test_toc_lists_every_part(sample_course: Path) -> None:
    course = load_course(sample_course)
    layout = Layout(
        start="start",
        landing=("using-this-book",),
        project_notebooks={"pandas-analysis": ["pandas-analysis.ipynb"]},
    )
    data = toc(course, layout, KitSettings())
    assert data["format"] == "jb-book"
    assert data["root"] == "index"
    captions = [part["caption"] for part in data["parts"]]
    assert captions[:3] == ["Start here", "The course", "Tracks"]
    assert captions[-1] == "Projects"
    project = data["parts"][-1]["chapters"][0]
    assert project == {
        "file": "projects/pandas-analysis/index",
        "sections": [{"file": "projects/pandas-analysis/pandas-analysis"}],
    }


def test_text_and_links() -> None:
    assert text("a_b *c* | [d]") == r"a\_b \*c\* \| \[d\]"
    assert (
        link("NumPy", "tracks/ml", "lessons/03-numpy", ".ipynb")
        == "[NumPy](../lessons/03-numpy.ipynb)"
    )
    assert link("Map", "index", "skills") == "[Map](skills.md)"


def test_unknown_placeholder_names_the_file_and_line(tmp_path: Path) -> None:
    where = tmp_path / "index.md"
    with pytest.raises(BookError, match=r"index.md:2: unknown placeholder '\{\{ titel \}\}'"):
        render_template("# Hi\n{{ titel }}", {"title": "x"}, where)
    assert render_template("# {{title}}", {"title": "Course"}, where) == "# Course"


def test_course_book_folder_overrides_the_base(course_copy: Path) -> None:
    book = course_copy / "book"
    book.mkdir()
    (book / "_config.yml").write_text("kit:\n  lesson_groups: layer\nhtml:\n  extra_footer: hi\n")
    (book / "index.md").write_text("# {{ title }}\n")
    config = load_config(load_course(course_copy))
    assert config.kit.lesson_groups == "layer"
    assert config.jupyter_book["html"]["extra_footer"] == "hi"
    assert config.jupyter_book["html"]["home_page_in_navbar"] is True  # from the base
    assert config.pages["index.md"] == book / "index.md"
    assert "using-this-book.md" in config.pages
    assert "kit" not in config.jupyter_book


def test_bad_kit_setting_is_a_clear_error(course_copy: Path) -> None:
    (course_copy / "book").mkdir()
    (course_copy / "book" / "_config.yml").write_text("kit:\n  lesson_group: track\n")
    with pytest.raises(BookError, match=r"_config.yml: kit.lesson_group: unknown setting"):
        load_config(load_course(course_copy))


def test_jupyterlab_url_may_only_name_course_and_path(course_copy: Path) -> None:
    (course_copy / "book").mkdir()
    config = course_copy / "book" / "_config.yml"
    config.write_text("kit:\n  jupyterlab_url: https://hub.example.org/lab/tree/{user}/{path}\n")
    with pytest.raises(BookError, match=r"kit.jupyterlab_url: only \{course\} and \{path\}"):
        load_config(load_course(course_copy))
    config.write_text("kit:\n  jupyterlab_url: https://hub.example.org/lab/tree/{course}/{path}\n")
    assert "{path}" in load_config(load_course(course_copy)).kit.jupyterlab_url
