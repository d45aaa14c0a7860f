"""The plan as HTML, text and picture."""

from __future__ import annotations

from pathlib import Path

import yaml

from kit.course import load_course
from kit.paths import LearnerProfile, plan_path
from kit.paths.render import draw_plan, plan_html, plan_text

from .builders import chain_course


def test_html_lists_items_in_order_with_reasons_and_weeks() -> None:
    course = chain_course()
    plan = plan_path(course, LearnerProfile(track="to-c", hours_per_week=1))
    page = plan_html(course, plan)
    positions = [page.index(f"Lesson {i}") for i in ("la", "lb", "lc")]
    assert positions == sorted(positions)
    assert "Project: Project pc" in page
    assert '<a href="lessons/la.ipynb">' in page
    assert "needed for C" in page
    assert "Week 1" in page and "Week 3" in page
    assert '<progress value="0" max="3">' in page


def test_html_links_are_relative_to_the_showing_notebook() -> None:
    course = chain_course()
    plan = plan_path(course, LearnerProfile(track="to-c"))
    assert '<a href="../../lessons/la.ipynb">' in plan_html(course, plan, link_base="a/b")
    assert '<a href="lessons/la.ipynb">' in plan_html(course, plan, link_base=None)


def test_html_escapes_course_text() -> None:
    from kit.course import Course, Manifest

    manifest = Manifest.model_validate(
        {
            "id": "c",
            "title": "C",
            "skills": [{"id": "a", "title": "A & <b>"}],
            "lessons": [
                {
                    "id": "x",
                    "notebook": "x.ipynb",
                    "title": "<script>alert(1)</script>",
                    "skills": ["a"],
                    "minutes": 5,
                }
            ],
            "tracks": [{"id": "t", "title": "T", "goals": ["a"]}],
        }
    )
    course = Course(root=Path("."), manifest=manifest)
    page = plan_html(course, plan_path(course, LearnerProfile(track="t")))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "A &amp; &lt;b&gt;" in page


def test_goal_met_html_has_no_table() -> None:
    course = chain_course()
    plan = plan_path(course, LearnerProfile(track="to-c"), mastery=dict.fromkeys("abc", 1.0))
    page = plan_html(course, plan)
    assert "<table" not in page and "already mastered" in page


def test_text_plan() -> None:
    course = chain_course()
    text = plan_text(course, plan_path(course, LearnerProfile(track="to-c")))
    assert text.splitlines()[0] == "Goal: C. Mastered 0 of 3 skills."
    assert "Week 1" in text and "Lesson la (30 min)" in text


def test_draw_plan_png_bytes_and_svg_file(course_copy: Path, tmp_path: Path) -> None:
    # without the lesson and project on it, a skill is needed but nothing covers it
    manifest = yaml.safe_load((course_copy / "course.yml").read_text())
    for section in ("lessons", "projects"):
        manifest[section] = [
            x for x in manifest[section] if "text-classification" not in x["skills"]
        ]
    (course_copy / "course.yml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    course = load_course(course_copy)
    plan = plan_path(course, LearnerProfile(track="nlp-engineer", ratings={"python-basics": 3}))
    png = draw_plan(course, plan)
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG")
    svg = draw_plan(course, plan, tmp_path / "path.svg")
    text = Path(svg).read_text()
    assert "Your path: Text classification with transformers" in text
    for word in ("done", "next", "later", "needed, no lesson yet"):
        assert word in text
