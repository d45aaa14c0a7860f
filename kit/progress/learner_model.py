"""The learner model a course ships: which model ``kit progress fit`` chose, its fitted file,
and the mastery it gives each learner (what the panel, the path planner and the at-risk list
read).

``COURSE/progress/model.json`` names the model and its file beside it (``bkt.json``,
``best-lr.json`` or ``dkt.pt``). A course without it falls back on ``progress/bkt.json`` (the
layout before there was a choice), then on BKT with default parameters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.errors import KitError
from kit.progress.attempts import Attempt
from kit.progress.bkt import BKT, BKTParams, learner_mastery
from kit.progress.selection import Score

MODEL_FILE = Path("progress") / "model.json"
"""Where a course names the model it ships, relative to the course folder."""


class ModelFileError(KitError, ValueError):
    """A learner model file cannot be read; the message names the file and the fix."""


FILES = {
    "bkt": "bkt.json",
    "bkt-forget": "bkt.json",
    "best-lr": "best-lr.json",
    "dkt": "dkt.pt",
    "best-lr+dkt": "blend.json",
}
"""The file of each model, beside :data:`MODEL_FILE`."""


@dataclass
class LearnerModel:
    """A fitted learner model and how it was chosen.

    Attributes
    ----------
    name:
        ``bkt``, ``bkt-forget``, ``best-lr``, ``dkt`` or ``best-lr+dkt`` (their blend).
    estimator:
        The fitted model; None for BKT with default parameters (nothing fitted yet).
    comparison:
        The candidates' scores on held-out learners when it was chosen by ``--model auto``.
    path:
        The file it was read from.
    """

    name: str
    estimator: Any = None
    comparison: list[Score] = field(default_factory=list)
    path: Path | None = None

    @property
    def params(self) -> dict[str, BKTParams]:
        """BKT parameters per skill (empty for the other models and for default BKT)."""
        return dict(self.estimator.params_) if isinstance(self.estimator, BKT) else {}

    @property
    def is_bkt(self) -> bool:
        """Whether mastery is BKT's P(mastered) (else the next answer's P(right))."""
        return self.estimator is None or isinstance(self.estimator, BKT)

    def mastery(
        self,
        attempts: Iterable[Attempt],
        priors: Mapping[str, float] | None = None,
        skills: Sequence[str] | None = None,
    ) -> dict[str, dict[str, float]]:
        """Mastery per learner and attempted skill, from their attempts in time order.

        With BKT, ``priors`` (what a learner said of themselves) start each skill's state; the
        feature and recurrent models read the answers only. ``skills`` limits the result.
        """
        by_learner: dict[str, list[Attempt]] = {}
        for attempt in attempts:
            by_learner.setdefault(attempt.learner, []).append(attempt)
        wanted = None if skills is None else set(skills)
        if self.is_bkt:
            result = {
                learner: learner_mastery(own, self.params, priors=priors)
                for learner, own in by_learner.items()
            }
        else:
            from kit.progress.data import from_attempts

            result = self.estimator.mastery(
                from_attempts(a for o in by_learner.values() for a in o)
            )
            # skills the model never saw still have a BKT estimate, from default parameters
            for learner, own in by_learner.items():
                fallback = learner_mastery(own, priors=priors)
                result[learner] = {**fallback, **result.get(learner, {})}
        if wanted is not None:
            result = {k: {s: v for s, v in m.items() if s in wanted} for k, m in result.items()}
        return result

    def learner_mastery(
        self, attempts: Iterable[Attempt], priors: Mapping[str, float] | None = None
    ) -> dict[str, float]:
        """One learner's mastery per attempted skill (see :meth:`mastery`)."""
        merged: dict[str, float] = {}
        for values in self.mastery(attempts, priors).values():
            merged.update(values)
        return merged


def _comparison(data: Mapping[str, Any]) -> list[Score]:
    return [Score.from_dict(row) for row in data.get("comparison", [])]


