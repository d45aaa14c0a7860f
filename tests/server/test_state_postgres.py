"""The course database on PostgreSQL: the same migrations as on SQLite, Alembic's version table,
and stores that reconnect when the server drops their connections."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from kit.databases import DatabaseUnreachable
from kit.paths.profile import LearnerProfile
from kit.progress.attempts import Attempt, AttemptStore
from kit.state import CourseDatabase, QuestionStore, current_revision
from kit.state.database import VERSION_TABLE, head_revision
from kit.state.jobs import JobStore
from kit.state.profiles import ProfileStore
from tests.postgres import Postgres
from tests.server.conftest import LEARNER, Api

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


def test_migrations_bring_a_new_database_to_the_head(pg: Postgres) -> None:
    db = CourseDatabase(pg.url)
    try:
        assert db.engine.dialect.name == "postgresql"
        assert set(sa.inspect(db.engine).get_table_names()) == TABLES
        assert current_revision(db.engine) == head_revision()
        assert pg.scalar(f"SELECT version_num FROM {VERSION_TABLE}") == head_revision()
        assert (
            pg.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'alembic_version'"
            )
            == 0
        )
    finally:
        db.close()
    CourseDatabase(pg.url).close()  # opening again changes nothing
    assert pg.scalar(f"SELECT count(*) FROM {VERSION_TABLE}") == 1


def test_an_attempt_log_from_before_migrations_is_upgraded_in_place(pg: Postgres) -> None:
    old = AttemptStore(pg.url)
    old.add([Attempt("ada", "numpy", "shape", 1.0), Attempt("ben", "pandas", "groupby", 0.0)])
    old.close()
    db = CourseDatabase(pg.url)
    assert current_revision(db.engine) == head_revision()
    db.close()
    store = AttemptStore(pg.url)
    assert store.count() == 2
    store.close()


def test_the_stores_work_and_reconnect(pg: Postgres) -> None:
    db = CourseDatabase(pg.url)
    try:
        questions = QuestionStore(db, "c1")
        profiles = ProfileStore(db, "c1")
        jobs = JobStore(db, "c1")
        asked = questions.ask("ada", "why NaN?", route={"skill": "pandas"}, mentors=["m1", "m2"])
        assert asked.mentor == "m1" and asked.skill == "pandas"
        assert pg.terminate() >= 1  # the pool's connection is gone between two requests
        questions.answer(asked.id, "m1", "mentor", "look at groupby")
        assert questions.get(asked.id).status == "answered"  # type: ignore[union-attr]

        # a connection lost in the middle of a write: written once all the same
        with pg.dropping(r"^INSERT INTO learner_profiles", times=1) as hit:
            profiles.put(LearnerProfile(learner="ada", track="analyst"))
        assert hit and profiles.get("ada").track == "analyst"
        assert pg.scalar("SELECT count(*) FROM learner_profiles") == 1
        with pg.dropping(r"^INSERT INTO grading_jobs", times=2) as hit:
            job = jobs.start("ps1")
        assert len(hit) == 2
        assert pg.scalar("SELECT count(*) FROM grading_jobs") == 1
        with pg.dropping(r"^UPDATE grading_jobs", times=1):
            jobs.update(job.id, done=3, total=4, state="finished")
        assert jobs.latest("ps1").done == 3  # type: ignore[union-attr]
        with pg.dropping(r"^SELECT\b.*\bFROM questions\b", times=1) as hit:
            assert [q.id for q in questions.of_learner("ada")] == [asked.id]
        assert hit
    finally:
        db.close()


def test_an_unreachable_course_database_is_one_message() -> None:
    with pytest.raises(DatabaseUnreachable) as caught:
        CourseDatabase("postgresql://kit:s3cret@127.0.0.1:9/kit")
    assert "the course database at postgresql://kit:***@127.0.0.1:9/kit" in str(caught.value)
    assert "s3cret" not in str(caught.value)


async def test_the_server_keeps_its_state_on_postgres(
    api: Api, pg: Postgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIT_DATABASE_URL", pg.url)
    saved = await api("PUT", "me/profile", body={"track": "data-analyst"})
    assert saved["track"] == "data-analyst"
    assert pg.scalar("SELECT count(*) FROM learner_profiles WHERE learner = :x", x=LEARNER) == 1
    pg.terminate()  # the server's pooled connection goes; the next request reconnects
    assert (await api("GET", "me/profile"))["track"] == "data-analyst"


async def test_an_unreachable_database_is_a_503_naming_it(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIT_DATABASE_URL", "postgresql://kit:s3cret@127.0.0.1:9/kit")
    error = await api("GET", "me/profile", status=503)
    assert "the course database at postgresql://kit:***@127.0.0.1:9/kit" in error["error"]
    assert "s3cret" not in str(error)


def test_the_mentor_loops_records_on_postgresql(pg: Postgres) -> None:
    from kit.state import ExampleStore, FaqStore, NotificationStore

    db = CourseDatabase(pg.url)
    try:
        store = QuestionStore(db, "c1")
        route = {"skill": "numpy", "urgency": 0.1, "urgent": False, "mentors": []}
        q = store.ask(LEARNER, "why?", route=route, mentors=["grace"])
        assert store.reroute(q.id, skill="pandas", urgent=True, mentors=["lin"]).mentor == "lin"
        answer = store.answer(q.id, "lin", "mentor", "because")
        (earlier,) = store.answered()
        assert store.resolved_by_answer("ben", "why, too?", earlier).resolved_by == q.id
        assert FaqStore(db, "c1").share(q.id, "why?", "because", "pandas", "lin")[1]
        ExampleStore(db, "c1").record(q.id, "why?", "lin", skill="pandas", urgent=True)
        assert [e.skill for e in ExampleStore(db, "c1").examples()] == ["pandas"]
        notes = NotificationStore(db, "c1")
        found = notes.unseen(store, LEARNER, "learner", mentor=None, escalate_after=24)
        assert [n.id for n in found] == [f"answer-{answer.id}"]
        assert notes.mark_seen(LEARNER, [found[0].id]) == 1
        assert notes.unseen(store, LEARNER, "learner", mentor=None, escalate_after=24) == []
    finally:
        db.close()
