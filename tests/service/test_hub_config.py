"""``kit service --print-hub-config`` prints jupyterhub_config.py lines that JupyterHub 6 loads:
the service, the custom scopes, the roles; and by JupyterHub's own rules (a token gets only
the scopes its owner holds) a learner's server token may call the service and claims no role,
an instructor's carries the instructor's scope."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from traitlets.config import Config

from kit.cli import main
from tests.conftest import SAMPLE_COURSE


@pytest.fixture(scope="module")
def printed() -> str:
    result = CliRunner().invoke(
        main, ["service", str(SAMPLE_COURSE), "--print-hub-config", "--port", "10123"]
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def hub_config(printed: str) -> Config:
    config = Config()
    exec(compile(printed, "jupyterhub_config.py", "exec"), {"c": config})
    return config


def test_it_defines_the_service_its_scopes_and_roles(hub_config: Config) -> None:
    from jupyterhub.app import JupyterHub
    from jupyterhub.spawner import Spawner

    hub = JupyterHub(config=hub_config)
    (service,) = hub.services
    assert service["name"] == "kit" and service["url"] == "http://127.0.0.1:10123"
    assert service["command"][-4:] == ["service", str(SAMPLE_COURSE.resolve()), "--port", "10123"]
    assert set(hub.custom_scopes) == {"custom:kit:instructor", "custom:kit:mentor"}
    roles = {r["name"]: r for r in hub.load_roles}
    assert roles["kit-instructor"]["groups"] == ["kit-instructors"]
    assert roles["kit-mentor"]["groups"] == ["kit-mentors"]
    assert roles["kit-service"]["services"] == ["kit"]
    assert "access:services!service=kit" in roles["server"]["scopes"]
    environment = Spawner(config=hub_config).environment
    assert environment == {"KIT_SERVICE_URL": "http://127.0.0.1:10123/services/kit/"}


def test_it_adds_to_what_the_file_sets_elsewhere(printed: str) -> None:
    config = Config()
    config.JupyterHub.services = [{"name": "other", "url": "http://127.0.0.1:9999"}]
    exec(compile(printed, "jupyterhub_config.py", "exec"), {"c": config})
    from jupyterhub.app import JupyterHub

    assert [s["name"] for s in JupyterHub(config=config).services] == ["other", "kit"]


def _server_token_scopes(hub_config: Config) -> dict[str, set[str]]:
    """The scopes JupyterHub gives each user's server token, by its own rules."""
    from jupyterhub import orm, roles, scopes
    from jupyterhub.app import JupyterHub

    hub = JupyterHub(config=hub_config)
    for scope, definition in hub.custom_scopes.items():
        if scope not in scopes.scope_definitions:
            scopes.define_custom_scopes({scope: definition})
    db = orm.new_session_factory("sqlite://")()
    for role in roles.get_default_roles():
        roles.create_role(db, role)
    for role in hub.load_roles:  # create_role checks each scope exists
        roles.create_role(
            db, {k: v for k, v in role.items() if k in ("name", "description", "scopes")}
        )
    users: dict[str, Any] = {n: orm.User(name=n) for n in ("ada", "grace", "ines")}
    groups = {n: orm.Group(name=n) for n in ("kit-instructors", "kit-mentors")}
    db.add_all([*users.values(), *groups.values(), orm.OAuthClient(identifier="jupyterhub")])
    db.commit()
    roles.grant_role(db, groups["kit-instructors"], "kit-instructor")
    roles.grant_role(db, groups["kit-mentors"], "kit-mentor")
    users["ines"].groups.append(groups["kit-instructors"])
    users["grace"].groups.append(groups["kit-mentors"])
    db.commit()
    client = db.query(orm.OAuthClient).filter_by(identifier="jupyterhub").one()
    requested = orm.Role.find(db, "server").scopes
    given = {}
    for name, user in users.items():
        roles.grant_role(db, user, "user")
        asked = {s.replace("!server", f"!server={name}/") for s in requested}
        have = roles.roles_to_scopes(roles.get_roles_for(user)) | {"inherit"}
        got, _ = scopes._resolve_requested_scopes(asked, have, user, client, db)
        given[name] = set(got)
    db.close()
    return given


def test_by_jupyterhubs_rules_each_server_token_gets_what_its_owner_holds(
    hub_config: Config,
) -> None:
    given = _server_token_scopes(hub_config)
    access = "access:services!service=kit"
    assert all(access in scopes for scopes in given.values())
    assert not {s for s in given["ada"] if s.startswith("custom:kit:")}
    assert {s for s in given["grace"] if s.startswith("custom:")} == {"custom:kit:mentor"}
    assert {s for s in given["ines"] if s.startswith("custom:")} == {"custom:kit:instructor"}


def test_a_database_url_goes_in_the_services_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kit.sqlite'}"
    result = CliRunner().invoke(
        main, ["service", str(SAMPLE_COURSE), "--print-hub-config", "--database-url", url]
    )
    config = Config()
    exec(compile(result.output, "jupyterhub_config.py", "exec"), {"c": config})
    (service,) = config.JupyterHub.services.get_value([])
    assert service["environment"] == {"KIT_DATABASE_URL": url}


def test_started_without_a_hub_it_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["service", str(SAMPLE_COURSE)], env={"JUPYTERHUB_API_TOKEN": ""}
    )
    assert result.exit_code != 0
    assert "JUPYTERHUB_API_TOKEN is not set" in result.output
    assert "--print-hub-config" in result.output


def test_the_service_can_live_at_another_address() -> None:
    result = CliRunner().invoke(
        main,
        ["service", str(SAMPLE_COURSE), "--print-hub-config", "--service-url", "http://hub:10101/"],
    )
    config = Config()
    exec(compile(result.output, "jupyterhub_config.py", "exec"), {"c": config})
    (service,) = config.JupyterHub.services.get_value([])
    assert service["url"] == "http://hub:10101"
    assert config.Spawner.environment.get_value({}) == {
        "KIT_SERVICE_URL": "http://hub:10101/services/kit/"
    }
