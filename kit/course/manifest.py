"""The course manifest: what ``course.yml`` may say, as pydantic models.

The models check the shape of each entry (types, required fields, id spelling). Checks that
need the whole course (ids that refer to each other, cycles, notebooks on disk) live in
:mod:`kit.course.validation`.
"""

from __future__ import annotations

import json
import re
from enum import Enum
from pathlib import PurePosixPath
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

WORKSPACE_NAME = "_kit"
"""The name of a course's workspace folder (generated state: gradebook, attempt log, builds).
Named here, below the course model, because course.yml's defaults point into it; everything
else reaches the folder through :attr:`kit.course.Course.workspace`."""

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
"""Ids are lower-case slugs: they become file names, URLs and nbgrader assignment names."""

Id = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        max_length=64,
        description="A lower-case slug: letters a-z, digits, '-' and '_'; starts with a letter or digit.",
    ),
]


PROJECT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
"""Project ids are nbgrader assignment names, kept as nbgrader knows them (``ps1``, ``QR``,
``Eigenvalues``) so that an existing gradebook lines up: letters of either case, digits, '-',
'_' and '.'. nbgrader refuses '+' and reads '*', '?' and '[' as a pattern; spaces and '/'
make poor folder names."""

ProjectId = Annotated[
    str,
    Field(
        pattern=PROJECT_ID_PATTERN,
        max_length=128,  # the length of an assignment name in nbgrader's gradebook
        description="The nbgrader assignment name: letters (either case), digits, '-', '_' and "
        "'.'; starts with a letter or digit.",
    ),
]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Level(str, Enum):
    """How demanding a lesson is."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


def _relative_path(value: str) -> str:
    path = PurePosixPath(value.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        raise ValueError("must be a path inside the course folder, relative to course.yml")
    return str(path)


class Skill(_Entry):
    """A node of the knowledge graph."""

    id: Id
    title: str = Field(min_length=1, description="Short name shown to learners.")
    description: str = Field("", description="One or two sentences: what a learner can do with it.")
    prerequisites: list[Id] = Field(
        default_factory=list, description="Ids of the skills a learner needs first."
    )


class Lesson(_Entry):
    """A lesson notebook and the skills it teaches."""

    id: Id
    notebook: str = Field(description="Path of the lesson notebook, relative to course.yml.")
    title: str = Field(min_length=1)
    skills: list[Id] = Field(min_length=1, description="Ids of the skills this lesson teaches.")
    minutes: int = Field(gt=0, le=24 * 60, description="Estimated minutes to work through it.")
    level: Level = Field(Level.BEGINNER, description="beginner, intermediate or advanced.")

    _check_notebook = field_validator("notebook")(_relative_path)


class Project(_Entry):
    """An nbgrader assignment: its source folder holds the notebooks with solutions and tests."""

    id: ProjectId
    source: str = Field(
        description="Folder of the nbgrader source notebooks, relative to course.yml."
    )
    title: str = Field(min_length=1)
    skills: list[Id] = Field(min_length=1, description="Ids of the skills its grade cells measure.")
    skill: Id | None = Field(
        None,
        description="The skill of its grade and task cells that name none in their metadata "
        '("kit": {"skill": ...}): one skill for a whole project, as for a course imported '
        "from nbgrader, whose notebooks name none.",
    )
    points: float = Field(
        gt=0,
        description="Total points of its grade and task cells, autograded and graded by hand.",
    )
    minutes: int = Field(120, gt=0, description="Estimated minutes to complete it.")

    _check_source = field_validator("source")(_relative_path)


class Track(_Entry):
    """A named goal: the skills a learner on this track sets out to master."""

    id: Id
    title: str = Field(min_length=1)
    audience: str = Field("", description="Who the track is for.")
    goals: list[Id] = Field(min_length=1, description="Ids of the goal skills.")


class Mentor(_Entry):
    """A person who answers questions on some skills."""

    id: Id
    name: str = Field(min_length=1)
    skills: list[Id] = Field(min_length=1, description="Ids of the skills they cover.")
    contact: str = Field("", description="E-mail address, chat handle or URL.")
    hub_user: str = Field(
        "",
        description="Their JupyterHub user name, where it is not their id: on a hub, the user "
        "of that name is this mentor and sees the questions on their skills.",
    )

    @property
    def user(self) -> str:
        """The JupyterHub user name of this mentor."""
        return self.hub_user or self.id


def _as_choice(value: float) -> str:
    """A number written as a choice: ``2.0`` and ``2`` both give ``'2'``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Check(_Entry):
    """A self-check question tagged with a skill: multiple choice, or a number to type.

    Lessons show it with ``kit.paths.self_check("<id>")``; the path selector's placement check
    draws from the same questions. Each answer is recorded as an attempt on its skill.
    """

    id: Id
    skill: Id = Field(description="Id of the skill the question measures.")
    question: str = Field(min_length=1, description="The question (Markdown).")
    choices: list[str] = Field(
        default_factory=list, description="Answer options; leave out for a numeric answer."
    )
    answer: str | float = Field(
        description="The right choice (its text), or the number for a numeric question."
    )
    tolerance: float = Field(0.0, ge=0, description="Accepted distance from a numeric answer.")
    explanation: str = Field("", description="Shown after answering: why the answer is right.")
    placement: bool = Field(True, description="Use it in the placement check too.")

    @model_validator(mode="before")
    @classmethod
    def _choices_as_text(cls, data: Any) -> Any:
        # `choices: [1, 2, 3]` and `answer: 2` are numbers to YAML; with choices they are texts
        if isinstance(data, dict) and isinstance(data.get("choices"), list):
            data = dict(data)
            data["choices"] = [
                _as_choice(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                for v in data["choices"]
            ]
            answer = data.get("answer")
            if isinstance(answer, int | float) and not isinstance(answer, bool):
                data["answer"] = _as_choice(answer)
        return data

    @property
    def numeric(self) -> bool:
        """True for a question answered with a number."""
        return not self.choices

    def is_correct(self, response: str | float) -> bool:
        """Whether ``response`` (a choice's text, or a number) is right."""
        if self.choices:
            return str(response) == str(self.answer)
        try:
            value = float(str(response).strip().replace(",", "."))
        except ValueError:
            return False
        target = float(self.answer)
        return abs(value - target) <= self.tolerance + 1e-9 * max(1.0, abs(target))

    @model_validator(mode="after")
    def _answer_fits(self) -> Check:
        if self.choices:
            if str(self.answer) not in self.choices:
                raise ValueError(
                    f"answer {self.answer!r} is not one of the choices; "
                    "write the answer exactly as one of the choices"
                )
            if len(set(self.choices)) != len(self.choices):
                raise ValueError("two choices are the same; make every choice different")
        elif isinstance(self.answer, str):
            raise ValueError(
                f"answer {self.answer!r} is text but there are no choices; "
                "give 'choices', or make the answer a number"
            )
        return self


def _database_url(value: str) -> str:
    """A database URL as course.yml gives it ("" for the default)."""
    if value and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
        raise ValueError(
            f"{value!r} is not a database URL; write sqlite:////path/to/file.sqlite or "
            "postgresql://USER@HOST:5432/NAME (the password is better given in the environment)"
        )
    return value


class GradingSettings(_Entry):
    """How projects are released, collected and graded (course.yml's ``grading:``).

    Everything nbgrader needs is generated from this and the rest of course.yml; nobody
    edits an ``nbgrader_config.py``. Paths are relative to course.yml unless absolute.
    """

    exchange: str = Field(
        f"{WORKSPACE_NAME}/exchange",
        description="nbgrader's exchange folder (shared by learners and instructors on a hub).",
    )
    gradebook: str = Field(
        "",
        description="nbgrader's gradebook: a database URL (sqlite:///..., postgresql://...); "
        f"the KIT_GRADEBOOK_URL environment variable overrides it; default: an SQLite file in "
        f"{WORKSPACE_NAME}/nbgrader.",
    )
    timeout_cell: int = Field(30, gt=0, description="Seconds one cell may run.")

    timeout_notebook: int = Field(300, gt=0, description="Seconds a whole notebook may run.")
    memory_mb: int = Field(1024, gt=0, description="Memory a submission's kernel may use.")
    cpu_seconds: int = Field(300, gt=0, description="CPU time a submission's kernel may use.")
    processes: int = Field(64, gt=0, description="Processes a submission may have at once.")
    file_mb: int = Field(64, gt=0, description="Largest file a submission may write.")
    output_kb: int = Field(
        256, gt=0, description="Output kept per cell; the rest is cut (and reported)."
    )
    network: bool = Field(False, description="Allow learner code to reach the network.")
    sandbox_user: str = Field(
        "nobody",
        min_length=1,
        description="The unprivileged user (name or uid) learners' kernels run as when the "
        "grader is root; otherwise they run as the grader's user, in a user namespace.",
    )
    require_sandbox: bool = Field(
        False,
        description="Refuse to grade where the machine allows no jail for learners' kernels "
        "(no bubblewrap, or no user namespaces); by default grading goes on with the time, "
        "memory and process limits alone, and says so.",
    )
    workers: int = Field(0, ge=0, description="Parallel kernels; 0 means one per CPU core.")
    scheduler: str = Field(
        "",
        description="Grade on a Dask cluster: its scheduler's address (tcp://host:8786), or "
        "local:N for N worker processes on this machine; default: a process pool here.",
    )
    fork_kernels: bool = Field(
        True,
        description="Fork each submission's kernel from a template process that has already "
        "imported the kernel and the preloaded modules (fast); false starts each kernel anew.",
    )
    preload: list[str] | None = Field(
        None,
        description="Modules the kernel template imports once, so that learners' imports of "
        "them cost nothing; default: those the project's notebooks import.",
    )

    @field_validator("gradebook")
    @classmethod
    def _gradebook_url(cls, value: str) -> str:
        return _database_url(value)


class RouterSettings(_Entry):
    """How the question router answers (course.yml's ``router:``)."""

    target_precision: float = Field(
        0.9,
        gt=0,
        lt=1,
        description="Share of the router's sure answers that should be right: the 'not sure' "
        "threshold is chosen on held-out questions to reach it (higher: fewer, safer answers).",
    )


class MentoringSettings(_Entry):
    """How learners' questions reach mentors (course.yml's ``mentoring:``)."""

    escalate_after_hours: float = Field(
        24,
        gt=0,
        description="An open question nobody has answered for this many hours goes to the "
        "instructors too (escalated).",
    )
    similar: int = Field(
        3,
        ge=0,
        le=10,
        description="Answered questions like a new one shown to the learner before it is sent "
        "(0: none).",
    )


class HubSettings(_Entry):
    """The course on a JupyterHub (course.yml's ``hub:``)."""

    url: str = Field(
        "",
        description="The hub's public address (https://hub.example.org): the book's launch "
        "buttons open a lesson in the reader's own server there.",
    )
    repository: str = Field(
        "",
        description="The course's git repository (https://...): nbgitpuller clones it into a "
        "learner's server and never overwrites their edits.",
    )
    branch: str = Field("main", min_length=1, description="The repository's branch to pull.")
    instructors_group: str = Field(
        "kit-instructors", min_length=1, description="The hub group of the course's instructors."
    )
    mentors_group: str = Field(
        "kit-mentors", min_length=1, description="The hub group of the course's mentors."
    )

    @field_validator("url", "repository")
    @classmethod
    def _address(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(
                f"'{value}' is not an http(s):// address; write it as https://host/..."
            )
        return value.rstrip("/")


class CourseInfo(_Entry):
    """The top-level fields of course.yml, without the lists."""

    id: Id
    title: str = Field(min_length=1)
    summary: str = ""
    version: str = Field("0.1", description="Free-form version of the course content.")
    database: str = Field(
        "",
        description="The course's database (the attempt log, questions, profiles, grading jobs): "
        "a database URL (sqlite:///..., postgresql://USER@HOST/NAME); the KIT_DATABASE_URL "
        f"environment variable overrides it; default: an SQLite file, {WORKSPACE_NAME}/attempts.sqlite.",
    )
    grading: GradingSettings = Field(default_factory=GradingSettings)
    router: RouterSettings = Field(default_factory=RouterSettings)
    mentoring: MentoringSettings = Field(default_factory=MentoringSettings)
    hub: HubSettings = Field(default_factory=HubSettings)

    @field_validator("database")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return _database_url(value)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        # `version: 1.0` is a float to YAML; instructors mean the text they wrote.
        return str(value) if isinstance(value, int | float) else value


class Manifest(CourseInfo):
    """The whole of course.yml."""

    skills: list[Skill] = Field(min_length=1)
    lessons: list[Lesson] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    tracks: list[Track] = Field(default_factory=list)
    mentors: list[Mentor] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)


SECTIONS: dict[str, type[_Entry]] = {
    "skills": Skill,
    "lessons": Lesson,
    "projects": Project,
    "tracks": Track,
    "mentors": Mentor,
    "checks": Check,
}
"""The list sections of course.yml and the model of one entry of each."""


def json_schema() -> dict[str, Any]:
    """The JSON Schema of course.yml, for editors (yaml-language-server) and other tools."""
    schema = Manifest.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Mentor Kit course.yml"
    schema["description"] = (
        "A Mentor Kit course: skills (a knowledge graph), lessons, projects, tracks and mentors."
    )
    return schema


def json_schema_text() -> str:
    """The JSON Schema as indented JSON text."""
    return json.dumps(json_schema(), indent=2) + "\n"
