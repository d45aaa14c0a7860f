"""The kit service under load on a real JupyterHub: simulated learners post attempts and
questions for a fixed time; latency, throughput and lost writes, on SQLite and on PostgreSQL.

    .venv/bin/python bench/hub_load.py [--learners 200] [--seconds 60] [--database both]

A copy of the sample course (router trained with TF-IDF) gets a hub on 127.0.0.1 (the kit's
``write_hub``: configurable-http-proxy, the kit service as a managed service) with the
learners ``load001``..; the instructor logs in through the hub's login form and makes one API
token per learner through the hub's REST API. Then every learner, one asyncio task each
(httpx), posts to the service's own port, one request after another, until the time is up:
four self-check attempts (``POST /me/attempts``) for each question (``POST /questions``, routed
by the service). Each write carries an ``Idempotency-Key``. Afterwards the rows in the
service's database are counted against the writes the service acknowledged (201): a lost write
is an acknowledged one missing from the database.

Bounded: 127.0.0.1 only, a fixed number of learners, a fixed time, and a timeout on every
request. PostgreSQL: ``KIT_TEST_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``)
names the server; a database of its own is made there and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hub.hub import RunningHub, start_hub  # noqa: E402

SAMPLE = ROOT / "courses" / "python-ml"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
QUESTIONS = [
    "how to read a csv file into a dataframe",
    "difference between loc and iloc",
    "what does // do in python",
    "why is my accuracy high but recall low",
]
CHECKS = [
    ("python-basics", "basics-int-division"),
    ("pandas", "pandas-loc"),
    ("numpy", "numpy-shape"),
]


@dataclass
class Tally:
    """What one database's run saw: latencies by kind, acknowledged and failed writes."""

    latency: dict[str, list[float]] = field(default_factory=lambda: {"attempt": [], "question": []})
    acknowledged: dict[str, int] = field(default_factory=lambda: {"attempt": 0, "question": 0})
    failed: dict[str, int] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def fail(self, reason: str, detail: str) -> None:
        """Count a write that was not acknowledged; keep the first answer of each kind."""
        self.failed[reason] = self.failed.get(reason, 0) + 1
        self.samples.setdefault(reason, detail[:300])


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def learner(
    client: Any, base: str, name: str, token: str, until: float, tally: Tally
) -> None:
    """One simulated learner: writes one after another until ``until``."""
    headers = {"Authorization": f"token {token}"}
    for turn in itertools.count():
        if time.monotonic() >= until:
            return
        if turn % 5 == 4:
            kind, path = "question", "questions"
            body: dict[str, Any] = {"text": f"{QUESTIONS[turn % len(QUESTIONS)]} ({name} #{turn})"}
        else:
            skill, item = CHECKS[turn % len(CHECKS)]
            kind, path = "attempt", "me/attempts"
            body = {"skill": skill, "item": item, "correct": int(turn % 3 != 0)}
        key = {"Idempotency-Key": uuid.uuid4().hex}
        start = time.perf_counter()
        try:
            answer = await client.post(f"{base}{path}", json=body, headers={**headers, **key})
        except Exception as exc:  # a timeout or a dropped connection: not acknowledged
            tally.fail(type(exc).__name__, str(exc))
            continue
        if answer.status_code == 201:
            tally.latency[kind].append(time.perf_counter() - start)
            tally.acknowledged[kind] += 1
        else:
            tally.fail(f"HTTP {answer.status_code}", answer.text)


async def load(base: str, tokens: dict[str, str], seconds: float) -> Tally:
    """Every learner at once for ``seconds``."""
    import httpx

    tally = Tally()
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(
            *(learner(client, base, n, t, until, tally) for n, t in tokens.items())
        )
        tally.seconds = time.monotonic() - started
    return tally


async def warm_up(base: str, tokens: dict[str, str]) -> None:
    """``GET /me`` once per learner (not measured)."""
    import httpx

    async with httpx.AsyncClient(timeout=60) as client:
        for name, token in tokens.items():
            answer = await client.get(f"{base}me", headers={"Authorization": f"token {token}"})
            if answer.status_code != 200:
                raise RuntimeError(f"{name}: GET /me answered {answer.status_code}: {answer.text}")


