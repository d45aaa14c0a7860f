"""Knowledge tracing: the kit's models beside pyBKT on real data, in one run.

    .venv/bin/python bench/progress.py [--data ../shared/data/kt] [--skip-pybkt] [--skip-dkt]
        [--models-only] [--dkt-seconds S] [--dkt-query]

1. Every model on every dataset, side by side in one run: the per-skill baseline, BKT, BKT with
   forgetting, Best-LR, DKT and the blend of Best-LR and DKT (test AUC, RMSE, fit seconds), on
   synthetic-5, ASSISTments 2009 variant c and the DKT paper's split; one table per dataset.
2. BKT fit time and test AUC, the kit vs pyBKT 1.4.3 (its C++ path, built from source in a
   separate virtual environment that this script makes under build/bench/), on the DKT split
   and on ASSISTments 2009 variant c, with and without forgetting.
3. Synthetic-5: DKT's influence matrix, clustered, against the 5 true concepts (adjusted Rand).
4. One learner's mastery update after a new answer, with 200 past attempts.

The data folder is read in place; without it the script says where the data comes from.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "build" / "bench" / "pybkt-venv"


def pybkt_python() -> Path:
    """pyBKT 1.4.3 with its compiled E-step, in a virtual environment of its own."""
    python = VENV / "bin" / "python"
    probe = "import pyBKT.fit.E_step, pyBKT.fit.predict_onestep_states"
    if (
        python.exists()
        and subprocess.run([python, "-c", probe], capture_output=True).returncode == 0
    ):
        return python
    print("building pyBKT from source in", VENV, "(once)...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", VENV], check=True)
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    # pyBKT 1.4.3 breaks with numpy >= 2.3 and scikit-learn >= 1.8
    deps = ["numpy<2.3", "scikit-learn<1.8", "pandas", "requests", "setuptools", "wheel"]
    subprocess.run([*pip, *deps], check=True)
    # no build isolation (its setup imports numpy), no cache (a pure-Python wheel built without
    # numpy must not be reused), no deps (they are pinned above)
    subprocess.run(
        [
            *pip,
            "--no-build-isolation",
            "--no-cache-dir",
            "--force-reinstall",
            "--no-deps",
            "--no-binary",
            "pybkt",
            "pybkt==1.4.3",
        ],
        check=True,
    )
    subprocess.run([python, "-c", probe], check=True)
    return python


def run_pybkt(train: Path, test: Path, forgets: bool) -> dict[str, float]:
    cmd = [pybkt_python(), ROOT / "bench" / "pybkt_worker.py", train, test]
    out = subprocess.run(
        [*cmd, *(["--forgets"] if forgets else [])], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_kit(model: str, train: Path, test: Path) -> dict[str, float]:
    from kit.progress.evaluation import evaluate

    return evaluate(model, train, test)


def bkt_side_by_side(data: Path, skip_pybkt: bool) -> None:
    from kit.progress.bkt import BKT, BKTParams
    from kit.progress.simulate import simulate_bkt

    # compile the numba kernels once (cached on disk afterwards) so fits are timed warm
    BKT().fit(simulate_bkt({"s": BKTParams()}, 20, seed=0))
    print("\n## BKT: the kit vs pyBKT (test AUC; fit seconds; ratio = pyBKT time / kit time)")
    print(
        f"{'data':<22} {'model':<11} {'kit AUC':>8} {'pyBKT AUC':>10} {'kit fit s':>10} "
        f"{'pyBKT fit s':>12} {'speed-up':>9}"
    )
    for name, stem in (
        ("DKT split", "assist2009_dkt/builder"),
        ("variant c", "assist2009_xiong/0910_c"),
    ):
        train, test = data / f"{stem}_train.csv", data / f"{stem}_test.csv"
        for forgets in (False, True):
            label = "bkt-forget" if forgets else "bkt"
            ours = run_kit(label, train, test)
            theirs = {"auc": float("nan"), "fit_seconds": float("nan")}
            if not skip_pybkt:
                theirs = run_pybkt(train, test, forgets)
            ratio = theirs["fit_seconds"] / ours["fit_seconds"]
            print(
                f"{name:<22} {label:<11} {ours['auc']:>8.4f} {theirs['auc']:>10.4f} "
                f"{ours['fit_seconds']:>10.2f} {theirs['fit_seconds']:>12.2f} {ratio:>8.1f}x",
                flush=True,
            )


DATASETS = (
    (
        "Synthetic-5 (DKT paper: 2,000 + 2,000 simulated students, 50 questions)",
        "synthetic5/dkvmn_naive_c5_q50_s4000_v0",
        {"dkt": "DKT paper 0.75-0.80 (20 variants)"},
    ),
    (
        "ASSISTments 2009 variant c (Xiong et al., cleaned; the headline)",
        "assist2009_xiong/0910_c",
        {
            "baseline": "0.59-0.62",
            "bkt": "pyBKT 0.701",
            "bkt-forget": "pyBKT 0.712",
            "best-lr": "0.77 (with item ids, Gervet et al.)",
            "dkt": "pyKT 0.754",
        },
    ),
    (
        "ASSISTments 2009, the DKT paper's split (duplicated rows: inflated)",
        "assist2009_dkt/builder",
        {"baseline": "0.62", "bkt": "pyBKT 0.760", "bkt-forget": "pyBKT 0.826", "dkt": "0.86"},
    ),
)

LABELS = {
    "baseline": "per-skill correct rate (baseline)",
    "bkt": "BKT",
    "bkt-forget": "BKT + forgets",
    "best-lr": "Best-LR",
    "dkt": "DKT",
    "dkt-query": "DKT, query head",
    "best-lr+dkt": "Best-LR + DKT (mean log-odds)",
}


def every_model(data: Path, dkt_seconds: float, skip_dkt: bool, dkt_query: bool) -> None:
    """One table per dataset: every model fitted on the training learners, scored one step
    ahead on the test learners, in this one run."""
    import os

    import torch

    from kit.progress.bestlr import BestLR
    from kit.progress.blend import mean_log_odds
    from kit.progress.data import load_sequences
    from kit.progress.dkt import DKT
    from kit.progress.evaluation import make_model, metrics

    torch.set_num_threads(2)
    print(f"\n## Every model, one table per dataset (load average {os.getloadavg()[0]:.1f})")
    print(
        f"DKT: 128 units, early stopping on 10% of the training learners, at most {dkt_seconds:.0f} s"
    )
    for title, stem, published in DATASETS:
        train = load_sequences(data / f"{stem}_train.csv")
        test = load_sequences(data / f"{stem}_test.csv")
        y = test.flat_correct()
        print(f"\n### {title}")
        print(
            f"{train.n_answers:,} training answers of {len(train):,} learners; "
            f"{test.n_answers:,} test answers of {len(test):,} learners\n"
        )
        print("| model | AUC | RMSE | fit s | published |")
        print("| --- | ---: | ---: | ---: | --- |")
        predictions: dict[str, tuple[object, float]] = {}
        names = ["dkt"] if not skip_dkt else []  # torch first: see main()
        names += ["dkt-query"] if dkt_query and not skip_dkt else []
        names += ["baseline", "bkt", "bkt-forget", "best-lr"]
        rows = {}
        for name in names:
            if name == "dkt":
                model = DKT(random_state=0, max_seconds=dkt_seconds)
            elif name == "dkt-query":
                model = DKT(random_state=0, max_seconds=dkt_seconds, query=True)
            elif name == "best-lr":
                model = BestLR()
            else:
                model = make_model(name)
            start = time.perf_counter()
            model.fit(train)
            seconds = time.perf_counter() - start
            p = model.predict_proba(test)
            predictions[name] = (p, seconds)
            note = ""
            if isinstance(model, DKT):
                note = f" ({len(model.history_)} epochs{', time limit' if model.stopped_by_time_ else ''})"
            rows[name] = (metrics(y, p), seconds, note)
        if "dkt" in predictions:
            blend = mean_log_odds([predictions["best-lr"][0], predictions["dkt"][0]])  # type: ignore[list-item]
            seconds = predictions["best-lr"][1] + predictions["dkt"][1]
            rows["best-lr+dkt"] = (metrics(y, blend), seconds, "")
        order = ["baseline", "bkt", "bkt-forget", "best-lr", "dkt", "dkt-query", "best-lr+dkt"]
        for name in (n for n in order if n in rows):
            result, seconds, note = rows[name]
            print(
                f"| {LABELS[name]}{note} | {result['auc']:.4f} | {result['rmse']:.4f} | "
                f"{seconds:.1f} | {published.get(name, '')} |",
                flush=True,
            )
    print(f"\n(load average at the end {os.getloadavg()[0]:.1f})")


def synthetic_concepts(data: Path) -> None:
    import numpy as np
    import torch
    from sklearn.cluster import SpectralClustering
    from sklearn.metrics import adjusted_rand_score

    from kit.progress.data import load_sequences
    from kit.progress.dkt import DKT
    from kit.progress.evaluation import metrics

    torch.set_num_threads(2)
    folder = data / "synthetic5"
    train = load_sequences(folder / "dkvmn_naive_c5_q50_s4000_v0_train.csv")
    test = load_sequences(folder / "dkvmn_naive_c5_q50_s4000_v0_test.csv")
    truth_line = (folder / "dkvmn_cluster_info_0").read_text().splitlines()[0]
    truth = json.loads(truth_line)  # concept of question 1..50
    model = DKT(hidden=64, random_state=0).fit(train)
    auc = metrics(test.flat_correct(), model.predict_proba(test))["auc"]
    influence = model.influence_on(test)
    affinity = influence + influence.T
    labels = SpectralClustering(5, affinity="precomputed", random_state=0).fit_predict(affinity)
    order = [int(q) - 1 for q in model.vocabulary_]
    true_labels = np.array(truth)[order]
    ari = adjusted_rand_score(true_labels, labels)
    print("\n## Synthetic-5: concept recovery from DKT's influence matrix (answers flipped)")
    print(
        f"DKT test AUC {auc:.4f}; adjusted Rand index of 5 clusters vs the 5 true concepts: "
        f"{ari:.3f} (1 = perfect, 0 = chance)"
    )


def mastery_update() -> None:
    import datetime as dt

    from kit.paths.learner import LearnerStore
    from kit.progress.attempts import Attempt
    from kit.progress.bkt import learner_mastery

    with tempfile.TemporaryDirectory() as tmp:
        store = LearnerStore("bench", "ada", Path(tmp))
        t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
        past = [
            Attempt(
                "ada",
                f"skill-{i % 12}",
                f"q{i}",
                float(i % 3 != 0),
                t0 + dt.timedelta(minutes=i),
                course="bench",
            )
            for i in range(200)
        ]
        store.attempts.add(past)
        filter_only, full = [], []
        for i in range(100):
            start = time.perf_counter()
            learner_mastery(past)
            filter_only.append(time.perf_counter() - start)
            start = time.perf_counter()
            store.record(f"skill-{i % 12}", f"new{i}", 1.0)
            store.mastery()
            full.append(time.perf_counter() - start)
    print("\n## One learner's mastery update, 200 past attempts (median ms over 100)")
    print(
        f"BKT filter over the history: {statistics.median(filter_only) * 1000:.2f} ms; "
        f"record the answer + read the history + filter (SQLite): "
        f"{statistics.median(full) * 1000:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "kt")
    parser.add_argument("--skip-pybkt", action="store_true")
    parser.add_argument("--skip-dkt", action="store_true")
    parser.add_argument(
        "--models-only", action="store_true", help="only the table of every model per dataset"
    )
    parser.add_argument(
        "--dkt-seconds", type=float, default=600.0, help="time limit of each DKT fit"
    )
    parser.add_argument("--dkt-query", action="store_true", help="also DKT with a query head")
    args = parser.parse_args()
    if not args.models_only:
        mastery_update()
    if not args.data.is_dir():
        print(
            f"\n{args.data} not found: the knowledge-tracing data (ASSISTments 2009 and "
            "synthetic-5, see shared/data/README.md) is needed for the rest."
        )
        return
    # DKT first: torch and numba's parallel threads (BKT) slow each other down in one process
    every_model(args.data, args.dkt_seconds, args.skip_dkt, args.dkt_query)
    if args.models_only:
        return
    if not args.skip_dkt:
        synthetic_concepts(args.data)
    bkt_side_by_side(args.data, args.skip_pybkt)


if __name__ == "__main__":
    main()
