"""The path planner: from a goal, a level and a time budget to an ordered, scheduled plan.

Pure functions over the course model: no widgets, no files. Same inputs, same plan.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import networkx as nx

from kit.course import Course, Lesson, Project
from kit.errors import KitError
from kit.paths.profile import LearnerProfile

DEFAULT_THRESHOLD = 0.8
"""P(mastered) at or above which a skill counts as mastered."""

CHECK_ANSWERS = 3
"""Answers on a skill before a measured mastery of it is trusted. From fewer (two lucky guesses
in a placement check can pass the threshold), the plan first asks for a short check on it, as
mastery-learning systems ask for a few right answers before moving on."""

CHECK_MINUTES = 2
"""Minutes a plan counts per self-check question."""

DONE = (
    "You have already mastered every skill your goal needs. Choose a new goal "
    "or take a project to prove it."
)
"""The message of a plan with nothing left to do."""


class PlanError(KitError, ValueError):
    """The request cannot be planned (unknown track or skill, no goal, bad time budget)."""


@dataclass(frozen=True)
class PlanItem:
    """One lesson or project on a learner's path."""

    kind: Literal["lesson", "project", "check"]
    """A lesson, a project, or a check: self-check questions that confirm a skill measured as
    mastered from few answers (its ``id`` is the skill's; ``path`` the lesson holding them)."""
    id: str
    title: str
    minutes: int
    skills: tuple[str, ...]
    """The skills it covers that the learner still needs."""
    reason: str
    week: int = 0
    """First week (1-based) in which to work on it."""
    path: str = ""
    """The notebook (lesson) or source folder (project), relative to the course folder."""

    @property
    def notebook(self) -> str:
        """The notebook to open for it: a lesson's, or the lesson holding a check's questions
        ("" for a project, or a check no lesson holds)."""
        return self.path if self.kind in ("lesson", "check") else ""


@dataclass(frozen=True)
class Week:
    """One week of the schedule."""

    number: int
    items: tuple[PlanItem, ...]
    minutes: int


@dataclass(frozen=True)
class Plan:
    """A learner's plan: what to do, in what order, in which week, and why."""

    goals: tuple[str, ...]
    needed: tuple[str, ...]
    """The goals and all their prerequisites, prerequisites first."""
    mastered: tuple[str, ...]
    """Needed skills already mastered (and confirmed: see :data:`CHECK_ANSWERS`)."""
    items: tuple[PlanItem, ...]
    weeks: tuple[Week, ...]
    mastery: Mapping[str, float]
    threshold: float
    messages: tuple[str, ...] = field(default=())

    @property
    def minutes(self) -> int:
        """Total estimated minutes of the plan."""
        return sum(item.minutes for item in self.items)

    @property
    def goal_met(self) -> bool:
        """True when every needed skill is mastered."""
        return len(self.mastered) == len(self.needed)

    @property
    def progress(self) -> float:
        """Share of the needed skills already mastered."""
        return len(self.mastered) / len(self.needed) if self.needed else 1.0

    @property
    def next_item(self) -> PlanItem | None:
        """What to do now."""
        return self.items[0] if self.items else None


def resolve_goals(course: Course, profile: LearnerProfile) -> list[str]:
    """The goal skills of a profile: its track's goals and its own, in course order.

    Raises
    ------
    PlanError
        For an unknown track or skill (with a suggestion), or when there is no goal at all.
    """
    goals: list[str] = []
    if profile.track:
        if profile.track not in course.tracks:
            raise PlanError(_unknown("track", profile.track, list(course.tracks)))
        goals.extend(course.tracks[profile.track].goals)
    unknown = [g for g in profile.goals if g not in course.skills]
    if unknown:
        raise PlanError(
            "; ".join(_unknown("skill", skill, list(course.skills)) for skill in unknown)
        )
    goals.extend(profile.goals)
    if not goals:
        raise PlanError("choose a track or at least one goal skill to plan a path")
    return course.graph.sort(dict.fromkeys(goals))


