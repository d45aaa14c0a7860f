"""Course folders named in the configuration (``c.KitServer.course_dirs``), here one outside the
server's root folder: it is served, but its notebooks have no path JupyterLab could open."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import INSTRUCTOR, Api


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory, trained_course: Path) -> Path:
    target = tmp_path_factory.mktemp("elsewhere") / "outside-course"
    shutil.copytree(trained_course, target)
    manifest = target / "course.yml"
    manifest.write_text(manifest.read_text().replace("id: python-ml", "id: outside", 1))
    return target


@pytest.fixture
def kit_config(outside: Path) -> dict[str, Any]:
    return {"course_dirs": [str(outside)], "instructors": [INSTRUCTOR]}


async def test_only_the_configured_courses_are_served(api: Api) -> None:
    (course,) = await api("GET", "courses")
    assert (course["id"], course["folder"]) == ("outside", None)


async def test_notebooks_outside_the_root_folder_have_no_path(api: Api) -> None:
    course = await api("GET", "courses/outside")
    assert {lesson["notebook"] for lesson in course["lessons"]} == {None}
    route = await api(
        "POST", "route", body={"text": "how do I group a pandas DataFrame by a column"}
    )
    assert route["sure"] and route["lessons"]
    assert {lesson["notebook"] for lesson in route["lessons"]} == {None}
