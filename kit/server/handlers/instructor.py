"""The instructor's endpoints: ``/cohort`` and grading (``/grading``, ``/grading/{project}``,
``/grading/{project}/job``)."""

from __future__ import annotations

from kit.course import Course
from kit.progress.cohort import at_risk, mastery_table, struggles
from kit.progress.learner_model import course_model
from kit.server import views
from kit.server.errors import ApiError
from kit.server.grading import STOPPED, project_status
from kit.server.handlers.base import KitHandler, allowed
from kit.state import CourseState, GradingJob

RISK_THRESHOLD = 0.5
"""P(mastered) below which a prerequisite of the next project puts a learner at risk (the
cohort report's threshold)."""


class CohortHandler(KitHandler):
    """``GET /cohort``."""

    @allowed("instructor")
    async def get(self) -> None:
        course = self.course()
        attempts = self.services.courses.state(course).attempts.query(course=course.id)
        table = mastery_table(course, attempts, model=course_model(course.root))
        risks = at_risk(course, table, attempts, threshold=RISK_THRESHOLD)
        hardest = struggles(table, threshold=RISK_THRESHOLD)
        self.send(views.cohort(course, table, risks, hardest, RISK_THRESHOLD))


class GradingBase(KitHandler):
    """What the grading handlers share."""

    def project(self, course: Course, project: str) -> str:
        """``project`` if the course has it (404 otherwise)."""
        if project not in course.projects:
            known = ", ".join(course.projects) or "none"
            raise ApiError(404, f"no project '{project}' in {course.id}", f"use one of: {known}")
        return project

    def latest(self, course: Course, state: CourseState, project: str) -> GradingJob | None:
        """The project's newest job; one left running by a server that stopped is failed."""
        job = state.jobs.latest(project)
        if job and job.state == "running" and not self.services.grading.running(course, project):
            state.jobs.update(job.id, state="failed", message=STOPPED)
            job = state.jobs.get(job.id)
        return job


class GradingHandler(GradingBase):
    """``GET /grading``."""

    @allowed("instructor")
    async def get(self) -> None:
        course = self.course()
        state = self.services.courses.state(course)
        self.send(
            [project_status(course, p, self.latest(course, state, p)) for p in course.projects]
        )


class GradeHandler(GradingBase):
    """``POST /grading/{project}``: start grading in the background."""

    @allowed("instructor")
    async def post(self, project: str) -> None:
        course = self.course()
        self.project(course, project)
        data = self.body("GradingInput", required=False)
        state = self.services.courses.state(course)
        job = await self.services.grading.start(
            course,
            state,
            project,
            force=bool(data.get("force", False)),
            learners=data.get("learners", []),
        )
        self.send(views.job(job), 202)


class GradingJobHandler(GradingBase):
    """``GET /grading/{project}/job``."""

    @allowed("instructor")
    async def get(self, project: str) -> None:
        course = self.course()
        self.project(course, project)
        job = self.latest(course, self.services.courses.state(course), project)
        if job is None:
            raise ApiError(
                404,
                f"{project} has not been graded from this server",
                f"POST /kit/api/v1/grading/{project} starts grading",
            )
        self.send(views.job(job))
