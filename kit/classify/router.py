"""The question router: a learner's question -> the skills it is about, their lessons and mentors.

Trained from the course's ``questions.csv`` (text, skill) and the text of its lessons (markdown
cells, labelled with the lesson's skills). Saved in ``<course>/_kit/router/`` and loaded from
there by :func:`load_router`, which the server extension calls.

When the most likely skill is not likely enough, or the question is off-topic, the router says
"not sure" rather than guess, and names where to turn instead (a mentor, the lessons of the
likeliest skill). "Likely enough" is calibrated: the classifier's probabilities are
temperature-scaled and the threshold is chosen on held-out questions so that the sure answers
reach the course's target precision (course.yml ``router: {target_precision: 0.9}``).
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kit.classify.calibration import (
    Calibration,
    apply_temperature,
    fit_calibration,
    heldout_predictions,
)
from kit.classify.data import (
    OFF_TOPIC,
    lesson_texts,
    read_questions,
    read_urgency_labels,
    training_corpus,
)
from kit.classify.errors import (
    ModelFormatError,
    QuestionError,
    RouterNotTrainedError,
)
from kit.classify.models import (
    Progress,
    TextClassifier,
    choose_model,
    classifier_class,
    load_classifier,
    make_classifier,
)
from kit.classify.urgency import train_urgency

if TYPE_CHECKING:
    from kit.classify.urgency import UrgencyModel
    from kit.course import Course

__all__ = [
    "DEFAULT_THRESHOLDS",
    "LessonLink",
    "MentorLink",
    "Route",
    "Router",
    "RouterNotTrainedError",
    "SkillMatch",
    "lesson_texts",
    "load_router",
    "read_questions",
    "router_dir",
    "train_router",
]

SETTINGS_FILE = "router.json"
ROUTER_FORMAT = 1
DEFAULT_THRESHOLDS = {"encoder": 0.5, "ensemble": 0.5, "tfidf": 0.3}
"""Top probability below which the router says "not sure", by model, when there are too few
questions to calibrate it on (TF-IDF with logistic regression spreads its probabilities over
more skills than the fine-tuned encoder does)."""
DEFAULT_THRESHOLD = DEFAULT_THRESHOLDS["encoder"]

ENCODER_SETTINGS: dict[str, Any] = {
    "max_length": 64,
    "epochs": 8,
    "batch_size": 16,
    "lr": 1e-4,
    # the top two layers are fine-tuned on the frozen layers' cached output, and a fifth of
    # the questions is held out to stop early (and to calibrate the "not sure" threshold)
    "train_layers": 2,
    "validation": 0.2,
    "patience": 2,
}
LEGACY_ENCODER_SETTINGS: dict[str, Any] = {
    "max_length": 64,
    "epochs": 8,
    "batch_size": 16,
    "lr": 1e-4,
}
"""The router's encoder before the cached layers and early stopping (every layer fine-tuned
for every epoch): kept for the benchmark's before-and-after."""
TFIDF_SETTINGS: dict[str, Any] = {"char_ngrams": True, "C": 10.0}


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillMatch:
    """A skill the question may be about, and how likely."""

    id: str
    title: str
    probability: float


@dataclass(frozen=True)
class LessonLink:
    """A lesson that teaches a routed skill."""

    id: str
    title: str
    notebook: str


@dataclass(frozen=True)
class MentorLink:
    """A mentor who covers a routed skill."""

    id: str
    name: str
    contact: str | None
    skills: list[str]


@dataclass(frozen=True)
class Route:
    """Where a question goes.

    Attributes
    ----------
    question:
        The question as asked.
    sure:
        ``False`` when the router will not guess: the top skill is below the threshold, or the
        question is off-topic. Lessons and mentors are then empty.
    reason:
        Why not sure (empty when sure).
    skills:
        The most likely skills, most likely first (the off-topic label is never one of them).
    lessons:
        Lessons that teach the routed skills, in course order.
    mentors:
        Mentors who cover the routed skills, the one covering the most likely skill first.
    urgency:
        Probability that the question is urgent, when the router has an urgency model.
    urgent:
        Whether ``urgency`` is above the urgency model's threshold.
    fallback:
        When not sure, where to turn instead, in words ("" when sure).
    fallback_lessons, fallback_mentors:
        When not sure: the lessons of the likeliest skill (none for an off-topic question)
        and the mentors to ask (those covering the likeliest skill, else every mentor).
    """

    question: str
    sure: bool
    reason: str
    skills: list[SkillMatch]
    lessons: list[LessonLink] = field(default_factory=list)
    mentors: list[MentorLink] = field(default_factory=list)
    off_topic: float = 0.0
    urgency: float | None = None
    urgent: bool | None = None
    fallback: str = ""
    fallback_lessons: list[LessonLink] = field(default_factory=list)
    fallback_mentors: list[MentorLink] = field(default_factory=list)

    @property
    def skill(self) -> str | None:
        """The routed skill, or ``None`` when not sure."""
        return self.skills[0].id if self.sure and self.skills else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        data = asdict(self)
        data["skill"] = self.skill
        return data


