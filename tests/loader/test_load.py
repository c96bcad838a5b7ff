"""The raw loader: idempotent, all-or-nothing, state only with its data."""

import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pytest

from extractors.core.landing import LandingWriter
from loader.load import LoadError, load, read_state


def land(landing: Path, *, account="1", day=date(2026, 11, 27), posts=3, state=None, run="r1"):
    w = LandingWriter(
        landing, network="facebook", business="b", account_id=account, run_id=run, logical_date=day
    )
    w.write("page", account, f"/v25.0/{account}", [{"id": account, "followers_count": 10}])
    w.write(
        "posts",
        account,
        f"/v25.0/{account}/posts",
        [{"id": f"{account}_{i}", "message": f"Post {i}"} for i in range(posts)],
    )
    return w.finish(state=state or {}, events=[{"kind": "retired_metric", "detail": "x"}], calls=2)


def counts(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
            for t in ("facebook__page", "facebook__posts", "_loaded_files", "_events")
        }
    finally:
        con.close()


def test_every_registry_stream_gets_a_raw_table(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing)
    load(db, landing)
    con = duckdb.connect(str(db), read_only=True)
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw'"
        ).fetchall()
    }
    con.close()
    assert {"facebook__page_insights", "facebook__post_insights", "facebook__comments"} <= tables


def test_loading_twice_adds_nothing(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, posts=3)
    first = load(db, landing)
    assert first.rows == {"facebook__page": 1, "facebook__posts": 3}
    after_first = counts(db)
    second = load(db, landing)
    assert second.files == 0 and second.rows == {}
    assert (
        counts(db)
        == after_first
        == {"facebook__page": 1, "facebook__posts": 3, "_loaded_files": 2, "_events": 1}
    )


def test_raw_rows_keep_payload_and_metadata(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, posts=2)
    load(db, landing)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "select _file, _row, business, account_id, object_id, endpoint, payload->>'message', "
        "_logical_date from raw.facebook__posts order by _row"
    ).fetchall()
    assert rows[0][0].startswith("facebook/posts/account=1/logical_date=2026-11-27/")
    assert [r[1] for r in rows] == [2, 3]  # seq continues after the page record
    assert rows[0][2:] == ("b", "1", "1", "/v25.0/1/posts", "Post 0", date(2026, 11, 27))


def test_new_files_are_picked_up_and_state_only_moves_forward(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, state={"posts_high_water_mark": "2026-11-26T10:00:00+00:00"}, run="r1")
    load(db, landing)
    # a backfill of an older date lands an older mark: it must not rewind the state
    land(
        landing,
        day=date(2026, 11, 20),
        run="r0",
        state={"posts_high_water_mark": "2026-11-19T10:00:00+00:00"},
    )
    load(db, landing)
    assert read_state(db)[("facebook", "1")]["posts_high_water_mark"].startswith("2026-11-26")
    assert counts(db)["facebook__posts"] == 6


def test_file_without_manifest_is_never_loaded(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    w = LandingWriter(
        landing,
        network="facebook",
        business="b",
        account_id="9",
        run_id="r",
        logical_date=date(2026, 11, 27),
    )
    w.write("posts", "9", "/p", [{"id": "9_1"}])
    w.abort()  # an extraction that died before its manifest
    assert load(db, landing).files == 0
    assert not list(landing.rglob("*.partial"))


def test_tampered_landing_file_fails_and_rolls_back(tmp_path):
    import gzip

    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, posts=3)
    posts_file = next(landing.glob("facebook/posts/**/*.ndjson.gz"))
    lines = gzip.decompress(posts_file.read_bytes()).splitlines(keepends=True)
    posts_file.write_bytes(gzip.compress(b"".join(lines[:1])))
    with pytest.raises(LoadError, match="manifests list 3"):
        load(db, landing)
    assert counts(db) == {
        "facebook__page": 0,
        "facebook__posts": 0,
        "_loaded_files": 0,
        "_events": 0,
    }
    assert read_state(db) == {}


def test_sigkill_between_insert_and_commit_leaves_nothing_then_rerun_converges(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, posts=4, state={"posts_high_water_mark": "2026-11-26T10:00:00+00:00"})
    script = textwrap.dedent(f"""
        from pathlib import Path
        from loader.load import load
        load(Path({str(db)!r}), Path({str(landing)!r}))
    """)
    env = {**os.environ, "MESSBAR_FAULT_POINT": "after_insert_before_commit"}
    proc = subprocess.run([sys.executable, "-c", script], env=env, cwd=Path(__file__).parents[2])
    assert proc.returncode == -9
    assert read_state(db) == {}  # WAL replay: the uncommitted batch is absent, state too
    assert counts(db)["facebook__posts"] == 0
    load(db, landing)
    assert counts(db)["facebook__posts"] == 4
    assert read_state(db)[("facebook", "1")]["posts_high_water_mark"].startswith("2026-11-26")


