"""Similar answered questions (`POST /questions/similar`'s ranking) by TF-IDF and by encoder
embeddings, for courses with more and more answered questions, in one run.

    .venv/bin/python bench/similar.py [--sizes 100 1000 5000] [--queries 50]

The answered questions are the sample course's questions.csv, repeated with a number so that
each is a text of its own. TF-IDF is fitted anew for each query (as the server does). The
encoder (all-MiniLM-L6-v2, pretrained, torch on one thread) embeds the answered questions once
(the server keeps them per router), then each query alone. Prints the median and p95 time of
one query, and the one-off embedding of the answered questions.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "courses" / "python-ml" / "questions.csv"


def _texts(n: int) -> list[str]:
    with QUESTIONS.open(encoding="utf-8", newline="") as handle:
        base = [row["text"] for row in csv.DictReader(handle)]
    return [f"{base[i % len(base)]} ({i // len(base)})" for i in range(n)]


def _timed(run: object, queries: list[str]) -> list[float]:
    times = []
    for query in queries:
        start = time.perf_counter()
        run(query)  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return times


def _row(name: str, n: int, times: list[float], extra: str = "") -> str:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    return f"| {name} | {n} | {statistics.median(times) * 1000:.1f} | {p95 * 1000:.1f} | {extra} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()

    import numpy as np
    import torch

    from kit.classify.encoder import EncoderClassifier
    from kit.classify.similar import rank_similar

    torch.set_num_threads(1)
    queries = [q.upper() for q in _texts(args.queries)]  # other texts than the answered ones
    encoder = EncoderClassifier().load_encoder()
    print("| ranking | answered questions | median ms / query | p95 ms | one-off |")
    print("| --- | ---: | ---: | ---: | --- |")
    for n in args.sizes:
        answered = _texts(n)
        tfidf = _timed(lambda q, a=answered: rank_similar(q, a, 3), queries)
        print(_row("TF-IDF", n, tfidf), flush=True)
        start = time.perf_counter()
        rows = np.asarray(encoder.embed(answered))
        embedding = time.perf_counter() - start
        times = _timed(
            lambda q, a=answered, r=rows: rank_similar(q, a, 3, embed=encoder.embed, embeddings=r),
            queries,
        )
        print(_row("encoder", n, times, f"embedding them: {embedding:.1f} s"), flush=True)


if __name__ == "__main__":
    main()
