"""Question routing: text classifiers (a fine-tuned encoder, TF-IDF), urgency, and the router.

The heavy parts (torch, transformers, scikit-learn) load only when a name is first used; the
errors (:class:`RouterError` and its subclasses) load with the package, as they are light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kit.classify.errors import (
    DataNotFoundError,
    ModelFormatError,
    QuestionDataError,
    QuestionError,
    RouterError,
    RouterNotTrainedError,
)

if TYPE_CHECKING:
    from kit.classify.data import OFF_TOPIC, read_labelled_csv, read_questions
    from kit.classify.encoder import EncoderClassifier
    from kit.classify.models import TextClassifier, TfidfClassifier, load_classifier
    from kit.classify.router import Route, Router, load_router, train_router
    from kit.classify.urgency import UrgencyModel

_EXPORTS = {
    "OFF_TOPIC": "kit.classify.data",
    "read_labelled_csv": "kit.classify.data",
    "read_questions": "kit.classify.data",
    "EncoderClassifier": "kit.classify.encoder",
    "TextClassifier": "kit.classify.models",
    "TfidfClassifier": "kit.classify.models",
    "load_classifier": "kit.classify.models",
    "Route": "kit.classify.router",
    "Router": "kit.classify.router",
    "load_router": "kit.classify.router",
    "train_router": "kit.classify.router",
    "UrgencyModel": "kit.classify.urgency",
}

__all__ = [
    "OFF_TOPIC",
    "DataNotFoundError",
    "EncoderClassifier",
    "ModelFormatError",
    "QuestionDataError",
    "QuestionError",
    "Route",
    "Router",
    "RouterError",
    "RouterNotTrainedError",
    "TextClassifier",
    "TfidfClassifier",
    "UrgencyModel",
    "load_classifier",
    "load_router",
    "read_labelled_csv",
    "read_questions",
    "train_router",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'kit.classify' has no attribute {name!r}")
