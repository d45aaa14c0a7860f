"""Mentors' corrections and the course's own urgency labels train the router: labelled
examples are learnt as questions are, and a course gets an urgency model from its own
questions.csv ``urgent`` column and its mentors' flags when the research data is absent."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kit.classify.data import QuestionDataError, read_urgency_labels, training_corpus
from kit.classify.router import DEFAULT_THRESHOLDS, train_router
from kit.course import load_course
from kit.state import CourseState
from tests.conftest import run_cli

ODD = "zorblax frobnicate quuxify"
"""Words no lesson or question of the course uses: only the mentors' examples teach them."""


def _with_urgent_column(course_dir: Path, every: int = 3) -> int:
    """Add an ``urgent`` column to questions.csv: 1 on every ``every``-th row, 0 on the others,
    blank on the first; return how many rows are labelled."""
    path = course_dir / "questions.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    labelled = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*rows[0], "urgent"])
        for i, row in enumerate(rows[1:]):
            value = "" if i == 0 else str(int(i % every == 0))
            labelled += bool(value)
            writer.writerow([*row, value])
    return labelled


def test_the_urgent_column_is_read_and_a_bad_value_names_the_line(course_copy: Path) -> None:
    course = load_course(course_copy)
    assert read_urgency_labels(course) == []  # no column: nothing labelled
    labelled = _with_urgent_column(course_copy)
    found = read_urgency_labels(course)
    assert len(found) == labelled and {u for _, u in found} == {True, False}
    path = course_copy / "questions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3] + "yes"  # "0" or "1" followed by "yes"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(QuestionDataError) as caught:
        read_urgency_labels(course)
    assert "questions.csv:4: column 'urgent'" in caught.value.message and caught.value.fix


def test_mentors_examples_join_the_questions_and_unknown_skills_are_left_out(
    course_copy: Path,
) -> None:
    course = load_course(course_copy)
    plain = training_corpus(course)
    examples = [(ODD, "pandas"), ("a question", "no-such-skill"), ("   ", "pandas")]
    corpus = training_corpus(course, examples=examples)
    assert (corpus.examples, corpus.questions) == (1, plain.questions + 1)
    assert corpus.texts[plain.questions] == ODD and corpus.labels[plain.questions] == "pandas"
    assert corpus.lessons == plain.lessons


@pytest.mark.slow
def test_the_router_learns_from_corrections_and_urgency_from_the_course_alone(
    course_copy: Path, tmp_path: Path
) -> None:
    course = load_course(course_copy)
    _with_urgent_column(course_copy)
    absent = tmp_path / "no-research-data"
    before = train_router(
        course, model="tfidf", urgency_data=absent, threshold=0.0, save=False, urgency=False
    )
    examples = [(f"{ODD} {n}", "pandas") for n in range(4)]
    urgent = [("my grade vanished and the deadline is tonight", True)]
    after = train_router(
        course,
        model="tfidf",
        urgency_data=absent,
        threshold=DEFAULT_THRESHOLDS["tfidf"],
        examples=examples,
        urgency_examples=urgent,
    )
    assert after.route(ODD).skills[0].id == "pandas"
    assert after.route(ODD).skills[0].probability > before.route(ODD).skills[0].probability
    assert (after.info["mentor_examples"], after.info["mentor_urgency_examples"]) == (4, 1)
    assert after.info["questions"] == before.info["questions"]
    assert after.urgency_model is not None
    assert "course's" in after.info["urgency_model"]
    assert before.urgency_model is None


@pytest.mark.slow
def test_without_enough_urgency_labels_and_no_research_data_there_is_no_urgency_model(
    course_copy: Path, tmp_path: Path
) -> None:
    course = load_course(course_copy)
    router = train_router(
        course,
        model="tfidf",
        urgency_data=tmp_path / "absent",
        threshold=0.5,
        save=False,
        urgency_examples=[("help", True), ("thanks", False)],
    )
    assert router.urgency_model is None
    assert router.info["urgency_model"].startswith("skipped:")
    assert "2 labelled for urgency" in router.info["urgency_model"]


@pytest.mark.slow
def test_train_says_how_many_examples_came_from_mentors(course_copy: Path) -> None:
    state = CourseState(load_course(course_copy))
    state.examples.record(1, f"{ODD} one", "lin", skill="pandas")
    state.examples.record(1, f"{ODD} one", "lin", urgent=True)
    state.examples.record(2, f"{ODD} two", "sam", skill="numpy")
    state.close()
    code, out = run_cli("router", "train", str(course_copy), "--model", "tfidf", "--no-urgency")
    assert code == 0, out
    flat = " ".join(out.split())
    assert "2 examples from mentors' corrections (and 1 of urgency)" in flat
