"""ipywidgets for learners: the path selector (and, from :mod:`kit.paths.checks`, the
self-checks and the placement check).

They are thin: every decision comes from :mod:`kit.paths.planner`, every file from
:class:`kit.paths.learner.LearnerStore`. They are tested without a browser by setting their
values from Python and reading their state.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from kit.course import Course
from kit.paths.checks import (
    STATIC_BOX,
    STATIC_NOTE,
    PlacementCheck,
    SelfCheck,
    StaticView,
    find_course_dir,
    open_in_jupyterlab_link,
    resolve_course,
    self_check,
)
from kit.paths.learner import LearnerStore
from kit.paths.planner import Plan, PlanError, plan_path
from kit.paths.profile import RATING_LEVELS, LearnerProfile
from kit.paths.render import draw_plan, plan_html
from kit.progress.learner_model import course_model

__all__ = ["PathSelector", "PlacementCheck", "SelfCheck", "find_course_dir", "self_check"]


class PathSelector(StaticView):
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
        self.course = resolve_course(course)
        self.store = store if store is not None else LearnerStore(self.course.id)
        self.model = course_model(self.course.root)  # fitted on the cohort, shipped with it
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
            f"<p {STATIC_NOTE}>{open_in_jupyterlab_link('page')} to plan your own path: rate "
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
        return self.model.learner_mastery(self.store.history(), priors)

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
                    self.course,
                    profile,
                    self.measured_mastery(),
                    threshold=self.threshold,
                    answers=self.store.answers(),
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