# -- the router -------------------------------------------------------------------------------


def router_dir(course: Course) -> Path:
    """Where the trained router lives: ``router`` in the course's workspace."""
    return course.workspace / "router"


@dataclass
class Router:
    """A trained skill classifier bound to a course, with an optional urgency model.

    Build one with :func:`train_router` or :func:`load_router`.
    """

    course: Course
    classifier: TextClassifier
    urgency_model: UrgencyModel | None = None
    threshold: float = DEFAULT_THRESHOLD
    top_k: int = 3
    info: dict[str, Any] = field(default_factory=dict)
    temperature: float = 1.0
    """Divides the classifier's logits before the threshold applies (see
    :func:`kit.classify.calibration.apply_temperature`); 1 leaves them as they are."""

    def route(
        self, question: str, *, threshold: float | None = None, top_k: int | None = None
    ) -> Route:
        """Route one question (see :class:`Route`)."""
        return self.route_many([question], threshold=threshold, top_k=top_k)[0]

    def route_many(
        self,
        questions: Sequence[str],
        *,
        threshold: float | None = None,
        top_k: int | None = None,
    ) -> list[Route]:
        """Route several questions at once (faster than one by one)."""
        questions = [str(q) for q in questions]
        if not questions:
            return []
        if any(not q.strip() for q in questions):
            raise QuestionError("a question is empty", fix='ask something, e.g. "how do I ...?"')
        proba = apply_temperature(self.classifier.predict_proba(questions), self.temperature)
        scores = self.urgency_model.score(questions) if self.urgency_model else None
        return [
            self._route(
                q,
                proba[i],
                None if scores is None else scores[i],
                self.threshold if threshold is None else threshold,
                self.top_k if top_k is None else top_k,
            )
            for i, q in enumerate(questions)
        ]

    def _route(
        self, question: str, proba: np.ndarray, urgency: float | None, threshold: float, top_k: int
    ) -> Route:
        classes = self.classifier.classes_
        off_topic = float(proba[classes.index(OFF_TOPIC)]) if OFF_TOPIC in classes else 0.0
        ranked = [
            SkillMatch(classes[i], self.course.skills[classes[i]].title, round(float(proba[i]), 4))
            for i in np.argsort(-proba, kind="stable")
            if classes[i] in self.course.skills
        ][:top_k]
        best = ranked[0].probability if ranked else 0.0
        # the threshold applies to the probability itself, not to its rounding (1.0 is never
        # reached: the threshold of a target no held-out threshold could reach)
        best_raw = float(proba[classes.index(ranked[0].id)]) if ranked else 0.0
        if off_topic >= best:
            sure, reason = False, "the question does not look like it is about this course"
        elif best_raw < threshold:
            sure = False
            reason = f"no skill is likely enough (best {best:.2f}, needs {threshold:.2f})"
        else:
            sure, reason = True, ""
        urgent = None
        if urgency is not None and self.urgency_model is not None:
            urgent = self.urgency_model.is_urgent(urgency)
            urgency = round(urgency, 4)
        if not sure:
            return self._unsure(question, reason, ranked, off_topic, urgency, urgent)
        # the skills worth showing: the top one, and others at least half as likely
        routed = [m.id for m in ranked if m.probability >= best / 2]
        lessons = [
            LessonLink(lesson.id, lesson.title, lesson.notebook)
            for lesson in self.course.manifest.lessons
            if set(lesson.skills) & set(routed)
        ]
        weight = {m.id: m.probability for m in ranked if m.id in routed}
        mentors = [
            MentorLink(m.id, m.name, m.contact, [s for s in routed if s in m.skills])
            for m in self.course.manifest.mentors
            if set(m.skills) & set(routed)
        ]
        mentors.sort(key=lambda m: -sum(weight[s] for s in m.skills))
        return Route(question, True, "", ranked, lessons, mentors, off_topic, urgency, urgent)

    def _lessons(self, skills: Sequence[str]) -> list[LessonLink]:
        return [
            LessonLink(lesson.id, lesson.title, lesson.notebook)
            for lesson in self.course.manifest.lessons
            if set(lesson.skills) & set(skills)
        ]

    def _unsure(
        self,
        question: str,
        reason: str,
        ranked: list[SkillMatch],
        off_topic: float,
        urgency: float | None,
        urgent: bool | None,
    ) -> Route:
        """A "not sure" route, with where to turn instead."""
        on_topic = bool(ranked) and off_topic < ranked[0].probability
        likely = ranked[0].id if on_topic else None
        lessons = self._lessons([likely]) if likely else []
        everyone = self.course.manifest.mentors
        covering = [m for m in everyone if likely in m.skills] if likely else []
        mentors = [
            MentorLink(m.id, m.name, m.contact, [likely] if likely else [])
            for m in (covering or everyone)
        ]
        if likely:
            title = ranked[0].title
            fallback = f"it may be about {title}: " + (
                f"ask {mentors[0].name}" if mentors else "ask a mentor"
            )
            if lessons:
                fallback += f", or see the lesson '{lessons[0].title}'"
        else:
            fallback = f"ask {mentors[0].name}" if mentors else "ask a mentor"
        return Route(
            question, False, reason, ranked, [], [], off_topic, urgency, urgent,
            fallback, lessons, mentors,
        )  # fmt: skip

    def save(self, folder: str | Path | None = None) -> Path:
        """Write the router into ``folder`` (default ``<course>/_kit/router``)."""
        folder = Path(folder) if folder is not None else router_dir(self.course)
        folder.mkdir(parents=True, exist_ok=True)
        self.classifier.save(folder / "skills")
        if self.urgency_model is not None:
            self.urgency_model.save(folder / "urgency")
        settings = {
            "format": ROUTER_FORMAT,
            "course": self.course.id,
            "threshold": self.threshold,
            "temperature": self.temperature,
            "top_k": self.top_k,
            "urgency": self.urgency_model is not None,
            **self.info,
        }
        (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")
        return folder


def train_router(
    course: Course,
    *,
    model: str = "auto",
    questions: Path | None = None,
    use_lessons: bool = True,
    urgency_data: str | Path | None = None,
    urgency: bool = True,
    threshold: float | None = None,
    progress: Progress | None = None,
    on_stage: Callable[[str], None] | None = None,
    save: bool = True,
    random_state: int = 0,
    examples: Sequence[tuple[str, str]] = (),
    urgency_examples: Sequence[tuple[str, bool]] = (),
    **params: Any,
) -> Router:
    """Train the course's router and save it in ``<course>/_kit/router``.

    Parameters
    ----------
    model:
        ``"ensemble"`` (fine-tuned MiniLM blended with TF-IDF), ``"encoder"``, ``"tfidf"``, or
        ``"auto"``: the ensemble when every label has at least 8 questions, else TF-IDF.
    questions:
        Labelled questions; default ``<course>/questions.csv`` (its optional ``urgent`` column,
        0/1, labels them for the urgency model too).
    use_lessons:
        Also learn from the lessons' markdown.
    urgency_data, urgency:
        Train the urgency model too, on this MOOC urgency data (default: the copy beside the
        project) and the course's own urgency labels; with that data absent, on the course's
        labels alone when there are enough (:func:`kit.classify.urgency.train_urgency`).
    threshold:
        Top probability below which a route is "not sure"; default: calibrated on held-out
        questions for the course's ``router.target_precision`` (by model, see
        :data:`DEFAULT_THRESHOLDS`, when there are too few questions to hold out).
    progress:
        Called with ``(steps done, total)`` while the encoder trains.
    random_state:
        Seed of the encoder's training (TF-IDF's fit is deterministic).
    on_stage:
        Called with a short description as each stage starts.
    examples, urgency_examples:
        Mentors' corrections: ``(text, skill)`` learnt as questions are, ``(text, urgent)``.
    params:
        Settings for the classifier, over the defaults (``epochs``, ``batch_size``... apply to
        the encoder only, and are ignored when TF-IDF is chosen).
    """
    stage = on_stage or (lambda _: None)
    start = time.perf_counter()
    corpus = training_corpus(course, questions, examples, use_lessons)
    texts, labels = corpus.texts, corpus.labels
    kind = choose_model(labels[: corpus.questions]) if model == "auto" else model
    settings = _classifier_settings(kind, random_state, progress, params)
    stage(f"training the skill classifier ({kind}) on {len(texts)} texts")
    # a held-out share is drawn from the questions only: they look like what is routed
    classifier = make_classifier(kind, **settings)
    classifier.fit(texts, labels, validation_pool=range(corpus.questions))
    stage("calibrating the 'not sure' threshold on held-out questions")
    calibration = _calibrate(classifier, texts, labels, corpus.questions, course)
    own_urgency = [*read_urgency_labels(course, questions), *urgency_examples]
    urgency_model, urgency_note = (
        train_urgency(urgency_data, own_urgency, stage) if urgency else (None, "not trained")
    )
    info = {
        "model": kind,
        "questions": corpus.questions - corpus.examples,
        "mentor_examples": corpus.examples,
        "mentor_urgency_examples": len(urgency_examples),
        "lesson_pieces": corpus.lessons,
        "labels": sorted(set(labels)),
        "urgency_model": urgency_note,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "fit_seconds": round(time.perf_counter() - start, 1),
    }
    temperature = 1.0
    if calibration is not None:
        info["calibration"] = calibration.to_dict()
        temperature = calibration.temperature
        if threshold is None:
            threshold = calibration.threshold
            if not calibration.heldout_coverage:
                info["calibration_note"] = _no_threshold_note(calibration)
    if threshold is None:
        threshold = DEFAULT_THRESHOLDS[kind]
    router = Router(course, classifier, urgency_model, threshold, info=info)
    router.temperature = temperature
    if save:
        router.save()
    return router


def _no_threshold_note(calibration: Calibration) -> str:
    return (
        f"no threshold reaches a precision of {calibration.target_precision} on "
        f"{calibration.heldout} held-out questions, so every answer is 'not sure' "
        "(and names a mentor): add labelled questions, or lower course.yml's "
        "router.target_precision"
    )


MIN_HELDOUT = 20
"""Held-out questions needed to calibrate; with fewer, the threshold is the model's default."""


def _calibrate(
    classifier: TextClassifier,
    texts: list[str],
    labels: list[str],
    n_questions: int,
    course: Course,
) -> Calibration | None:
    """Temperature and threshold from held-out questions (the classifier's own held-out share,
    or folds of the questions), or None when there are too few."""
    proba, truth = heldout_predictions(classifier, texts, labels, pool=range(n_questions))
    if len(truth) < MIN_HELDOUT:
        return None
    classes = classifier.classes_
    answerable = [classes[i] != OFF_TOPIC for i in proba.argmax(axis=1)]
    return fit_calibration(
        proba, truth, course.manifest.router.target_precision, answerable=answerable
    )


def _classifier_settings(
    kind: str, random_state: int, progress: Progress | None, params: dict[str, Any]
) -> dict[str, Any]:
    """The router's defaults for a kind of classifier, with those of ``params`` it takes."""
    if kind == "ensemble":
        from kit.classify.encoder import EncoderClassifier

        encoder = {k: v for k, v in ENCODER_SETTINGS.items() if k != "validation"}
        own = set(inspect.signature(EncoderClassifier).parameters)
        encoder.update({k: v for k, v in params.items() if k in own and k != "validation"})
        return {
            "encoder": encoder,
            "tfidf": dict(TFIDF_SETTINGS),
            "validation": params.get("validation", ENCODER_SETTINGS["validation"]),
            "random_state": random_state,
            "progress": progress,
        }
    if kind == "encoder":
        settings = {**ENCODER_SETTINGS, "random_state": random_state, "progress": progress}
    else:
        settings = dict(TFIDF_SETTINGS)
    own = set(inspect.signature(classifier_class(kind)).parameters)
    settings.update({k: v for k, v in params.items() if k in own})
    return settings


def load_router(course: Course, folder: str | Path | None = None) -> Router:
    """Load the course's trained router (from ``<course>/_kit/router`` unless ``folder``).

    Raises
    ------
    RouterNotTrainedError
        No router was trained for this course.
    ModelFormatError
        The saved router is unreadable or was trained for skills the course no longer has.
    """
    from kit.classify.urgency import UrgencyModel

    folder = Path(folder) if folder is not None else router_dir(course)
    settings_path = folder / SETTINGS_FILE
    if not settings_path.is_file():
        raise RouterNotTrainedError(
            f"{folder}: no trained router; run 'kit router train {course.root}'"
        )
    try:
        settings = json.loads(settings_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelFormatError(f"{settings_path}: unreadable ({exc}); train again") from None
    if settings.get("format") != ROUTER_FORMAT:
        raise ModelFormatError(f"{settings_path}: an older router format; train again")
    classifier = load_classifier(folder / "skills")
    unknown = [c for c in classifier.classes_ if c != OFF_TOPIC and c not in course.skills]
    if unknown:
        raise ModelFormatError(
            f"{folder}: trained for skills the course no longer has ({', '.join(unknown)}); "
            f"run 'kit router train {course.root}' again"
        )
    urgency_model = UrgencyModel.load(folder / "urgency") if settings.get("urgency") else None
    info = {
        k: v
        for k, v in settings.items()
        if k not in {"format", "course", "threshold", "top_k", "temperature"}
    }
    return Router(
        course,
        classifier,
        urgency_model,
        float(settings.get("threshold", DEFAULT_THRESHOLD)),
        int(settings.get("top_k", 3)),
        info,
        float(settings.get("temperature", 1.0)),
    )
