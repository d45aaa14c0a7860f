"""`kit import`: an nbgrader course directory becomes a kit course that passes `kit check` with no
notebook edited, whose grades line up with nbgrader's; broken inputs give one clear error each and
write nothing; the nbgrader course directory is never changed."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
import yaml

from kit.course import load_course
from kit.grading.errors import CourseImportError
from kit.grading.importer import import_course
from kit.grading.nbgrader_config import read_config
from kit.grading.nbgrader_course import NbgraderCourse
from tests.conftest import run_cli as run

from .helpers import GUIDE, nbgrader_scores, run_nbgrader_autograde
from .nbgrader_courses import POINTS, graded_nbgrader_course, nbgrader, nbgrader_course, snapshot


def _manifest(course: Path) -> dict:
    return yaml.safe_load((course / "course.yml").read_text())


# -- nbgrader_config.py ---------------------------------------------------------------------


def test_config_is_read_without_running_it(tmp_path: Path) -> None:
    (tmp_path / "nbgrader_config.py").write_text(
        "import os\n"
        "os.system('touch ' + os.path.join(os.getcwd(), 'RAN'))\n"
        "cfg = get_config()\n"
        "cfg.CourseDirectory.course_id = 'course101'\n"
        "cfg.CourseDirectory.db_url = 'sqlite:///' + os.path.abspath('gradebook.db')\n"
        "cfg.Execute.timeout = 60\n"
        "cfg.Execute.timeout = 90\n"
        "if os.environ.get('HUB'):\n"
        "    cfg.Exchange.root = '/srv/exchange'\n"
        "cfg.CourseDirectory.ignore = ['.ipynb_checkpoints']\n"
    )
    config = read_config(tmp_path)
    assert config.get("CourseDirectory.course_id") == "course101"
    assert config.get("Execute.timeout") == 90  # the last line wins, as when it runs
    assert config.get("CourseDirectory.ignore") == [".ipynb_checkpoints"]
    assert not (tmp_path / "RAN").exists()
    with pytest.raises(
        CourseImportError, match=r"nbgrader_config.py:5: c.CourseDirectory.db_url is computed"
    ):
        config.get("CourseDirectory.db_url")
    with pytest.raises(CourseImportError, match=r"c\.Exchange\.root is computed"):
        config.get("Exchange.root")  # set inside an if: it may or may not run
    assert config.keys[0] == "CourseDirectory.course_id"


def test_json_config_and_no_config(tmp_path: Path) -> None:
    assert read_config(tmp_path).path is None and read_config(tmp_path).get("x.y", 1) == 1
    (tmp_path / "nbgrader_config.json").write_text('{"CourseDirectory": {"course_id": "c1"}}')
    assert read_config(tmp_path).get("CourseDirectory.course_id") == "c1"


# -- the course written ---------------------------------------------------------------------


def test_import_writes_a_course_that_passes_check(tmp_path: Path) -> None:
    source = nbgrader_course(tmp_path / "nbgrader")
    before = snapshot(source)
    code, out = run("import", str(source), "-o", str(tmp_path / "course"))
    assert code == 0, out
    course = tmp_path / "course"
    manifest = _manifest(course)
    assert manifest["id"] == "nummeth" and manifest["lessons"] == []
    projects = {p["id"]: p for p in manifest["projects"]}
    assert projects == {
        "QR": {
            "id": "QR",
            "source": "projects/QR",
            "title": "QR",
            "skills": ["qr"],
            "skill": "qr",
            "points": 8,
        },
        "Eigenvalues": {
            "id": "Eigenvalues",
            "source": "projects/Eigenvalues",
            "title": "Eigenvalues",
            "skills": ["eigenvalues"],
            "skill": "eigenvalues",
            "points": 3,
        },
    }
    assert [s["id"] for s in manifest["skills"]] == ["eigenvalues", "qr"]
    assert manifest["grading"] == {"timeout_cell": 20}  # c.Execute.timeout carried over
    for name in POINTS:  # every file as it was: no notebook edited
        for path in (source / "source" / name).iterdir():
            assert (course / "projects" / name / path.name).read_bytes() == path.read_bytes()
    assert snapshot(source) == before
    assert "header.ipynb: not an assignment folder" in out
    assert "not carried over: c.CourseDirectory.ignore (line 4)" in out
    assert "course_id 'NumMeth' is the course id 'nummeth'" in out
    code, out = run("check", str(course), "--strict")
    assert code == 0 and "no problems" in out, out
    assert {p.name for p in tmp_path.iterdir()} == {"nbgrader", "course"}  # no temporary folder


def test_the_user_guide_course_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """nbgrader's own user-guide course (in the installed package): read in place, unchanged."""
    before = snapshot(GUIDE)
    monkeypatch.chdir(tmp_path)  # the default target: ./<course id>
    imported = import_course(GUIDE)
    assert imported.course == tmp_path / "user_guide"
    assert {a.name: (a.points, a.by_hand) for a in imported.assignments} == {
        "ps1": (13.0, 10.0),  # 3 autograded, 6 answers and a task cell graded by hand
        "ps1_autotest": (13.0, 10.0),
    }
    assert snapshot(GUIDE) == before
    code, out = run("check", str(imported.course), "--strict")
    assert code == 0 and "no problems" in out, out
    nbgrader_root = imported.course / "_kit" / "nbgrader"
    assert sorted(p.name for p in (nbgrader_root / "submitted").iterdir()) == [
        "bitdiddle",
        "hacker",
    ]
    assert (imported.course / "autotests.yml").is_file()


