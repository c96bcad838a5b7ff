"""Workloads shared by the benchmarks: seeded sandbox shards in a child process, and the
extraction jobs for them built by the real ``messbar.pipeline.plan`` from config/demo.yml.

A shard is one sandbox with its own seed: the three demo businesses with a Facebook Page, an
Instagram account, a LinkedIn page and an X account each (12 API accounts), and a different
history per seed. N accounts = ceil(N / 12) shards; the sandbox runs in its own process so its
CPU time (and its world caches) never count against the code being measured.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEMO_CONFIG = REPO / "config" / "demo.yml"
DEMO_TOKEN = "sandbox-demo-token"  # the sandbox's own demo token, not a secret
ACCOUNTS_PER_SHARD = 12
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # the sandbox clock of the first night


def api_pool_size() -> int:
    """Slots of the Airflow pool ``messbar_api`` that caps concurrent extract tasks."""
    from messbar.airflow_local import POOLS

    return int(POOLS["messbar_api"][0])


def _serve(conn, shards: int, now: str, latency: float, seed: int) -> None:
    """Child process: run the shards until told to stop; answer small commands."""
    from sandbox.server import Sandbox

    boxes = [
        Sandbox(now=now, seed=seed + k, latency=latency, enforce_budget=True).start()
        for k in range(shards)
    ]
    conn.send([box.url for box in boxes])
    while True:
        command, arg = conn.recv()
        if command == "advance":
            for box in boxes:
                box.advance(days=arg)
            conn.send(None)
        elif command == "latency":
            for box in boxes:
                box.latency = arg
            conn.send(None)
        elif command == "stats":
            calls: dict[str, int] = {}
            for box in boxes:
                for entry in box.requests():
                    calls[entry["network"]] = calls.get(entry["network"], 0) + 1
            violations = sum(box.rate_limit_violations for box in boxes)
            conn.send({"calls": calls, "violations": violations})
        elif command == "clear":
            for box in boxes:
                box.clear_requests()
            conn.send(None)
        else:
            for box in boxes:
                box.stop()
            conn.send(None)
            return


class Shards:
    """``with Shards(3, latency=0.05) as shards: shards.urls ...`` (a child process)."""

    def __init__(
        self, count: int, *, latency: float = 0.0, now: datetime = NOW, seed: int = 42
    ) -> None:
        self.count, self.latency, self.now, self.seed = count, latency, now, seed
        self.urls: list[str] = []

    def __enter__(self) -> Shards:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_serve,
            args=(child, self.count, self.now.isoformat(), self.latency, self.seed),
            daemon=True,
        )
        self._proc.start()
        self.urls = self._conn.recv()
        return self

    @property
    def pid(self) -> int:
        return self._proc.pid

    def call(self, command: str, arg: Any = None) -> Any:
        self._conn.send((command, arg))
        return self._conn.recv()

    def __exit__(self, *exc: object) -> None:
        try:
            self.call("stop")
        finally:
            self._proc.join(timeout=10)
            if self._proc.is_alive():
                self._proc.terminate()


@dataclass
class Workload:
    jobs: list[dict[str, Any]]
    landing_dir: Path


def plan_jobs(
    urls: list[str],
    accounts: int,
    data_dir: Path,
    logical: datetime,
    run_id: str,
    *,
    options: dict[str, dict[str, Any]] | None = None,
    states: dict[tuple[int, str, str], dict[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """The API extraction jobs of ``accounts`` accounts over the shards, planned by the real
    ``pipeline.plan`` from config/demo.yml. Each shard's businesses get a ``-s<k>`` suffix;
    ``states`` (shard, network, account id) -> state stands in for the warehouse state (the
    same account ids repeat across shards, so their state is kept per shard here)."""
    from messbar import pipeline
    from messbar.config import load_config

    os.environ.setdefault("MESSBAR_SANDBOX_TOKEN", DEMO_TOKEN)
    jobs: list[dict[str, Any]] = []
    for k, url in enumerate(urls):
        os.environ["MESSBAR_SANDBOX_URL"] = url
        os.environ["MESSBAR_DATA_DIR"] = str(data_dir)
        cfg = load_config(DEMO_CONFIG)
        for job in pipeline.plan(cfg, logical, run_id):
            if job["network"] == "xing":  # a CSV, no API calls
                continue
            job["business"] = f"{job['business']}-s{k}"
            job["options"] = {**job["options"], **(options or {}).get(job["network"], {})}
            job["state"] = (states or {}).get((k, job["network"], job["account_id"]), {})
            job["shard"] = k
            jobs.append(job)
    return jobs[:accounts]


def run_extract(job: dict[str, Any]) -> dict[str, Any]:
    """One account through ``messbar.pipeline.extract`` (the DAG's mapped task)."""
    from messbar import pipeline

    job = dict(job)
    shard = job.pop("shard")
    summary = pipeline.extract(job)
    return {**summary, "shard": shard}


def extract_all(jobs: list[dict[str, Any]], workers: int) -> list[dict[str, Any]]:
    """All jobs in a thread pool of ``workers``: the concurrency the Airflow pool allows."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run_extract, jobs))


def states_of(summaries: list[dict[str, Any]]) -> dict[tuple[int, str, str], dict[str, str]]:
    """The state each extraction's manifest carries (what the loader would commit)."""
    import json

    states = {}
    for s in summaries:
        manifest = json.loads(Path(s["manifest"]).read_text(encoding="utf-8"))
        states[(s["shard"], s["network"], s["account_id"])] = manifest["state"]
    return states
