"""The blend of learner models: the mean of their predictions in log-odds."""

from __future__ import annotations

import numpy as np
import pytest

from kit.progress.baseline import SkillRate
from kit.progress.bestlr import BestLR
from kit.progress.bkt import BKTParams
from kit.progress.blend import Blend, mean_log_odds
from kit.progress.evaluation import make_model
from kit.progress.simulate import simulate_bkt


def test_mean_log_odds_by_hand() -> None:
    out = mean_log_odds([np.array([0.5, 0.9, 0.2]), np.array([0.5, 0.5, 0.8])])
    assert out == pytest.approx([0.5, 0.75, 0.5])
    assert 0 < mean_log_odds([np.array([0.0]), np.array([1e-9])])[0] < 1e-5


def test_blend_predicts_and_masters_as_its_models_do() -> None:
    params = {"a": BKTParams(prior=0.2, learn=0.3), "b": BKTParams(prior=0.4, learn=0.1)}
    data = simulate_bkt(params, 200, (4, 8), seed=2)
    train, test = data.subset(range(150)), data.subset(range(150, 200))
    blend = Blend([BestLR(), BestLR()]).fit(train)
    alone = BestLR().fit(train)
    # two copies of one model blend to that model
    assert blend.predict_proba(test) == pytest.approx(alone.predict_proba(test))
    mixed, single = blend.mastery(test), alone.mastery(test)
    assert mixed.keys() == single.keys()
    for learner, values in single.items():
        assert mixed[learner] == pytest.approx(values)
    both = Blend([SkillRate(), BestLR()]).fit(train)
    p = both.predict_proba(test)
    parts = [m.predict_proba(test) for m in both.models_]
    assert p == pytest.approx(mean_log_odds(parts))
    assert not np.allclose(p, parts[1])
    assert isinstance(make_model("best-lr+dkt", random_state=1), Blend)
    with pytest.raises(ValueError, match="at least one"):
        Blend([]).fit(train)