# -- broken inputs --------------------------------------------------------------------------


def _corrupt_notebook(root: Path) -> None:
    (root / "source" / "QR" / "QR.ipynb").write_text('{"cells": [')


def _no_nbgrader_tables(root: Path) -> None:
    import sqlite3

    with sqlite3.connect(root / "gradebook.db") as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    db.close()


def _duplicate_grade_id(root: Path) -> None:
    path = root / "source" / "QR" / "QR.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[3].metadata.nbgrader["grade_id"] = "test-norm"
    nbformat.write(nb, path)


def _assignment_named(name: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        shutil.copytree(root / "source" / "QR", root / "source" / name)

    return change


BROKEN: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "no source folder": (
        lambda root: shutil.rmtree(root / "source"),
        ["source: no such folder: not an nbgrader course directory", "fix: pass the folder"],
    ),
    "no assignment": (
        lambda root: [shutil.rmtree(p) for p in (root / "source").iterdir() if p.is_dir()],
        ["no assignment folders"],
    ),
    "corrupt notebook": (
        _corrupt_notebook,
        ["QR.ipynb: is not valid notebook JSON", "fix: open it in JupyterLab"],
    ),
    "unreadable gradebook": (
        lambda root: (root / "gradebook.db").write_bytes(b"\x00garbage" * 100),
        ["gradebook.db: the gradebook cannot be read", "file is not a database"],
    ),
    "not a gradebook": (
        _no_nbgrader_tables,
        ["gradebook.db: an SQLite database but not an nbgrader gradebook"],
    ),
    "gradebook named but missing": (
        lambda root: (root / "nbgrader_config.py").write_text(
            "c = get_config()\nc.CourseDirectory.db_url = 'sqlite:///grades/gb.db'\n"
        ),
        ["nbgrader_config.py:2: the gradebook it names", "grades/gb.db, is not there"],
    ),
    "config not Python": (
        lambda root: (root / "nbgrader_config.py").write_text("c = get_config(\n"),
        ["nbgrader_config.py:1: not valid Python"],
    ),
    "a setting it needs is computed": (
        lambda root: (root / "nbgrader_config.py").write_text(
            "import os\nc = get_config()\nc.CourseDirectory.source_directory = os.environ['S']\n"
        ),
        ["nbgrader_config.py:3: c.CourseDirectory.source_directory is computed by code"],
    ),
    "an assignment name that is no project id": (
        _assignment_named("Problem Set 2"),
        ["the assignment name 'Problem Set 2' cannot be a project id"],
    ),
    "a grade_id used twice": (
        _duplicate_grade_id,
        ["source/QR/QR.ipynb: cells[3] (grade_id 'test-norm'): grade_id 'test-norm' is used twice"],
    ),
    "an assignment without points": (
        lambda root: nbformat.write(
            nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]),
            root / "source" / "QR" / "QR.ipynb",
        ),
        ["assignment 'QR' has no grade or task cells with points"],
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_inputs_write_nothing(tmp_path: Path, case: str) -> None:
    change, expected = BROKEN[case]
    source = nbgrader_course(tmp_path / "nbgrader")
    change(source)
    before, around = snapshot(source), sorted(tmp_path.iterdir())
    code, out = run("import", str(source), "-o", str(tmp_path / "out" / "course"))
    assert code == 1
    assert out.count("error:") == 1 and "fix:" in out, out
    for words in expected:
        assert words in out.replace("\n", " "), out
    assert "Traceback" not in out
    assert sorted(tmp_path.iterdir()) == around  # not even the target's parent folder
    assert snapshot(source) == before


