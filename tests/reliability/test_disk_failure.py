"""Reliability plan 11.2 #23: a write failure on disk during the load.

``chmod`` does not stop root, so the fault is the kernel's file size limit: the nightly steps
after extraction run in a child process with ``RLIMIT_FSIZE`` at 64 KiB and SIGXFSZ ignored,
so DuckDB's first write past that offset fails with EFBIG ("File too large"), as on a full
disk. The load must fail with that I/O error named, roll back, leave state and the published
file untouched and not publish; once space is back, the same load converges.
"""

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

import sandbox
from messbar import pipeline
from messbar.config import load_config

sys.path.insert(0, str(Path(__file__).parent))
from invariants import assert_invariants, sha256_of

pytestmark = [pytest.mark.xdist_group("reliability_disk")]

ROOT = Path(__file__).parents[2]
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
CANARY = "EAAGdiskCANARYtoken0123456789abcdefCANARY"
LIMIT = 64 * 1024
REST_OF_THE_RUN = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write then fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
from messbar import pipeline
done = []
try:
    for step in ("load", "transform", "validate", "publish"):
        args = ("disk__second",) if step == "publish" else ()
        getattr(pipeline, step)({config!r}, *args)
        done.append(step)
except Exception as exc:
    print(f"{{done}} {{type(exc).__name__}}: {{exc}}")
    sys.exit(3)
"""


def snapshot(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "files": con.execute(
                "select path, rows, sha256 from raw._loaded_files order by 1"
            ).fetchall(),
            "state": con.execute(
                "select * exclude (updated_at) from raw._state order by all"
            ).fetchall(),
            "comments": con.execute("select count(*) from raw.facebook__comments").fetchone(),
        }
    finally:
        con.close()


def test_write_failure_during_load_rolls_back_and_publishes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("MESSBAR_DISK_TOKEN", CANARY)
    with sandbox.serve(now=NOW, tokens=[CANARY]) as sb:
        path = tmp_path / "messbar.yml"
        path.write_text(
            f"""
data_dir: {tmp_path / "data"}
networks:
  facebook:
    base_url: {sb.url}/facebook
    history_days: 30
businesses:
  - slug: baeckerei-sonnenschein
    accounts:
      facebook:
        - account_id: "1000000001"
          token: env:MESSBAR_DISK_TOKEN
""",
            encoding="utf-8",
        )
        cfg = load_config(path)
        for job in pipeline.plan(cfg, NOW, "disk__first"):
            pipeline.extract(job)
        pipeline.load(cfg)
        pipeline.publish(cfg, "disk__first")
        for job in pipeline.plan(cfg, NOW.replace(day=28), "disk__second"):
            pipeline.extract(job)
    before = snapshot(cfg.warehouse_path)
    published_before = sha256_of(cfg.published_path)
    assert os.path.getsize(cfg.warehouse_path) > LIMIT  # the file cannot grow under the limit

    script = REST_OF_THE_RUN.format(limit=LIMIT, config=str(cfg.path))
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        env={**os.environ, "MESSBAR_DATA_DIR": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 3, out[-3000:]
    assert out.startswith("[] LoadError"), out[-3000:]  # failed in load, no step after it ran
    assert "File too large" in out and "rolled back" in out and "disk space" in out
    assert CANARY not in out

    assert snapshot(cfg.warehouse_path) == before  # nothing loaded, state unchanged
    assert_invariants(
        cfg.warehouse_path,
        published=cfg.published_path,
        published_before=published_before,
        must_be_unchanged=True,
        secret=CANARY,
        secret_roots=[cfg.data_dir],
    )
    assert sorted(p.name for p in cfg.published_path.parent.glob("*.duckdb")) == ["messbar.duckdb"]

    # space is back: the same load converges, the second batch counted once
    loaded = pipeline.load(cfg)
    after = snapshot(cfg.warehouse_path)
    assert loaded["files"] > 0
    assert len(after["files"]) == len(before["files"]) + loaded["files"]
    assert_invariants(cfg.warehouse_path, secret=CANARY, secret_roots=[cfg.data_dir])
