"""A hub user's role: from the hub's groups, the kit's roles, or the custom scopes of their token;
a mentor is one of course.yml's mentors, matched by hub user name."""

from __future__ import annotations

import asyncio

import pytest

from kit.course import Course, load_course
from kit.server.errors import ApiError
from kit.service.roles import HubRoles, Membership, role_of
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


class CountingRoles(HubRoles):
    """Hub roles whose hub answers after a pause, counting the questions; or fails."""

    def __init__(self, ttl: float) -> None:
        super().__init__("http://127.0.0.1:9/hub/api", "token", ttl=ttl)
        self.asked = 0
        self.fail = False

    async def _fetch(self, name: str) -> Membership:
        self.asked += 1
        await asyncio.sleep(0.05)
        if self.fail:
            raise ApiError(503, "the hub is busy")
        return Membership(frozenset({f"group-{self.asked}"}))


async def test_one_hub_question_per_user_however_many_requests_wait() -> None:
    roles = CountingRoles(ttl=30)
    found = await asyncio.gather(*(roles.membership("ana") for _ in range(50)))
    assert roles.asked == 1 and {m.groups for m in found} == {frozenset({"group-1"})}
    await asyncio.gather(roles.membership("ana"), roles.membership("ben"))
    assert roles.asked == 2  # ana's were kept; ben's were read


async def test_expired_roles_answer_while_the_hub_is_asked_again() -> None:
    roles = CountingRoles(ttl=0.01)
    await roles.membership("ana")
    await asyncio.sleep(0.02)
    stale = await roles.membership("ana")  # answered at once, from what was read
    assert stale.groups == frozenset({"group-1"})
    await asyncio.sleep(0)
    assert roles.asked == 2  # and the hub is being asked again
    await asyncio.sleep(0.1)  # the reading behind it has finished
    assert (await roles.membership("ana")).groups == frozenset({"group-2"})
    # a hub that fails leaves the last answer standing, and says so
    await asyncio.sleep(0.02)
    roles.fail = True
    assert (await roles.membership("ana")).groups == frozenset({"group-2"})
    await asyncio.sleep(0.1)
    assert (await roles.membership("ana")).groups == frozenset({"group-2"})


async def test_a_user_never_read_waits_for_the_hub_and_sees_its_failure() -> None:
    roles = CountingRoles(ttl=30)
    roles.fail = True
    with pytest.raises(ApiError, match="busy"):
        await roles.membership("ana")
    assert roles._reading == {}