def test_an_existing_target_is_never_written_over(tmp_path: Path) -> None:
    source = nbgrader_course(tmp_path / "nbgrader")
    target = tmp_path / "course"
    target.mkdir()
    (target / "mine.txt").write_text("keep")
    for where in (target, source / "kit-course"):
        code, out = run("import", str(source), "-o", str(where))
        assert code == 1 and out.count("error:") == 1 and "fix:" in out, out
    assert "course: already exists" in run("import", str(source), "-o", str(target))[1]
    assert "inside the nbgrader course directory" in out
    assert [p.name for p in target.iterdir()] == ["mine.txt"]
    assert not (source / "kit-course").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "nbgrader"]


# -- grades: as nbgrader gave them ------------------------------------------------------------


@pytest.mark.kernel
@pytest.mark.slow
def test_user_guide_grades_as_nbgrader_autograde(tmp_path: Path) -> None:
    """The user guide imported, its two learners graded: nbgrader's scores, cell by cell (the
    reference grades a copy of the guide with `nbgrader autograde`); the totals agree in the
    summary, projects.csv and skills.csv."""
    imported = import_course(GUIDE, tmp_path / "course")
    code, out = run("grade", str(imported.course), "ps1", "--workers", "2", "--json")
    assert code == 0, out
    outcomes = {o["learner"]: o for o in json.loads(out)}
    course = load_course(imported.course)
    kit = nbgrader_scores(NbgraderCourse(course).db_url, course.id, "ps1")

    reference = tmp_path / "reference"
    shutil.copytree(GUIDE, reference, ignore=shutil.ignore_patterns("autograded", "feedback"))
    nbgrader(reference, "generate_assignment", "ps1", "--force")  # the guide ships a release
    run_nbgrader_autograde(reference, "ps1")
    expected = nbgrader_scores(f"sqlite:///{reference / 'gradebook.db'}", "default_course", "ps1")
    assert kit == expected and len(expected) == 2 * 9  # 2 learners x (8 grade cells + 1 task cell)
    _totals_agree(imported.course, "ps1", outcomes, tmp_path / "grades")


