"""The instructor's endpoints: the cohort, grading status, and grading in the background with
progress by polling."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from kit.course import load_course
from kit.progress.cohort import simulate_cohort
from kit.state import CourseState
from tests.conftest import SAMPLE_COURSE
from tests.server.conftest import INSTRUCTOR, Api


async def test_the_cohort_has_the_mastery_matrix_the_learners_at_risk_and_the_struggles(
    api: Api, course_dir: Path
) -> None:
    course = load_course(course_dir)
    state = CourseState(course)
    state.attempts.add(simulate_cohort(course, 12, seed=3))
    state.close()
    cohort = await api("GET", "cohort", user=INSTRUCTOR)
    assert len(cohort["learners"]) == 12
    assert [s["id"] for s in cohort["skills"]] == list(course.graph.order)
    assert len(cohort["mastery"]) == 12 and {len(row) for row in cohort["mastery"]} == {14}
    assert cohort["mastery"][0][0] is not None and 0 <= cohort["mastery"][0][0] <= 1
    assert any(v is None for row in cohort["mastery"] for v in row)  # not everyone got far
    for risk in cohort["at_risk"]:
        assert risk["learner"] in cohort["learners"] and risk["next_project"] in course.projects
        assert risk["weak"] and all(w["skill"] in course.skills for w in risk["weak"])
    shares = [s["share"] for s in cohort["struggles"]]
    assert shares == sorted(shares, reverse=True) and all(0 <= s <= 1 for s in shares)
    assert all(s["learners"] > 0 for s in cohort["struggles"])


async def test_grading_status_before_anything_was_submitted(api: Api) -> None:
    status = await api("GET", "grading", user=INSTRUCTOR)
    assert [p["project"] for p in status] == [
        "pandas-analysis",
        "classifier-evaluation",
        "question-classifier",
    ]
    assert status[0] == {
        "project": "pandas-analysis",
        "title": status[0]["title"],
        "submitted": 0,
        "graded": 0,
        "mean_score": None,
        "max_score": 10.0,
        "last_run": None,
        "job": None,
    }
    await api("GET", "grading/pandas-analysis/job", user=INSTRUCTOR, status=404)


async def test_a_job_left_running_by_a_stopped_server_is_failed(api: Api, course_dir: Path) -> None:
    state = CourseState(load_course(course_dir))
    state.jobs.start("pandas-analysis")
    state.close()
    job = await api("GET", "grading/pandas-analysis/job", user=INSTRUCTOR)
    assert job["state"] == "failed" and "server stopped" in job["message"]


async def _finished(api: Api, project: str) -> dict[str, object]:
    for _ in range(600):  # at most ten minutes
        job = await api("GET", f"grading/{project}/job", user=INSTRUCTOR)
        if job["state"] != "running":
            return dict(job)
        await asyncio.sleep(1)
    raise AssertionError(f"grading {project} did not end")


async def test_grading_with_nothing_submitted_ends_at_once(api: Api) -> None:
    job = await api("POST", "grading/pandas-analysis", user=INSTRUCTOR, status=202)
    assert (job["state"], job["done"], job["total"]) == ("running", 0, None)
    again = await api("POST", "grading/pandas-analysis", user=INSTRUCTOR, status=409)
    assert "already" in again["error"]
    ended = await _finished(api, "pandas-analysis")
    assert (ended["state"], ended["total"], ended["done"]) == ("finished", 0, 0)
    assert ended["finished"] is not None


@pytest.mark.slow
@pytest.mark.kernel
async def test_grading_in_the_background_scores_the_submission(api: Api, course_dir: Path) -> None:
    submitted = course_dir / "_kit" / "nbgrader" / "submitted" / "ada" / "pandas-analysis"
    shutil.copytree(SAMPLE_COURSE / "sample-submissions" / "ada" / "pandas-analysis", submitted)
    status = await api("GET", "grading", user=INSTRUCTOR)
    assert status[0]["submitted"] == 1 and status[0]["graded"] == 0
    await api("POST", "grading/pandas-analysis", user=INSTRUCTOR, body={"force": True}, status=202)
    job = await _finished(api, "pandas-analysis")
    assert (job["state"], job["done"], job["total"]) == ("finished", 1, 1), job
    (first, *_) = await api("GET", "grading", user=INSTRUCTOR)
    assert (first["submitted"], first["graded"], first["mean_score"]) == (1, 1, 10.0)
    assert first["last_run"] is not None and first["job"]["id"] == job["id"]
    assert "ada" in (await api("GET", "cohort", user=INSTRUCTOR))["learners"]
