"""The question router: the fine-tuned encoder beside TF-IDF + logistic regression, in one run.

    .venv/bin/python bench/classify.py [--data ../shared/data/questions] [--sections ...]
        [--epochs 3] [--threads 1] [--output build/bench/classify.json]

Sections (all by default):

1. ``titles``: Stack Overflow titles in 20 topics, a fixed seeded 80/20 split: accuracy and
   macro F1 of TF-IDF + LR (words; words and characters) and of fine-tuned all-MiniLM-L6-v2.
   ``--write-split DIR`` writes the split as ``train.csv`` and ``test.csv`` for ``kit router eval``.
2. ``urgency``: MOOC forum posts, urgent = coded above 4; ROC AUC in 10-fold cross-validation
   grouped by learner, TF-IDF + LR beside MiniLM embeddings + LR (the frozen encoder: embeddings
   are computed once, the logistic regression is fitted per fold).
3. ``router``: the sample course's questions, a seeded stratified 80/20 split (lesson text in
   training): accuracy of the router's two models.
4. ``train``: training time before and after the cached frozen layers and early stopping, in
   one run: the router's encoder as it was (every layer fine-tuned, 8 epochs) beside the
   router's encoder now, on the sample course (accuracy on the ``router`` split) and on
   ``--train-subset`` Stack Overflow titles (accuracy on 1,000 others).
5. ``seeds``: Stack Overflow titles, three seeded 80/20 splits (``--seeds``): the encoder (top
   two layers fine-tuned, early stopping) blended with TF-IDF, each part's accuracy beside the
   blend's, and calibrated abstention: the temperature and the "sure" threshold for
   ``--target-precision`` chosen on the held-out share of the training titles, then the
   precision and coverage of sure answers, and the calibration error, on the test titles.
6. ``latency``: one question at a time through the router on one CPU thread (p50, p95 ms), and
   batch throughput (questions per second), the encoder router beside the TF-IDF one.

The evaluation data is read in place; without it the sections that need it say where the data
comes from and are skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECTIONS = ("titles", "urgency", "router", "train", "seeds", "latency")


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def titles(data: Path, epochs: int, write_split: Path | None, encoder: bool) -> dict[str, Any]:
    from kit.classify.data import DataNotFoundError, load_so_titles, write_labelled_csv
    from kit.classify.evaluation import evaluate_texts, split_indices

    try:
        loaded = load_so_titles(data / "so_titles20")
    except DataNotFoundError as exc:
        print(f"\nskipping the Stack Overflow titles: {exc}")
        return {}
    train_idx, test_idx = split_indices(len(loaded), test_size=0.2, seed=0)
    train = ([loaded.texts[i] for i in train_idx], [loaded.labels[i] for i in train_idx])
    test = ([loaded.texts[i] for i in test_idx], [loaded.labels[i] for i in test_idx])
    if write_split:
        write_split.mkdir(parents=True, exist_ok=True)
        write_labelled_csv(write_split / "train.csv", *train)
        write_labelled_csv(write_split / "test.csv", *test)
        print(f"wrote {write_split}/train.csv and test.csv")
    runs = {
        "TF-IDF (words 1-2) + LR": ("tfidf", {}),
        "TF-IDF (words + chars) + LR": ("tfidf", {"char_ngrams": True}),
        f"MiniLM fine-tuned ({epochs} epochs)": ("encoder", {"epochs": epochs}),
    }
    if not encoder:
        runs.popitem()
    results = {}
    print("\n## Stack Overflow titles, 20 topics, seeded 80/20 split (16,000 / 4,000)")
    print(_row("model", "accuracy", "macro F1", "fit s", "predict s"))
    print(_row("---", "---:", "---:", "---:", "---:"))
    for name, (kind, params) in runs.items():
        result = evaluate_texts(kind, train, test, **params)
        results[name] = result
        print(
            _row(
                name,
                f"{result['accuracy']:.4f}",
                f"{result['macro_f1']:.4f}",
                result["fit_seconds"],
                result["predict_seconds"],
            ),
            flush=True,
        )
    return results


def urgency(data: Path, encoder: bool) -> dict[str, Any]:
    import numpy as np

    from kit.classify.data import DataNotFoundError, load_mooc_urgency
    from kit.classify.evaluation import grouped_cv_auc
    from kit.classify.urgency import urgency_classifier

    try:
        posts = load_mooc_urgency(data / "mooc_urgency")
    except DataNotFoundError as exc:
        print(f"\nskipping urgency: {exc}")
        return {}
    y = np.array(posts.urgent)
    print(
        f"\n## Urgency: {len(y)} MOOC posts, {y.sum()} urgent (coded > 4); 10-fold CV grouped "
        f"by learner ({len(set(posts.learners))} learners)"
    )
    results = {
        "TF-IDF + LR": grouped_cv_auc(
            lambda: urgency_classifier("tfidf"), posts.texts, y, posts.learners
        )
    }
    if encoder:
        results["MiniLM embeddings (256 tokens) + LR"] = _urgency_embeddings(posts, y)
    print(_row("model", "AUC (pooled)", "AUC (mean of folds)", "seconds"))
    print(_row("---", "---:", "---:", "---:"))
    for name, result in results.items():
        print(
            _row(name, f"{result['auc']:.4f}", f"{result['fold_auc_mean']:.4f}", result["seconds"])
        )
    return results


def _urgency_embeddings(posts: Any, y: Any) -> dict[str, Any]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    from kit.classify.encoder import EncoderClassifier

    # the frozen encoder's embeddings do not depend on the training folds: compute them once
    start = time.perf_counter()
    embeddings = EncoderClassifier(max_length=256).load_encoder().embed(posts.texts)
    embed_seconds = time.perf_counter() - start
    scores = np.zeros(len(y))
    per_fold = []
    for train, test in GroupKFold(n_splits=10).split(embeddings, y, posts.learners):
        model = LogisticRegression(C=1.0, max_iter=3000).fit(embeddings[train], y[train])
        scores[test] = model.predict_proba(embeddings[test])[:, 1]
        per_fold.append(float(roc_auc_score(y[test], scores[test])))
    return {
        "auc": float(roc_auc_score(y, scores)),
        "fold_auc_mean": float(np.mean(per_fold)),
        "fold_auc": per_fold,
        "folds": 10,
        "seconds": round(time.perf_counter() - start, 1),
        "embed_seconds": round(embed_seconds, 1),
    }


def _sample_course() -> Any:
    from kit.course import load_course

    return load_course(ROOT / "courses" / "python-ml")


def router_accuracy() -> dict[str, Any]:
    from sklearn.model_selection import train_test_split

    from kit.classify.data import OFF_TOPIC
    from kit.classify.evaluation import score_predictions
    from kit.classify.models import make_classifier
    from kit.classify.router import (
        DEFAULT_THRESHOLDS,
        ENCODER_SETTINGS,
        TFIDF_SETTINGS,
        Router,
        lesson_texts,
        read_questions,
    )

    course = _sample_course()
    asked = read_questions(course)
    taught = lesson_texts(course)
    train_q, test_q, train_y, test_y = train_test_split(
        asked.texts, asked.labels, test_size=0.2, random_state=0, stratify=asked.labels
    )
    texts, labels = train_q + taught.texts, train_y + taught.labels
    print(
        f"\n## The sample course's questions: {len(asked)} questions, 15 labels (14 skills and "
        f"off-topic), stratified 80/20 split; training adds {len(taught)} lesson pieces"
    )
    print(
        _row(
            "router model", "accuracy", "macro F1", "threshold", "sure", "accuracy when sure",
            "off-topic caught", "fit s",
        )
    )  # fmt: skip
    print(_row("---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"))
    results = {}
    for kind, settings in (("tfidf", TFIDF_SETTINGS), ("encoder", ENCODER_SETTINGS)):
        model = make_classifier(kind, **settings).fit(texts, labels)
        routes = Router(course, model, threshold=DEFAULT_THRESHOLDS[kind]).route_many(test_q)
        sure = [(r.skill, y) for r, y in zip(routes, test_y, strict=True) if r.sure]
        off = [r for r, y in zip(routes, test_y, strict=True) if y == OFF_TOPIC]
        result = {
            **score_predictions(test_y, model.predict(test_q)),
            "threshold": DEFAULT_THRESHOLDS[kind],
            "sure_share": len(sure) / len(routes),
            "accuracy_when_sure": sum(s == y for s, y in sure) / max(1, len(sure)),
            "off_topic_not_routed": sum(not r.sure for r in off) / max(1, len(off)),
            "fit_seconds": model.fit_seconds_,
        }
        results[kind] = result
        print(
            _row(
                kind,
                f"{result['accuracy']:.3f}",
                f"{result['macro_f1']:.3f}",
                result["threshold"],
                f"{result['sure_share']:.0%}",
                f"{result['accuracy_when_sure']:.3f}",
                f"{result['off_topic_not_routed']:.0%}",
                f"{result['fit_seconds']:.1f}",
            ),
            flush=True,
        )
    return results


def _course_split() -> tuple[list[str], list[str], list[str], list[str], int]:
    """The ``router`` section's split: training texts (questions, then lesson pieces) and
    labels, test questions and labels, and how many training texts are questions."""
    from sklearn.model_selection import train_test_split

    from kit.classify.router import lesson_texts, read_questions

    course = _sample_course()
    asked = read_questions(course)
    taught = lesson_texts(course)
    train_q, test_q, train_y, test_y = train_test_split(
        asked.texts, asked.labels, test_size=0.2, random_state=0, stratify=asked.labels
    )
    return train_q + taught.texts, train_y + taught.labels, test_q, test_y, len(train_q)


def train_time(data: Path, subset: int) -> dict[str, Any]:
    from kit.classify.data import DataNotFoundError, load_so_titles
    from kit.classify.evaluation import score_predictions, split_indices
    from kit.classify.models import make_classifier
    from kit.classify.router import ENCODER_SETTINGS, LEGACY_ENCODER_SETTINGS

    sets = {"sample course": _course_split()}
    try:
        loaded = load_so_titles(data / "so_titles20")
        train_idx, test_idx = split_indices(len(loaded), test_size=0.2, seed=0)
        train_idx, test_idx = train_idx[:subset], test_idx[:1000]
        sets[f"Stack Overflow titles ({subset:,} / 1,000)"] = (
            [loaded.texts[i] for i in train_idx],
            [loaded.labels[i] for i in train_idx],
            [loaded.texts[i] for i in test_idx],
            [loaded.labels[i] for i in test_idx],
            len(train_idx),
        )
    except DataNotFoundError as exc:
        print(f"\nskipping the Stack Overflow titles: {exc}")
    recipes = {
        "before: every layer, 8 epochs": LEGACY_ENCODER_SETTINGS,
        "after: top 2 layers on cached states, early stopping": ENCODER_SETTINGS,
    }
    print("\n## Training the router's encoder, before and after (torch threads as --threads)")
    print(_row("data", "recipe", "epochs run", "fit s", "accuracy", "macro F1", "time ratio"))
    print(_row("---", "---", "---:", "---:", "---:", "---:", "---:"))
    results: dict[str, Any] = {}
    for name, (texts, labels, test_texts, test_labels, pool) in sets.items():
        results[name] = {}
        for recipe, settings in recipes.items():
            model = make_classifier("encoder", **settings)
            model.fit(texts, labels, validation_pool=range(pool))
            result = {
                **score_predictions(test_labels, model.predict(test_texts)),
                "fit_seconds": round(model.fit_seconds_, 1),
                "epochs_run": len(getattr(model, "loss_history_", [])),
            }
            results[name][recipe] = result
            first = next(iter(results[name].values()))
            print(
                _row(
                    name,
                    recipe,
                    result["epochs_run"],
                    result["fit_seconds"],
                    f"{result['accuracy']:.3f}",
                    f"{result['macro_f1']:.3f}",
                    f"{result['fit_seconds'] / first['fit_seconds']:.2f}x",
                ),
                flush=True,
            )
    return results


def _one_seed(
    data: Path, seed: int, target_precision: float, train_layers: int | None = None
) -> dict[str, Any]:
    import torch

    from kit.classify.data import load_so_titles
    from kit.classify.evaluation import (
        TITLES_ENCODER,
        TITLES_TFIDF,
        evaluate_texts,
        split_indices,
    )

    torch.set_num_threads(1)
    loaded = load_so_titles(data / "so_titles20")
    train_idx, test_idx = split_indices(len(loaded), test_size=0.2, seed=seed)
    train = ([loaded.texts[i] for i in train_idx], [loaded.labels[i] for i in train_idx])
    test = ([loaded.texts[i] for i in test_idx], [loaded.labels[i] for i in test_idx])
    return evaluate_texts(
        "ensemble",
        train,
        test,
        target_precision=target_precision,
        encoder={**TITLES_ENCODER, **({"train_layers": train_layers} if train_layers else {})},
        tfidf=TITLES_TFIDF,
        validation=0.1,
        random_state=seed,
    )


def seeds(
    data: Path, seed_list: list[int], target_precision: float, jobs: int, train_layers: int | None
) -> dict[str, Any]:
    import numpy as np

    from kit.classify.data import DataNotFoundError, load_so_titles

    try:
        load_so_titles(data / "so_titles20")
    except DataNotFoundError as exc:
        print(f"\nskipping the Stack Overflow titles: {exc}")
        return {}
    print(
        f"\n## Stack Overflow titles: seeded 80/20 splits, the encoder blended with TF-IDF; "
        f"'sure' answers for a target precision of {target_precision}"
    )
    print(
        _row(
            "seed", "encoder", "TF-IDF", "blend", "weight", "macro F1", "threshold",
            "sure precision", "sure coverage", "ECE before", "ECE after", "fit s",
        )
    )  # fmt: skip
    print(_row("---", *["---:"] * 11))
    results: dict[str, Any] = {}
    # the seeds are independent: in parallel processes when --jobs asks for it
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs) as pool:
            done = list(
                pool.map(
                    _one_seed,
                    [data] * len(seed_list),
                    seed_list,
                    [target_precision] * len(seed_list),
                    [train_layers] * len(seed_list),
                )
            )
    else:
        done = [_one_seed(data, seed, target_precision, train_layers) for seed in seed_list]
    for seed, result in zip(seed_list, done, strict=True):
        results[str(seed)] = result
        held = result["calibration"]["test"]
        print(
            _row(
                seed,
                f"{result['parts']['encoder']:.4f}",
                f"{result['parts']['tfidf']:.4f}",
                f"{result['accuracy']:.4f}",
                result["weight"],
                f"{result['macro_f1']:.4f}",
                f"{held['threshold']:.3f}",
                f"{held['sure_precision']:.4f}",
                f"{held['sure_coverage']:.1%}",
                f"{held['ece_before']:.4f}",
                f"{held['ece_after']:.4f}",
                result["fit_seconds"],
            ),
            flush=True,
        )
    done = list(results.values())
    mean = {
        "accuracy": float(np.mean([r["accuracy"] for r in done])),
        "encoder": float(np.mean([r["parts"]["encoder"] for r in done])),
        "tfidf": float(np.mean([r["parts"]["tfidf"] for r in done])),
        "sure_precision": float(
            np.mean([r["calibration"]["test"]["sure_precision"] for r in done])
        ),
        "sure_coverage": float(np.mean([r["calibration"]["test"]["sure_coverage"] for r in done])),
    }
    print(
        _row(
            "mean", f"{mean['encoder']:.4f}", f"{mean['tfidf']:.4f}", f"**{mean['accuracy']:.4f}**",
            "", "", "", f"{mean['sure_precision']:.4f}", f"{mean['sure_coverage']:.1%}", "", "", "",
        )
    )  # fmt: skip
    print("\ncoverage against accuracy on the test titles (seed " + str(seed_list[0]) + "):")
    print(_row("threshold", "coverage", "accuracy"))
    print(_row("---:", "---:", "---:"))
    for row in results[str(seed_list[0])]["calibration"]["test"]["coverage"]:
        print(_row(f"{row['threshold']:.3f}", f"{row['coverage']:.1%}", f"{row['accuracy']:.4f}"))
    results["mean"] = mean
    return results


def latency(data: Path, router_folder: Path | None, repeat: int, epochs: int) -> dict[str, Any]:
    import copy
    import tempfile

    import numpy as np
    import torch

    from kit.classify.data import DataNotFoundError
    from kit.classify.models import make_classifier
    from kit.classify.router import ENCODER_SETTINGS, Router, load_router, read_questions
    from kit.classify.urgency import UrgencyModel

    torch.set_num_threads(1)
    course = _sample_course()
    questions = read_questions(course).texts
    texts, labels, test_q, test_y, _ = _course_split()
    start = time.perf_counter()
    if router_folder:
        encoder_router = load_router(course, router_folder)
    else:
        # the encoder router trained on the router split's training texts and saved (which
        # exports its one-question path for ONNX Runtime), then loaded as kit ask loads it
        settings = {**ENCODER_SETTINGS, "epochs": epochs, "validation": 0.0}
        model = make_classifier("encoder", **settings).fit(texts, labels)
        folder = Path(tempfile.mkdtemp(prefix="kit-bench-router-"))
        Router(course, model).save(folder)
        encoder_router = load_router(course, folder)
    load_seconds = time.perf_counter() - start
    # the encoder itself, or the encoder part of an ensemble
    classifier = encoder_router.classifier
    if classifier.kind == "ensemble":
        classifier = classifier.encoder_  # type: ignore[attr-defined]
    if getattr(classifier, "onnx_", None) is None:
        print("\nno ONNX export in this router: the ONNX row is the torch path")
    torch_router = copy.copy(encoder_router)
    torch_router.classifier = copy.copy(encoder_router.classifier)
    torch_classifier = torch_router.classifier
    if torch_classifier.kind == "ensemble":
        torch_classifier.encoder_ = copy.copy(torch_classifier.encoder_)  # type: ignore[attr-defined]
        torch_classifier = torch_classifier.encoder_  # type: ignore[attr-defined]
    torch_classifier.onnx_ = None  # type: ignore[attr-defined]
    tfidf = make_classifier("tfidf", **_tfidf_settings()).fit(texts, labels)
    routers = {
        "encoder, torch (before)": torch_router,
        "encoder, ONNX Runtime (after)": encoder_router,
        "TF-IDF": Router(course, tfidf),
    }
    # the urgency model is part of every route, as in a trained course router
    try:
        urgency_model = UrgencyModel.train(data / "mooc_urgency")
    except DataNotFoundError as exc:
        print(f"\nlatency without the urgency model: {exc}")
        urgency_model = None
    for router in routers.values():
        router.urgency_model = router.urgency_model or urgency_model
    print(
        "\n## One question through the router, 1 CPU thread "
        f"({len(questions)} different questions x {repeat}, after a warm-up); accuracy: the "
        f"top skill of each of the {len(test_q)} test questions, one at a time"
    )
    print(_row("router model", "p50 ms", "p95 ms", "batch questions/s", "accuracy", "p50 ratio"))
    print(_row("---", "---:", "---:", "---:", "---:", "---:"))
    results: dict[str, Any] = {}
    for kind, router in routers.items():
        for question in questions[:20]:
            router.route(question)
        times = []
        for _ in range(repeat):
            for question in questions:
                begin = time.perf_counter()
                router.route(question)
                times.append((time.perf_counter() - begin) * 1000)
        begin = time.perf_counter()
        router.route_many(questions)
        throughput = len(questions) / (time.perf_counter() - begin)
        top = [router.route(q).skills[0].id for q in test_q]
        results[kind] = {
            "p50_ms": float(np.percentile(times, 50)),
            "p95_ms": float(np.percentile(times, 95)),
            "batch_per_second": throughput,
            "accuracy": sum(t == y for t, y in zip(top, test_y, strict=True)) / len(test_y),
            "top_skills": top,
        }
    base = results["encoder, torch (before)"]["p50_ms"]
    for kind, result in results.items():
        print(
            _row(
                kind,
                f"{result['p50_ms']:.2f}",
                f"{result['p95_ms']:.2f}",
                f"{result['batch_per_second']:.0f}",
                f"{result['accuracy']:.3f}",
                f"{result['p50_ms'] / base:.2f}x",
            )
        )
    same = results["encoder, torch (before)"]["top_skills"]
    agree = np.mean(
        [
            a == b
            for a, b in zip(
                same, results["encoder, ONNX Runtime (after)"]["top_skills"], strict=True
            )
        ]
    )
    print(f"\nONNX Runtime and torch give the same top skill for {agree:.0%} of the test questions")
    results["onnx_torch_agreement"] = float(agree)
    results["encoder_setup_seconds"] = round(load_seconds, 1)
    return results


def _tfidf_settings() -> dict[str, Any]:
    from kit.classify.router import TFIDF_SETTINGS

    return dict(TFIDF_SETTINGS)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "questions")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--epochs", type=int, default=3, help="Encoder epochs on the titles.")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads for training.")
    parser.add_argument("--write-split", type=Path, help="Write the titles split here.")
    parser.add_argument(
        "--skip-encoder", action="store_true", help="Titles and urgency: TF-IDF only (no encoder)."
    )
    parser.add_argument(
        "--train-subset", type=int, default=2000, help="Train: Stack Overflow titles to fit on."
    )
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0, 1, 2], help="Seeds: the splits' seeds."
    )
    parser.add_argument(
        "--train-layers", type=int, help="Seeds: encoder layers fine-tuned (default 2)."
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="Seeds: run this many seeds at once (processes)."
    )
    parser.add_argument(
        "--target-precision", type=float, default=0.9, help="Seeds: precision of sure answers."
    )
    parser.add_argument("--router", type=Path, help="A trained router folder for the latency.")
    parser.add_argument(
        "--latency-epochs", type=int, default=2, help="Latency: epochs of the encoder trained."
    )
    parser.add_argument("--repeat", type=int, default=3, help="Latency: passes over the questions.")
    parser.add_argument("--output", type=Path, help="Write all results as JSON.")
    args = parser.parse_args()

    import torch

    # one thread trains fastest on a small, shared machine (no contention between threads)
    torch.set_num_threads(args.threads)
    results: dict[str, Any] = {}
    if "titles" in args.sections:
        results["titles"] = titles(args.data, args.epochs, args.write_split, not args.skip_encoder)
    if "urgency" in args.sections:
        results["urgency"] = urgency(args.data, not args.skip_encoder)
    if "router" in args.sections:
        results["router"] = router_accuracy()
    if "train" in args.sections:
        results["train"] = train_time(args.data, args.train_subset)
    if "seeds" in args.sections:
        results["seeds"] = seeds(
            args.data, args.seeds, args.target_precision, args.jobs, args.train_layers
        )
    if "latency" in args.sections:
        results["latency"] = latency(args.data, args.router, args.repeat, args.latency_epochs)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2), encoding="utf-8")
        print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
