"""The learner's own files: profile and attempts persist, survive damage, lose nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kit.paths import LearnerProfile
from kit.paths.learner import LearnerStore, ProfileRecovered, default_root
from kit.progress import StoreRecovered


def test_default_root_is_under_the_jupyter_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path))
    assert default_root("python-ml") == tmp_path / "kit" / "python-ml"


def test_learner_defaults_to_the_hub_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    assert LearnerStore("c", root=tmp_path).learner == "ada"


def test_profile_round_trip(tmp_path: Path) -> None:
    store = LearnerStore("c", "ada", tmp_path)
    assert store.load_profile() == LearnerProfile(learner="ada")
    profile = LearnerProfile(learner="ada", track="t", ratings={"a": 2}, hours_per_week=3.5)
    store.save_profile(profile)
    # a new store (a restarted kernel) reads the same profile
    assert LearnerStore("c", "ada", tmp_path).load_profile() == profile
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


@pytest.mark.parametrize("content", ["{not json", '{"hours_per_week": -3}', '["a list"]'])
def test_corrupt_profile_is_set_aside_and_attempts_kept(tmp_path: Path, content: str) -> None:
    store = LearnerStore("c", "ada", tmp_path)
    store.record("numpy", "q1", 1.0)
    store.profile_path.write_text(content)
    with pytest.warns(ProfileRecovered, match="set aside"):
        profile = store.load_profile()
    assert profile == LearnerProfile(learner="ada")
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("profile.json.corrupt-")]
    assert [p.read_text() for p in aside] == [content]
    assert len(LearnerStore("c", "ada", tmp_path).history()) == 1


def test_corrupt_attempt_log_keeps_the_profile(tmp_path: Path) -> None:
    store = LearnerStore("c", "ada", tmp_path)
    store.save_profile(LearnerProfile(learner="ada", track="t"))
    store.attempts_path.write_bytes(b"\x00garbage" * 50)
    fresh = LearnerStore("c", "ada", tmp_path)
    with pytest.warns(StoreRecovered):
        assert fresh.history() == []
    assert fresh.load_profile().track == "t"
    fresh.record("numpy", "q1", 0.0)
    assert [a.correct for a in fresh.history()] == [0.0]


def test_record_matches_the_shared_attempt_record(tmp_path: Path) -> None:
    store = LearnerStore("python-ml", "ada", tmp_path)
    attempt = store.record("numpy", "numpy-shape", 1.0)
    assert (attempt.learner, attempt.course, attempt.source) == ("ada", "python-ml", "self-check")
    again = LearnerStore("python-ml", "ada", tmp_path).history()
    assert again == [attempt]
    other = LearnerStore("python-ml", "bob", tmp_path)
    assert other.history() == []


def test_mastery_from_answers(tmp_path: Path) -> None:
    store = LearnerStore("c", "ada", tmp_path)
    for _ in range(3):
        store.record("numpy", "q", 1.0)
    store.record("pandas", "q", 0.0)
    mastery = store.mastery()
    assert mastery["numpy"] > 0.9
    assert mastery["pandas"] < 0.2  # below the prior after a wrong answer
    json.dumps(mastery)  # plain floats
