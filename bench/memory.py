"""Memory: peak resident memory of extraction + loading when the history grows tenfold.

    .venv/bin/python bench/memory.py [--accounts 24] [--days 36]

Each measurement is a fresh subprocess (this script with ``--child``) that extracts every
account's first run with ``history_days`` = H or 10 x H (thread pool as wide as the Airflow
pool, ``messbar.pipeline.extract``), then loads the landing files with ``loader.load`` into a
fresh warehouse. The sandbox runs in yet another process, so its world caches do not count.
Peak RSS is sampled with psutil every 10 ms and checked against the kernel's high-water mark
(``ru_maxrss``). Target: peak(10 x H) <= 1.25 x peak(H).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _report
from _workload import ACCOUNTS_PER_SHARD, NOW, Shards, api_pool_size

TARGET = 1.25


def history_options(days: int) -> dict[str, dict[str, int]]:
    """The first run's history per network (LinkedIn serves at most the last 12 months)."""
    return {
        "facebook": {"history_days": days},
        "instagram": {"media_history_days": days, "history_days": min(days, 90)},
        "linkedin": {"history_days": min(days, 360)},
        "x": {"history_days": days},
    }


def child(urls: list[str], accounts: int, days: int) -> None:
    """Extract and load once; print the rows loaded (peak memory is read by the parent)."""
    from _workload import extract_all, plan_jobs

    from loader.load import load

    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
        data = Path(tmp)
        jobs = plan_jobs(urls, accounts, data, NOW, "bench_mem", options=history_options(days))
        extract_all(jobs, api_pool_size())
        summary = load(data / "warehouse" / "messbar.duckdb", data / "landing")
    rows = sum(summary.rows.values())
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": rows, "ru_maxrss_mb": peak_kb / 1024}))


def measure(urls: list[str], accounts: int, days: int) -> tuple[float, int]:
    """(peak RSS in MB, rows loaded) of one child run."""
    import psutil

    cmd = [sys.executable, __file__, "--child", "--accounts", str(accounts), "--days", str(days)]
    proc = psutil.Popen([*cmd, "--urls", ",".join(urls)], stdout=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, proc.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.01)
    out = proc.stdout.read()
    if proc.returncode != 0:
        raise SystemExit(f"memory child failed ({proc.returncode}); output: {out[-2000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    return max(peak / 2**20, result["ru_maxrss_mb"]), result["rows"]


def main(argv: list[str] | None = None) -> int:
    small = _report.scale() == "small"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=12 if small else 24)
    parser.add_argument("--days", type=int, default=7 if small else 36, help="history H")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--urls", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.urls.split(","), args.accounts, args.days)
        return 0

    shards = -(-args.accounts // ACCOUNTS_PER_SHARD)
    with Shards(shards) as sandbox:
        small_peak, small_rows = measure(sandbox.urls, args.accounts, args.days)
        large_peak, large_rows = measure(sandbox.urls, args.accounts, args.days * 10)
    _report.ratio(
        "memory_10x_history",
        (f"peak RSS at {args.days * 10} days", large_peak),
        (f"at {args.days} days", small_peak),
        unit="MB",
        target=TARGET,
        note=f"{args.accounts} accounts, {large_rows:,} vs {small_rows:,} rows extracted+loaded",
    )
    return _report.exit_code()


if __name__ == "__main__":
    sys.exit(main())
