"""How failures reach the user: a KitError as one error line and its fix, a bug as a traceback
and a request to report it; renamed options that still answer to their old names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kit import __version__
from kit.cli import main
from kit.cli._common import KitGroup
from kit.cli.book import build_command, serve_command
from kit.cli.progress import progress_simulate
from kit.errors import KitError
from tests.conftest import BROKEN_COURSES
from tests.conftest import run_cli as run


def _group_with(failure: Exception) -> click.Group:
    """A ``kit``-like group whose one command, ``fail``, raises ``failure``."""
    group = KitGroup("kit")

    @group.command()
    def fail() -> None:
        raise failure

    return group


def test_a_kit_error_is_one_line_and_its_fix() -> None:
    result = CliRunner().invoke(_group_with(KitError("the flux is empty", fix="fill it")), ["fail"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines == ["error: the flux is empty", "fix: fill it"]
    assert "Traceback" not in result.output


def test_a_kit_error_without_a_fix_prints_no_fix_line() -> None:
    result = CliRunner().invoke(_group_with(KitError("no flux")), ["fail"])
    assert result.exit_code == 1
    assert result.output.splitlines() == ["error: no flux"]


def test_brackets_in_a_message_are_text() -> None:
    error = KitError("skills[1].title: [bold] is not a title", fix="see [red]")
    result = CliRunner().invoke(_group_with(error), ["fail"])
    assert result.output.splitlines() == [
        "error: skills[1].title: [bold] is not a title",
        "fix: see [red]",
    ]


def test_a_kit_error_of_a_real_command() -> None:
    code, out = run("new", str(BROKEN_COURSES))  # a folder that is not empty
    assert code == 1
    lines = out.replace("\n    ", " ").splitlines()
    assert [line.split(":")[0] for line in lines] == ["error", "fix"]
    assert "not empty" in lines[0] and lines[1] == "fix: choose a new folder"


def test_a_course_that_does_not_load_prints_its_report_and_the_fix() -> None:
    code, out = run("info", str(BROKEN_COURSES / "cycle"))
    assert code == 1
    assert "prerequisite cycle" in out
    assert f"fix: run 'kit check {BROKEN_COURSES / 'cycle'}' after fixing these" in out.replace(
        "\n", ""
    )
    assert "Traceback" not in out


def test_a_bug_shows_its_traceback_and_asks_for_a_report(capsys: pytest.CaptureFixture) -> None:
    group = _group_with(ZeroDivisionError("a slip in the kit"))
    with pytest.raises(SystemExit) as exited:
        group(["fail"], prog_name="kit")
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "ZeroDivisionError: a slip in the kit" in err
    last = err.strip().splitlines()[-1]
    assert "bug" in last and "report" in last and __version__ in last


def test_a_bug_in_a_real_process_exits_1_with_the_traceback(tmp_path: Path) -> None:
    # the entry point calls the group itself: the same path as `kit` on the command line
    script = (
        "import sys\nfrom kit.cli import main\n"
        "@main.command()\ndef boom():\n    raise KeyError('oops')\n"
        "main(['boom'], prog_name='kit')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "KeyError: 'oops'" in done.stderr
    assert "please report it" in done.stderr.strip().splitlines()[-1]


def test_tests_still_see_a_bug_as_an_exception() -> None:
    # click's runner calls main() directly: a crash stays an exception that run_cli re-raises
    result = CliRunner().invoke(_group_with(ZeroDivisionError("x")), ["fail"])
    assert isinstance(result.exception, ZeroDivisionError)


def test_main_is_the_kit_group() -> None:
    assert isinstance(main, KitGroup)


@pytest.mark.parametrize(
    ("command", "old", "new", "param", "value"),
    [
        (build_command, "--out", "--output", "output", Path("b")),
        (serve_command, "--out", "--output", "output", Path("b")),
        (progress_simulate, "--learners", "--count", "count", 7),
    ],
)
def test_an_old_option_name_still_works_but_is_not_shown(
    command: click.Command, old: str, new: str, param: str, value: object
) -> None:
    for name in (old, new):
        context = command.make_context(command.name, ["COURSE", name, str(value)])
        assert context.params[param] == value, name
    help_text = command.get_help(click.Context(command, info_name=command.name))
    assert new in help_text
    assert old not in help_text.replace(new, "")


def test_options_named_the_same_everywhere() -> None:
    code, out = run("book", "build", "--help")
    assert code == 0 and "-o, --output" in out
    code, out = run("progress", "simulate", "--help")
    assert code == 0 and "--count" in out and "--learners" not in out


def test_grade_help_says_json_prints_one_array() -> None:
    code, out = run("grade", "--help")
    assert code == 0
    assert "one JSON array" in " ".join(out.split())


def test_the_shared_helpers_import_no_command_module() -> None:
    common = Path(__file__).resolve().parents[2] / "kit" / "cli" / "_common.py"
    imported = set()
    for node in ast.walk(ast.parse(common.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert not {name for name in imported if name == "kit.cli" or name.startswith("kit.cli.")}


def test_a_picture_that_cannot_be_written_is_one_error_line(
    sample_course: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, out = run("graph", str(sample_course), "-o", str(blocker / "skills.svg"))
    assert code == 1
    assert out.startswith(f"error: cannot write '{blocker / 'skills.svg'}'")
    assert "fix: choose another -o/--output" in out and "Traceback" not in out
