"""kit grade with its gradebook and attempt log on PostgreSQL: nbgrader's scores as on SQLite,
two graders sharing one gradebook, connections dropped mid-run, and a server that cannot be
reached."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kit.course import load_course
from kit.grading.engine import grade
from kit.grading.nbgrader_course import NbgraderCourse
from kit.progress.gradebook import graded_cells
from tests.conftest import ROOT, SAMPLE_COURSE
from tests.conftest import run_cli as run
from tests.postgres import Postgres

from .submissions import sample_submissions

pytestmark = [pytest.mark.kernel, pytest.mark.slow]
PROJECT = "pandas-analysis"
LEARNERS = ["partial", "strong", "untouched"]
DOWN = "postgresql://kit:s3cret@127.0.0.1:9/kit"


def _course(root: Path, *, gradebook: str = "", database: str = "") -> Path:
    """A copy of the sample course whose course.yml names ``gradebook`` and ``database``, its
    learners' submissions released, submitted and collected."""
    target = root / "python-ml"
    shutil.copytree(SAMPLE_COURSE, target, ignore=shutil.ignore_patterns("_kit"))
    manifest = target / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    if database:
        data["database"] = database
    if gradebook:
        data.setdefault("grading", {})["gradebook"] = gradebook
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))
    course = load_course(target)
    assert run("release", str(target), PROJECT)[0] == 0
    sample_submissions(course, root / "learners")
    assert run("submit", str(target), PROJECT, str(root / "learners"))[0] == 0
    assert run("collect", str(target), PROJECT)[0] == 0
    return target


def _cells(course_dir: Path) -> dict[tuple[str, str, str], float]:
    course = load_course(course_dir)
    cells = graded_cells(course, NbgraderCourse(course).db_url, project=PROJECT)
    found: dict[tuple[str, str, str], float] = {}
    for c in cells:
        key = (c.learner, c.notebook, c.cell)
        assert key not in found, f"{key} is in the gradebook twice"
        found[key] = c.score
    return found


@pytest.fixture(scope="module")
def on_sqlite(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], float]:
    """The sample project graded with the default SQLite gradebook: the scores to match."""
    course = _course(tmp_path_factory.mktemp("sqlite"))
    code, out = run("grade", str(course), PROJECT, "--workers", "2", "--json")
    assert code == 0, out
    cells = _cells(course)
    assert {learner for learner, _, _ in cells} == set(LEARNERS)
    return cells


def _counts(pg: Postgres) -> tuple[object, ...]:
    return (
        pg.scalar("SELECT count(*) FROM submitted_assignment"),
        pg.scalar("SELECT count(*) FROM grade"),
        pg.scalar("SELECT count(*) FROM attempts"),
        pg.scalar("SELECT count(*) FROM (SELECT DISTINCT learner, item FROM attempts) AS d"),
    )


def test_a_postgres_gradebook_gives_the_scores_of_sqlite(
    pg: Postgres, tmp_path: Path, on_sqlite: dict[tuple[str, str, str], float]
) -> None:
    course = _course(tmp_path, gradebook=pg.url, database=pg.url)
    assert not (course / "_kit" / "nbgrader" / "gradebook.db").exists()
    code, out = run("grade", str(course), PROJECT, "--workers", "2", "--json")
    assert code == 0, out
    assert {o["learner"]: o["status"] for o in json.loads(out)} == dict.fromkeys(LEARNERS, "graded")
    assert _cells(course) == on_sqlite
    assert not (course / "_kit" / "nbgrader" / "gradebook.db").exists()  # no SQLite beside it
    assert not (course / "_kit" / "attempts.sqlite").exists()
    submissions, grades, attempts, distinct = _counts(pg)
    assert submissions == len(LEARNERS) and grades == len(on_sqlite)
    assert attempts == distinct and attempts
    # the nbgrader configuration the formgrader reads names the psycopg driver
    config = (course / "_kit" / "nbgrader" / "nbgrader_config.py").read_text()
    assert "postgresql+psycopg://" in config


def test_two_graders_on_one_gradebook_record_each_submission_once(
    pg: Postgres, tmp_path: Path, on_sqlite: dict[tuple[str, str, str], float]
) -> None:
    # two instructors' copies of the course (two machines), one gradebook and attempt log
    courses = [_course(tmp_path / name, gradebook=pg.url, database=pg.url) for name in "ab"]
    kit = Path(sys.executable).with_name("kit")
    graders = [
        subprocess.Popen(
            [str(kit), "grade", str(c), PROJECT, "--workers", "1", "--json"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in courses
    ]
    results = []
    try:
        for grader in graders:
            out, err = grader.communicate(timeout=600)
            results.append((grader.returncode, out, err))
    finally:
        for grader in graders:
            if grader.poll() is None:
                grader.kill()
                grader.communicate()
    for code, out, err in results:
        assert code == 0, err[-3000:]
        assert {o["learner"] for o in json.loads(out)} == set(LEARNERS)
    submissions, grades, attempts, distinct = _counts(pg)
    assert submissions == len(LEARNERS) and grades == len(on_sqlite)
    assert attempts == distinct  # no learner's graded cell twice
    assert _cells(courses[0]) == on_sqlite


def test_connections_dropped_mid_run_are_reconnected(
    pg: Postgres,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    on_sqlite: dict[tuple[str, str, str], float],
) -> None:
    # the URLs from the environment this time, as a deployment keeps its passwords
    monkeypatch.setenv("KIT_GRADEBOOK_URL", pg.url)
    monkeypatch.setenv("KIT_DATABASE_URL", pg.url)
    course_dir = _course(tmp_path)
    course = load_course(course_dir)
    with (
        pg.dropping(r"^INSERT INTO submitted_assignment", times=1) as registered,
        pg.dropping(r"^UPDATE grade\b", times=2) as scored,
        pg.dropping(r"^(INSERT INTO|DELETE FROM) attempts", times=2) as recorded,
    ):
        outcomes = grade(course, PROJECT, workers=2)
    assert registered and len(scored) == 2 and len(recorded) == 2  # each was hit
    assert sorted((o.learner, o.status) for o in outcomes) == [(x, "graded") for x in LEARNERS]
    assert _cells(course_dir) == on_sqlite
    submissions, grades, attempts, distinct = _counts(pg)
    assert submissions == len(LEARNERS) and grades == len(on_sqlite)
    assert attempts == distinct and attempts


@pytest.mark.parametrize("variable", ["KIT_GRADEBOOK_URL", "KIT_DATABASE_URL"])
def test_an_unreachable_database_stops_grading_before_anything_is_written(
    course_copy: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, DOWN)
    code, out = run("grade", str(course_copy), PROJECT)
    assert code == 1
    what = "the gradebook" if variable == "KIT_GRADEBOOK_URL" else "the attempt log"
    assert f"{what} at postgresql://kit:***@127.0.0.1:9/kit cannot be reached" in out
    assert "s3cret" not in out and "Traceback" not in out
    assert not (course_copy / "_kit").exists()  # nothing written, no SQLite instead
