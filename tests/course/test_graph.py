"""The skill graph: closure, stable order, depth, lessons per skill, and the picture."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kit.course import Skill, SkillGraph, load_course
from kit.course.drawing import DrawingError, draw_skill_graph
from kit.errors import KitError
from tests.conftest import outputs_under_hash_seeds


def _graph() -> SkillGraph:
    #   a -> b -> d
    #   a -> c -> d ;  e independent, declared before c
    return SkillGraph(
        [
            Skill(id="a", title="A"),
            Skill(id="b", title="B", prerequisites=["a"]),
            Skill(id="e", title="E"),
            Skill(id="d", title="D", prerequisites=["b", "c"]),
            Skill(id="c", title="C", prerequisites=["a"]),
        ]
    )


def test_order_is_topological_and_follows_declaration() -> None:
    graph = _graph()
    assert graph.order == ["a", "b", "e", "c", "d"]


def test_order_is_stable_across_builds() -> None:
    assert _graph().order == _graph().order


def test_closure_and_prerequisites() -> None:
    graph = _graph()
    assert graph.closure(["d"]) == ["a", "b", "c", "d"]
    assert graph.closure(["b", "e"]) == ["a", "b", "e"]
    assert graph.prerequisites("d") == ["a", "b", "c"]
    assert graph.prerequisites("d", transitive=False) == ["b", "c"]
    assert graph.dependents("a") == ["b", "c", "d"]
    assert graph.roots() == ["a", "e"]


def test_depth_and_layers() -> None:
    graph = _graph()
    assert graph.depth == {"a": 0, "b": 1, "e": 0, "c": 1, "d": 2}
    assert graph.layers() == [["a", "e"], ["b", "c"], ["d"]]


def test_unknown_skill_raises_key_error() -> None:
    with pytest.raises(KeyError, match="zzz"):
        _graph().closure(["zzz"])


def test_sample_course_graph(sample_course: Path) -> None:
    course = load_course(sample_course)
    order = course.graph.order
    for skill in course.manifest.skills:
        for pre in skill.prerequisites:
            assert order.index(pre) < order.index(skill.id)
    assert order[0] == "python-basics"
    assert order[-1] == "text-classification"
    assert [x.id for x in course.lessons_teaching("numpy")] == ["numpy"]
    assert [x.id for x in course.lessons_teaching("text-classification")] == ["fine-tuning"]


def test_track_summary(sample_course: Path) -> None:
    course = load_course(sample_course)
    analyst = course.track_summary("data-analyst")
    assert analyst.skills[-1] == "exploratory-analysis"
    assert "ml-basics" not in analyst.skills
    lesson_ids = [x.id for x in analyst.lessons]
    assert (
        lesson_ids.index("python-basics") < lesson_ids.index("numpy") < lesson_ids.index("pandas")
    )
    assert "scikit-learn" not in lesson_ids
    assert [p.id for p in analyst.projects] == ["pandas-analysis"]
    assert analyst.minutes == sum(x.minutes for x in analyst.lessons) + 120
    nlp = course.track_summary("nlp-engineer")
    assert set(analyst.skills) - {"plotting", "data-cleaning", "exploratory-analysis"} <= set(
        nlp.skills
    )


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_draw_writes_a_picture(sample_course: Path, tmp_path: Path, suffix: str) -> None:
    course = load_course(sample_course)
    out = draw_skill_graph(course, tmp_path / f"skills{suffix}")
    data = out.read_bytes()
    if suffix == ".png":
        assert data.startswith(b"\x89PNG")
    else:
        text = data.decode()
        ET.fromstring(text)  # well-formed XML
        for skill in course.manifest.skills:
            first_word = skill.title.split()[0]
            assert first_word in text
        for track in course.manifest.tracks:
            assert track.title in text


def test_draw_highlights_a_track_and_is_deterministic(sample_course: Path, tmp_path: Path) -> None:
    course = load_course(sample_course)
    one = draw_skill_graph(course, tmp_path / "a.svg", track="data-analyst").read_text()
    two = draw_skill_graph(course, tmp_path / "b.svg", track="data-analyst").read_text()
    plain = draw_skill_graph(course, tmp_path / "c.svg").read_text()
    assert one == two
    assert one != plain
    assert "Data analyst" in one


@pytest.mark.slow
def test_drawing_is_the_same_under_other_string_hashes(sample_course: Path, tmp_path: Path) -> None:
    # fresh processes, each with its own string hash (and so its own order of sets of strings)
    code = (
        "from kit.course import load_course\n"
        "from kit.course.drawing import draw_skill_graph\n"
        f"course = load_course({str(sample_course)!r})\n"
        f"out = draw_skill_graph(course, {str(tmp_path / 'p.svg')!r}, track='data-analyst')\n"
        "print(out.read_text())"
    )
    first, second = outputs_under_hash_seeds(code)
    assert first == second
    here = draw_skill_graph(load_course(sample_course), tmp_path / "a.svg", track="data-analyst")
    assert first.rstrip("\n") == here.read_text().rstrip("\n")


def test_draw_rejects_bad_requests(sample_course: Path, tmp_path: Path) -> None:
    course = load_course(sample_course)
    with pytest.raises(ValueError, match=r"\.svg"):
        draw_skill_graph(course, tmp_path / "skills.gif")
    with pytest.raises(ValueError, match="unknown track 'astronaut'") as caught:
        draw_skill_graph(course, tmp_path / "skills.svg", track="astronaut")
    assert not list(tmp_path.iterdir())
    # a mistake of the user's: the command line shows its message and fix, no traceback
    assert isinstance(caught.value, DrawingError)
    assert isinstance(caught.value, KitError)
    assert caught.value.fix == "name a track of course.yml"
