"""``/me``, ``/courses`` and ``/courses/{id}``: who is asking, and which courses the server sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.conftest import INSTRUCTOR, LEARNER, MENTOR, Api


async def test_me_names_the_user_their_role_and_courses(api: Api) -> None:
    assert await api("GET", "me", user=LEARNER) == {
        "name": LEARNER,
        "role": "learner",
        "mentor_id": None,
        "courses": ["python-ml"],
    }
    mentor = await api("GET", "me", user=MENTOR)
    assert (mentor["role"], mentor["mentor_id"]) == ("mentor", "sam")
    assert (await api("GET", "me", user=INSTRUCTOR))["role"] == "instructor"


async def test_courses_lists_each_course_with_its_folder(api: Api) -> None:
    (course,) = await api("GET", "courses")
    assert course["id"] == "python-ml"
    assert course["folder"] == "courses/python-ml"
    assert (course["skills"], course["lessons"], course["projects"]) == (14, 12, 3)


async def test_a_course_names_its_notebooks_relative_to_the_root_folder(
    api: Api, jp_root_dir: Path
) -> None:
    course = await api("GET", "courses/python-ml")
    first = course["lessons"][0]
    assert first["notebook"] == "courses/python-ml/lessons/01-python-basics.ipynb"
    assert (jp_root_dir / first["notebook"]).is_file()
    assert {m["id"] for m in course["mentors"]} == {"grace", "lin", "sam"}
    assert [t["id"] for t in course["tracks"]] == ["data-analyst", "ml-engineer", "nlp-engineer"]
    numpy = next(s for s in course["skills"] if s["id"] == "numpy")
    assert numpy["prerequisites"] == ["python-functions", "python-data-structures"]


async def test_an_unknown_course_is_a_404_naming_the_known_ones(api: Api) -> None:
    error = await api("GET", "courses/nope", status=404)
    assert "nope" in error["error"] and "python-ml" in error["fix"]
    await api("GET", "me/path", params={"course": "nope"}, status=404)


@pytest.fixture
def second_course(jp_root_dir: Path, course_dir: Path) -> Path:
    """Another course, found first by the search (its folder sorts before courses/)."""
    import shutil

    target = jp_root_dir / "a-second" / "second"
    shutil.copytree(course_dir, target, ignore=shutil.ignore_patterns("_kit"))
    manifest = target / "course.yml"
    manifest.write_text(manifest.read_text().replace("id: python-ml", "id: second", 1))
    return target


@pytest.mark.usefixtures("second_course")
async def test_the_current_notebooks_course_comes_first(api: Api) -> None:
    assert [c["id"] for c in await api("GET", "courses")] == ["second", "python-ml"]
    notebook = {"notebook": "courses/python-ml/lessons/03-numpy.ipynb"}
    assert [c["id"] for c in await api("GET", "courses", params=notebook)] == [
        "python-ml",
        "second",
    ]
    assert (await api("GET", "me", params=notebook))["courses"][0] == "python-ml"
    await api("PUT", "me/profile", body={"track": "data-analyst"}, params=notebook)
    assert (await api("GET", "me/profile", params={"course": "python-ml"}))["track"] == (
        "data-analyst"
    )
    assert (await api("GET", "me/profile"))["track"] is None  # the default course: second


@pytest.mark.parametrize("kit_config", [{}])
async def test_alone_the_servers_user_is_the_instructor(api: Api) -> None:
    assert (await api("GET", "me", user=LEARNER))["role"] == "instructor"
    await api("GET", "cohort", user=LEARNER)


def test_courses_are_found_a_few_levels_down_skipping_workspaces_and_hidden_folders(
    tmp_path: Path,
) -> None:
    from kit.server.courses import find_courses

    for folder in ("a/c1", "b/x/c2", ".hidden/c3", "_kit/c4", "a/c1/inner/c5", "d/e/f/g/c6"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "course.yml").write_text("id: x\n")
    found = [p.relative_to(tmp_path).as_posix() for p in find_courses(tmp_path, 3)]
    assert found == ["a/c1", "b/x/c2"]
    assert [p.name for p in find_courses(tmp_path, 5)] == ["c1", "c2", "c6"]


def test_a_course_with_errors_is_left_out(tmp_path: Path) -> None:
    from kit.server.courses import CourseRegistry
    from tests.conftest import BROKEN_COURSES, SAMPLE_COURSE

    registry = CourseRegistry(tmp_path, [str(SAMPLE_COURSE), str(BROKEN_COURSES / "cycle")])
    assert [c.id for c in registry.courses()] == ["python-ml"]
    assert registry.relative(registry.courses()[0], "lessons/01-python-basics.ipynb") is None
