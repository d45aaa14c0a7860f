"""A hub user's role: from the hub's groups, the kit's roles, or the custom scopes of their token;
a mentor is one of course.yml's mentors, matched by hub user name."""

from __future__ import annotations

import pytest

from kit.course import Course, load_course
from kit.service.roles import Membership, role_of
from tests.conftest import SAMPLE_COURSE


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(SAMPLE_COURSE)


def test_groups_roles_and_scopes_each_make_an_instructor(course: Course) -> None:
    none = Membership()
    assert role_of(course, "ines", set(), Membership(frozenset({"kit-instructors"}))).role == (
        "instructor"
    )
    assert role_of(course, "ines", set(), Membership(roles=frozenset({"kit-instructor"}))).role == (
        "instructor"
    )
    assert role_of(course, "ines", {"custom:kit:instructor"}, none).role == "instructor"
    assert role_of(course, "ines", {"custom:kit:instructor!user=ines"}, none).role == "learner"
    assert role_of(course, "ines", set(), Membership(frozenset({"kit-mentors"}))).role == "learner"


def test_a_mentor_is_the_course_mentor_of_that_hub_name(course: Course) -> None:
    mentors = Membership(frozenset({"kit-mentors"}))
    grace = role_of(course, "grace", set(), mentors)
    assert (grace.role, grace.mentor_id) == ("mentor", "grace")
    assert role_of(course, "grace", set(), Membership()).role == "learner"  # not in the group
    # a mentor's hub_user, where it is not their id
    first = course.manifest.mentors[0].model_copy(update={"hub_user": "g.okafor"})
    renamed = course.manifest.model_copy(update={"mentors": [first, *course.manifest.mentors[1:]]})
    other = Course(root=course.root, manifest=renamed)
    found = role_of(other, "g.okafor", set(), mentors)
    assert (found.role, found.mentor_id) == ("mentor", "grace")
    assert role_of(other, "grace", {"custom:kit:mentor"}, Membership()).role == "learner"


def test_an_instructor_who_mentors_keeps_their_mentor_id(course: Course) -> None:
    both = Membership(frozenset({"kit-instructors", "kit-mentors"}))
    found = role_of(course, "lin", set(), both)
    assert (found.role, found.mentor_id) == ("instructor", "lin")
