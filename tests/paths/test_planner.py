"""The path planner, case by case, on small courses built in memory and on the sample course."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kit.course import load_course
from kit.paths import LearnerProfile, PlanError, plan_path
from tests.conftest import SAMPLE_COURSE, outputs_under_hash_seeds

from .builders import chain_course, make_course


def ids(plan: object) -> list[str]:
    return [item.id for item in plan.items]  # type: ignore[attr-defined]


def test_from_scratch_follows_prerequisites() -> None:
    plan = plan_path(chain_course(), LearnerProfile(track="to-c"))
    assert plan.goals == ("c",)
    assert plan.needed == ("a", "b", "c")
    assert ids(plan) == ["la", "lb", "lc", "pc"]
    assert plan.minutes == 30 + 40 + 50 + 90
    assert not plan.goal_met and plan.progress == 0


def test_independent_prerequisite_is_included_in_stable_order() -> None:
    plan = plan_path(chain_course(), LearnerProfile(track="to-d"))
    assert ids(plan) == ["la", "lb", "lx", "lc", "pc", "ld"]


def test_mastered_skills_are_skipped_from_self_rating() -> None:
    profile = LearnerProfile(track="to-d", ratings={"a": 3, "b": 3, "x": 1})
    plan = plan_path(chain_course(), profile)
    assert plan.mastered == ("a", "b")
    assert ids(plan) == ["lx", "lc", "pc", "ld"]
    # the project still counts for c, and lists only the skill the learner still needs
    project = next(i for i in plan.items if i.id == "pc")
    assert project.skills == ("c",)


def test_placement_beats_self_rating_and_measured_mastery_beats_both() -> None:
    profile = LearnerProfile(track="to-c", ratings={"a": 3}, placement={"a": 0.2, "b": 1.0})
    plan = plan_path(chain_course(), profile)
    assert plan.mastered == ("b",)
    assert "la" in ids(plan) and "lb" not in ids(plan)
    plan = plan_path(chain_course(), profile, mastery={"a": 0.95, "b": 0.1})
    assert plan.mastered == ("a",)
    assert ids(plan)[0] == "lb"


def test_threshold_is_configurable() -> None:
    profile = LearnerProfile(track="to-c", ratings={"a": 2})  # 2 -> 0.6
    assert "la" in ids(plan_path(chain_course(), profile))
    assert "la" not in ids(plan_path(chain_course(), profile, threshold=0.5))
    with pytest.raises(PlanError, match="threshold"):
        plan_path(chain_course(), profile, threshold=0)


def test_custom_goals_and_track_together() -> None:
    plan = plan_path(chain_course(), LearnerProfile(goals=["x"]))
    assert ids(plan) == ["lx"]
    plan = plan_path(chain_course(), LearnerProfile(track="to-c", goals=["x"]))
    assert plan.goals == ("x", "c") or plan.goals == ("c", "x")
    assert set(ids(plan)) == {"la", "lb", "lx", "lc", "pc"}


def test_goal_already_met() -> None:
    mastery = {s: 0.99 for s in "abc"}
    plan = plan_path(chain_course(), LearnerProfile(track="to-c"), mastery=mastery)
    assert plan.goal_met and plan.items == () and plan.weeks == ()
    assert plan.progress == 1.0
    assert any("already mastered" in m for m in plan.messages)


def test_unknown_track_and_skills_are_clear_errors() -> None:
    with pytest.raises(PlanError, match=r"unknown track 'to_c'; did you mean 'to-c'\?"):
        plan_path(chain_course(), LearnerProfile(track="to_c"))
    with pytest.raises(PlanError, match=r"unknown skill 'zz'.*known: a, b, x, c, d"):
        plan_path(chain_course(), LearnerProfile(goals=["zz"]))


def test_no_goal_is_an_error() -> None:
    with pytest.raises(PlanError, match="choose a track"):
        plan_path(chain_course(), LearnerProfile())


def test_unknown_skills_in_mastery_are_ignored() -> None:
    plan = plan_path(chain_course(), LearnerProfile(track="to-c"), mastery={"gone": 1.0})
    assert "gone" not in plan.mastery


def test_empty_course_says_so() -> None:
    course = make_course(skills={"a": []}, lessons={}, tracks={"t": ["a"]})
    plan = plan_path(course, LearnerProfile(track="t"))
    assert plan.items == ()
    assert any("no lessons or projects" in m for m in plan.messages)
    assert not plan.goal_met


def test_untaught_skill_points_to_a_mentor() -> None:
    course = make_course(
        skills={"a": [], "b": ["a"]},
        lessons={"la": (["a"], 10)},
        tracks={"t": ["b"]},
        mentors={"ada": ["b"]},
    )
    plan = plan_path(course, LearnerProfile(track="t"))
    assert ids(plan) == ["la"]
    assert plan.messages == ("No lesson teaches 'B' yet; ask Ada.",)


def test_reasons_name_the_goal_and_the_status() -> None:
    profile = LearnerProfile(track="to-d", ratings={"a": 2})
    plan = plan_path(chain_course(), profile)
    first = plan.items[0]
    assert first.id == "la"
    assert "needed for D" in first.reason
    assert "A at 60% (mastered from 80%)" in first.reason
    assert "B not shown yet" in plan.items[1].reason
    last = plan.items[-1]
    assert last.id == "ld" and "your goal D" in last.reason


def test_weekly_schedule_respects_the_budget() -> None:
    plan = plan_path(chain_course(), LearnerProfile(track="to-d", hours_per_week=1.5))
    assert [w.number for w in plan.weeks] == list(range(1, len(plan.weeks) + 1))
    for week in plan.weeks:
        assert week.minutes <= 90
    # la(30)+lb(40)+lx(20) = 90 fit in week 1; lc(50) starts week 2; pc(90) does not fit after it
    assert [[i.id for i in w.items] for w in plan.weeks] == [
        ["la", "lb", "lx"],
        ["lc"],
        ["pc"],
        ["ld"],
    ]
    assert all(item.week >= 1 for item in plan.items)


def test_long_item_runs_into_the_next_weeks() -> None:
    course = make_course(
        skills={"a": []}, lessons={"long": (["a"], 150), "after": (["a"], 10)}, tracks={"t": ["a"]}
    )
    plan = plan_path(course, LearnerProfile(track="t", hours_per_week=1))
    assert [(w.number, [i.id for i in w.items], w.minutes) for w in plan.weeks] == [
        (1, ["long"], 60),
        (2, [], 60),
        (3, ["after"], 40),
    ]


def test_hours_per_week_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        LearnerProfile(track="to-c", hours_per_week=0)


def test_lessons_that_need_each_other_still_get_an_order() -> None:
    # l1 teaches a and c, l2 teaches b; a -> b -> c, so each needs the other: no strict order
    course = make_course(
        skills={"a": [], "b": ["a"], "c": ["b"]},
        lessons={"l1": (["a", "c"], 10), "l2": (["b"], 10)},
        tracks={"t": ["c"]},
    )
    plan = plan_path(course, LearnerProfile(track="t"))
    assert ids(plan) == ["l2", "l1"] or ids(plan) == ["l1", "l2"]
    assert sorted(ids(plan)) == ["l1", "l2"]


def test_deterministic() -> None:
    profile = LearnerProfile(track="to-d", ratings={"b": 3}, hours_per_week=2)
    assert plan_path(chain_course(), profile) == plan_path(chain_course(), profile)


@pytest.mark.slow
def test_same_plans_under_other_string_hashes() -> None:
    # fresh processes, each with its own string hash: the order of a set of ids must not leak
    profile = LearnerProfile(track="to-d", ratings={"b": 3}, hours_per_week=2)
    code = (
        "from kit.course import load_course\n"
        "from kit.paths import LearnerProfile, plan_path\n"
        "from tests.paths.builders import chain_course\n"
        "profile = LearnerProfile(track='to-d', ratings={'b': 3}, hours_per_week=2)\n"
        "print(repr(plan_path(chain_course(), profile)))\n"
        f"course = load_course({str(SAMPLE_COURSE)!r})\n"
        "for track in course.tracks:\n"
        "    print(repr(plan_path(course, LearnerProfile(track=track, hours_per_week=3))))\n"
    )
    first, second = outputs_under_hash_seeds(code)
    assert first == second
    assert first.splitlines()[0] == repr(plan_path(chain_course(), profile))
    assert len(first.splitlines()) == 1 + len(load_course(SAMPLE_COURSE).tracks)


def test_sample_course_tracks_are_coherent(sample_course: Path) -> None:
    course = load_course(sample_course)
    for track in course.tracks:
        plan = plan_path(course, LearnerProfile(track=track))
        seen: set[str] = set()
        for item in plan.items:
            for skill in item.skills:
                # every prerequisite of what an item covers is covered earlier (or untaught)
                for pre in course.graph.prerequisites(skill):
                    assert pre in seen or not course.lessons_teaching(pre), (track, item.id, pre)
                seen.add(skill)  # an item teaches its skills in prerequisite order
        assert plan.items[0].id == "python-basics"


def _checked_course() -> object:
    """a -> b, three self-checks on each, one lesson each and one on both."""
    return make_course(
        skills={"a": [], "b": ["a"]},
        lessons={"la": (["a"], 30), "lb": (["b"], 40), "lab": (["a", "b"], 20)},
        tracks={"to-b": ["b"]},
        checks={"a1": "a", "a2": "a", "a3": "a", "b1": "b", "b2": "b", "b3": "b"},
    )


def test_a_skill_mastered_from_few_answers_is_checked_first() -> None:
    course = _checked_course()
    profile = LearnerProfile(track="to-b")
    plan = plan_path(course, profile, {"a": 0.93, "b": 0.2}, answers={"a": 2, "b": 1})
    assert plan.mastered == () and not plan.goal_met
    check = plan.items[0]
    assert (check.kind, check.id, check.skills, check.minutes) == ("check", "a", ("a",), 2)
    assert check.path == "lessons/la.ipynb"  # the first lesson that teaches it
    assert "from only 2 answers" in check.reason and "answer 1 more" in check.reason
    # b is simply not mastered: its lessons follow, and no lesson for a
    assert [(i.kind, i.id) for i in plan.items[1:]] == [("lesson", "lb"), ("lesson", "lab")]


def test_enough_answers_confirm_a_skill() -> None:
    course = _checked_course()
    profile = LearnerProfile(track="to-b")
    plan = plan_path(course, profile, {"a": 0.93, "b": 0.95}, answers={"a": 3, "b": 5})
    assert plan.mastered == ("a", "b") and plan.goal_met and plan.items == ()


def test_the_goal_is_not_met_until_its_checks_are_done() -> None:
    course = _checked_course()
    profile = LearnerProfile(track="to-b")
    plan = plan_path(course, profile, {"a": 0.95, "b": 0.9}, answers={"a": 1, "b": 2})
    assert not plan.goal_met and plan.messages == ()
    assert [(i.kind, i.id, i.minutes) for i in plan.items] == [("check", "a", 4), ("check", "b", 2)]


def test_too_few_questions_to_check_plan_the_lessons() -> None:
    # the chain course has no self-check questions: one answer cannot be confirmed
    mastery = {"a": 0.95, "b": 0.95, "c": 0.95}
    plan = plan_path(chain_course(), LearnerProfile(track="to-c"), mastery, answers={"a": 1})
    assert plan.mastered == ("b", "c") and not plan.goal_met
    assert [(i.kind, i.id) for i in plan.items] == [("lesson", "la")]


def test_without_answer_counts_mastery_is_trusted() -> None:
    course = _checked_course()
    profile = LearnerProfile(track="to-b")
    assert plan_path(course, profile, {"a": 0.95, "b": 0.9}).goal_met  # no counts: as before
    # a self-rating with no answers is the learner's own word
    rated = LearnerProfile(track="to-b", ratings={"a": 3, "b": 3})
    assert plan_path(course, rated, answers={}).goal_met