def _totals_agree(course: Path, project: str, outcomes: dict[str, dict], folder: Path) -> None:
    """kit grade's totals, projects.csv's and skills.csv's are one, and their maximum is the
    project's points in course.yml (which kit check checks against the cells)."""
    assert run("export", str(course), "-o", str(folder))[0] == 0
    projects = {
        r["learner"]: r
        for r in csv.DictReader((folder / "projects.csv").read_text().splitlines())
        if r["project"] == project
    }
    skill = next(p["skill"] for p in _manifest(course)["projects"] if p["id"] == project)
    skills = {
        r["learner"]: r
        for r in csv.DictReader((folder / "skills.csv").read_text().splitlines())
        if r["skill"] == skill
    }
    points = next(p["points"] for p in _manifest(course)["projects"] if p["id"] == project)
    assert set(projects) == set(skills) == set(outcomes)
    for learner, outcome in outcomes.items():
        totals = (outcome["score"], outcome["max_score"], outcome["awaiting_manual"])
        for row in (projects[learner], skills[learner]):
            assert (
                float(row["score"]),
                float(row["max_score"]),
                float(row["awaiting_manual"]),
            ) == totals
        assert outcome["max_score"] == points


@pytest.mark.kernel
@pytest.mark.slow
def test_a_graded_course_lines_up_with_its_gradebook(tmp_path: Path) -> None:
    """An nbgrader course with upper-case assignment names and a task cell, after nbgrader
    graded it: imported, `kit grade` shows the gradebook's grades without grading again; with
    --force it gives nbgrader's scores; a manual grade given in the formgrader counts the same
    in the summary and both CSV files."""
    source = graded_nbgrader_course(tmp_path / "nbgrader")
    before = snapshot(source)
    # read from a copy: a process that graded before writes SQLite files in WAL mode
    shutil.copy(source / "gradebook.db", tmp_path / "reference.db")
    reference = nbgrader_scores(f"sqlite:///{tmp_path / 'reference.db'}", "NumMeth", "QR")
    code, out = run("import", str(source), "-o", str(tmp_path / "course"))
    assert code == 0 and "3 submissions graded by nbgrader" in out, out
    course = tmp_path / "course"
    assert run("check", str(course), "--strict")[0] == 0
    # the formgrader's view (nbgrader's API on the kit's course directory): the grades given
    api = NbgraderCourse(load_course(course)).api()
    seen = {learner: api.get_submission("QR", learner) for learner in ("ada", "bob")}
    assert all(s["autograded"] for s in seen.values())
    assert {k: (s["score"], s["max_score"]) for k, s in seen.items()} == {
        "ada": (3.0, 8.0),
        "bob": (0.0, 8.0),
    }
    assert seen["ada"]["needs_manual_grade"]

    code, out = run("grade", str(course), "QR", "--json")
    assert code == 0, out
    skipped = {o["learner"]: o for o in json.loads(out)}
    assert {o["status"] for o in skipped.values()} == {"skipped"}
    assert "graded by nbgrader before the import" in skipped["ada"]["notes"]
    totals = {learner: (o["score"], o["max_score"]) for learner, o in skipped.items()}
    # ada: both tests (3), her answer and the task cell await an instructor (5 of 8)
    assert totals == {"ada": (3.0, 8.0), "bob": (0.0, 8.0)}
    assert skipped["ada"]["awaiting_manual"] == 5 and skipped["bob"]["awaiting_manual"] == 3

    code, out = run("grade", str(course), "QR", "--force", "--workers", "2", "--json")
    assert code == 0, out
    course_model = load_course(course)
    url = NbgraderCourse(course_model).db_url
    assert nbgrader_scores(url, course_model.id, "QR") == reference

    from nbgrader.api import Gradebook

    with Gradebook(url, course_model.id) as gb:  # what the formgrader does with a manual grade
        grade = gb.find_grade("task-stability", "QR", "QR", "ada")
        grade.manual_score = 2.5
        grade.needs_manual_grade = False
        gb.db.commit()
    code, out = run("grade", str(course), "QR", "--json")
    outcomes = {o["learner"]: o for o in json.loads(out)}
    assert (outcomes["ada"]["score"], outcomes["ada"]["awaiting_manual"]) == (5.5, 2.0)
    _totals_agree(course, "QR", outcomes, tmp_path / "grades")
    assert snapshot(source) == before