def load_model(path: str | Path) -> LearnerModel:
    """A fitted model from its file: ``bkt.json``, ``best-lr.json`` or ``dkt.pt`` (whose
    settings are in ``dkt.pt.json``), as :func:`save_model` writes them."""
    path = Path(path)
    meta_path = path if path.suffix == ".json" else path.with_name(path.name + ".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ModelFileError(
            f"{meta_path}: not a learner model file ({error})",
            fix="write one with 'kit progress fit'",
        ) from None
    kind = meta.get("model")
    if kind == "bkt":
        bkt = BKT.load(meta_path)
        name = "bkt-forget" if bkt.forget else "bkt"
        return LearnerModel(name, bkt, _comparison(meta), path)
    if kind == "best-lr":
        from kit.progress.bestlr import BestLR

        return LearnerModel("best-lr", BestLR.from_dict(meta), _comparison(meta), path)
    if kind == "dkt":
        from kit.progress.dkt import DKT

        return LearnerModel("dkt", DKT.load(path), _comparison(meta), path)
    if kind == "blend":
        from kit.progress.blend import Blend

        loaded = [load_model(path.with_name(str(name))) for name in meta["parts"]]
        blend = Blend([part.estimator for part in loaded])
        blend.models_ = [part.estimator for part in loaded]
        name = "+".join(part.name for part in loaded)
        return LearnerModel(name, blend, _comparison(meta), path)
    raise ModelFileError(
        f"{meta_path}: 'model' is {kind!r}; a learner model file names bkt, best-lr, dkt or blend",
        fix="write one with 'kit progress fit'",
    )


def save_model(estimator: Any, path: str | Path, comparison: Sequence[Score] = ()) -> Path:
    """Write a fitted model (and the comparison that chose it) to ``path``."""
    path = Path(path)
    saved = Path(estimator.save(path))
    meta_path = saved if saved.suffix == ".json" else saved.with_name(saved.name + ".json")
    if comparison:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["comparison"] = [s.to_dict() for s in comparison]
        tmp = meta_path.with_name(f".{meta_path.name}.tmp")
        tmp.write_text(json.dumps(meta) + "\n", encoding="utf-8")
        tmp.replace(meta_path)
    return saved


def ship(course_root: Path, name: str, estimator: Any, comparison: Sequence[Score] = ()) -> Path:
    """Save a fitted model with the course and name it in ``progress/model.json``."""
    folder = course_root / MODEL_FILE.parent
    saved = save_model(estimator, folder / FILES[name], comparison)
    record = {"model": name, "file": saved.name}
    target = course_root / MODEL_FILE
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    tmp.replace(target)
    return saved


_LOADED: dict[Path, tuple[tuple[tuple[int, int], ...], LearnerModel]] = {}
"""Models loaded by :func:`course_model`, by course folder, with the files' state they came from."""


def _stamp(folder: Path) -> tuple[tuple[int, int], ...]:
    """The modification time and size of every file of a course's progress folder (a refit
    changes them)."""
    try:
        files = sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        return ()
    stamps = []
    for path in files:
        try:
            info = path.stat()
        except OSError:
            continue
        stamps.append((info.st_mtime_ns, info.st_size))
    return tuple(stamps)


def course_model(course_root: Path) -> LearnerModel:
    """The model the course at ``course_root`` ships (BKT with default parameters if none).

    Loaded once and kept while the course's ``progress/`` files stay as they are, so a server
    answering many learners does not read (or, for DKT, load torch for) the model per request;
    a refit is picked up on the next call."""
    key = Path(course_root).resolve()
    stamp = _stamp(key / MODEL_FILE.parent)
    kept = _LOADED.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    model = _read_course_model(key)
    _LOADED[key] = (stamp, model)
    return model


def _read_course_model(course_root: Path) -> LearnerModel:
    record_path = course_root / MODEL_FILE
    if record_path.is_file():
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            return load_model(record_path.parent / str(record["file"]))
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ModelFileError(
                f"{record_path}: cannot read the shipped model ({error!r})",
                fix="run 'kit progress fit' again to write it",
            ) from None
    legacy = course_root / MODEL_FILE.parent / FILES["bkt"]
    if legacy.is_file():
        return load_model(legacy)
    return LearnerModel("bkt")
