"""Database URLs (kit.databases): the psycopg driver, masked passwords, one clear error for a
server that cannot be reached, and a unit of work run again when its connection drops."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from kit.databases import (
    DatabaseUnreachable,
    check_reachable,
    create_engine,
    driver_url,
    is_disconnect,
    masked,
    retrying,
    without_password,
)

# nothing listens on port 9 (discard) of this machine: connecting is refused at once
DOWN = "postgresql://kit:s3cret@127.0.0.1:9/kit"


def test_postgresql_urls_mean_psycopg_3() -> None:
    assert driver_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert driver_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert driver_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert driver_url("sqlite:////tmp/a.sqlite") == "sqlite:////tmp/a.sqlite"
    engine = create_engine("postgresql://u@h/db")
    assert engine.dialect.driver == "psycopg"
    assert engine.pool._pre_ping  # a dropped pooled connection is found before use


def test_passwords_are_masked() -> None:
    assert masked(DOWN) == "postgresql://kit:***@127.0.0.1:9/kit"
    assert masked("tcp://127.0.0.1:8786") == "tcp://127.0.0.1:8786"


def test_a_url_written_to_a_file_leaves_its_password_out() -> None:
    assert without_password(DOWN) == "postgresql://kit@127.0.0.1:9/kit"
    assert without_password("postgresql://kit@h/db") == "postgresql://kit@h/db"
    assert without_password("sqlite:////tmp/a@b.sqlite") == "sqlite:////tmp/a@b.sqlite"


def test_nbgraders_config_file_holds_no_password(
    course_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kit.course import load_course
    from kit.grading.nbgrader_course import NbgraderCourse

    monkeypatch.setenv("KIT_GRADEBOOK_URL", DOWN)
    nbg = NbgraderCourse(load_course(course_copy))
    assert nbg.config().CourseDirectory.db_url == "postgresql+psycopg://kit:s3cret@127.0.0.1:9/kit"
    text = nbg.config_text()
    assert "c.CourseDirectory.db_url = 'postgresql+psycopg://kit@127.0.0.1:9/kit'" in text
    assert "s3cret" not in text


def test_an_unreachable_server_is_one_message_with_the_password_masked() -> None:
    engine = create_engine(DOWN)
    with pytest.raises(DatabaseUnreachable) as caught:
        check_reachable(engine, DOWN, "the gradebook")
    message = str(caught.value)
    assert message.startswith("the gradebook at postgresql://kit:***@127.0.0.1:9/kit cannot be")
    assert "s3cret" not in message and "s3cret" not in caught.value.fix
    assert "never falls back" in caught.value.fix


def test_a_url_that_is_not_one_is_refused() -> None:
    with pytest.raises(DatabaseUnreachable, match="not a database URL"):
        create_engine("nosuchdb://x")


def _dropped() -> sa.exc.OperationalError:
    error = sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))
    error.connection_invalidated = True
    return error


def test_a_dropped_connection_is_retried_with_back_off() -> None:
    calls: list[int] = []
    waits: list[int] = []

    def unit() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _dropped()
        return "done"

    assert retrying(unit, backoff=0.001, on_retry=lambda n, _: waits.append(n)) == "done"
    assert len(calls) == 3 and waits == [1, 2]


def test_retries_are_bounded_and_other_errors_are_not_retried() -> None:
    calls: list[int] = []

    def always_dropped() -> None:
        calls.append(1)
        raise _dropped()

    with pytest.raises(sa.exc.OperationalError):
        retrying(always_dropped, tries=4, backoff=0.001)
    assert len(calls) == 4

    def wrong() -> None:
        calls.append(1)
        raise sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key"))

    calls.clear()
    with pytest.raises(sa.exc.IntegrityError):
        retrying(wrong, backoff=0.001)
    assert len(calls) == 1


def test_a_drop_wrapped_by_another_error_is_still_a_drop() -> None:
    # nbgrader turns SQLAlchemy's errors into its own InvalidEntry, raised from them
    try:
        try:
            raise _dropped()
        except sa.exc.OperationalError as exc:
            raise ValueError("InvalidEntry") from exc
    except ValueError as wrapped:
        assert is_disconnect(wrapped)
    assert not is_disconnect(ValueError("plain"))
