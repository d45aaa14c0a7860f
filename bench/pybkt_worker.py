"""Fit pyBKT on a train file and score a test file; run by bench/progress.py inside a separate
virtual environment that has pyBKT (this project's environment does not).

    python bench/pybkt_worker.py TRAIN TEST [--forgets] [--seed N]

Prints one JSON object: auc, rmse, fit_seconds, predict_seconds, n_test.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def three_line_to_long(path: Path, out: Path) -> None:
    lines = [x for x in path.read_text().splitlines() if x.strip()]
    with out.open("w") as handle:
        handle.write("order_id,user_id,skill_name,correct\n")
        order = 0
        for k in range(0, len(lines), 3):
            skills = [x for x in lines[k + 1].split(",") if x.strip()]
            outcomes = [x for x in lines[k + 2].split(",") if x.strip()]
            for skill, outcome in zip(skills, outcomes, strict=True):
                handle.write(f"{order},{k // 3},{skill.strip()},{int(float(outcome))}\n")
                order += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("train", type=Path)
    parser.add_argument("test", type=Path)
    parser.add_argument("--forgets", action="store_true")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    import numpy as np
    from pyBKT.models import Model

    with tempfile.TemporaryDirectory() as tmp:
        train, test = Path(tmp) / "train.csv", Path(tmp) / "test.csv"
        three_line_to_long(args.train, train)
        three_line_to_long(args.test, test)
        model = Model(seed=args.seed, num_fits=5)
        start = time.perf_counter()
        model.fit(data_path=str(train), forgets=args.forgets)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        predictions = model.predict(data_path=str(test))
        predict_seconds = time.perf_counter() - start
    y = predictions["correct"].to_numpy()
    p = predictions["correct_predictions"].to_numpy()
    from sklearn.metrics import roc_auc_score

    print(
        json.dumps(
            {
                "auc": float(roc_auc_score(y, p)),
                "rmse": float(np.sqrt(np.mean((y - p) ** 2))),
                "fit_seconds": fit_seconds,
                "predict_seconds": predict_seconds,
                "n_test": len(y),
            }
        )
    )


if __name__ == "__main__":
    main()
