"""The instructor's side: a simulated cohort, fitting course parameters, the report, the
gradebook import, and the `kit progress` commands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from kit.course import load_course
from kit.progress.attempts import Attempt, AttemptStore
from kit.progress.cohort import (
    at_risk,
    course_params,
    default_attempts_url,
    mastery_table,
    next_project,
    simulate_cohort,
    struggles,
)
from tests.conftest import outputs_under_hash_seeds
from tests.conftest import run_cli as run

T0 = dt.datetime(2026, 10, 1, tzinfo=dt.timezone.utc)


def _a(
    learner: str,
    skill: str,
    correct: float,
    minute: int,
    source: str = "self-check",
    item: str = "q",
) -> Attempt:
    return Attempt(
        learner, skill, item, correct, T0 + dt.timedelta(minutes=minute), source, "python-ml"
    )


def test_mastery_table_and_struggles(sample_course: Path) -> None:
    course = load_course(sample_course)
    attempts = [_a("ada", "python-basics", 1.0, i) for i in range(4)]
    attempts += [_a("bob", "python-basics", 0.0, i) for i in range(4)]
    attempts += [_a("bob", "not-a-skill", 1.0, 9)]
    table = mastery_table(course, attempts)
    assert table.learners == ["ada", "bob"]
    assert table.of("ada")["python-basics"] > 0.9 > 0.5 > table.of("bob")["python-basics"]
    assert "numpy" not in table.of("ada")  # never attempted: NaN, left out
    assert np.isnan(table.values[0, table.skills.index("numpy")])
    assert struggles(table) == [("python-basics", 0.5, 2)]


def test_at_risk_names_weak_prerequisites_of_the_next_project(sample_course: Path) -> None:
    course = load_course(sample_course)
    strong = [
        _a("ada", s, 1.0, i)
        for i, s in enumerate(
            ["python-basics", "python-functions", "python-data-structures", "numpy", "plotting"] * 4
        )
    ]
    weak = [_a("bob", "python-basics", 0.0, i) for i in range(3)]
    # cy has graded work on every project, so there is no next project to be at risk for
    done = [
        _a("cy", "pandas", 1.0, i, "grading", f"{project.id}/test-cell")
        for i, project in enumerate(course.manifest.projects)
    ]
    attempts = strong + weak + done
    table = mastery_table(course, attempts)
    risky = at_risk(course, table, attempts)
    assert [r.learner for r in risky] == ["bob"]
    assert risky[0].project == "pandas-analysis"
    assert risky[0].weak["python-basics"] is not None and risky[0].weak["python-basics"] < 0.5
    assert risky[0].weak["numpy"] is None  # never attempted
    assert next_project(course, done) is None


def test_simulated_cohort_is_plausible_and_deterministic(sample_course: Path) -> None:
    course = load_course(sample_course)
    one = simulate_cohort(course, 12, seed=3)
    assert one == simulate_cohort(course, 12, seed=3)
    assert {a.learner for a in one} == {f"learner-{i:03d}" for i in range(1, 13)}
    assert {a.skill for a in one} <= set(course.skills)
    assert {a.source for a in one} <= {"self-check", "grading"}
    check_ids = {c.id for c in course.manifest.checks}
    assert any(a.item in check_ids for a in one)


@pytest.mark.slow
def test_simulated_cohort_is_the_same_under_other_string_hashes(sample_course: Path) -> None:
    # fresh processes, each with its own string hash (and so its own order of sets of strings)
    code = (
        "from kit.course import load_course\n"
        "from kit.progress.cohort import simulate_cohort\n"
        f"print(repr(simulate_cohort(load_course({str(sample_course)!r}), 12, seed=3)))"
    )
    first, second = outputs_under_hash_seeds(code)
    assert first == second
    assert first.strip() == repr(simulate_cohort(load_course(sample_course), 12, seed=3))


def _gradebook(tmp_path: Path, course_dir: Path) -> str:
    """ada's graded pandas-analysis: two cells autograded, one still awaiting manual grading
    (its grade in the gradebook says so, whatever its score)."""
    from nbgrader.api import Gradebook

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    project = "pandas-analysis"
    scores = {
        "test-load-survey": (1, 1.0),
        "test-clean-columns": (2, 0.5),
        "test-clean-rows": (2, 0),
    }
    with Gradebook(url, course_id="python-ml") as gb:
        gb.add_assignment(project)
        gb.add_notebook(project, project)
        for cell, (points, _) in scores.items():
            gb.add_grade_cell(cell, project, project, max_score=points, cell_type="code")
        gb.add_student("ada")
        gb.add_submission(project, "ada")
        for cell, (_, score) in scores.items():
            grade = gb.find_grade(cell, project, project, "ada")
            grade.auto_score = score
            # what nbgrader's autograde sets once a test decided the cell
            grade.needs_manual_grade = cell == "test-clean-rows"
        gb.db.commit()
    return url


def test_gradebook_import(sample_course: Path, tmp_path: Path) -> None:
    from kit.progress.gradebook import Totals, attempts_from_gradebook, graded_cells

    course = load_course(sample_course)
    url = _gradebook(tmp_path, sample_course)
    attempts = attempts_from_gradebook(course, url)
    got = {(a.learner, a.skill, a.item, a.correct, a.source) for a in attempts}
    assert got == {  # the cell awaiting manual grading is no answer yet
        ("ada", "pandas", "pandas-analysis/test-load-survey", 1.0, "grading"),
        ("ada", "data-cleaning", "pandas-analysis/test-clean-columns", 0.25, "grading"),
    }
    assert Totals.of(graded_cells(course, url)) == Totals(1.5, 5.0, 2.0)


def test_cli_simulate_fit_and_ship_params(course_copy: Path, tmp_path: Path) -> None:
    code, out = run("progress", "fit", str(course_copy))
    assert code == 1 and "no answers recorded" in out
    code, out = run("progress", "simulate", str(course_copy), "--learners", "30")
    assert code == 0, out
    code, out = run("progress", "simulate", str(course_copy))
    assert code == 1 and "already holds answers" in out
    code, out = run(
        "progress", "fit", str(course_copy), "--gradebook", _gradebook(tmp_path, course_copy)
    )
    assert code == 0, out
    shipped = json.loads((course_copy / "progress" / "bkt.json").read_text())
    assert shipped["model"] == "bkt" and "python-basics" in shipped["params"]
    course = load_course(course_copy)
    assert set(course_params(course)) <= set(course.skills)
    store = AttemptStore(default_attempts_url(course))
    assert len(store.query(course="python-ml")) > 100


@pytest.mark.kernel
def test_cli_report(course_copy: Path) -> None:
    assert run("progress", "simulate", str(course_copy), "--learners", "15")[0] == 0
    out_file = course_copy / "report.html"
    code, out = run("progress", "report", str(course_copy), "-o", str(out_file))
    assert code == 0, out
    page = out_file.read_text()
    assert "cohort progress" in page and "Learners at risk" in page
    assert page.count("<img") >= 2  # the heatmap and the bar chart
    assert "learner-001" in page
    assert "import matplotlib" not in page  # code hidden
    assert (course_copy / "report.ipynb").is_file()


def test_cli_eval_json(tmp_path: Path) -> None:
    from kit.progress.bkt import BKTParams
    from kit.progress.simulate import simulate_bkt

    data = simulate_bkt({"a": BKTParams(), "b": BKTParams(prior=0.5)}, 200, seed=1)
    for name, part in (
        ("train.csv", data.subset(range(150))),
        ("test.csv", data.subset(range(150, 200))),
    ):
        lines = []
        for skills, correct in zip(part.skills, part.correct, strict=True):
            lines += [
                str(len(skills)),
                ",".join(map(str, skills)),
                ",".join(str(int(c)) for c in correct),
            ]
        (tmp_path / name).write_text("\n".join(lines) + "\n")
    code, out = run(
        "progress",
        "eval",
        "--train",
        str(tmp_path / "train.csv"),
        "--test",
        str(tmp_path / "test.csv"),
        "--model",
        "bkt",
        "--json",
    )
    assert code == 0, out
    result = json.loads(out)
    assert set(result) >= {"auc", "rmse", "accuracy", "fit_seconds", "predict_seconds"}
    assert 0.6 < result["auc"] <= 1
    code, out = run(
        "progress",
        "eval",
        "--train",
        str(tmp_path / "train.csv"),
        "--test",
        str(tmp_path / "test.csv"),
        "--model",
        "baseline",
    )
    assert code == 0 and out.startswith("baseline: AUC")
