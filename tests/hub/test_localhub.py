"""``write_hub`` and ``kit hub --write-only``: the hub's files, without starting it."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from kit.errors import KitError
from kit.service.localhub import PROXY_ENV, HubUsers, find_proxy, write_hub
from tests.conftest import SAMPLE_COURSE, run_cli


@pytest.fixture
def course(tmp_path: Path) -> Path:
    copy = tmp_path / "python-ml"
    shutil.copytree(SAMPLE_COURSE, copy, ignore=shutil.ignore_patterns("_kit"))
    return copy


@pytest.fixture
def proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in configurable-http-proxy (never run here)."""
    path = tmp_path / "configurable-http-proxy"
    path.write_text("#!/bin/sh\nexit 1\n")
    path.chmod(0o755)
    monkeypatch.setenv(PROXY_ENV, str(path))
    return path


def _settings(config: Path) -> dict[str, object]:
    """The ``c.X.y = value`` lines of a config file whose value is a literal."""
    found: dict[str, object] = {}
    for node in ast.parse(config.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute):
            target = ast.unparse(node.targets[0])
            try:
                found[target] = ast.literal_eval(node.value)
            except ValueError:
                found[target] = ast.unparse(node.value)
    return found


def test_the_hub_listens_on_127_0_0_1_with_the_users_groups_and_the_service(
    tmp_path: Path, course: Path, proxy: Path
) -> None:
    users = HubUsers(mentors=("lin",), learners=("learner1",))
    hub = write_hub(tmp_path / "hub", course, users=users, password="pw")
    config = hub.config.read_text()
    compile(config, str(hub.config), "exec")
    settings = _settings(hub.config)
    assert settings["c.JupyterHub.ip"] == "127.0.0.1"
    assert settings["c.JupyterHub.hub_ip"] == "127.0.0.1"
    assert settings["c.ConfigurableHTTPProxy.command"] == [str(proxy)]
    assert str(settings["c.ConfigurableHTTPProxy.api_url"]).startswith("http://127.0.0.1:")
    assert settings["c.DummyAuthenticator.password"] == "pw"
    assert settings["c.Authenticator.allowed_users"] == {"ada", "lin", "learner1"}
    assert settings["c.Authenticator.admin_users"] == {"ada"}
    assert settings["c.JupyterHub.load_groups"] == {
        "kit-instructors": {"users": ["ada"]},
        "kit-mentors": {"users": ["lin"]},
    }
    ports = {hub.ports.public, hub.ports.proxy_api, hub.ports.hub, hub.ports.service}
    assert len(ports) == 4, hub.ports
    # the service's part, as kit service --print-hub-config prints it for this port
    assert "c.JupyterHub.services.append(" in config
    assert f"http://127.0.0.1:{hub.ports.service}" in config
    assert "KIT_SERVICE_URL" in config


def test_each_home_knows_the_course_the_exchange_and_who_submits(
    tmp_path: Path, course: Path, proxy: Path
) -> None:
    users = HubUsers(mentors=("grace",), learners=("learner1",))
    hub = write_hub(tmp_path / "hub", course, users=users, service=False)
    learner = _settings(hub.home("learner1") / "nbgrader_config.py")
    assert learner["c.CourseDirectory.student_id"] == "learner1"
    assert learner["c.Exchange.root"] == str(hub.exchange)
    assert learner["c.CourseDirectory.course_id"] == "python-ml"
    instructor = _settings(hub.home("ada") / "nbgrader_config.py")
    assert "c.CourseDirectory.student_id" not in instructor
    assert instructor["c.CourseDirectory.root"] == str(course.resolve() / "_kit" / "nbgrader")
    assert instructor["c.Exchange.root"] == str(hub.exchange)
    kit = json.loads((hub.home("grace") / ".jupyter" / "jupyter_server_config.json").read_text())
    assert kit["KitServer"] == {
        "course_dirs": ["python-ml"],
        "instructors": ["ada"],
        "mentors": {"grace": "grace"},
    }
    # the learners' copy has no instructor workspace and no sample solutions
    assert (hub.home("learner1") / "python-ml" / "course.yml").is_file()
    assert not (hub.home("learner1") / "python-ml" / "sample-submissions").exists()
    assert not (hub.home("ada") / "python-ml").exists(), "the instructor works in the course"
    ada = json.loads((hub.home("ada") / ".jupyter" / "jupyter_server_config.json").read_text())
    assert ada["KitServer"]["course_dirs"] == [str(course.resolve())]


def test_the_password_is_kept_between_runs(tmp_path: Path, course: Path, proxy: Path) -> None:
    users = HubUsers(mentors=("lin",), learners=("learner1",))
    first = write_hub(tmp_path / "hub", course, users=users, service=False)
    again = write_hub(tmp_path / "hub", course, users=users, service=False)
    assert first.password == again.password
    assert len(first.password) >= 12


def test_a_mentor_not_in_course_yml_is_refused_with_the_fix(
    tmp_path: Path, course: Path, proxy: Path
) -> None:
    with pytest.raises(KitError) as caught:
        write_hub(tmp_path / "hub", course, users=HubUsers(mentors=("alan",)))
    assert "course.yml" in str(caught.value) and "alan" in str(caught.value)
    assert "grace" in caught.value.fix
    assert not (tmp_path / "hub" / "jupyterhub_config.py").exists()


def test_a_proxy_that_is_not_there_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROXY_ENV, str(tmp_path / "nothing"))
    with pytest.raises(KitError) as caught:
        find_proxy()
    assert PROXY_ENV in str(caught.value)


def test_kit_hub_write_only_prints_the_address_users_and_password(
    tmp_path: Path, course: Path, proxy: Path
) -> None:
    folder = tmp_path / "hub"
    code, out = run_cli(
        "hub", str(course), "--folder", str(folder), "--port", "0", "--learners", "2",
        "--password", "secret-pw", "--no-service", "--write-only",
    )  # fmt: skip
    assert code == 0, out
    assert "http://127.0.0.1:" in out
    for name in ("ada", "grace", "lin", "sam", "learner1", "learner2"):  # every mentor
        assert name in out
    assert "learner3" not in out
    assert "secret-pw" in out
    config = (folder / "jupyterhub_config.py").read_text()
    assert "no kit service" in config and "c.JupyterHub.services" not in config


def test_a_taken_port_is_refused_before_anything_is_written(
    tmp_path: Path, course: Path, proxy: Path
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(KitError) as caught:
            write_hub(tmp_path / "hub", course, port=port, service=False)
    assert f"port {port}" in str(caught.value) and "--port" in caught.value.fix
    assert not (tmp_path / "hub").exists()


def test_kit_hub_takes_the_mentors_named(tmp_path: Path, course: Path, proxy: Path) -> None:
    folder = tmp_path / "hub"
    code, out = run_cli(
        "hub", str(course), "--folder", str(folder), "--port", "0", "--mentor", "lin",
        "--instructor", "ines", "--no-service", "--write-only",
    )  # fmt: skip
    assert code == 0, out
    groups = _settings(folder / "jupyterhub_config.py")["c.JupyterHub.load_groups"]
    assert groups == {"kit-instructors": {"users": ["ines"]}, "kit-mentors": {"users": ["lin"]}}
    code, out = run_cli("hub", str(course), "--folder", str(folder), "--mentor", "alan")
    assert code == 1 and "alan" in out, out
