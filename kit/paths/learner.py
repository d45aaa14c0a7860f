"""A learner's own files for one course: their profile and their attempt log.

They live under the learner's Jupyter data directory (``jupyter --data-dir``), in
``kit/<course id>/``, so they follow the learner from session to session on a JupyterHub and
survive kernel restarts. Writes are atomic; a damaged file is set aside with a clear message and
nothing else is lost.
"""

from __future__ import annotations

import getpass
import json
import os
import tempfile
import warnings
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from kit.paths.profile import LearnerProfile
from kit.progress.attempts import Attempt, AttemptStore, set_aside, utcnow
from kit.progress.bkt import BKTParams


class ProfileRecovered(UserWarning):
    """A damaged profile file was set aside and a fresh profile started."""


def default_learner() -> str:
    """The learner's id: the JupyterHub user name where there is one, else the login name."""
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def default_root(course_id: str) -> Path:
    """Where a learner's files for a course live: ``<jupyter data dir>/kit/<course id>``."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "kit" / course_id


class LearnerStore:
    """Profile and attempts of one learner in one course.

    Parameters
    ----------
    course_id:
        The course.
    learner:
        The learner's id; defaults to :func:`default_learner`.
    root:
        Folder for the files; defaults to :func:`default_root`.
    """

    def __init__(self, course_id: str, learner: str | None = None, root: Path | None = None):
        self.course_id = course_id
        self.learner = learner or default_learner()
        self.root = Path(root) if root is not None else default_root(course_id)
        self.profile_path = self.root / "profile.json"
        self.attempts_path = self.root / "attempts.sqlite"
        self._attempts: AttemptStore | None = None

    # -- profile -----------------------------------------------------------------------------
    def load_profile(self) -> LearnerProfile:
        """The saved profile, or a new one. A damaged file is set aside (with a warning)."""
        if not self.profile_path.exists():
            return LearnerProfile(learner=self.learner)
        try:
            data = json.loads(self.profile_path.read_text(encoding="utf-8"))
            profile = LearnerProfile.model_validate(data)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
            aside = set_aside(self.profile_path)
            reason = type(exc).__name__ if not isinstance(exc, ValidationError) else "invalid data"
            warnings.warn(
                f"your learning-path profile {self.profile_path} could not be read ({reason}); "
                f"it was set aside as {aside.name} and a new profile started. Your answers so "
                "far are kept.",
                ProfileRecovered,
                stacklevel=2,
            )
            return LearnerProfile(learner=self.learner)
        return profile.model_copy(update={"learner": profile.learner or self.learner})

    def save_profile(self, profile: LearnerProfile) -> None:
        """Write the profile atomically: a crash leaves the old file or the new, never half."""
        self.root.mkdir(parents=True, exist_ok=True)
        text = profile.model_dump_json(indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".profile-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.profile_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # -- attempts ----------------------------------------------------------------------------
    @property
    def attempts(self) -> AttemptStore:
        """The learner's attempt log (opened on first use; a damaged one is set aside)."""
        if self._attempts is None:
            self._attempts = AttemptStore.open_file(self.attempts_path)
        return self._attempts

    def record(self, skill: str, item: str, correct: float, source: str = "self-check") -> Attempt:
        """Store one answer and return it."""
        attempt = Attempt(
            learner=self.learner,
            skill=skill,
            item=item,
            correct=float(correct),
            time=utcnow(),
            source=source,
            course=self.course_id,
        )
        self.attempts.add(attempt)
        return attempt

    def history(self) -> list[Attempt]:
        """This learner's attempts in this course, oldest first."""
        return self.attempts.query(course=self.course_id, learner=self.learner)

    def mastery(
        self,
        priors: Mapping[str, float] | None = None,
        params: Mapping[str, BKTParams] | None = None,
    ) -> dict[str, float]:
        """P(mastered) per attempted skill (BKT filtering over the learner's history), each
        starting from ``priors`` where given (e.g. the learner's self-rating), with the
        course's fitted ``params`` where it ships them."""
        from kit.progress.bkt import learner_mastery

        return learner_mastery(self.history(), params, priors=priors)

    def answers(self) -> dict[str, int]:
        """How many answers the learner has given on each skill."""
        return dict(Counter(a.skill for a in self.history()))

    def close(self) -> None:
        """Release the attempt log."""
        if self._attempts is not None:
            self._attempts.close()
            self._attempts = None
