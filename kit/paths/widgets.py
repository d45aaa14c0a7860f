"""ipywidgets for learners: the path selector, self-checks and the placement check.

They are thin: every decision comes from :mod:`kit.paths.planner`, every file from
:class:`kit.paths.learner.LearnerStore`. They are tested without a browser by setting their
values from Python and reading their state.
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
from kit.paths.planner import Plan, PlanError, plan_path
from kit.paths.profile import RATING_LEVELS, LearnerProfile
from kit.paths.render import draw_plan, plan_html
from kit.progress.cohort import course_params


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


def _course(course: Course | str | Path | None) -> Course:
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


def _open_in_jupyterlab(what: str) -> str:
    """A link to the notebook in JupyterLab; the book resolves it (kit.book.extension)."""
    return f'<a href="#" data-kit-link="open-in-jupyterlab">Open this {what} in JupyterLab</a>'


class _StaticView(widgets.VBox):  # type: ignore[misc]
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


def _markdown(text: str, *, inline: bool = False) -> str:
    """Markdown as HTML (raw HTML in it is escaped: course text is not trusted as markup)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    return str(md.renderInline(text) if inline else md.render(text))


class SelfCheck(_StaticView):
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
        self.question = widgets.HTML(CHECK_CSS + _markdown(check.question))
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
        parts = [_markdown(self.check.question)]
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
            f"<p {STATIC_NOTE}>{_open_in_jupyterlab('lesson')} to answer: your answer is "
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
        why = f" {_markdown(self.check.explanation, inline=True)}" if self.check.explanation else ""
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
    loaded = _course(course)
    checks = {c.id: c for c in loaded.manifest.checks}
    if check_id not in checks:
        raise KeyError(f"no check '{check_id}' in {loaded.manifest_path}; add it under 'checks:'")
    return SelfCheck(checks[check_id], store if store is not None else LearnerStore(loaded.id))


class PlacementCheck(_StaticView):
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
            f"<p {STATIC_NOTE}>{_open_in_jupyterlab('page')} to answer: your plan then skips "
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


