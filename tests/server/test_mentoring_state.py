"""The mentor loop's records: the upgrade to them, escalation from the times, re-routing,
questions resolved by an earlier answer, the FAQ, mentors' labelled examples, notifications,
and reading the FAQ and examples without creating a database."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from kit.course import load_course
from kit.progress.attempts import utcnow
from kit.state import (
    CourseDatabase,
    CourseState,
    ExampleStore,
    FaqStore,
    NotificationStore,
    QuestionStore,
    current_revision,
    read_examples,
    read_faq,
    upgrade,
)
from kit.state.schema import questions
from tests.conftest import SAMPLE_COURSE

ROUTE = {"skill": "numpy", "urgency": 0.2, "urgent": False, "mentors": []}


@pytest.fixture
def database(tmp_path: Path) -> CourseDatabase:
    return CourseDatabase(f"sqlite:///{tmp_path / 'attempts.sqlite'}")


def _age(database: CourseDatabase, question_id: int, hours: float) -> None:
    """Make a question (and its answers) ``hours`` older."""
    then = utcnow() - dt.timedelta(hours=hours)
    with database.engine.begin() as conn:
        conn.execute(questions.update().where(questions.c.id == question_id).values(created=then))


def test_a_database_at_0002_is_upgraded_keeping_its_questions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = sa.create_engine(url)
    upgrade(engine, "0002")
    engine.dispose()
    with sa.create_engine(url).begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO questions (course, learner, text, status, created, updated, "
                "unrouted) VALUES ('c1', 'ada', 'why?', 'open', '2026-01-01', '2026-01-01', '')"
            )
        )
    db = CourseDatabase(url)
    assert current_revision(db.engine) == "0004"
    (q,) = QuestionStore(db, "c1").inbox()
    assert (q.text, q.resolved_by, q.server_share) == ("why?", None, None)
    db.close()


def test_an_open_question_unanswered_past_the_deadline_is_escalated_and_first(
    database: CourseDatabase,
) -> None:
    store = QuestionStore(database, "c1")
    old = store.ask("ada", "old one", route=ROUTE, mentors=["grace"])
    new = store.ask("ben", "new one", route={**ROUTE, "urgent": True}, mentors=["grace"])
    _age(database, old.id, 30)
    old = store.get(old.id)  # type: ignore[assignment]
    assert old.escalated(24) and not old.escalated(48)
    assert not new.escalated(24)
    assert [q.text for q in store.inbox()] == ["new one", "old one"]  # urgent first
    assert [q.text for q in store.inbox(escalate_after=24)] == ["old one", "new one"]
    store.answer(old.id, "grace", "mentor", "here")
    assert not store.get(old.id).escalated(24)  # type: ignore[union-attr]
    store.answer(old.id, "ada", "learner", "still stuck")  # the clock starts again
    assert not store.get(old.id).escalated(24)  # type: ignore[union-attr]
    assert store.get(old.id).escalated(0.0000001)  # type: ignore[union-attr]


def test_a_correction_reroutes_to_the_least_busy_covering_mentor(
    database: CourseDatabase,
) -> None:
    store = QuestionStore(database, "c1")
    q = store.ask("ada", "a", route=ROUTE, mentors=["grace"])
    store.ask("ben", "b", route=ROUTE, mentors=["lin"])
    # the question itself does not count against grace, its mentor until now
    moved = store.reroute(q.id, skill="pandas", mentors=["grace", "lin"])
    assert (moved.skill, moved.mentor, moved.urgent) == ("pandas", "grace", False)
    flagged = store.reroute(q.id, urgent=True)
    assert (flagged.skill, flagged.mentor, flagged.urgent) == ("pandas", "grace", True)
    nobody = store.reroute(q.id, skill=None, mentors=[])
    assert (nobody.skill, nobody.mentor) == (None, None)


def test_a_question_resolved_by_an_earlier_answer_reaches_no_mentor(
    database: CourseDatabase,
) -> None:
    store = QuestionStore(database, "c1")
    earlier = store.ask("ada", "reshape?", route=ROUTE, mentors=["grace"])
    assert store.answered() == []  # not answered yet
    store.answer(earlier.id, "ada", "learner", "a follow-up is no answer")
    assert store.answered() == []
    store.answer(earlier.id, "grace", "mentor", "use .reshape")
    (found,) = store.answered()
    assert found.id == earlier.id and [a.text for a in found.staff_answers] == ["use .reshape"]
    closed = store.resolved_by_answer("ben", "how to reshape?", found)
    assert (closed.status, closed.resolved_by, closed.mentor, closed.skill) == (
        "resolved",
        earlier.id,
        None,
        "numpy",
    )
    assert store.count_resolved_by_answers() == 1
    assert closed.id not in [q.id for q in store.inbox()]
    assert [q.id for q in store.answered()] == [earlier.id]  # never offered as an answer itself


def test_sharing_an_answer_again_replaces_its_faq_entry(database: CourseDatabase) -> None:
    faq = FaqStore(database, "c1")
    first, new = faq.share(7, "q?", "a.", "numpy", "grace")
    assert new and (first.question, first.answer, first.author) == ("q?", "a.", "grace")
    again, new = faq.share(7, "q, edited?", "a, edited.", "numpy", "lin")
    assert not new and again.id == first.id
    _, new = faq.share(8, "q2?", "a2.", None, "grace")
    assert new
    assert [(e.question, e.author) for e in faq.entries()] == [
        ("q, edited?", "lin"),
        ("q2?", "grace"),
    ]
    assert FaqStore(database, "c2").entries() == []


def test_examples_keep_the_latest_skill_and_urgency_of_each_question(
    database: CourseDatabase,
) -> None:
    examples = ExampleStore(database, "c1")
    examples.record(1, "q1", "grace", skill="numpy")
    examples.record(1, "q1", "grace", urgent=True)
    examples.record(1, "q1", "lin", skill="pandas")
    examples.record(2, "q2", "lin", urgent=False)
    found = {e.question_id: (e.skill, e.urgent) for e in examples.examples()}
    assert found == {1: ("pandas", True), 2: (None, False)}


def test_notifications_for_each_role_and_marking_them_seen(database: CourseDatabase) -> None:
    store = QuestionStore(database, "c1")
    notes = NotificationStore(database, "c1")
    q = store.ask("ada", "why?", route=ROUTE, mentors=["grace"])
    other = store.ask("ben", "how?", route=ROUTE, mentors=["lin"])

    def unseen(user: str, role: str, mentor: str | None = None) -> list[str]:
        found = notes.unseen(store, user, role, mentor=mentor, escalate_after=24)  # type: ignore[arg-type]
        return [n.id for n in found]

    assert unseen("grace", "mentor", "grace") == [f"assigned-{q.id}"]
    assert unseen("ines", "instructor") == []
    _age(database, other.id, 25)
    assert unseen("ines", "instructor") == [f"escalated-{other.id}"]
    assert set(unseen("lin", "mentor", "lin")) == {f"assigned-{other.id}", f"escalated-{other.id}"}
    answer = store.answer(q.id, "grace", "mentor", "because")
    store.answer(q.id, "ada", "learner", "thanks")  # the asker's own words are no news
    assert unseen("ada", "learner") == [f"answer-{answer.id}"]
    assert unseen("ben", "learner") == []
    assert unseen("grace", "mentor", "grace") == [f"assigned-{q.id}"]  # reopened by ada
    assert notes.mark_seen("ada", [f"answer-{answer.id}"]) == 1
    assert notes.mark_seen("ada", [f"answer-{answer.id}"]) == 0
    assert unseen("ada", "learner") == []
    assert NotificationStore(database, "c2").seen("ada") == set()


def test_the_faq_and_examples_are_read_without_creating_a_database(tmp_path: Path) -> None:
    root = tmp_path / "python-ml"
    shutil.copytree(SAMPLE_COURSE, root, ignore=shutil.ignore_patterns("_kit"))
    course = load_course(root)
    entries, note = read_faq(course)
    assert entries == [] and "no course database" in note
    assert not (root / "_kit" / "attempts.sqlite").exists()
    (root / "_kit").mkdir()
    url = f"sqlite:///{root / '_kit' / 'attempts.sqlite'}"
    engine = sa.create_engine(url)
    upgrade(engine, "0002")  # a database from before the FAQ
    engine.dispose()
    entries, note = read_faq(course)
    assert entries == [] and "holds no faq" in note
    assert current_revision(sa.create_engine(url)) == "0002"  # read, not upgraded
    state = CourseState(course)
    state.faq.share(1, "q?", "a.", "numpy", "grace")
    state.examples.record(1, "q?", "grace", skill="numpy")
    state.close()
    entries, note = read_faq(course)
    assert [e.answer for e in entries] == ["a."] and "course database" in note
    assert [e.skill for e in read_examples(course)[0]] == ["numpy"]


def test_an_unreachable_database_is_a_clear_error_when_read(tmp_path: Path) -> None:
    from kit.state import DatabaseError

    root = tmp_path / "python-ml"
    shutil.copytree(SAMPLE_COURSE, root, ignore=shutil.ignore_patterns("_kit"))
    course = load_course(root)
    with pytest.raises(DatabaseError) as caught:
        read_faq(course, "postgresql://kit:secret@127.0.0.1:1/nowhere")
    assert "cannot be read" in caught.value.message and "secret" not in caught.value.message
    assert caught.value.fix
