"""Who may do what: the three roles, from the server's configuration.

A server with no roles configured belongs to one person (a laptop, a single-user server), who
is then the course's instructor. Once instructors or mentors are named, everyone else is a
learner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Role = Literal["learner", "mentor", "instructor"]
ROLES: tuple[Role, ...] = ("learner", "mentor", "instructor")
STAFF: tuple[Role, ...] = ("mentor", "instructor")


@dataclass(frozen=True)
class Identity:
    """The user behind a request."""

    name: str
    """The user name: the learner id in attempts, profiles and questions."""
    role: Role
    mentor_id: str | None = None
    """The course.yml id of the mentor this user is (mentors only)."""

    @property
    def staff(self) -> bool:
        """A mentor or an instructor."""
        return self.role in STAFF


class Roles:
    """Roles from configuration.

    Parameters
    ----------
    instructors:
        User names of the instructors.
    mentors:
        User name -> course.yml mentor id (a list of names: each name is the mentor id).
    """

    def __init__(self, instructors: Sequence[str], mentors: Mapping[str, str] | Sequence[str]):
        self.instructors = set(instructors)
        self.mentors = dict(mentors) if isinstance(mentors, Mapping) else {m: m for m in mentors}

    @property
    def alone(self) -> bool:
        """No roles configured: the server's one user is the instructor."""
        return not self.instructors and not self.mentors

    def of(self, name: str) -> Identity:
        """The identity of the user called ``name``."""
        if self.alone or name in self.instructors:
            return Identity(name, "instructor", self.mentors.get(name))
        if name in self.mentors:
            return Identity(name, "mentor", self.mentors[name])
        return Identity(name, "learner")
