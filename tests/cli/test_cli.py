"""Every `kit` command, through click's runner and, for start-up, a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import BROKEN_COURSES
from tests.conftest import run_cli as run


def test_help_lists_commands() -> None:
    code, out = run("--help")
    assert code == 0
    for command in ("new", "check", "info", "graph", "schema"):
        assert command in out


def test_help_imports_no_heavy_library() -> None:
    # start-up must stay fast: torch, transformers, nbgrader, matplotlib load only when used
    code = (
        "import sys\nfrom kit.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = {'torch', 'transformers', 'nbgrader', 'matplotlib', 'nbformat', 'pydantic',"
        " 'networkx', 'jsonschema'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_version() -> None:
    code, out = run("--version")
    assert code == 0
    assert "kit, version" in out


def test_check_sample_course(sample_course: Path) -> None:
    code, out = run("check", str(sample_course))
    assert code == 0, out
    assert "error:" not in out


def test_check_json(sample_course: Path) -> None:
    code, out = run("check", "--json", str(BROKEN_COURSES / "cycle"))
    assert code == 1
    payload = json.loads(out)
    assert payload["ok"] is False
    assert payload["errors"] == 2
    assert {p["severity"] for p in payload["problems"]} == {"error"}
    assert all(p["line"] for p in payload["problems"])


def test_check_strict_fails_on_warnings() -> None:
    course = str(BROKEN_COURSES / "warnings-only")
    assert run("check", course)[0] == 0
    assert run("check", "--strict", course)[0] == 1


def test_info_tables_and_json(sample_course: Path) -> None:
    code, out = run("info", str(sample_course))
    assert code == 0, out
    assert "Tracks" in out and "data-analyst" in out and "hours" in out
    code, out = run("info", "--json", str(sample_course))
    data = json.loads(out)
    hours = {t["id"]: t["hours"] for t in data["tracks"]}
    assert set(hours) == {"data-analyst", "ml-engineer", "nlp-engineer"}
    assert all(h > 0 for h in hours.values())
    assert data["total_hours"] >= max(hours.values())


def test_info_on_broken_course_prints_problems() -> None:
    code, out = run("info", str(BROKEN_COURSES / "cycle"))
    assert code == 1
    assert "prerequisite cycle" in out


def test_graph_writes_file(sample_course: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "pics" / "skills.png"
    code, out = run("graph", str(sample_course), "-o", str(out_file), "--track", "ml-engineer")
    assert code == 0, out
    assert out_file.read_bytes().startswith(b"\x89PNG")


def test_graph_bad_format_and_track(sample_course: Path, tmp_path: Path) -> None:
    code, out = run("graph", str(sample_course), "-o", str(tmp_path / "x.jpg"))
    assert code == 1 and ".svg" in out
    code, out = run("graph", str(sample_course), "-o", str(tmp_path / "x.svg"), "--track", "pilot")
    assert code == 1 and "unknown track 'pilot'" in out


def test_schema_prints_json(tmp_path: Path) -> None:
    code, out = run("schema")
    assert code == 0
    assert json.loads(out)["title"] == "Mentor Kit course.yml"
    target = tmp_path / "course.schema.json"
    assert run("schema", "-o", str(target))[0] == 0
    assert json.loads(target.read_text()) == json.loads(out)


def test_new_creates_a_course_that_passes_check(tmp_path: Path) -> None:
    target = tmp_path / "Intro to Python"
    code, out = run("new", str(target))
    assert code == 0, out
    assert (target / "course.yml").is_file()
    code, out = run("check", "--strict", str(target))
    assert code == 0, out
    assert "no problems" in out
    data = json.loads(run("info", "--json", str(target))[1])
    assert data["id"] == "intro-to-python"


def test_new_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    code, out = run("new", str(tmp_path))
    assert code == 1
    assert "not empty" in out
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_new_rejects_bad_id(tmp_path: Path) -> None:
    code, out = run("new", str(tmp_path / "c"), "--id", "Bad Id")
    assert code == 1 and "not a valid id" in out
    assert not (tmp_path / "c").exists()


def test_jupyter_subcommand_entry_point_exists() -> None:
    bindir = Path(sys.executable).parent
    assert (bindir / "jupyter-kit").exists()
    out = subprocess.run([bindir / "jupyter-kit", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "Mentor Kit" in out.stdout


def test_path_prints_the_plan_and_draws_it(sample_course: Path, tmp_path: Path) -> None:
    picture = tmp_path / "path.png"
    code, out = run(
        "path",
        str(sample_course),
        "--track",
        "data-analyst",
        "--rate",
        "python-basics=3",
        "--hours",
        "2",
        "-o",
        str(picture),
    )
    assert code == 0, out
    assert out.startswith("Goal: Exploratory data analysis. Mastered 1 of 8 skills.")
    assert "Python basics (60 min)" not in out
    assert "Week 1 (" in out and "Functions and collections" in out
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_path_uses_a_learners_saved_answers(sample_course: Path) -> None:
    from kit.paths.learner import LearnerStore

    store = LearnerStore("python-ml", "cli-learner")  # under the test run's Jupyter data dir
    store.save_profile(store.load_profile().model_copy(update={"track": "data-analyst"}))
    for _ in range(3):
        store.record("python-basics", "basics-int-division", 1.0)
    code, out = run("path", str(sample_course), "--learner", "cli-learner")
    assert code == 0, out
    assert "Mastered 1 of 8" in out


def test_path_errors_are_one_clear_line(sample_course: Path) -> None:
    cases = {
        ("--track", "pilots"): "unknown track 'pilots'",
        ("--goal", "numpi"): "did you mean 'numpy'?",
        ("--track", "data-analyst", "--rate", "numpy"): "SKILL=LEVEL",
        ("--track", "data-analyst", "--rate", "numpy=9"): "ratings.numpy",
        ("--track", "data-analyst", "--hours", "0"): "hours_per_week",
        (): "choose a track",
    }
    for args, message in cases.items():
        code, out = run("path", str(sample_course), *args)
        assert code == 1, args
        assert message in out and "Traceback" not in out, (args, out)