def make_tokens(hub: RunningHub, learners: list[str]) -> dict[str, str]:
    """One API token per learner, made by the instructor (an admin) through the hub's API."""
    ada = hub.person("ada")
    ada.login()
    tokens = {}
    for name in learners:
        answer = ada.hub_api("POST", f"/users/{name}/tokens", json={"note": "load"})
        if answer.status_code != 201:
            raise hub.fail(f"no token for {name}: {answer.status_code} {answer.text}")
        tokens[name] = answer.json()["token"]
    return tokens


def count_rows(url: str) -> dict[str, int]:
    """Rows the simulated learners left in the service's database."""
    import sqlalchemy as sa

    from kit.databases import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            return {
                kind: int(
                    conn.execute(
                        sa.text(f"SELECT count(*) FROM {table} WHERE learner LIKE 'load%'")
                    ).scalar_one()
                )
                if table in tables
                else 0
                for kind, table in (("attempt", "attempts"), ("question", "questions"))
            }
    finally:
        engine.dispose()


def postgres_database() -> tuple[str, Any]:
    """A fresh database on the PostgreSQL server, and a function that drops it."""
    import sqlalchemy as sa

    from kit.databases import create_engine

    base = os.environ.get("KIT_TEST_POSTGRES", "").strip() or PG_DEFAULT
    name = f"kit_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    url = url.replace("postgresql+psycopg://", "postgresql://", 1)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def run(kind: str, learners: int, seconds: float, work: Path) -> dict[str, Any]:
    """One database: a hub, the tokens, the load, the count."""
    from kit.classify.router import train_router
    from kit.course import load_course
    from kit.service.localhub import HubUsers

    folder = work / kind
    course = folder / "python-ml"
    shutil.copytree(SAMPLE, course, ignore=shutil.ignore_patterns("_kit"))
    train_router(load_course(course), model="tfidf", urgency=False)
    names = [f"load{i:03d}" for i in range(1, learners + 1)]
    drop = None
    if kind == "postgresql":
        url, drop = postgres_database()
    else:
        url = f"sqlite:///{folder / 'kit-service.sqlite'}"
    users = HubUsers(instructors=("ada",), mentors=("grace", "lin"), learners=tuple(names))
    hub = start_hub(folder / "hub", course, timeout=120, users=users, service_database=url)
    try:
        tokens = make_tokens(hub, names)
        base = f"{hub.hub.service_url}kit/api/v1/"
        # one request per learner first: the service learns each token from the hub once
        asyncio.run(warm_up(base, tokens))
        before = count_rows(url)
        tally = asyncio.run(load(base, tokens, seconds))
        rows = count_rows(url)
    finally:
        hub.stop()
        if drop:
            drop()
    written = {k: rows[k] - before[k] for k in rows}
    every = tally.latency["attempt"] + tally.latency["question"]
    return {
        "database": kind,
        "learners": learners,
        "seconds": round(tally.seconds, 1),
        "requests_per_second": round(len(every) / tally.seconds, 1),
        "p50_ms": {k: round(1000 * percentile(v, 0.5), 1) for k, v in tally.latency.items() if v},
        "p95_ms": {k: round(1000 * percentile(v, 0.95), 1) for k, v in tally.latency.items() if v},
        "mean_ms": round(1000 * statistics.fmean(every), 1) if every else None,
        "acknowledged": tally.acknowledged,
        "rows": written,
        "lost": {k: max(0, tally.acknowledged[k] - written[k]) for k in written},
        "failed": tally.failed,
        "failed_answers": tally.samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--json", type=Path, help="Also write the results to this file.")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    with tempfile.TemporaryDirectory(prefix="kit-hub-load-") as work:
        for kind in kinds:
            print(f"== {kind}: {args.learners} learners for {args.seconds:g} s", flush=True)
            result = run(kind, args.learners, args.seconds, Path(work))
            print(json.dumps(result, indent=2), flush=True)
            results.append(result)
    print()
    print(
        "| database | learners | requests/s | p50 attempt | p95 attempt | p50 question "
        "| p95 question | acknowledged | lost | failed |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        ack = r["acknowledged"]["attempt"] + r["acknowledged"]["question"]
        lost = r["lost"]["attempt"] + r["lost"]["question"]
        print(
            f"| {r['database']} | {r['learners']} | {r['requests_per_second']} "
            f"| {r['p50_ms'].get('attempt')} ms | {r['p95_ms'].get('attempt')} ms "
            f"| {r['p50_ms'].get('question')} ms | {r['p95_ms'].get('question')} ms "
            f"| {ack} | {lost} | {r['failed'] or 'none'} |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
