"""`POST /kit/api/v1/route` over HTTP beside calling `Router.route` directly, in one run.

    .venv/bin/python bench/server.py [--requests 300] [--model tfidf|encoder]

A copy of the sample course gets a trained router; a Jupyter server with the kit's extension
serves it on 127.0.0.1 (one routing thread, torch on one thread); the model is warmed up, then
the course's own questions are asked one after another over one keep-alive connection, and the
same questions are routed in this process. Prints p50, p95 and mean latency of each, and what
HTTP, authentication, JSON and the executor hop add.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "courses" / "python-ml"
TOKEN = "bench-token"
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(root: Path, port: int) -> subprocess.Popen[bytes]:
    jupyter = Path(sys.executable).with_name("jupyter")
    args = [
        str(jupyter), "server", "--no-browser", "--allow-root", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={TOKEN}", "--KitServer.router_threads=1",
    ]  # fmt: skip
    env = {**os.environ, **ONE_THREAD, "JUPYTER_CONFIG_DIR": str(root / ".jupyter")}
    log = (root.parent / "server.log").open("wb")
    return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/kit/api/v1/me", headers={"Authorization": f"token {TOKEN}"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server on port {port} did not answer in {timeout:.0f} s")


def over_http(
    port: int, questions: list[str], warmup: int, path: str = "/kit/api/v1/route"
) -> list[float]:
    """Seconds per request (POST ``path`` with each question; GET ``path`` when it is not the
    route)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"token {TOKEN}", "Content-Type": "application/json"}
    method = "POST" if path.endswith("/route") else "GET"
    times = []
    for i, text in enumerate([*questions[:warmup], *questions]):
        body = json.dumps({"text": text}) if method == "POST" else None
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200:
            raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
        if i >= warmup:
            times.append(elapsed)
    return times


def direct(course_dir: Path, questions: list[str], warmup: int) -> list[float]:
    from kit.classify.router import load_router
    from kit.course import load_course

    router = load_router(load_course(course_dir))
    times = []
    for i, text in enumerate([*questions[:warmup], *questions]):
        start = time.perf_counter()
        router.route(text).to_dict()
        elapsed = time.perf_counter() - start
        if i >= warmup:
            times.append(elapsed)
    return times


def row(name: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"| {name} | {statistics.median(ms):.2f} | {p95:.2f} | {statistics.mean(ms):.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--model", choices=["tfidf", "encoder"], default="tfidf")
    args = parser.parse_args()
    os.environ.update(ONE_THREAD)
    import torch

    torch.set_num_threads(1)
    from kit.classify.data import read_questions
    from kit.classify.router import train_router
    from kit.course import load_course

    with tempfile.TemporaryDirectory(prefix="kit-bench-server-") as tmp:
        root = Path(tmp) / "root"
        course_dir = root / "python-ml"
        shutil.copytree(SAMPLE, course_dir, ignore=shutil.ignore_patterns("_kit"))
        course = load_course(course_dir)
        print(f"training the router ({args.model}) on a copy of the sample course ...")
        train_router(course, model=args.model, urgency=False)
        asked = list(read_questions(course).texts)
        questions = [asked[i % len(asked)] for i in range(args.requests)]
        port = free_port()
        server = start_server(root, port)
        try:
            wait_ready(port)
            http_times = over_http(port, questions, args.warmup)
            floor = over_http(port, questions, args.warmup, "/kit/api/v1/me")
        finally:
            server.terminate()
            server.wait(timeout=60)
        direct_times = direct(course_dir, questions, args.warmup)
    print(
        f"\n{args.requests} questions, {args.model} router, one thread, after {args.warmup} warm-up"
    )
    print("| route | p50 ms | p95 ms | mean ms |\n| --- | ---: | ---: | ---: |")
    print(row("`POST /kit/api/v1/route` over HTTP", http_times))
    print(row("`Router.route` in the process", direct_times))
    print(row("`GET /kit/api/v1/me` over HTTP (no routing: the floor)", floor))
    extra = statistics.median(http_times) - statistics.median(direct_times)
    print(f"\nHTTP, login, JSON and the executor hop add {extra * 1000:.2f} ms at the median.")


if __name__ == "__main__":
    main()
