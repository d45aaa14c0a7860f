"""How urgent a learner's question is: a binary classifier trained on coded MOOC forum posts
and on the course's own urgency labels.

The research data is the MOOC forum posts coded for urgency 1-7 by Svabensky et al. (EDM 2023);
a post coded above 4 is urgent (their cut-off). A course adds its own: an ``urgent`` column
(0/1) in its questions.csv, and its mentors' corrections; with those alone (the research data
absent) it still gets a model. The model gives a score in [0, 1] and a flag.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.classify.data import UrgencyData, load_mooc_urgency
from kit.classify.errors import DataNotFoundError, ModelFormatError
from kit.classify.models import Progress, TextClassifier, load_classifier, make_classifier

URGENT, NORMAL = "urgent", "normal"
SETTINGS_FILE = "urgency.json"
MIN_OWN = 6
"""The course's own labelled questions needed (both kinds among them) to train on them alone."""


def urgency_classifier(model: str = "tfidf", progress: Progress | None = None) -> TextClassifier:
    """The classifier settings used for urgency (posts are long: 256 tokens for the encoder)."""
    if model == "tfidf":
        # word and character n-grams, urgent posts weighted up (about 1 in 12 is urgent)
        return make_classifier("tfidf", C=1.0, class_weight="balanced", char_ngrams=True)
    return make_classifier("encoder", max_length=256, fine_tune=False, progress=progress)


@dataclass
class UrgencyModel:
    """A fitted urgency classifier and the score above which a question is flagged.

    Parameters
    ----------
    classifier:
        A fitted binary classifier with the labels ``urgent`` and ``normal``.
    threshold:
        Scores at or above it are flagged urgent.
    """

    classifier: TextClassifier
    threshold: float = 0.5

    @classmethod
    def train(
        cls,
        data: UrgencyData | str | Path | None = None,
        model: str = "tfidf",
        threshold: float = 0.5,
        progress: Progress | None = None,
    ) -> UrgencyModel:
        """Fit on coded posts (by default the MOOC urgency data beside the project).

        Raises
        ------
        DataNotFoundError
            The data is not on this machine.
        """
        if not isinstance(data, UrgencyData):
            data = load_mooc_urgency(data)
        return cls.fit_labels(
            data.texts, [bool(u) for u in data.urgent], model, threshold, progress
        )

    @classmethod
    def fit_labels(
        cls,
        texts: Sequence[str],
        urgent: Sequence[bool],
        model: str = "tfidf",
        threshold: float = 0.5,
        progress: Progress | None = None,
    ) -> UrgencyModel:
        """Fit on texts flagged urgent or not."""
        labels = [URGENT if u else NORMAL for u in urgent]
        classifier = urgency_classifier(model, progress).fit(list(texts), labels)
        return cls(classifier, threshold)

    def score(self, texts: Sequence[str]) -> list[float]:
        """The probability that each text is urgent."""
        proba = self.classifier.predict_proba(list(texts))
        column = self.classifier.classes_.index(URGENT)
        return [float(p) for p in proba[:, column]]

    def is_urgent(self, score: float) -> bool:
        """Whether a score is flagged."""
        return score >= self.threshold

    def save(self, folder: str | Path) -> Path:
        """Write the classifier and the threshold into ``folder``."""
        folder = Path(folder)
        self.classifier.save(folder / "model")
        settings: dict[str, Any] = {"threshold": self.threshold, "positive": "coded above 4 of 7"}
        (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> UrgencyModel:
        """Read what :meth:`save` wrote."""
        folder = Path(folder)
        try:
            settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelFormatError(
                f"{folder / SETTINGS_FILE}: unreadable ({exc})", fix="train the router again"
            ) from None
        classifier = load_classifier(folder / "model")
        if URGENT not in classifier.classes_:
            raise ModelFormatError(
                f"{folder}: the classifier has no '{URGENT}' label", fix="train the router again"
            )
        return cls(classifier, float(settings["threshold"]))


def train_urgency(
    data: str | Path | None,
    own: Sequence[tuple[str, bool]] = (),
    on_stage: Callable[[str], None] | None = None,
) -> tuple[UrgencyModel | None, str]:
    """The urgency model from the research data (absent: None) and the course's own labelled
    questions ``own``; with the data absent, from ``own`` alone when there are enough of both
    kinds (:data:`MIN_OWN`). And a note of what it was trained on."""
    if on_stage is not None:
        on_stage("training the urgency model")
    texts, flags = [t for t, _ in own], [u for _, u in own]
    try:
        research = load_mooc_urgency(data)
    except DataNotFoundError as exc:
        if len(own) < MIN_OWN or len(set(flags)) < 2:
            mine = f"; the course has {len(own)} labelled for urgency" if own else ""
            return None, f"skipped: {exc}{mine} (needs {MIN_OWN}, urgent and not)"
        model = UrgencyModel.fit_labels(texts, flags)
        return model, f"trained on the course's {len(own)} questions labelled for urgency"
    model = UrgencyModel.fit_labels(
        research.texts + texts, [bool(u) for u in research.urgent] + flags
    )
    mine = f" and the course's {len(own)} labelled for urgency" if own else ""
    return model, "trained" + mine