def test_large_load_fills_row_groups_of_the_writer_size_and_survives_a_kill(tmp_path):
    """Rows beyond a row group are written into the file while the transaction runs (the writer
    connection's ``ROW_GROUP_SIZE``), not held for the WAL: a kill before COMMIT must still
    leave nothing behind, and the rerun must load every row exactly once."""
    from loader.load import WRITER_ROW_GROUP_SIZE, connect_writer

    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    posts = 2 * WRITER_ROW_GROUP_SIZE + 5
    land(landing, posts=posts, state={"posts_high_water_mark": "2026-11-26T10:00:00+00:00"})
    script = textwrap.dedent(f"""
        from pathlib import Path
        from loader.load import load
        load(Path({str(db)!r}), Path({str(landing)!r}))
    """)
    env = {**os.environ, "MESSBAR_FAULT_POINT": "after_insert_before_commit"}
    proc = subprocess.run([sys.executable, "-c", script], env=env, cwd=Path(__file__).parents[2])
    assert proc.returncode == -9
    assert counts(db)["facebook__posts"] == 0 and read_state(db) == {}
    assert load(db, landing).rows == {"facebook__page": 1, "facebook__posts": posts}
    assert load(db, landing).rows == {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert (
            con.execute("select count(distinct _row) from raw.facebook__posts").fetchone()[0]
            == posts
        )
        sizes = con.execute(
            "select row_group_id, max(count) from pragma_storage_info('raw.facebook__posts') "
            "group by all"
        ).fetchall()
    finally:
        con.close()
    assert len(sizes) == 3 and max(n for _, n in sizes) == WRITER_ROW_GROUP_SIZE
    # the writer opens the file under the name DuckDB gives it and spills beside it
    con = connect_writer(db)
    try:
        assert con.execute("select current_database()").fetchone()[0] == "w"
        assert con.execute("select current_setting('temp_directory')").fetchone()[0] == (
            f"{db}.tmp"
        )
    finally:
        con.close()


def test_locked_warehouse_gives_clear_error(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ok', flush=True); "
            "time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        from loader import load as load_module

        with pytest.raises(LoadError, match="Another messbar run"):
            con = load_module.connect_writer(db, wait_seconds=0.5)
            con.close()
    finally:
        holder.kill()
        holder.wait()


def test_sigkill_during_a_checkpoint_keeps_every_committed_batch(tmp_path):
    """Plan 11.2 #3, second half: a kill while DuckDB checkpoints the WAL into the file."""
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, posts=5, state={"posts_high_water_mark": "2026-11-26T10:00:00+00:00"})
    # the load commits into the WAL (no automatic checkpoint); a big committed table makes the
    # explicit CHECKPOINT long enough to be killed in the middle of it
    script = textwrap.dedent(f"""
        import duckdb
        from pathlib import Path
        from loader.load import load
        con = duckdb.connect({str(db)!r})
        con.execute("set checkpoint_threshold = '10GB'")
        con.close()
        load(Path({str(db)!r}), Path({str(landing)!r}))
        con = duckdb.connect({str(db)!r})
        con.execute("set checkpoint_threshold = '10GB'")
        con.execute("set enable_progress_bar = false")  # it prints to stdout when slow
        con.execute("create table filler as select range as i, md5(range::varchar) as h "
                    "from range(3000000)")
        print("checkpointing", flush=True)
        con.execute("checkpoint")
        print("done", flush=True)
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    line = proc.stdout.readline().strip()
    assert line == "checkpointing", (line, proc.stderr.read() if not line else "")
    proc.kill()
    proc.wait()
    assert proc.returncode == -9
    # the file opens, WAL replay restores everything that was committed, nothing twice
    assert counts(db)["facebook__posts"] == 5
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select count(*) from filler").fetchone()[0] == 3_000_000
    finally:
        con.close()
    load(db, landing)  # a rerun converges: nothing new, state where it was
    assert counts(db)["facebook__posts"] == 5
    assert read_state(db)[("facebook", "1")]["posts_high_water_mark"].startswith("2026-11-26")


def test_manifest_counts_the_payload_fields_the_drift_check_would_parse(tmp_path):
    """The landing writer counts (field, JSON type) per file as it writes; the loader learns the
    same schema from those counts as from parsing the rows (loader/drift.py)."""
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    manifest = json.loads(land(landing, posts=2).read_text())
    posts = next(f for f in manifest["files"] if f["stream"] == "posts")
    assert posts["fields"] == [["$.id", "string", 2], ["$.message", "string", 2]]
    assert posts["without_id"] == 0
    load(db, landing)
    con = duckdb.connect(str(db), read_only=True)
    try:
        learned = con.execute(
            "select field, json_type from raw._schema where table_name = 'facebook__posts' "
            "order by all"
        ).fetchall()
        parsed = con.execute(
            "select distinct unnest(json_keys(payload)) from raw.facebook__posts order by 1"
        ).fetchall()
    finally:
        con.close()
    assert learned == [("$.id", "string"), ("$.message", "string")]
    assert [f"$.{k}" for (k,) in parsed] == [f for f, _ in learned]
