"""The path selector, self-checks and placement check, driven from Python without a browser."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
import yaml

from kit.course import Check, load_course
from kit.paths.learner import LearnerStore
from kit.paths.widgets import PathSelector, PlacementCheck, SelfCheck, find_course_dir, self_check


@pytest.fixture
def store(tmp_path: Path) -> LearnerStore:
    return LearnerStore("python-ml", "ada", tmp_path / "learner")


@pytest.fixture
def selector(sample_course: Path, store: LearnerStore) -> PathSelector:
    return PathSelector(sample_course, store=store)


def test_selector_plans_the_first_track(selector: PathSelector) -> None:
    assert selector.track.value == "data-analyst"
    assert selector.plan is not None
    assert selector.plan.items[0].id == "python-basics"
    view = selector.plan_view.value
    assert '<a href="lessons/01-python-basics.ipynb">Python basics</a>' in view
    assert "Week 1" in view
    state = selector.track.get_state()
    assert state["index"] == 0


def test_changing_track_replans_and_saves(selector: PathSelector, store: LearnerStore) -> None:
    selector.track.value = "nlp-engineer"
    assert selector.plan is not None
    assert selector.plan.goals == ("text-classification",)
    assert "scikit-learn" in [i.id for i in selector.plan.items]
    assert "plotting" not in [i.id for i in selector.plan.items]
    assert store.load_profile().track == "nlp-engineer"


def test_hours_change_the_schedule(selector: PathSelector) -> None:
    selector.hours.value = 10
    assert selector.plan is not None
    few_weeks = len(selector.plan.weeks)
    selector.hours.value = 1
    assert selector.plan is not None
    assert len(selector.plan.weeks) > few_weeks
    assert all(week.minutes <= 60 for week in selector.plan.weeks)


def test_self_rating_skips_mastered_lessons(selector: PathSelector) -> None:
    selector.set_rating("python-basics", 3)
    assert selector.plan is not None
    assert "python-basics" in selector.plan.mastered
    assert selector.plan.items[0].id == "functions-and-collections"
    # the rating rows follow the goal's skills and show the stored level
    rows = {row.description: row.value for row in selector.ratings_box.children}
    assert rows["Python basics"] == 3


def test_custom_goals(selector: PathSelector) -> None:
    selector.track.value = ""
    assert selector.plan is None
    assert "choose a track" in html.unescape(selector.plan_view.value)
    selector.goals.value = ("numpy",)
    assert selector.plan is not None
    assert [i.id for i in selector.plan.items] == [
        "python-basics",
        "functions-and-collections",
        "numpy",
    ]


def test_profile_survives_a_restart(sample_course: Path, store: LearnerStore) -> None:
    first = PathSelector(sample_course, store=store)
    first.track.value = "ml-engineer"
    first.hours.value = 7.5
    first.set_rating("numpy", 2)
    again = PathSelector(sample_course, store=LearnerStore("python-ml", "ada", store.root))
    assert again.track.value == "ml-engineer"
    assert again.hours.value == 7.5
    assert again.profile().ratings == {"numpy": 2}


def test_answers_change_the_plan(selector: PathSelector, store: LearnerStore) -> None:
    course = selector.course
    checks = [c for c in course.manifest.checks if c.skill == "python-basics"]
    for check in checks:
        widget = SelfCheck(check, store)
        widget.response.value = check.answer if check.choices else str(check.answer)
        assert widget.submit() is True
    selector.refresh()
    assert selector.plan is not None
    assert "python-basics" in selector.plan.mastered


def test_skill_map_tab_draws_the_path(selector: PathSelector) -> None:
    assert selector.picture.value == b""
    selector.tabs.selected_index = 2
    assert bytes(selector.picture.value).startswith(b"\x89PNG")


def test_placement_check_updates_the_plan(selector: PathSelector, store: LearnerStore) -> None:
    placement = selector.open_placement()
    assert selector.tabs.selected_index == 1
    assert placement.checks and {c.skill for c in placement.checks} <= set(selector.plan.needed)
    for item in placement.items:
        if item.check.skill in ("python-basics", "python-functions", "python-data-structures"):
            answer = item.check.answer
            item.response.value = answer if item.check.choices else str(answer)
    results = placement.submit()
    assert results["python-basics"] == 1.0
    assert results["numpy"] == 0.0
    plan = selector.plan
    assert plan is not None
    # two right answers are not enough to skip a skill's lessons: a check comes first where the
    # course has a third question on it (python-basics), its lessons where it has not
    assert not {"python-basics", "python-functions"} & set(plan.mastered)
    first = plan.items[0]
    assert (first.kind, first.id, first.minutes) == ("check", "python-basics", 2)
    assert all(i.kind != "check" or i.id != "python-functions" for i in plan.items)
    assert any("python-functions" in i.skills and i.kind == "lesson" for i in plan.items)
    assert {a.source for a in store.history()} == {"placement"}


def test_self_check_feedback_and_record(store: LearnerStore) -> None:
    check = Check(
        id="q",
        skill="numpy",
        question="What is **2 + 2**? <img src=x>",
        answer=4,
        explanation="Two and `two`.",
    )
    widget = SelfCheck(check, store)
    assert "<strong>2 + 2</strong>" in widget.question.value
    assert "<img" not in widget.question.value  # course text is escaped, not trusted markup
    assert widget.submit() is None and "answer first" in widget.feedback.value
    widget.response.value = "5"
    assert widget.submit() is False
    assert "Not quite" in widget.feedback.value
    assert "Two and <code>two</code>." in widget.feedback.value
    widget.response.value = "4"
    assert widget.submit() is True
    assert widget.get_state()["correct"] is True
    assert [a.correct for a in store.history()] == [0.0, 1.0]


def test_multiple_choice_self_check(store: LearnerStore) -> None:
    check = Check(id="q", skill="numpy", question="Pick b", choices=["a", "b"], answer="b")
    widget = SelfCheck(check, store)
    assert widget.response.options == ("a", "b")
    widget.response.value = "b"
    assert widget.submit() is True


def test_self_check_by_id(sample_course: Path, store: LearnerStore) -> None:
    widget = self_check("numpy-shape", sample_course, store)
    assert widget.check.skill == "numpy"
    with pytest.raises(KeyError, match="no check 'nope'"):
        self_check("nope", sample_course, store)


def test_placement_without_questions(course_copy: Path, store: LearnerStore) -> None:
    import nbformat

    manifest = yaml.safe_load((course_copy / "course.yml").read_text())
    removed = {c["id"] for c in manifest["checks"] if c["skill"] == "transformers"}
    manifest["checks"] = [c for c in manifest["checks"] if c["id"] not in removed]
    (course_copy / "course.yml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    for path in (course_copy / "lessons").glob("*.ipynb"):  # and the lessons that ask them
        nb = nbformat.read(path, as_version=4)
        nb.cells = [c for c in nb.cells if not any(f'"{r}"' in c.source for r in removed)]
        nbformat.write(nb, path)
    course = load_course(course_copy)
    empty = PlacementCheck(course, ["transformers"], store)
    assert empty.checks == [] and empty.submit() == {}


def test_find_course_dir(sample_course: Path, tmp_path: Path) -> None:
    assert find_course_dir(sample_course / "lessons") == sample_course
    with pytest.raises(FileNotFoundError, match=r"no course\.yml"):
        find_course_dir(tmp_path)


def test_goal_list_shows_only_for_own_goals(selector: PathSelector) -> None:
    assert selector.goals.layout.display == "none"
    selector.track.value = ""
    assert selector.goals.layout.display is None


def test_selector_uses_the_parameters_the_course_ships(course_copy: Path, tmp_path: Path) -> None:
    from kit.progress.bkt import BKT, BKTParams

    store = LearnerStore("python-ml", "ada", tmp_path / "shipped")
    store.record("python-basics", "basics-int-division", 1.0)
    plain = PathSelector(course_copy, store=store)
    assert plain.plan is not None and plain.plan.mastery["python-basics"] < plain.threshold
    fitted = BKT()
    fitted.params_ = {"python-basics": BKTParams(prior=0.3, learn=0.5, guess=0.02, slip=0.02)}
    fitted.save(course_copy / "progress" / "bkt.json")
    shipped = PathSelector(course_copy, store=store)
    assert shipped.plan is not None and shipped.plan.mastery["python-basics"] > 0.95
    # measured as mastered from one answer: checked before its lessons are skipped
    first = shipped.plan.items[0]
    assert (first.kind, first.id) == ("check", "python-basics")
    assert all("python-basics" not in i.skills for i in shipped.plan.items[1:])
