"""Extraction wall time: N accounts over every API network (Facebook, Instagram, LinkedIn, X)
with a fixed latency injected into every sandbox call, extracted in a thread pool as wide as
the Airflow pool ``messbar_api`` (the DAG's mapped ``extract`` tasks, same function).

    .venv/bin/python bench/extraction_wall.py [--accounts 200] [--latency-ms 50]

Ideal = total calls x latency / concurrency: what the calls cost if the client added nothing
and the pool never idled. Target: wall <= 1.5x ideal for the first run (full history) and the
next night's run, and zero rate-limit violations counted by the sandbox (budgets enforced).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _report
from _workload import (
    ACCOUNTS_PER_SHARD,
    NOW,
    Shards,
    api_pool_size,
    extract_all,
    plan_jobs,
    states_of,
)

TARGET = 1.5


def main(argv: list[str] | None = None) -> int:
    small = _report.scale() == "small"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=12 if small else 200)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=0, help="default: the pool size")
    args = parser.parse_args(argv)
    workers = args.concurrency or api_pool_size()
    latency = args.latency_ms / 1000
    shards = -(-args.accounts // ACCOUNTS_PER_SHARD)

    with (
        tempfile.TemporaryDirectory(prefix="bench-wall-") as tmp,
        Shards(shards, latency=latency) as sandbox,
    ):
        data = Path(tmp)
        states = None
        for night, label in enumerate(("first_run", "nightly_run")):
            logical = NOW if night == 0 else sandbox_next_day(sandbox, night)
            jobs = plan_jobs(
                sandbox.urls, args.accounts, data, logical, f"bench{night}", states=states
            )
            sandbox.call("clear")
            cpu_before = _cpu_seconds(sandbox)
            started = time.perf_counter()
            summaries = extract_all(jobs, workers)
            wall = time.perf_counter() - started
            after = _cpu_seconds(sandbox)
            cpu = [after[0] - cpu_before[0], after[1] - cpu_before[1]]
            stats = sandbox.call("stats")
            calls = sum(stats["calls"].values())
            ideal = calls * latency / workers
            _report.ratio(
                f"extraction_wall_{label}",
                ("wall", wall),
                ("ideal", ideal),
                unit="s",
                target=TARGET,
                note=(
                    f"{len(jobs)} accounts, {calls} calls x {args.latency_ms:g} ms "
                    f"/ {workers} workers"
                ),
            )
            _report.info(
                f"extraction_cpu_{label}",
                f"CPU per call: client {cpu[0] * 1000 / calls:.1f} ms, sandbox "
                f"{cpu[1] * 1000 / calls:.1f} ms; load average {os.getloadavg()[0]:.1f} on "
                f"{os.cpu_count()} cores (the wall time includes waiting for a core)",
            )
            per_network = ", ".join(f"{n} {c}" for n, c in sorted(stats["calls"].items()))
            _report.info(f"extraction_calls_{label}", f"calls per network: {per_network}")
            _report.zero(
                f"rate_limit_violations_{label}",
                "sandbox-counted rate-limit violations (budgets enforced)",
                stats["violations"],
            )
            states = states_of(summaries)
    return _report.exit_code()


def _cpu_seconds(sandbox: Shards) -> tuple[float, float]:
    """(user + system CPU seconds of this process, of the sandbox process) so far."""
    import psutil

    ours = psutil.Process().cpu_times()
    theirs = psutil.Process(sandbox.pid).cpu_times()
    return ours.user + ours.system, theirs.user + theirs.system


def sandbox_next_day(sandbox: Shards, night: int):
    """Move every shard's clock one day on; the next night's logical date follows."""
    from datetime import timedelta

    sandbox.call("advance", 1)
    return NOW + timedelta(days=night)


if __name__ == "__main__":
    sys.exit(main())
