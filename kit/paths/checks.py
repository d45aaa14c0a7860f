"""ipywidgets for learners' self-checks and the placement check, and what every kit widget
shares: finding the course and a static HTML view for pages without a kernel (the book).

They record answers through :class:`kit.paths.learner.LearnerStore`; they are tested without a
browser by setting their values from Python and reading their state.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import traitlets

from kit.course import Check, Course, load_course
from kit.paths.learner import LearnerStore


def find_course_dir(start: Path | None = None) -> Path:
    """The course folder holding ``start`` (default: the working directory, i.e. the notebook's).

    Raises
    ------
    FileNotFoundError
        When no folder above ``start`` has a course.yml.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "course.yml").is_file():
            return folder
    raise FileNotFoundError(
        f"no course.yml in {here} or any folder above it; open this notebook from inside its "
        "course folder, or pass the course: PathSelector('path/to/course')"
    )


def resolve_course(course: Course | str | Path | None) -> Course:
    """The course itself, loaded from its folder, or found above the working directory."""
    if isinstance(course, Course):
        return course
    return load_course(find_course_dir() if course is None else Path(course))


CHECK_CSS = """<style>
.kit-self-check code { font-family: var(--jp-code-font-family, monospace);
  background: var(--jp-layout-color2, #f3f3f3); padding: 0 3px; border-radius: 3px; }
.kit-self-check p { margin: 0.3em 0; }
</style>"""


STATIC_BOX = (
    'style="border:1px solid #ddd;border-radius:4px;padding:6px 12px;margin:8px 0;line-height:1.45"'
)
STATIC_NOTE = 'style="margin:6px 0 2px;font-size:92%;color:#555"'


def open_in_jupyterlab_link(what: str) -> str:
    """A link to the notebook in JupyterLab; the book resolves it (kit.book.extension)."""
    return f'<a href="#" data-kit-link="open-in-jupyterlab">Open this {what} in JupyterLab</a>'


class StaticView(widgets.VBox):  # type: ignore[misc]
    """A VBox whose display data also carries a static HTML view (``text/html``).

    JupyterLab ranks the widget view first and shows the live widget, as before; a page
    without a kernel, such as the course's book, shows the static view instead of an empty
    placeholder.
    """

    def static_html(self) -> str:
        """The static view: what the widget shows, and where to use it."""
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        return {**bundle, "text/html": self.static_html()}


