"""Learners' profiles (goal, self-ratings, placement, hours a week) in the course's database."""

from __future__ import annotations

import sqlalchemy as sa

from kit.databases import advisory_lock_xact
from kit.paths.profile import LearnerProfile
from kit.progress.attempts import utcnow
from kit.state.database import CourseRecords
from kit.state.schema import profiles


class ProfileStore(CourseRecords):
    """The profiles of one course's learners."""

    def get(self, learner: str) -> LearnerProfile:
        """The learner's saved profile, or a new one."""
        p = profiles.c
        stmt = sa.select(p.profile).where(p.course == self.course, p.learner == learner)
        data = self.reading(lambda conn: conn.execute(stmt).scalar_one_or_none())
        if data is None:
            return LearnerProfile(learner=learner)
        return LearnerProfile.model_validate({**data, "learner": learner})

    def put(self, profile: LearnerProfile) -> LearnerProfile:
        """Save (replace) a learner's profile in one transaction; returns it. Two servers saving
        one learner's profile at once take turns (the last one wins)."""
        p = profiles.c
        data = profile.model_dump(mode="json")
        key = (p.course == self.course, p.learner == profile.learner)

        def swap(conn: sa.Connection) -> None:
            advisory_lock_xact(conn, "kit-profile", self.course, profile.learner)
            conn.execute(sa.delete(profiles).where(*key))
            conn.execute(
                profiles.insert().values(
                    course=self.course, learner=profile.learner, profile=data, updated=utcnow()
                )
            )

        self.writing(swap)
        return profile
