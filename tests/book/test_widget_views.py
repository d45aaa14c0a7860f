"""The static views of the kit's widgets: what a page without a kernel (the book) shows."""

from __future__ import annotations

from pathlib import Path

from kit.course import load_course
from kit.paths.learner import LearnerStore
from kit.paths.widgets import PathSelector, PlacementCheck, self_check

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_self_check_shows_question_and_choices_not_the_answer(
    sample_course: Path, tmp_path: Path
) -> None:
    store = LearnerStore("python-ml", "ada", tmp_path)
    check = self_check("numpy-shape", sample_course, store)
    bundle = check._repr_mimebundle_()
    assert WIDGET_VIEW in bundle  # JupyterLab still renders the live widget
    view = bundle["text/html"]
    assert "<code>np.zeros((3, 4)).sum(axis=0).shape</code>" in view
    for choice in ["(3,)", "(4,)", "(3, 4)", "()"]:
        assert f"<li>{choice}</li>" in view
    assert "Open this lesson in JupyterLab</a> to answer" in view
    assert "collapses the 3 rows" not in view  # the explanation gives the answer away


def test_numeric_self_check(sample_course: Path, tmp_path: Path) -> None:
    check = self_check(
        "basics-loop-count", sample_course, LearnerStore("python-ml", "ada", tmp_path)
    )
    assert "Answer with a number." in check._repr_mimebundle_()["text/html"]


def test_path_selector_lists_tracks_with_hours(sample_course: Path, tmp_path: Path) -> None:
    selector = PathSelector(sample_course, store=LearnerStore("python-ml", "ada", tmp_path))
    view = selector._repr_mimebundle_()["text/html"]
    course = load_course(sample_course)
    for track in course.tracks.values():
        assert f'<a href="#" data-kit-link="track/{track.id}">{track.title}</a>' in view
    assert "hours (" in view
    selector.hours.value = 1
    assert "at 1 hours a week" in selector._repr_mimebundle_()["text/html"]


def test_placement_check_view(sample_course: Path, tmp_path: Path) -> None:
    course = load_course(sample_course)
    placement = PlacementCheck(
        course, ["python-basics"], LearnerStore("python-ml", "ada", tmp_path)
    )
    view = placement._repr_mimebundle_()["text/html"]
    assert "Placement check" in view
    assert view.count("<li style") == len(placement.items)