def markdown_html(text: str, *, inline: bool = False) -> str:
    """Markdown as HTML (raw HTML in it is escaped: course text is not trusted as markup)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    return str(md.renderInline(text) if inline else md.render(text))


class SelfCheck(StaticView):
    """One question with immediate feedback; each answer is recorded as an attempt.

    Parameters
    ----------
    check:
        The question, from course.yml's ``checks``.
    store:
        Where answers go; ``None`` shows feedback without recording.
    on_answer:
        Called with ``(check, correct)`` after each answer (the path selector listens).
    """

    answered = traitlets.Bool(False).tag(sync=True)
    correct = traitlets.Bool(False).tag(sync=True)

    def __init__(
        self,
        check: Check,
        store: LearnerStore | None = None,
        *,
        source: str = "self-check",
        on_answer: Callable[[Check, bool], None] | None = None,
        show_button: bool = True,
    ) -> None:
        self.check = check
        self.store = store
        self.source = source
        self.on_answer = on_answer
        self.question = widgets.HTML(CHECK_CSS + markdown_html(check.question))
        if check.choices:
            self.response: widgets.ValueWidget = widgets.RadioButtons(
                options=check.choices, value=None, layout={"width": "max-content"}
            )
        else:
            self.response = widgets.Text(placeholder="type a number", layout={"width": "12em"})
        self.button = widgets.Button(description="Check", button_style="primary", icon="check")
        self.feedback = widgets.HTML("")
        self.button.on_click(lambda _: self.submit())
        footer = [self.button, self.feedback] if show_button else [self.feedback]
        super().__init__(
            [self.question, self.response, widgets.HBox(footer)],
            layout={"border": "1px solid #ddd", "padding": "6px 10px", "margin": "8px 0"},
        )
        self.add_class("kit-self-check")

    def question_html(self) -> str:
        """The question and its choices as static HTML (never the answer)."""
        parts = [markdown_html(self.check.question)]
        if self.check.choices:
            items = "".join(f"<li>{html.escape(c)}</li>" for c in self.check.choices)
            parts.append(f'<ul style="list-style:circle;margin:4px 0">{items}</ul>')
        else:
            parts.append("<p><i>Answer with a number.</i></p>")
        return "\n".join(parts)

    def static_html(self) -> str:
        """The question, its choices, and where to answer it."""
        return (
            f'<div class="kit-self-check-static" {STATIC_BOX}>'
            '<p style="margin:2px 0;font-weight:600">Check yourself</p>'
            f"{self.question_html()}"
            f"<p {STATIC_NOTE}>{open_in_jupyterlab_link('lesson')} to answer: your answer is "
            "checked at once and counts towards your learning path.</p></div>"
        )

    def submit(self) -> bool | None:
        """Grade the current response, record it, and show feedback. None if unanswered."""
        value = self.response.value
        if value is None or str(value).strip() == "":
            self.feedback.value = "<i>Choose or type an answer first.</i>"
            return None
        correct = self.check.is_correct(value)
        if self.store is not None:
            self.store.record(self.check.skill, self.check.id, 1.0 if correct else 0.0, self.source)
        why = (
            f" {markdown_html(self.check.explanation, inline=True)}"
            if self.check.explanation
            else ""
        )
        if correct:
            self.feedback.value = f'<span style="color:#2ca02c"><b>Right.</b></span>{why}'
        else:
            self.feedback.value = (
                f'<span style="color:#d62728"><b>Not quite.</b></span>{why} Try again if you like.'
            )
        self.answered, self.correct = True, correct
        if self.on_answer is not None:
            self.on_answer(self.check, correct)
        return correct


def self_check(
    check_id: str, course: Course | str | Path | None = None, store: LearnerStore | None = None
) -> SelfCheck:
    """The self-check ``check_id`` of the course, recording to the learner's own store.

    In a lesson notebook: ``from kit.paths import self_check; self_check("numpy-shape")``.
    """
    loaded = resolve_course(course)
    checks = {c.id: c for c in loaded.manifest.checks}
    if check_id not in checks:
        raise KeyError(f"no check '{check_id}' in {loaded.manifest_path}; add it under 'checks:'")
    return SelfCheck(checks[check_id], store if store is not None else LearnerStore(loaded.id))


class PlacementCheck(StaticView):
    """A short check across the skills a plan needs: one or two questions per skill.

    Submitting records every answer (source ``placement``) and sets ``results``: the fraction
    right per skill.
    """

    results = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        course: Course,
        skills: Sequence[str],
        store: LearnerStore | None = None,
        *,
        per_skill: int = 2,
        limit: int = 12,
    ) -> None:
        self.course = course
        chosen: list[Check] = []
        for skill in skills:
            pool = [c for c in course.manifest.checks if c.skill == skill and c.placement]
            chosen.extend(pool[:per_skill])
        self.checks = chosen[:limit]
        self.items = [
            SelfCheck(c, store, source="placement", show_button=False) for c in self.checks
        ]
        self.submit_button = widgets.Button(description="Submit my answers", button_style="success")
        self.summary = widgets.HTML("")
        self.submit_button.on_click(lambda _: self.submit())
        intro = widgets.HTML(
            "<b>Placement check.</b> Answer what you can and skip the rest; your plan skips the "
            "skills you show you have."
            if self.checks
            else "<i>This course has no placement questions for these skills yet.</i>"
        )
        super().__init__([intro, *self.items, self.submit_button, self.summary])

    def static_html(self) -> str:
        """The placement questions, and where to answer them."""
        questions = "".join(
            f'<li style="margin:4px 0">{item.question_html()}</li>' for item in self.items
        )
        return (
            f'<div class="kit-placement-static" {STATIC_BOX}>'
            '<p style="margin:2px 0;font-weight:600">Placement check</p>'
            f"<ol>{questions}</ol>"
            f"<p {STATIC_NOTE}>{open_in_jupyterlab_link('page')} to answer: your plan then skips "
            "the skills you show you have.</p></div>"
        )

    def submit(self) -> dict[str, float]:
        """Grade every answered question; unanswered ones count as not known."""
        right: dict[str, list[float]] = {}
        for item in self.items:
            outcome = item.submit()
            right.setdefault(item.check.skill, []).append(1.0 if outcome else 0.0)
        self.results = {skill: sum(v) / len(v) for skill, v in right.items()}
        shown = sum(1 for v in self.results.values() if v >= 0.5)
        self.summary.value = f"Done: {shown} of {len(self.results)} skills shown."
        return dict(self.results)
