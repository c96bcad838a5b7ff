"""``make bench``: run every benchmark of the scaling issue at its default size, one after the
other (they share two cores), print their BENCH lines, and exit non-zero if any target FAILs
or a script crashes.

    .venv/bin/python bench/run_all.py [--only load,api_calls] [--log bench-results.txt]

``BENCH_SCALE=small`` runs everything at its smallest size (the smoke test's size). A script
named in SCRIPTS that does not exist yet is reported and skipped.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _report import LINE  # noqa: E402

# Order: cheap and independent first. incremental_run.py is the incremental/quality-gate bench.
SCRIPTS = ("api_calls", "load", "memory", "extraction_wall", "incremental_run")


def run(name: str) -> tuple[int, list[str], float]:
    """Run ``bench/<name>.py``; return (exit code, its BENCH lines, seconds)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(HERE / f"{name}.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines = []
    for line in proc.stdout:
        line = line.rstrip("\n")
        if LINE.match(line):
            lines.append(line)
            print(line, flush=True)
        elif line.strip():
            print(f"  [{name}] {line}", file=sys.stderr, flush=True)
    return proc.wait(), lines, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated script names")
    parser.add_argument("--log", default="", help="also write the BENCH lines to this file")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(SCRIPTS)
    failed, all_lines = [], []
    started = time.perf_counter()
    for name in names:
        if not (HERE / f"{name}.py").exists():
            print(f"bench/{name}.py not found: skipped", file=sys.stderr)
            continue
        code, lines, seconds = run(name)
        all_lines += lines
        print(f"  [{name}] exit {code} after {seconds:.0f} s", file=sys.stderr, flush=True)
        if code != 0 or not lines or any(line.endswith(" FAIL") for line in lines):
            failed.append(name)
    total = time.perf_counter() - started
    print(f"bench: {len(names)} scripts in {total / 60:.1f} min", file=sys.stderr)
    if args.log:
        Path(args.log).write_text("\n".join(all_lines) + "\n", encoding="utf-8")
    if failed:
        print(f"bench: targets missed or scripts failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