class PathSelector(_StaticView):
    """Choose a goal, rate yourself (or take a placement check) and set your weekly time; see
    your plan, its schedule and your path on the skill graph, updated as you change anything.

    Parameters
    ----------
    course:
        The course, its folder, or None to find the course folder above the notebook.
    store:
        The learner's files; by default their own under the Jupyter data directory.
    link_base:
        Folder of this notebook relative to the course folder, for links to lessons.
    threshold:
        P(mastered) from which a skill counts as mastered.
    """

    def __init__(
        self,
        course: Course | str | Path | None = None,
        *,
        store: LearnerStore | None = None,
        link_base: str = "",
        threshold: float = 0.8,
    ) -> None:
        self.course = _course(course)
        self.store = store if store is not None else LearnerStore(self.course.id)
        self.params = course_params(self.course)  # fitted on the cohort, shipped with the course
        self.link_base = link_base
        self.threshold = threshold
        self.plan: Plan | None = None
        self.error: str = ""
        profile = self.store.load_profile()
        self._ratings = dict(profile.ratings)
        self._placement = dict(profile.placement)
        self._updating = False

        c = self.course
        track_options = [(t.title, t.id) for t in c.manifest.tracks] + [("My own goals", "")]
        self.track = widgets.Dropdown(
            options=track_options,
            value=profile.track if profile.track in c.tracks else track_options[0][1],
            description="Track",
        )
        self.goals = widgets.SelectMultiple(
            options=[(c.skills[s].title, s) for s in c.graph.order],
            value=tuple(g for g in profile.goals if g in c.skills),
            description="Goals",
            rows=min(8, len(c.skills)),
        )
        self.hours = widgets.FloatSlider(
            value=profile.hours_per_week,
            min=0.5,
            max=40,
            step=0.5,
            description="Hours/week",
            continuous_update=False,
            readout_format=".1f",
        )
        self.ratings_box = widgets.VBox()
        self.placement_button = widgets.Button(description="Take a placement check", icon="pencil")
        self.placement_box = widgets.VBox()
        self.plan_view = widgets.HTML()
        self.picture = widgets.Image(format="png", layout={"max_width": "760px"})
        self.tabs = widgets.Tab(
            [
                self.plan_view,
                widgets.VBox([self.placement_button, self.placement_box]),
                self.picture,
            ]
        )
        for index, title in enumerate(["Your plan", "Placement check", "Skill map"]):
            self.tabs.set_title(index, title)

        self.track.observe(self._changed, "value")
        self.goals.observe(self._changed, "value")
        self.hours.observe(self._changed, "value")
        self.tabs.observe(self._tab_changed, "selected_index")
        self.placement_button.on_click(lambda _: self.open_placement())

        describe = c.manifest.tracks[0].audience if c.manifest.tracks else ""
        self.track_note = widgets.HTML(f"<i>{html.escape(describe)}</i>")
        rate_panel = widgets.Accordion([self.ratings_box], selected_index=None)
        rate_panel.set_title(0, "Rate yourself on the skills of your goal")
        super().__init__(
            [
                widgets.HTML(f"<h3>{html.escape(c.title)}: your learning path</h3>"),
                widgets.HBox([self.track, self.hours]),
                self.track_note,
                self.goals,
                rate_panel,
                self.tabs,
            ]
        )
        self.add_class("kit-path-selector")
        self.refresh()

    def static_html(self) -> str:
        """The course's tracks with the plan of a learner starting from nothing (at the hours
        per week shown), each linking to its page, and where to plan one's own path."""
        esc = html.escape
        rows = []
        for track in self.course.manifest.tracks:
            profile = LearnerProfile(track=track.id, hours_per_week=self.hours.value)
            try:
                plan = plan_path(self.course, profile, threshold=self.threshold)
            except PlanError as exc:
                summary = esc(str(exc))
            else:
                weeks = len(plan.weeks)
                summary = (
                    f"{len(plan.items)} steps, about {plan.minutes / 60:.1f} hours "
                    f"({weeks} week{'s' if weeks != 1 else ''})"
                )
            rows.append(
                f'<tr><td><a href="#" data-kit-link="track/{esc(track.id)}">'
                f"{esc(track.title)}</a></td><td>{esc(track.audience)}</td>"
                f'<td style="white-space:nowrap">{summary}</td></tr>'
            )
        table = (
            '<table style="border-collapse:collapse;margin:6px 0">'
            '<thead><tr><th style="text-align:left">Track</th>'
            '<th style="text-align:left">For</th>'
            '<th style="text-align:left">Plan from scratch</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
            if rows
            else "<p><i>This course has no tracks yet.</i></p>"
        )
        return (
            f'<div class="kit-path-static" {STATIC_BOX}>'
            f'<p style="margin:2px 0;font-weight:600">{esc(self.course.title)}: '
            "choose your learning path</p>"
            f"<p>Each track is a goal; its plan here is for a learner starting from nothing, "
            f"at {self.hours.value:g} hours a week.</p>{table}"
            f"<p {STATIC_NOTE}>{_open_in_jupyterlab('page')} to plan your own path: rate "
            "yourself or take the placement check, set your weekly time, and your plan skips "
            "what you already know.</p></div>"
        )

    # -- state -------------------------------------------------------------------------------
    def profile(self) -> LearnerProfile:
        """The profile the widgets show now."""
        return LearnerProfile(
            learner=self.store.learner,
            track=self.track.value or None,
            goals=list(self.goals.value),
            ratings=self._ratings,
            placement=self._placement,
            hours_per_week=self.hours.value,
        )

    def set_rating(self, skill: str, level: int) -> None:
        """Rate yourself on ``skill`` (0 new to me ... 3 confident)."""
        if skill not in self.course.skills or level not in RATING_LEVELS:
            raise ValueError(f"cannot rate '{skill}' as {level}")
        self._ratings[skill] = level
        self.refresh()

    def measured_mastery(self) -> dict[str, float]:
        """P(mastered) from the learner's recorded answers, starting from their self-rating."""
        from kit.paths.profile import RATING_MASTERY

        priors = {s: RATING_MASTERY[level] for s, level in self._ratings.items()}
        return self.store.mastery(priors=priors, params=self.params)

    def refresh(self) -> None:
        """Re-plan from the current inputs and the learner's answers, save, and redraw."""
        if self._updating:
            return
        self._updating = True
        try:
            track = self.course.tracks.get(self.track.value)
            # the goal list is for learners who set their own goals
            self.goals.layout.display = None if track is None else "none"
            self.track_note.value = (
                f"<i>{html.escape(track.audience)}</i>"
                if track
                else ("<i>Pick the skills you want to reach in the list below.</i>")
            )
            profile = self.profile()
            self.store.save_profile(profile)
            try:
                self.plan = plan_path(
                    self.course, profile, self.measured_mastery(), threshold=self.threshold
                )
                self.error = ""
                self.plan_view.value = plan_html(self.course, self.plan, link_base=self.link_base)
            except PlanError as exc:
                self.plan, self.error = None, str(exc)
                self.plan_view.value = f'<p class="kit-note">{html.escape(self.error)}</p>'
            self._rebuild_ratings()
            if self.tabs.selected_index == 2:
                self._draw()
        finally:
            self._updating = False

    # -- pieces ------------------------------------------------------------------------------
    def _changed(self, _: Any) -> None:
        self.refresh()

    def _tab_changed(self, change: Any) -> None:
        if change["new"] == 2:
            self._draw()

    def _draw(self) -> None:
        if self.plan is not None:
            picture = draw_plan(self.course, self.plan)
            assert isinstance(picture, bytes)
            self.picture.value = picture

    def _rebuild_ratings(self) -> None:
        skills = list(self.plan.needed) if self.plan is not None else []
        rows = []
        for skill in skills:
            choice = widgets.Dropdown(
                options=[(label, level) for level, label in RATING_LEVELS.items()],
                value=self._ratings.get(skill, 0),
                description=self.course.skills[skill].title,
                style={"description_width": "16em"},
                layout={"width": "32em"},
            )
            choice.observe(lambda change, s=skill: self.set_rating(s, change["new"]), "value")
            rows.append(choice)
        self.ratings_box.children = rows

    def open_placement(self) -> PlacementCheck:
        """Show a placement check on the skills the current goal needs."""
        skills = list(self.plan.needed) if self.plan is not None else []
        check = PlacementCheck(self.course, skills, self.store)
        check.observe(self._placement_done, "results")
        self.placement_box.children = [check]
        self.tabs.selected_index = 1
        return check

    def _placement_done(self, change: Any) -> None:
        self._placement.update(change["new"])
        self.refresh()
