"""deploy/z2jh: the Zero to JupyterHub values validate against the chart's published values schema,
and the values, the kit service's manifests and the image agree with each other."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "z2jh"
DATA = Path(__file__).parent / "data"
SCHEMA = DATA / "z2jh-4.4.0-values.schema.json"
DEFAULTS = DATA / "z2jh-4.4.0-values.yaml"


def coalesce(defaults: Any, given: Any) -> Any:
    """The values Helm validates: the chart's defaults with the given values over them (maps
    merge key by key; a null removes the default)."""
    if not (isinstance(defaults, dict) and isinstance(given, dict)):
        return copy.deepcopy(given)
    merged = copy.deepcopy(defaults)
    for key, value in given.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = coalesce(defaults.get(key), value)
    return merged


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "values.yaml").read_text())


@pytest.fixture(scope="module")
def manifests() -> dict[str, dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all((DEPLOY / "kit-service.yaml").read_text()) if d]
    return {d["kind"]: d for d in docs}


def problems(values: dict[str, Any]) -> list[str]:
    """What `helm install` would refuse in these values, as 'path: message' lines."""
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    defaults = yaml.safe_load(DEFAULTS.read_text())
    merged = coalesce(defaults, values)
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in validator.iter_errors(merged)
    ]


def test_the_values_fit_the_charts_schema(values: dict[str, Any]) -> None:
    assert problems(values) == []


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ((), "singleUser", {}),  # a misspelt section
        (("singleuser",), "defaultUrl", 42),  # a wrong type
        (("hub",), "service", {"type": "Nowhere"}),  # a value outside an enum
    ],
)
def test_the_schema_catches_a_mistake(
    values: dict[str, Any], where: tuple[str, ...], key: str, value: Any
) -> None:
    broken = copy.deepcopy(values)
    node = broken
    for part in where:
        node = node[part]
    node[key] = value
    assert problems(broken), f"{'.'.join((*where, key))} = {value!r} passed the schema"


def test_learners_servers_reach_the_service_the_hub_proxies(
    values: dict[str, Any], manifests: dict[str, dict[str, Any]]
) -> None:
    service = values["hub"]["services"]["kit"]
    hub_url = urlsplit(service["url"])
    kit_url = urlsplit(values["singleuser"]["extraEnv"]["KIT_SERVICE_URL"])
    assert (kit_url.hostname, kit_url.port) == (hub_url.hostname, hub_url.port)
    assert kit_url.path.rstrip("/") == "/services/kit"
    k8s_service = manifests["Service"]
    assert k8s_service["metadata"]["name"] == hub_url.hostname
    assert k8s_service["spec"]["ports"][0]["port"] == hub_url.port
    pod = manifests["Deployment"]["spec"]["template"]
    container = pod["spec"]["containers"][0]
    assert container["ports"][0]["containerPort"] == hub_url.port
    assert str(hub_url.port) in container["command"]
    env = {e["name"]: e for e in container["env"]}
    assert env["JUPYTERHUB_SERVICE_PREFIX"]["value"] == kit_url.path.rstrip("/") + "/"
    # the token the chart generates for hub.services.kit, from the hub's Secret
    assert env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"] == {
        "name": "hub",
        "key": "hub.services.kit.apiToken",
    }
    assert env["KIT_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "kit-database"
    # the hub's network policy admits the service; the learners' egress rule selects its pods
    assert pod["metadata"]["labels"]["hub.jupyter.org/network-access-hub"] == "true"
    egress = values["singleuser"]["networkPolicy"]["egress"][0]
    selected = egress["to"][0]["podSelector"]["matchLabels"]
    assert selected.items() <= pod["metadata"]["labels"].items()
    assert egress["ports"][0]["port"] == hub_url.port


def test_every_server_mounts_one_shared_exchange(
    values: dict[str, Any], manifests: dict[str, dict[str, Any]]
) -> None:
    storage = values["singleuser"]["storage"]
    (volume,) = storage["extraVolumes"]
    (mount,) = storage["extraVolumeMounts"]
    assert mount["name"] == volume["name"]
    claim = manifests["PersistentVolumeClaim"]
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    # the image points nbgrader's exchange at the mounted folder
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert f'c.Exchange.root = "{mount["mountPath"]}"' in dockerfile


def test_the_roles_and_scopes_are_those_the_service_prints(values: dict[str, Any]) -> None:
    from kit.course import load_course
    from kit.service.hubconfig import hub_settings

    printed = hub_settings(load_course(ROOT / "courses" / "python-ml"))
    hub = values["hub"]
    assert set(hub["config"]["JupyterHub"]["custom_scopes"]) == set(printed["custom_scopes"])
    roles = {r["name"]: r for r in printed["roles"]}
    assert set(hub["loadRoles"]) == set(roles)
    for name, role in roles.items():
        given = hub["loadRoles"][name]
        assert set(given["scopes"]) == set(role["scopes"]), name
        for key in ("groups", "services"):
            assert given.get(key) == role.get(key), f"{name}.{key}"
    assert printed["service"]["name"] in hub["services"]
    kit_url = values["singleuser"]["extraEnv"]["KIT_SERVICE_URL"]
    assert kit_url.rstrip("/").endswith(
        urlsplit(printed["environment"]["KIT_SERVICE_URL"]).path.rstrip("/")
    )


def test_the_image_builds_from_files_in_the_repository(
    manifests: dict[str, dict[str, Any]],
) -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    copies = re.findall(r"^COPY (?!--from)(?:--\S+ )*(.+) \S+$", dockerfile, re.M)
    sources = [s for line in copies for s in line.split()]
    assert sources, "no COPY found"
    for source in sources:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is not here"
    assert "torch==2.13.0" in dockerfile and "whl/cpu" in dockerfile
    # the service's course folder is the one the image puts the course in
    course = manifests["Deployment"]["spec"]["template"]["spec"]["containers"][0]["command"][2]
    assert f"/srv/courses/python-ml {course}" in dockerfile.replace(
        "/tmp/mentor-kit/courses", "/srv/courses"
    )
