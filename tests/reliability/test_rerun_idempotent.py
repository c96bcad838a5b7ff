"""Reliability plan 11.2 #1 and #20: rerunning the same logical date, and a second writer, leave
the marts exactly as one clean run does (no loss, no duplicate keys, state not ahead)."""

import hashlib
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

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability_rerun")]

ROOT = Path(__file__).parents[2]
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
MARTS = ("dim_accounts", "fct_posts", "fct_account_daily")
KEYS = {
    "dim_accounts": "account_key",
    "fct_posts": "post_key",
    "fct_account_daily": "account_key, account_date",
}


def config_for(tmp: Path, url: str) -> Path:
    """Facebook and XING accounts of the demo (fast), in a private data dir."""
    text = f"""
data_dir: {tmp / "data"}
networks:
  facebook:
    base_url: {url}/facebook
    history_days: 60
businesses:
  - slug: baeckerei-sonnenschein
    name: Bäckerei Sonnenschein
    accounts:
      facebook:
        - account_id: "1000000001"
          token: env:MESSBAR_SANDBOX_TOKEN
      xing:
        - account_id: baeckerei-sonnenschein
          csv: {ROOT / "config" / "demo_inputs" / "xing" / "baeckerei-sonnenschein.csv"}
"""
    path = tmp / "messbar.yml"
    path.write_text(text, encoding="utf-8")
    return path


def mart_digest(db: Path) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the sorted rows of every mart, fetch timestamps left out."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in MARTS:
            cols = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' "
                    "and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if not r[0].endswith("fetched_at")
            ]
            rows = con.execute(f"select {', '.join(cols)} from marts.{table} order by all")
            rows = rows.fetchall()
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
            dupes = con.execute(
                f"select count(*) - count(distinct ({KEYS[table]})) from marts.{table}"
            ).fetchone()[0]
            assert dupes == 0, table
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with sandbox.serve(now=NOW) as sb:
        os.environ["MESSBAR_SANDBOX_TOKEN"] = "sandbox-demo-token"
        yield sb, tmp_path_factory


def test_rerun_of_the_same_date_gives_identical_marts(world):
    sb, factory = world
    cfg = load_config(config_for(factory.mktemp("rerun"), sb.url))
    pipeline.run_nightly(cfg, NOW, "scheduled__first")
    first = mart_digest(cfg.published_path)
    state_first = _state(cfg.warehouse_path)
    pipeline.run_nightly(cfg, NOW, "scheduled__retry")
    assert mart_digest(cfg.published_path) == first
    assert _state(cfg.warehouse_path) == state_first  # the rerun did not move the state
    assert first["fct_posts"][0] > 0


def test_second_writer_waits_and_converges(world):
    sb, factory = world
    tmp = factory.mktemp("writers")
    cfg = load_config(config_for(tmp, sb.url))
    for job in pipeline.plan(cfg, NOW, "scheduled__w"):
        pipeline.extract(job)
    script = textwrap.dedent(f"""
        from messbar import pipeline
        print(pipeline.load({str(cfg.path)!r}))
    """)
    env = {**os.environ, "MESSBAR_DATA_DIR": ""}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    con = duckdb.connect(str(cfg.warehouse_path), read_only=True)
    loaded = con.execute("select count(*), count(distinct path) from raw._loaded_files").fetchone()
    posts = con.execute("select count(*), count(distinct _file || _row) from raw.facebook__posts")
    posts = posts.fetchone()
    con.close()
    assert loaded[0] == loaded[1] > 0  # every file loaded exactly once
    assert posts[0] == posts[1] > 0


def _state(db: Path) -> dict:
    from loader.load import read_state

    return read_state(db)
