"""The course database: migrations (a database made before them is upgraded in place), and the
stores of questions, profiles and grading jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from kit.paths.profile import LearnerProfile
from kit.progress.attempts import Attempt, AttemptStore
from kit.state import CourseDatabase, QuestionStore, choose_mentor, current_revision, upgrade
from kit.state.database import VERSION_TABLE, DatabaseError, head_revision
from kit.state.jobs import JobStore
from kit.state.profiles import ProfileStore

TABLES = {
    "attempts",
    "questions",
    "answers",
    "learner_profiles",
    "grading_jobs",
    "idempotency_keys",
    VERSION_TABLE,
}
TABLES |= {"faq", "labelled_examples", "notifications_seen"}
HEAD = "0004"


def _schema(engine: sa.Engine) -> dict[str, object]:
    inspector = sa.inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            sorted(i["name"] or "" for i in inspector.get_indexes(table)),
        )
        for table in sorted(inspector.get_table_names())
    }


def test_a_new_database_gets_every_table_at_the_newest_revision(tmp_path: Path) -> None:
    db = CourseDatabase(f"sqlite:///{tmp_path / 'new' / 'attempts.sqlite'}")
    assert set(sa.inspect(db.engine).get_table_names()) == TABLES
    assert current_revision(db.engine) == head_revision() == HEAD
    db.close()


def test_an_attempt_log_from_before_migrations_is_upgraded_in_place(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'attempts.sqlite'}"
    old = AttemptStore(url)  # creates its table as the kit always has, with create_all
    old.add([Attempt("ada", "numpy", "shape", 1.0), Attempt("ben", "pandas", "groupby", 0.0)])
    old.close()
    db = CourseDatabase(url)
    assert current_revision(db.engine) == HEAD
    fresh = CourseDatabase(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    assert _schema(db.engine) == _schema(fresh.engine)  # the same as one migrated from nothing
    db.close()
    fresh.close()
    store = AttemptStore(url)
    assert [(a.learner, a.skill) for a in store.query()] == [("ada", "numpy"), ("ben", "pandas")]
    store.close()
    CourseDatabase(url).close()  # opening again changes nothing
    assert AttemptStore(url).count() == 2


def test_the_first_revision_is_the_attempt_log_as_it_was(tmp_path: Path) -> None:
    migrated = sa.create_engine(f"sqlite:///{tmp_path / 'a.sqlite'}")
    upgrade(migrated, "0001")
    made = AttemptStore(f"sqlite:///{tmp_path / 'b.sqlite'}")
    schema = _schema(migrated)
    schema.pop(VERSION_TABLE)
    assert schema == _schema(made.engine)
    made.close()
    migrated.dispose()


def test_a_file_that_is_no_database_is_a_kit_error(tmp_path: Path) -> None:
    path = tmp_path / "attempts.sqlite"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(DatabaseError) as caught:
        CourseDatabase(f"sqlite:///{path}")
    assert str(path) in caught.value.message and caught.value.fix


def test_the_mentor_with_fewest_open_questions_is_chosen_ties_in_order() -> None:
    assert choose_mentor([], {}) is None
    assert choose_mentor(["lin", "ana"], {}) == "lin"
    assert choose_mentor(["lin", "ana"], {"lin": 1}) == "ana"
    assert choose_mentor(["lin", "ana"], {"lin": 2, "ana": 2}) == "lin"


@pytest.fixture
def database(tmp_path: Path) -> CourseDatabase:
    return CourseDatabase(f"sqlite:///{tmp_path / 'attempts.sqlite'}")


def test_questions_move_between_open_answered_and_resolved(database: CourseDatabase) -> None:
    store = QuestionStore(database, "c1")
    route = {"skill": "numpy", "urgency": 0.9, "urgent": True, "mentors": []}
    q = store.ask("ada", "why?", route=route, mentors=["grace", "lin"])
    assert (q.status, q.mentor, q.skill, q.urgent) == ("open", "grace", "numpy", True)
    assert store.open_counts(["grace", "lin"]) == {"grace": 1}
    assert store.ask("ben", "how?", route=route, mentors=["grace", "lin"]).mentor == "lin"
    store.answer(q.id, "grace", "mentor", "like this")
    assert store.get(q.id).status == "answered"  # type: ignore[union-attr]
    store.answer(q.id, "ada", "learner", "still stuck")
    assert store.get(q.id).status == "open"  # type: ignore[union-attr]
    assert store.resolve(q.id).status == "resolved"
    assert [a.author for a in store.get(q.id).answers] == ["grace", "ada"]  # type: ignore[union-attr]
    assert QuestionStore(database, "c2").get(q.id) is None  # another course's
    assert [x.learner for x in store.inbox()] == ["ben"]


def test_the_inbox_puts_urgent_questions_first(database: CourseDatabase) -> None:
    store = QuestionStore(database, "c1")
    for text, urgency, urgent in (("a", 0.2, False), ("b", 0.9, True), ("c", 0.5, False)):
        store.ask("ada", text, route={"skill": "x", "urgency": urgency, "urgent": urgent})
    store.ask("ada", "d", route=None, unrouted="no router")
    assert [q.text for q in store.inbox()] == ["b", "c", "a", "d"]


def test_profiles_are_kept_per_course_and_learner(database: CourseDatabase) -> None:
    store = ProfileStore(database, "c1")
    assert store.get("ada") == LearnerProfile(learner="ada")
    store.put(LearnerProfile(learner="ada", track="t", hours_per_week=3))
    store.put(LearnerProfile(learner="ada", track="u"))
    assert store.get("ada").track == "u"
    assert ProfileStore(database, "c2").get("ada").track is None


def test_grading_jobs_record_progress_and_their_end(database: CourseDatabase) -> None:
    jobs = JobStore(database, "c1")
    job = jobs.start("p1")
    assert (job.state, job.done, job.total, job.finished) == ("running", 0, None, None)
    jobs.update(job.id, total=3, done=1, message="ada: graded")
    jobs.update(job.id, state="finished", done=3)
    ended = jobs.latest("p1")
    assert ended is not None and (ended.state, ended.done, ended.total) == ("finished", 3, 3)
    assert ended.finished is not None and ended.finished >= ended.started
    jobs.start("p1")
    assert jobs.abandon_running("stopped") == 1
    assert jobs.latest("p1").state == "failed"  # type: ignore[union-attr]
