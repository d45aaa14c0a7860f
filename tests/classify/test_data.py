"""Reading labelled CSV files: clear errors that name the file, the line and the column."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.classify import QuestionDataError, RouterError
from kit.classify.data import (
    load_mooc_urgency,
    read_labelled_csv,
    read_questions,
    write_labelled_csv,
)
from kit.course import iter_question_problems, load_course
from kit.errors import KitError


def test_round_trip_keeps_commas_quotes_and_newlines(tmp_path: Path) -> None:
    texts = ['why, "though"?', "two\nlines", "plain"]
    path = write_labelled_csv(tmp_path / "q.csv", texts, ["a", "b", "a"])
    data = read_labelled_csv(path)
    assert data.texts == texts
    assert data.labels == ["a", "b", "a"]
    assert data.lines == [2, 3, 5]  # the quoted text over two lines takes lines 3-4


def test_skill_column_is_the_label_when_there_is_no_label_column(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("skill,text\nnumpy,what is an array\n", encoding="utf-8")
    assert read_labelled_csv(path).labels == ["numpy"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("question,label\nhi,a\n", "q.csv:1: no 'text' column"),
        ("text,label\nhi,a\n,b\n", "q.csv:3: column 'text': the question is empty"),
        ("text,label\nhi,a\n\nho,\n", "q.csv:4: column 'label': no label"),
        ("text,label\nhi\n", "q.csv:2: 1 column(s), expected 2"),
        ("text,label\n", "has a header but no rows"),
        ("", "q.csv:1: no 'text' column"),
    ],
)
def test_errors_name_file_line_and_column(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "q.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QuestionDataError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        read_labelled_csv(path)


def test_not_utf8_says_how_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes("text,label\ncaf\xe9,a\n".encode("latin-1"))
    with pytest.raises(QuestionDataError, match=r"q\.csv: is not UTF-8 text") as caught:
        read_labelled_csv(path)
    assert "save it as UTF-8" in caught.value.fix


def test_question_labels_are_checked_against_the_course(course_copy: Path) -> None:
    course = load_course(course_copy)
    # written after loading: `kit check` (and so load_course) reports this file's errors too
    (course_copy / "questions.csv").write_text(
        "text,skill\nwhat is a dataframe,pandas\nhow to plot,ploting\n", encoding="utf-8"
    )
    with pytest.raises(QuestionDataError, match=r"questions.csv:3: column 'skill'") as caught:
        read_questions(course)
    assert caught.value.fix.startswith("did you mean 'plotting'?")
    # the router's reader raises what `kit check` reports first, in the same words
    first = next(iter_question_problems(course_copy / "questions.csv", course.skills))
    assert (first.line, first.field, first.fix) == (3, "skill", caught.value.fix)
    assert caught.value.message.endswith(first.message)


def test_sample_course_questions_are_valid_and_cover_every_skill(sample_course: Path) -> None:
    course = load_course(sample_course)
    data = read_questions(course)
    assert len(data) >= 300
    counts = {skill: data.labels.count(skill) for skill in course.skills}
    assert min(counts.values()) >= 15, counts
    assert data.labels.count("off-topic") >= 15


def test_urgency_file_skips_blank_lines_and_flags_codes_above_4(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(
        'id,post_time,post_text,Urgency_1_7\n7,0,"help, due today",5\n8,0,thanks,4\n \n',
        encoding="utf-8",
    )
    data = load_mooc_urgency(path)
    assert data.texts == ["help, due today", "thanks"]
    assert data.urgent == [1, 0]
    assert data.learners == ["7", "8"]
    path.write_text("id,post_time,post_text,Urgency_1_7\n7,0,hi,high\n", encoding="utf-8")
    with pytest.raises(QuestionDataError, match=r"posts\.csv:2: column 'Urgency_1_7'"):
        load_mooc_urgency(path)


def test_router_errors_are_kit_errors_with_their_builtin_bases(tmp_path: Path) -> None:
    with pytest.raises(QuestionDataError) as caught:
        read_labelled_csv(tmp_path / "absent.csv")
    assert isinstance(caught.value, RouterError)
    assert isinstance(caught.value, KitError)
    assert isinstance(caught.value, ValueError)  # what callers caught before the kit's errors
    assert caught.value.message == f"{tmp_path / 'absent.csv'}: not found"
    assert "text,label" in caught.value.fix


def test_every_problem_of_a_questions_file_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "questions.csv"
    path.write_text(
        "text,skill\nfine,numpy\n,numpy\nhow,nmupy\nwhy,\nwhat,off-topic\n", encoding="utf-8"
    )
    found = [(p.line, p.field, p.message) for p in iter_question_problems(path, ["numpy"])]
    assert found == [
        (3, "text", "the question is empty"),
        (4, "skill", "'nmupy' is not a skill of the course"),
        (5, "skill", "no skill"),
    ]