def _unknown(kind: str, value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown {kind} '{value}'{hint} (known: {', '.join(known) or 'none'})"


def plan_path(
    course: Course,
    profile: LearnerProfile,
    mastery: Mapping[str, float] | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    answers: Mapping[str, int] | None = None,
    check_answers: int = CHECK_ANSWERS,
) -> Plan:
    """Plan a learner's path through a course.

    Parameters
    ----------
    course:
        The course.
    profile:
        The learner's goal (track and/or goal skills), self-ratings, placement results and
        hours per week.
    mastery:
        Measured P(mastered) per skill (from :mod:`kit.progress`). Where a skill is measured
        it overrides what the profile says; elsewhere the profile's placement result, then
        its self-rating, is used; a skill with neither counts as not mastered.
    threshold:
        P(mastered) from which a skill counts as mastered.
    answers:
        How many answers each skill's measured mastery rests on (None: not known, every
        measured skill is trusted). A needed skill measured at or above the threshold from
        fewer than ``check_answers`` answers is not mastered yet: the plan starts with a check
        on it (more of the course's self-check questions on it), or, where the course has
        too few questions on it for that, plans its lessons.
    check_answers:
        Answers on a skill before its measured mastery is trusted.

    Returns
    -------
    Plan
        The lessons and projects still needed to reach the goals, prerequisites first, with a
        reason for each, and a week-by-week schedule.
    """
    if not 0.0 < threshold <= 1.0:
        raise PlanError(f"the mastery threshold must be above 0 and at most 1, not {threshold}")
    goals = resolve_goals(course, profile)
    estimate = {**profile.assumed_mastery(), **(mastery or {})}
    estimate = {s: float(p) for s, p in estimate.items() if s in course.skills}
    needed = course.graph.closure(goals)
    thin = _thin(course, needed, estimate, threshold, answers or {}, check_answers)
    mastered = [s for s in needed if estimate.get(s, 0.0) >= threshold and s not in thin]
    to_check = {s: more for s, more in thin.items() if more}
    missing = [s for s in needed if s not in set(mastered) and s not in to_check]
    messages: list[str] = []
    checks = [_check(course, s, more, answers or {}, estimate) for s, more in to_check.items()]

    if not missing and not checks:
        done = (DONE,)
        return Plan(tuple(goals), tuple(needed), tuple(mastered), (), (), estimate, threshold, done)
    if not course.manifest.lessons and not course.manifest.projects:
        messages.append("This course has no lessons or projects yet, so there is nothing to plan.")
    lessons, projects = _relevant(course, set(missing), set(needed))
    messages.extend(_untaught(course, missing, lessons))

    position = {s: i for i, s in enumerate(course.graph.order)}
    serves = {g: set(course.graph.closure([g])) for g in goals}
    items = _order(course, lessons, projects, set(missing), position)
    planned = checks + [
        _item(course, thing, set(missing), goals, serves, position, estimate, threshold)
        for thing in items
    ]
    weeks = _schedule(planned, profile.hours_per_week)
    return Plan(
        goals=tuple(goals),
        needed=tuple(needed),
        mastered=tuple(mastered),
        items=tuple(item for week in weeks for item in week.items),
        weeks=tuple(weeks),
        mastery=estimate,
        threshold=threshold,
        messages=tuple(messages),
    )


def _thin(
    course: Course,
    needed: Sequence[str],
    estimate: Mapping[str, float],
    threshold: float,
    answers: Mapping[str, int],
    check_answers: int,
) -> dict[str, int]:
    """Needed skills measured at or above the threshold from fewer than ``check_answers``
    answers: skill -> how many more self-check answers on it would make ``check_answers``
    (0 where the course has fewer questions on it than that: then its lessons are planned), in
    ``needed``'s order. A skill with no answers at all rests on the learner's own rating, which
    is theirs to give."""
    questions = Counter(check.skill for check in course.manifest.checks)
    return {
        s: check_answers - answers[s] if questions[s] >= check_answers else 0
        for s in needed
        if estimate.get(s, 0.0) >= threshold and 0 < answers.get(s, 0) < check_answers
    }


def _check(
    course: Course, skill: str, more: int, answers: Mapping[str, int], mastery: Mapping[str, float]
) -> PlanItem:
    """The check that confirms ``skill``: ``more`` self-check answers, in the first lesson that
    teaches it (where its questions are)."""
    title = course.skills[skill].title
    lesson = next((x for x in course.manifest.lessons if skill in x.skills), None)
    given = answers[skill]
    reason = (
        f"{title} is at {mastery[skill]:.0%} from only {given} answer{'s' * (given != 1)}: "
        f"answer {more} more self-check question{'s' * (more != 1)} on it to confirm it"
    )
    return PlanItem(
        "check",
        skill,
        f"Check: {title}",
        CHECK_MINUTES * more,
        (skill,),
        reason,
        path=lesson.notebook if lesson else "",
    )


def _relevant(
    course: Course, missing: set[str], needed: set[str]
) -> tuple[list[Lesson], list[Project]]:
    """The lessons that teach a missing skill, and the projects that assess one (and nothing
    beyond the goal's skills)."""
    lessons = [x for x in course.manifest.lessons if set(x.skills) & missing]
    projects = [
        p for p in course.manifest.projects if set(p.skills) & missing and set(p.skills) <= needed
    ]
    return lessons, projects


def _untaught(course: Course, missing: Sequence[str], lessons: Sequence[Lesson]) -> list[str]:
    """One message per missing skill that no lesson teaches, naming the mentors to ask."""
    messages = []
    for skill in missing:
        if any(skill in x.skills for x in lessons):
            continue
        mentors = ", ".join(m.name for m in course.mentors_for(skill))
        ask = f"; ask {mentors}" if mentors else ""
        messages.append(f"No lesson teaches '{course.skills[skill].title}' yet{ask}.")
    return messages


def _order(
    course: Course,
    lessons: Sequence[Lesson],
    projects: Sequence[Project],
    missing: set[str],
    position: Mapping[str, int],
) -> list[Lesson | Project]:
    """Lessons and projects in prerequisite order; ties keep the skill order, then course.yml's.

    Item B comes after item A when a skill B covers needs a skill A teaches: its nearest
    prerequisites that the learner still misses (looking through mastered ones). A project
    comes after the lessons of its skills, and no lesson waits for a project. If two lessons
    need each other (each teaches a prerequisite of the other), they fall back to the order of
    their latest skill.
    """
    graph = course.graph.graph
    things: list[Lesson | Project] = [*lessons, *projects]
    covers = [set(thing.skills) & missing for thing in things]
    frontier: dict[str, set[str]] = {}

    def nearest_missing(skill: str) -> set[str]:
        """The closest prerequisites of ``skill`` that are missing, through mastered ones."""
        if skill not in frontier:
            found: set[str] = set()
            for pre in graph.predecessors(skill):
                found |= {pre} if pre in missing else nearest_missing(pre)
            frontier[skill] = found
        return frontier[skill]

    teaching: dict[str, list[int]] = {}
    for i, thing in enumerate(things):
        if isinstance(thing, Lesson):
            for skill in covers[i]:
                teaching.setdefault(skill, []).append(i)

    order_graph: nx.DiGraph[int] = nx.DiGraph()
    order_graph.add_nodes_from(range(len(things)))
    for b, later in enumerate(things):
        for skill in covers[b]:
            before = set(nearest_missing(skill))
            if isinstance(later, Project):
                before.add(skill)  # after the lessons that teach what it assesses
            for pre in before:
                order_graph.add_edges_from((a, b) for a in teaching.get(pre, ()) if a != b)

    def key(i: int) -> tuple[int, bool, int]:
        return (min(position[s] for s in covers[i]), isinstance(things[i], Project), i)

    try:
        order = list(nx.lexicographical_topological_sort(order_graph, key=key))
    except nx.NetworkXUnfeasible:
        order = sorted(
            range(len(things)), key=lambda i: (max(position[s] for s in covers[i]), key(i))
        )
    return [things[i] for i in order]


def _item(
    course: Course,
    thing: Lesson | Project,
    missing: set[str],
    goals: Sequence[str],
    serves: Mapping[str, set[str]],
    position: Mapping[str, int],
    mastery: Mapping[str, float],
    threshold: float,
) -> PlanItem:
    skills = tuple(sorted((s for s in thing.skills if s in missing), key=position.__getitem__))
    own = [g for g in goals if g in skills]
    served = [g for g in goals if g not in own and any(s in serves[g] for s in skills)]
    purposes = []
    if own:
        purposes.append("your goal " + ", ".join(course.skills[g].title for g in own))
    if served:
        purposes.append("needed for " + ", ".join(course.skills[g].title for g in served))
    purpose = " and ".join(purposes)
    status = []
    for s in skills:
        title = course.skills[s].title
        if s in mastery:
            status.append(f"{title} at {mastery[s]:.0%} (mastered from {threshold:.0%})")
        else:
            status.append(f"{title} not shown yet")
    verb = "practise and prove" if isinstance(thing, Project) else "teaches"
    taught = ", ".join(course.skills[s].title for s in skills)
    reason = f"{verb} {taught}: {purpose}; " + "; ".join(status)
    if isinstance(thing, Project):
        return PlanItem(
            "project", thing.id, thing.title, thing.minutes, skills, reason, path=thing.source
        )
    return PlanItem(
        "lesson", thing.id, thing.title, thing.minutes, skills, reason, path=thing.notebook
    )


def _schedule(items: Sequence[PlanItem], hours_per_week: float) -> list[Week]:
    """Fill weeks in order.

    An item that does not fit in what is left of a week starts the next week; an item longer
    than a whole week runs on into the following weeks (they show its remaining minutes).
    """
    budget = max(1, round(hours_per_week * 60))
    starts: list[list[PlanItem]] = [[]]
    loads = [0]
    for item in items:
        if loads[-1] and loads[-1] + item.minutes > budget:
            starts.append([])
            loads.append(0)
        starts[-1].append(_with_week(item, len(starts)))
        loads[-1] += item.minutes
        while loads[-1] > budget:  # spill the excess into the next week
            starts.append([])
            loads.append(loads[-1] - budget)
            loads[-2] = budget
    return [
        Week(number, tuple(started), load)
        for number, (started, load) in enumerate(zip(starts, loads, strict=True), start=1)
    ]


def _with_week(item: PlanItem, week: int) -> PlanItem:
    return PlanItem(
        item.kind, item.id, item.title, item.minutes, item.skills, item.reason, week, item.path
    )
