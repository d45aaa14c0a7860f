"""Reading labelled CSV files: clear errors that name the file, the line and the column."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.classify.data import (
    DataFormatError,
    load_mooc_urgency,
    read_labelled_csv,
    write_labelled_csv,
)
from kit.classify.router import read_questions
from kit.course import load_course


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
        ("text,label\nhi,a\n,b\n", "q.csv:3: column 'text' is empty"),
        ("text,label\nhi,a\n\nho,\n", "q.csv:4: column 'label' is empty"),
        ("text,label\nhi\n", "q.csv:2: has 1 column(s), expected 2"),
        ("text,label\n", "has a header but no rows"),
        ("", "is empty"),
    ],
)
def test_errors_name_file_line_and_column(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "q.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFormatError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        read_labelled_csv(path)


def test_not_utf8_says_how_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes("text,label\ncaf\xe9,a\n".encode("latin-1"))
    with pytest.raises(DataFormatError, match="save it as UTF-8"):
        read_labelled_csv(path)


def test_question_labels_are_checked_against_the_course(course_copy: Path) -> None:
    course = load_course(course_copy)
    # written after loading: `kit check` (and so load_course) reports this file's errors too
    (course_copy / "questions.csv").write_text(
        "text,skill\nwhat is a dataframe,pandas\nhow to plot,ploting\n", encoding="utf-8"
    )
    with pytest.raises(DataFormatError, match=r"questions.csv:3: .*did you mean 'plotting'"):
        read_questions(course)


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
    with pytest.raises(DataFormatError, match=r"posts\.csv:2: column 'Urgency_1_7'"):
        load_mooc_urgency(path)
