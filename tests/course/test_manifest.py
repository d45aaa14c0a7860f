"""The course.yml model: shapes that pass, shapes that fail, and the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from kit.course import Lesson, Level, Manifest, Project, Skill, json_schema
from kit.course.manifest import json_schema_text

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "kit" / "course" / "course.schema.json"


def test_skill_defaults_and_frozen() -> None:
    skill = Skill(id="numpy", title="NumPy")
    assert skill.prerequisites == []
    assert skill.description == ""
    with pytest.raises(ValidationError):
        skill.title = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("bad_id", ["NumPy", "has space", "-leading", "", "a" * 65, "ünï"])
def test_ids_must_be_slugs(bad_id: str) -> None:
    with pytest.raises(ValidationError):
        Skill(id=bad_id, title="x")


@pytest.mark.parametrize("name", ["QR", "Eigenvalues", "ps1", "Problem_Set-2", "hw.3"])
def test_project_ids_are_nbgrader_assignment_names(name: str) -> None:
    """An existing nbgrader course keeps its assignment names, so its gradebook lines up; its
    skills stay slugs."""
    project = Project(id=name, source=f"projects/{name}", title="X", skills=["a"], points=1)
    assert project.id == name and project.skill is None
    with pytest.raises(ValidationError):
        Skill(id=name.upper(), title="x")


@pytest.mark.parametrize("bad", ["a+b", "ps*", "has space", ".hidden", "-x", "a/b", "", "a" * 129])
def test_project_ids_nbgrader_or_a_folder_cannot_take(bad: str) -> None:
    with pytest.raises(ValidationError, match="id"):
        Project(id=bad, source="projects/x", title="X", skills=["a"], points=1)


def test_a_project_skill_is_a_skill_id() -> None:
    project = Project(
        id="QR", source="projects/QR", title="QR", skills=["qr"], skill="qr", points=3
    )
    assert project.skill == "qr"
    with pytest.raises(ValidationError, match="skill"):
        Project(id="QR", source="projects/QR", title="QR", skills=["qr"], skill="QR", points=3)


def test_lesson_fields() -> None:
    lesson = Lesson(
        id="intro", notebook="lessons/01.ipynb", title="Intro", skills=["a"], minutes=30
    )
    assert lesson.level is Level.BEGINNER
    with pytest.raises(ValidationError, match="minutes"):
        Lesson(id="intro", notebook="x.ipynb", title="Intro", skills=["a"], minutes=0)
    with pytest.raises(ValidationError, match="skills"):
        Lesson(id="intro", notebook="x.ipynb", title="Intro", skills=[], minutes=5)


@pytest.mark.parametrize("path", ["/etc/passwd.ipynb", "../other/x.ipynb", "lessons/../../x.ipynb"])
def test_paths_stay_inside_the_course(path: str) -> None:
    with pytest.raises(ValidationError, match="inside the course folder"):
        Lesson(id="x", notebook=path, title="X", skills=["a"], minutes=5)
    with pytest.raises(ValidationError, match="inside the course folder"):
        Project(id="x", source=path, title="X", skills=["a"], points=1)


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="prerequisits"):
        Skill.model_validate({"id": "a", "title": "A", "prerequisits": []})


def test_version_written_as_number_is_kept_as_text() -> None:
    manifest = Manifest.model_validate(
        {"id": "c", "title": "C", "version": 1.0, "skills": [{"id": "a", "title": "A"}]}
    )
    assert manifest.version == "1.0"


def test_schema_describes_every_section() -> None:
    schema = json_schema()
    assert schema["title"] == "Mentor Kit course.yml"
    assert set(schema["properties"]) >= {
        "id",
        "title",
        "skills",
        "lessons",
        "projects",
        "tracks",
        "mentors",
    }
    assert "skills" in schema["required"]
    lesson = schema["$defs"]["Lesson"]
    assert lesson["additionalProperties"] is False
    assert "minutes" in lesson["required"]


def test_shipped_schema_file_is_current() -> None:
    # editors read kit/course/course.schema.json; it must match the model
    assert json.loads(SCHEMA_FILE.read_text()) == json.loads(json_schema_text())


def test_check_multiple_choice_and_numeric() -> None:
    from kit.course import Check

    choice = Check(id="q", skill="a", question="?", choices=[1, 2, 3], answer=2)
    assert choice.choices == ["1", "2", "3"] and choice.answer == "2"
    assert choice.is_correct("2") and not choice.is_correct("3")
    number = Check(id="n", skill="a", question="?", answer=0.9, tolerance=0.01)
    assert number.numeric
    assert number.is_correct("0.905") and number.is_correct("0,9") and number.is_correct(0.9)
    assert not number.is_correct("0.92") and not number.is_correct("ninety")
    with pytest.raises(ValidationError, match="not one of the choices"):
        Check(id="q", skill="a", question="?", choices=["x", "y"], answer="z")
    with pytest.raises(ValidationError, match="give 'choices'"):
        Check(id="q", skill="a", question="?", answer="def")


@pytest.mark.parametrize("field", ["database", "gradebook"])
def test_a_database_setting_must_be_a_url(field: str) -> None:
    from pydantic import ValidationError

    from kit.course.manifest import CourseInfo, GradingSettings

    good = "postgresql://kit@db:5432/course"
    if field == "database":
        assert CourseInfo(id="c", title="C", database=good).database == good
        with pytest.raises(ValidationError, match=r"'db\.sqlite' is not a database URL"):
            CourseInfo(id="c", title="C", database="db.sqlite")
    else:
        assert GradingSettings(gradebook=good).gradebook == good
        with pytest.raises(ValidationError, match=r"'db\.sqlite' is not a database URL"):
            GradingSettings(gradebook="db.sqlite")


def test_hub_addresses_must_be_http_and_lose_a_trailing_slash() -> None:
    from kit.course.manifest import HubSettings

    assert HubSettings(url="https://hub.example.org/").url == "https://hub.example.org"
    with pytest.raises(ValidationError, match="not an http"):
        HubSettings(repository="git@github.com:org/course.git")


def test_a_mentor_is_the_hub_user_of_their_id_unless_named() -> None:
    from kit.course.manifest import Mentor

    assert Mentor(id="grace", name="Grace", skills=["python"]).user == "grace"
    named = Mentor(id="grace", name="Grace", skills=["python"], hub_user="gokafor")
    assert named.user == "gokafor"
