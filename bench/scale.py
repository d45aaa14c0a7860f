"""Scaling: grading on a local pool, on a Dask LocalCluster and with nbgrader; the attempt log on
SQLite and on PostgreSQL; all in one run.

    .venv/bin/python bench/scale.py [--submissions 200] [--grader-side 30] [--learners 1000]

Grading: the same submissions of the sample course's project (prepared by bench/grading.py's
helpers: reference solutions, half solutions and untouched copies in turn) are graded by
``kit grade --workers 2`` (a process pool), ``kit grade --scheduler local:2`` (a Dask
LocalCluster of two worker processes) and ``nbgrader autograde``, each in its own copy of the
course, and, where a PostgreSQL server answers, ``kit grade --workers 2`` once more with its
gradebook and attempt log there; the script checks that all of them give every grade cell the
same score and prints the seconds per submission and the ratios. The grader's own work per
submission (registering it, scoring each executed notebook, recording its attempts: what one
grader does alone, however many workers run the notebooks) is timed on ``--grader-side``
submissions graded before, on SQLite and on PostgreSQL.

The attempt log: ``--learners`` x ``--per-learner`` attempts written in batches (one
:meth:`AttemptStore.add` per batch, as a grader records one submission's cells) by one writer
and by ``--writers`` processes at once, then read back: one learner's history (what a
learner's mastery needs), and the whole cohort (what ``kit progress fit`` reads). SQLite is a
file in a temporary folder; PostgreSQL a database made for the run on the server of
``KIT_BENCH_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``) and dropped
after. Without a server the PostgreSQL rows say so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.grading import BIN, PROJECT, prepare, timed  # noqa: E402
from kit.progress.attempts import Attempt, AttemptStore  # noqa: E402
from tests.grading.helpers import nbgrader_scores  # noqa: E402

POSTGRES = os.environ.get("KIT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)


# -- grading -----------------------------------------------------------------------------------
def grading(n: int) -> None:
    """Grade ``n`` submissions three ways (and a fourth: the local pool with its gradebook and
    attempt log on PostgreSQL, where a server answers); print the table and the ratios."""
    pool = ("kit grade --workers 2", lambda d: [BIN / "kit", "grade", d, PROJECT, "--workers", "2"])
    graders: list[tuple[str, Callable[[Path], list[object]], bool]] = [
        (*pool, False),
        (
            "kit grade --scheduler local:2",
            lambda d: [BIN / "kit", "grade", d, PROJECT, "--scheduler", "local:2"],
            False,
        ),
        ("nbgrader autograde", lambda d: [BIN / "nbgrader", "autograde", PROJECT], True),
    ]
    seconds: dict[str, float] = {}
    scores: dict[str, dict[object, object]] = {}
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as pg:
        runs = [(name, command, root, None) for name, command, root in graders]
        if pg:
            runs.insert(1, (f"{pool[0]}, PostgreSQL", pool[1], False, pg))
        for i, (name, command, in_nbgrader_root, url) in enumerate(runs):
            with databases(url):
                course_dir, nbg = prepare(Path(tmp) / f"g{i}", n)
                cwd = nbg.root if in_nbgrader_root else None
                seconds[name] = timed(command(course_dir), cwd=cwd)
                scores[name] = nbgrader_scores(nbg.db_url, "python-ml", PROJECT)
            print(f"  {name}: {seconds[name]:.1f} s", flush=True)
    reference = scores["nbgrader autograde"]
    same = all(s == reference for s in scores.values())
    base = seconds["nbgrader autograde"]
    cores = os.cpu_count() or 1
    print(f"\n{n} submissions of {PROJECT}; {len(reference)} grade cells scored by each")
    print(
        f"{'grader':<38} {'seconds':>8} {'s/submission':>13} {'per minute':>11} {'vs nbgrader':>12}"
    )
    for name, t in seconds.items():
        print(f"{name:<38} {t:>8.1f} {t / n:>13.3f} {n / t * 60:>11.1f} {base / t:>11.1f}x")
    print(
        f"identical scores for every grade cell: {same}; machine: {cores} cores, "
        f"load average at the end {os.getloadavg()[0]:.1f}"
    )
    if not same:
        sys.exit(1)


@contextmanager
def databases(url: str | None) -> Iterator[None]:
    """The gradebook and the attempt log at ``url`` (None: the SQLite defaults) while the block
    runs, through the environment the graders inherit."""
    names = ("KIT_GRADEBOOK_URL", "KIT_DATABASE_URL")
    before = {name: os.environ.get(name) for name in names}
    for name in names:
        if url:
            os.environ[name] = url
        else:
            os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def grader_side(n: int) -> None:
    """The grader's own work per submission, which no number of workers shares out: register
    it in the gradebook, score each executed notebook (nbgrader's SaveAutoGrades), read its
    scores back and record them as attempts. Measured on ``n`` submissions graded before, with
    the SQLite defaults and on PostgreSQL; prints the median milliseconds per submission."""
    import nbformat

    from kit.course import load_course
    from kit.grading.desk import Desk
    from kit.grading.engine import _quick_sqlite_commits

    _quick_sqlite_commits()  # SQLite as kit grade opens it (WAL, synchronous=NORMAL)

    medians: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as pg:
        for name, url in (("SQLite", None), ("PostgreSQL", pg)):
            if name == "PostgreSQL" and not pg:
                continue
            with databases(url):
                course_dir, _ = prepare(Path(tmp) / name, n)
                timed([BIN / "kit", "grade", course_dir, PROJECT, "--workers", "2"])
                desk = Desk(load_course(course_dir), PROJECT)
                spent = []
                for learner in desk.learners():
                    executed = {
                        nb: nbformat.read(desk.autograded(learner) / f"{nb}.ipynb", as_version=4)
                        for nb in desk.notebooks
                    }
                    staging = Path(tmp) / f"{name}-{learner}"
                    staging.mkdir()
                    start = time.perf_counter()
                    desk.register(learner)
                    for nb, notebook in executed.items():
                        job = desk.job(
                            learner, nb, desk.submitted(learner) / f"{nb}.ipynb", staging
                        )
                        desk.score(staging, nb, notebook, job.resources)
                    desk.attempts(learner, desk.scores(learner))
                    spent.append(time.perf_counter() - start)
                desk.close()
            medians[name] = statistics.median(spent)
            print(f"  {name}: {medians[name] * 1000:.0f} ms per submission", flush=True)
    print(f"\nthe grader's own work per submission (median of {n}), which caps one grader:")
    for name, t in medians.items():
        print(f"{name:<12} {t * 1000:>8.0f} ms   at most {1 / t * 60:>6.0f} submissions per minute")


# -- the attempt log ---------------------------------------------------------------------------
def cohort(learners: int, per_learner: int, seed: int = 0) -> list[list[Attempt]]:
    """Batches of attempts: each learner's in batches of 10 (one graded submission's cells)."""
    rng = random.Random(seed)
    skills = [f"skill{k}" for k in range(12)]
    batches = []
    for i in range(learners):
        rows = [
            Attempt(
                f"learner{i:05d}",
                rng.choice(skills),
                f"item{j}",
                float(rng.random() < 0.6),
                T0 + dt.timedelta(minutes=j),
                "grading",
                "bench",
            )
            for j in range(per_learner)
        ]
        batches += [rows[k : k + 10] for k in range(0, len(rows), 10)]
    rng.shuffle(batches)
    return batches


def _write(url: str, batches: list[list[Attempt]], ready: Any = None, out: Any = None) -> None:
    """One writer: open the store, wait for the others (``ready``), write, report the span and
    the batches written (and, where it failed, why)."""
    store = AttemptStore(url)
    written, failure = 0, ""
    try:
        if ready is not None:
            ready.wait()
        start = time.time()
        try:
            for batch in batches:
                store.add(batch)
                written += 1
        except Exception as exc:
            failure = str(getattr(exc, "orig", exc)).splitlines()[0]
        if out is not None:
            out.put((start, time.time(), written, failure))
    finally:
        store.close()


def writes(url: str, batches: list[list[Attempt]], writers: int) -> tuple[float, int, list[str]]:
    """Seconds to write ``batches`` with ``writers`` processes at once (each its own share),
    from the first writer's start to the last one's end (starting the processes not counted);
    the batches written, and why each writer that failed did."""
    AttemptStore(url).close()  # the table exists before the clock starts
    if writers == 1:
        start = time.perf_counter()
        _write(url, batches)
        return time.perf_counter() - start, len(batches), []
    context = multiprocessing.get_context("spawn")
    ready, out = context.Barrier(writers), context.Queue()
    processes = [
        context.Process(target=_write, args=(url, batches[w::writers], ready, out))
        for w in range(writers)
    ]
    for process in processes:
        process.start()
    spans = [out.get(timeout=1800) for _ in processes]
    for process in processes:
        process.join()
    seconds = max(s[1] for s in spans) - min(s[0] for s in spans)
    return seconds, sum(s[2] for s in spans), [s[3] for s in spans if s[3]]


def reads(url: str, learners: int, repeat: int) -> tuple[float, float, int]:
    """Median seconds to read one learner's history and the whole cohort; rows in the cohort."""
    store = AttemptStore(url)
    try:
        rng = random.Random(1)
        one = []
        for _ in range(repeat * 20):
            learner = f"learner{rng.randrange(learners):05d}"
            start = time.perf_counter()
            store.query(course="bench", learner=learner)
            one.append(time.perf_counter() - start)
        whole = []
        for _ in range(repeat):
            start = time.perf_counter()
            rows = len(store.query(course="bench"))
            whole.append(time.perf_counter() - start)
        return statistics.median(one), statistics.median(whole), rows
    finally:
        store.close()


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A database of the run's own on the bench's PostgreSQL server (None: no server)."""
    import sqlalchemy as sa

    from kit.databases import create_engine

    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except sa.exc.SQLAlchemyError as exc:
        print(f"no PostgreSQL at {POSTGRES}: {str(exc.orig).splitlines()[0]}")
        admin.dispose()
        yield None
        return
    name = f"kit_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def attempt_log(learners: int, per_learner: int, writers: int, repeat: int) -> None:
    """Write and read the attempt log on SQLite and PostgreSQL; print the table and ratios."""
    batches = cohort(learners, per_learner)
    total = sum(len(b) for b in batches)
    results: dict[str, dict[str, float]] = {}
    failures: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as pg:
        urls = {"SQLite": f"sqlite:///{Path(tmp) / 'attempts.sqlite'}"}
        if pg:
            urls["PostgreSQL"] = pg
        for name, url in urls.items():
            r: dict[str, float] = {}
            r["write 1"], _, _ = writes(url, batches, 1)
            one, whole, rows = reads(url, learners, repeat)
            assert rows == total, (name, rows, total)
            r["one learner"], r["cohort"] = one, whole
            # the same again from several writers at once, into a fresh table
            url2 = url.replace("attempts.sqlite", "attempts2.sqlite") if name == "SQLite" else url
            if name == "PostgreSQL":
                _empty(url)
            r[f"write {writers}"], done, failures[name] = writes(url2, batches, writers)
            r["written"] = done
            results[name] = r
            print(f"  {name}: {r} {failures[name]}", flush=True)
    print(
        f"\nattempt log: {learners} learners x {per_learner} attempts = {total} rows, "
        f"written in {len(batches)} batches of 10 (one transaction each)"
    )
    print(
        f"{'database':<12} {'1 writer':>14} {f'{writers} writers':>14} {'one learner':>13} {'cohort':>10}"
    )
    print(f"{'':<12} {'batches/s':>14} {'batches/s':>14} {'ms':>13} {'s':>10}")
    for name, r in results.items():
        print(
            f"{name:<12} {len(batches) / r['write 1']:>14.0f} "
            f"{r['written'] / r[f'write {writers}']:>14.0f} {r['one learner'] * 1000:>13.2f} "
            f"{r['cohort']:>10.2f}"
        )
        if failures[name]:
            print(
                f"  {name}, {writers} writers: {len(failures[name])} of them failed "
                f"({failures[name][0]}); {int(r['written'])} of {len(batches)} batches written"
            )
    if "PostgreSQL" in results:
        s, p = results["SQLite"], results["PostgreSQL"]
        print(
            "PostgreSQL / SQLite throughput: "
            f"write (1 writer) {s['write 1'] / p['write 1']:.2f}x, "
            f"write ({writers} writers) "
            f"{(p['written'] / p[f'write {writers}']) / (s['written'] / s[f'write {writers}']):.2f}x, "
            f"one learner {s['one learner'] / p['one learner']:.2f}x, "
            f"cohort {s['cohort'] / p['cohort']:.2f}x"
        )


def _empty(url: str) -> None:
    import sqlalchemy as sa

    from kit.databases import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE attempts"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--submissions", type=int, default=200, help="Submissions to grade (0: skip)."
    )
    parser.add_argument(
        "--grader-side",
        type=int,
        default=30,
        help="Submissions for the grader's own cost (0: skip).",
    )
    parser.add_argument("--learners", type=int, default=1000, help="Learners in the attempt log.")
    parser.add_argument("--per-learner", type=int, default=100, help="Attempts per learner.")
    parser.add_argument("--writers", type=int, default=4, help="Processes writing at once.")
    parser.add_argument(
        "--repeat", type=int, default=5, help="Reads of the cohort (x20: of one learner)."
    )
    args = parser.parse_args()
    if args.learners:
        attempt_log(args.learners, args.per_learner, args.writers, args.repeat)
    if args.grader_side:
        grader_side(args.grader_side)
    if args.submissions:
        grading(args.submissions)


if __name__ == "__main__":
    main()
