"""Load: ``loader.load`` of landing files vs DuckDB's own ``read_json`` of the same files into
a table, side by side in the same run.

    .venv/bin/python bench/load.py [--records 1000000] [--repeat 3]

The landing files are written by the real ``extractors.core.landing.LandingWriter`` (gzip
NDJSON plus manifests): 200 accounts x 4 networks' streams, payloads shaped like comments,
posts and daily insights. Each repetition loads into a fresh warehouse with ``loader.load``
(bookkeeping, state, row checks, one transaction) and, into another fresh file, runs
``CREATE TABLE ... AS SELECT * FROM read_json(<same files>, columns = <same columns>)``.
Target: median loader time <= 1.4x median read_json time.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _report
from _workload import REPO

TARGET = 1.4
ACCOUNTS = 200
STREAMS = {
    "facebook": ("comments", "posts", "page_insights"),
    "instagram": ("comments", "media", "account_insights"),
    "linkedin": ("comments", "posts", "share_statistics"),
    "x": ("replies", "posts"),
}
WORDS = ("Brot", "Kuchen", "frisch", "heute", "Angebot", "danke", "lecker", "wann", "Termin")


def payload(rng: random.Random, stream: str, n: int) -> dict:
    """A payload of about the size and nesting the real API objects have."""
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 18)))
    if "insights" in stream or "statistics" in stream:
        return {
            "name": "page_media_view",
            "period": "day",
            "values": [{"value": rng.randint(0, 5000), "end_time": "2026-11-26T08:00:00+0000"}],
            "id": f"{n}/insights/page_media_view/day",
        }
    return {
        "id": f"{n}_{rng.randrange(10**12)}",
        "created_time": "2026-11-26T09:15:00+0000",
        "message": text,
        "from": {"id": str(rng.randrange(10**15)), "name": "Anna Beispiel"},
        "like_count": rng.randint(0, 40),
        "comments": {"data": [], "summary": {"total_count": rng.randint(0, 9)}},
    }


def write_landing(landing: Path, records: int) -> int:
    """Landing files and manifests for ``records`` records via the real landing writer."""
    sys.path.insert(0, str(REPO))
    from extractors.core.landing import LandingWriter

    rng = random.Random(42)
    pairs = [(n, s) for n in STREAMS for s in STREAMS[n]]
    per_file = max(1, -(-records // (ACCOUNTS * len(pairs))))  # at least ``records`` in all
    written = 0
    for account in range(ACCOUNTS):
        for network in STREAMS:
            writer = LandingWriter(
                landing,
                network=network,
                business=f"business-{account // 4}",
                account_id=f"{account:06d}",
                run_id="bench__load",
                logical_date=date(2026, 11, 27),
            )
            for stream in STREAMS[network]:
                batch = [payload(rng, stream, written + i) for i in range(per_file)]
                written += writer.write(stream, f"{account:06d}", f"/v25.0/{account}/x", batch)
            state = {"posts_high_water_mark": "2026-11-26T09:15:00+00:00"}
            writer.finish(state=state, events=[], calls=7)
    return written


def time_loader(landing: Path, warehouse: Path) -> float:
    from loader.load import load

    started = time.perf_counter()
    summary = load(warehouse, landing)
    elapsed = time.perf_counter() - started
    assert summary.files > 0
    return elapsed


def time_read_json(landing: Path, target: Path) -> float:
    """DuckDB alone: the same files, the same column types, into one table."""
    import duckdb

    from loader.load import META_TYPE

    files = sorted(str(p) for p in landing.rglob("*.ndjson.gz"))
    started = time.perf_counter()
    con = duckdb.connect(str(target))
    try:
        # META_TYPE is the loader's constant; the file list is a parameter
        # META_TYPE is the loader's constant; the file list is a bound parameter
        sql = f"""CREATE TABLE landed AS SELECT * FROM read_json(?, format = 'newline_delimited',
            filename = true, columns = {{_meta: '{META_TYPE}', payload: 'JSON'}})"""  # noqa: S608
        con.execute(sql, [files])
        rows = con.execute("SELECT count(*) FROM landed").fetchone()[0]
    finally:
        con.close()
    elapsed = time.perf_counter() - started
    assert rows > 0
    return elapsed


def main(argv: list[str] | None = None) -> int:
    small = _report.scale() == "small"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000 if small else 1_000_000)
    parser.add_argument("--repeat", type=int, default=1 if small else 3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        root = Path(tmp)
        landing = root / "landing"
        started = time.perf_counter()
        records = write_landing(landing, args.records)
        files = sum(1 for _ in landing.rglob("*.ndjson.gz"))
        size = sum(p.stat().st_size for p in landing.rglob("*.ndjson.gz")) / 1e6
        _report.info(
            "load_workload",
            f"{records:,} records in {files} gzip NDJSON files ({size:.0f} MB), written in "
            f"{time.perf_counter() - started:.1f} s by LandingWriter",
        )
        ours, theirs, sizes = [], [], []
        for i in range(args.repeat):
            # alternate the order so neither side always gets the warmer page cache
            steps = [("ours", ours), ("theirs", theirs)]
            for which, times in steps if i % 2 == 0 else steps[::-1]:
                target = root / f"{which}{i}.duckdb"
                if which == "ours":
                    times.append(time_loader(landing, target))
                    sizes.append(target.stat().st_size / 1e6)
                else:
                    times.append(time_read_json(landing, target))
                target.unlink()
                shutil.rmtree(root / f"{which}{i}.duckdb.wal", ignore_errors=True)
        _report.ratio(
            "load_vs_read_json",
            ("messbar", _report.median(ours)),
            ("read_json", _report.median(theirs)),
            unit="s",
            target=TARGET,
            note=f"{records:,} records, median of {args.repeat}",
        )
        _report.info("load_rate", f"{records / _report.median(ours):,.0f} records/s into raw.*")
        warehouse_mb = _report.median(sizes)
        _report.info(
            "load_warehouse_size",
            f"{warehouse_mb:,.0f} MB warehouse file for {records:,} raw records "
            f"({warehouse_mb * 1e6 / records:,.0f} bytes per record; landing {size:.0f} MB)",
        )
    return _report.exit_code()


if __name__ == "__main__":
    sys.exit(main())
