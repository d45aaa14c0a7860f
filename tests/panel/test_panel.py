"""The Mentor Kit panel in a real JupyterLab, driven by Chromium: a learner's path, mastery
and question; a mentor's answer; the learner sees it; the instructor's cohort and grading."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.panel.conftest import INSTRUCTOR, LEARNER
from tests.panel.lab import Lab
from tests.panel.pages import LabPage

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUESTION = "my dataframe groupby gives NaN for some groups, why?"
HOSTILE = 'why <img src=x onerror="document.body.dataset.hacked=1"> <b>is</b> this bold?'
ANSWER = "groupby drops NaN keys by default: pass dropna=False, and check the join before it."


@pytest.fixture(scope="module")
def learner(browser: Any, lab: Lab) -> Iterator[LabPage]:
    page = LabPage(browser, lab, LEARNER)
    yield page
    page.close()


def test_the_extension_is_installed_beside_nbgrader() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", listed.stdout + listed.stderr)
    assert re.search(r"jupyterlab-mentor-kit v\S+ enabled OK", text), text
    assert re.search(r"@jupyter/nbgrader v\S+ enabled OK", text), text


def test_learner_chooses_a_track_and_sees_the_path(learner: LabPage, screenshots: Path) -> None:
    panel = learner.open_panel()
    path = learner.section("path")
    # a new learner has no track yet: the panel asks for one
    path.locator(".jp-MentorKit-message", has_text="choose a track").wait_for()
    assert path.locator(".jp-MentorKit-pathItem").count() == 0
    path.locator("select.jp-MentorKit-track").select_option("data-analyst")
    path.locator("input.jp-MentorKit-hours").fill("4")
    path.locator("button.jp-MentorKit-planButton").click()
    items = path.locator(".jp-MentorKit-pathItem")
    items.first.wait_for()
    assert items.count() >= 2
    first = items.first
    assert first.locator(".jp-MentorKit-reason").inner_text().strip()
    assert LEARNER in panel.locator(".jp-MentorKit-who").inner_text()
    bars = learner.section("mastery").locator(".jp-MentorKit-mastery")
    bars.first.wait_for()
    assert bars.count() == 14  # the sample course's skills
    # nbgrader's own lab extensions load beside the panel
    assert learner.page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").count() == 1
    learner.shot(screenshots, "learner-path")
    assert not learner.errors, learner.errors


def test_a_click_on_a_lesson_opens_its_notebook(learner: LabPage) -> None:
    link = learner.section("path").locator("a.jp-MentorKit-lesson").first
    notebook = link.get_attribute("data-notebook")
    assert notebook and notebook.endswith(".ipynb")
    link.click()
    tab = learner.page.locator(
        ".lm-DockPanel-tabBar .lm-TabBar-tabLabel", has_text=Path(notebook).name
    )
    tab.wait_for()
    assert learner.page.locator(".jp-NotebookPanel").count() >= 1


def test_learner_asks_and_sees_the_route_at_once(learner: LabPage, screenshots: Path) -> None:
    learner.open_panel()
    ask = learner.section("ask")
    ask.locator("textarea.jp-MentorKit-askInput").fill(QUESTION)
    ask.locator("button.jp-MentorKit-askButton").click()
    route = ask.locator(".jp-MentorKit-askResult .jp-MentorKit-route")
    route.wait_for()
    text = route.inner_text()
    assert "Read:" in text and "Sent to:" in text, text
    assert route.locator("a.jp-MentorKit-lesson").count() >= 1
    thread = ask.locator(".jp-MentorKit-thread", has_text=QUESTION)
    thread.wait_for()
    assert thread.get_attribute("data-status") == "open"
    route.scroll_into_view_if_needed()
    learner.shot(screenshots, "learner-ask")


def test_a_question_with_html_is_shown_as_text(learner: LabPage) -> None:
    ask = learner.section("ask")
    ask.locator("textarea.jp-MentorKit-askInput").fill(HOSTILE)
    ask.locator("button.jp-MentorKit-askButton").click()
    thread = ask.locator(".jp-MentorKit-thread", has_text="this bold?")
    thread.wait_for()
    assert thread.locator(".jp-MentorKit-questionText").inner_text() == HOSTILE
    assert thread.locator("img, b").count() == 0
    assert learner.page.evaluate("document.body.dataset.hacked") is None


def test_mentor_answers_and_the_learner_sees_it(
    browser: Any, lab: Lab, learner: LabPage, screenshots: Path
) -> None:
    asked = [q for q in lab.api(LEARNER, "GET", "questions") if q["text"] == QUESTION]
    assert asked and asked[0]["mentor"], asked
    mentor = LabPage(browser, lab, asked[0]["mentor"]["id"])
    try:
        mentor.open_panel()
        inbox = mentor.section("inbox")
        thread = inbox.locator(".jp-MentorKit-thread", has_text=QUESTION)
        thread.wait_for()
        assert LEARNER in thread.locator(".jp-MentorKit-meta").first.inner_text()
        mentor.shot(screenshots, "mentor-inbox")
        thread.locator("textarea.jp-MentorKit-reply").fill(ANSWER)
        thread.locator("input.jp-MentorKit-shareCheck").check()  # and share it with the course
        thread.locator("button.jp-MentorKit-replyButton").click()
        inbox.locator(".jp-MentorKit-notice", has_text=f"answer to {LEARNER} was sent").wait_for()
        stored = lab.api(LEARNER, "GET", f"questions/{asked[0]['id']}")
        assert [answer["text"] for answer in stored["answers"]] == [ANSWER]
        faq = lab.api(LEARNER, "GET", "faq")["entries"]
        assert [(e["question"], e["answer"]) for e in faq] == [(QUESTION, ANSWER)]
        assert not mentor.errors, mentor.errors
    finally:
        mentor.close()
    # the learner's panel polls: the answer appears in the thread, with a notification
    answer = learner.section("ask").locator(".jp-MentorKit-answer", has_text=ANSWER)
    answer.wait_for()
    toast = learner.page.locator(".Toastify__toast", has_text="answered your question")
    toast.first.wait_for()
    answer.scroll_into_view_if_needed()
    learner.shot(screenshots, "learner-answer")
    assert not learner.errors, learner.errors


def test_similar_answered_questions_are_offered_before_sending(
    lab: Lab, learner: LabPage, screenshots: Path
) -> None:
    # after the mentor's answer above: a question like it is offered that answer first
    ask = learner.section("ask")
    ask.locator("textarea.jp-MentorKit-askInput").fill("groupby gives NaN for my groups?")
    ask.locator("button.jp-MentorKit-askButton").click()
    offered = ask.locator(".jp-MentorKit-similar", has_text=QUESTION)
    offered.wait_for()
    assert ANSWER in offered.locator(".jp-MentorKit-similarAnswer").first.inner_text()
    assert ask.locator("button.jp-MentorKit-sendAnyway").count() == 1
    learner.shot(screenshots, "learner-similar")
    offered.locator("button.jp-MentorKit-answeredIt").click()
    ask.locator(".jp-MentorKit-notice", has_text="resolved by that answer").wait_for()
    closed = [q for q in lab.api(LEARNER, "GET", "questions") if q["resolved_by"]]
    assert [(q["text"], q["status"]) for q in closed] == [
        ("groupby gives NaN for my groups?", "resolved")
    ]
    thread = ask.locator(".jp-MentorKit-thread", has_text="groupby gives NaN for my groups?")
    thread.wait_for()
    assert thread.get_attribute("data-status") == "resolved"
    assert not learner.errors, learner.errors


def test_a_mentor_reroutes_a_question_to_another_skill(browser: Any, lab: Lab) -> None:
    text = "loss.backward() says the tensor does not require grad"
    asked = lab.api(LEARNER, "POST", "questions", {"text": text})
    assert asked["mentor"], asked
    mentor = LabPage(browser, lab, asked["mentor"]["id"])
    try:
        mentor.open_panel()
        inbox = mentor.section("inbox")
        thread = inbox.locator(".jp-MentorKit-thread", has_text=text)
        thread.wait_for()
        thread.locator("select.jp-MentorKit-skillSelect").select_option("pandas")
        thread.locator("button.jp-MentorKit-rerouteButton").click()
        inbox.locator(".jp-MentorKit-notice", has_text="corrected").wait_for()
        moved = lab.api(LEARNER, "GET", f"questions/{asked['id']}")
        assert moved["skill"] == "pandas" and moved["mentor"]["id"] == "lin"
        assert not mentor.errors, mentor.errors
    finally:
        mentor.close()


def test_instructor_sees_the_cohort_and_grading(browser: Any, lab: Lab, screenshots: Path) -> None:
    instructor = LabPage(browser, lab, INSTRUCTOR)
    try:
        instructor.theme("JupyterLab Dark")  # the panel follows the theme's colours
        instructor.open_panel()
        cohort = instructor.section("cohort")
        cohort.locator(".jp-MentorKit-heatmap").wait_for()
        assert cohort.locator("tbody tr").count() == 12  # the simulated learners
        grading = instructor.section("grading")
        projects = grading.locator(".jp-MentorKit-project")
        projects.first.wait_for()
        assert projects.count() == 3
        assert grading.locator("button.jp-MentorKit-gradeButton").count() == 3
        instructor.shot(screenshots, "instructor")
        # nothing was collected in this course: grading starts and ends, or says why not
        first = projects.first
        first.locator("button.jp-MentorKit-gradeButton").click()
        outcome = first.locator(
            ".jp-MentorKit-job[data-state='finished'], .jp-MentorKit-job[data-state='failed'], .jp-MentorKit-error"
        )
        outcome.first.wait_for()
        assert first.locator(".jp-MentorKit-jobBox").inner_text().strip()
        first.scroll_into_view_if_needed()
        instructor.shot(screenshots, "instructor-grading")
        assert not instructor.errors, instructor.errors
    finally:
        instructor.close()


def test_api_errors_are_shown_with_their_fix(browser: Any, lab: Lab) -> None:
    page = LabPage(browser, lab, LEARNER)
    try:
        # a failing server (no JSON) and a refusal (the API's error body) on two sections
        page.page.route(
            "**/kit/api/v1/me/path*", lambda route: route.fulfill(status=500, body="oops")
        )
        page.page.route(
            "**/kit/api/v1/me/mastery*",
            lambda route: route.fulfill(
                status=403, json={"error": "<i>not yours</i>", "fix": "ask your instructor"}
            ),
        )
        page.reload()
        page.open_panel()
        path_error = page.section("path").locator(".jp-MentorKit-error")
        path_error.wait_for()
        assert "500" in path_error.inner_text() and "Fix:" in path_error.inner_text()
        mastery_error = page.section("mastery").locator(".jp-MentorKit-error")
        mastery_error.wait_for()
        text = mastery_error.inner_text()
        assert "Error: <i>not yours</i>" in text and "Fix: ask your instructor" in text
        assert mastery_error.locator("i").count() == 0
        # the other sections still work
        page.section("ask").locator("textarea.jp-MentorKit-askInput").wait_for()
    finally:
        page.close()
