"""Write-audit-publish: the published file is swapped atomically or left byte-identical."""

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from loader.publish import publish

ROOT = Path(__file__).parents[2]


def make_warehouse(path: Path, rows: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema raw")
    con.execute("create table marts.fct_x as select range as id from range(?)", [rows])
    con.execute("create table raw.secret_stuff as select 'commenter name' as name")
    con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_publish_copies_only_marts(tmp_path):
    wh, pub = tmp_path / "w.duckdb", tmp_path / "pub" / "messbar.duckdb"
    make_warehouse(wh, 5)
    out = publish(wh, pub, run_id="r1")
    assert out["tables"] == {"marts.fct_x": 5}
    con = duckdb.connect(str(pub), read_only=True)
    schemas = {r[0] for r in con.execute("select schema_name from duckdb_tables()").fetchall()}
    assert schemas == {"marts"}
    assert con.execute("select run_id from marts._publication").fetchone()[0] == "r1"
    con.close()
    assert not list(pub.parent.glob(".*tmp*"))  # no temp file or WAL left behind


def test_reader_keeps_its_snapshot_and_new_readers_see_new_file(tmp_path):
    wh, pub = tmp_path / "w.duckdb", tmp_path / "messbar.duckdb"
    make_warehouse(wh, 5)
    publish(wh, pub, run_id="r1")
    reader = duckdb.connect(str(pub), read_only=True)  # a BI tool holding the file open
    # control: writing the live file in place is impossible while a reader holds it
    script = f"import duckdb; duckdb.connect({str(pub)!r})"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode != 0 and "lock" in proc.stderr.lower()

    wh.unlink()
    make_warehouse(wh, 7)
    publish(wh, pub, run_id="r2")
    assert reader.execute("select count(*) from marts.fct_x").fetchone()[0] == 5
    reader.close()
    fresh = duckdb.connect(str(pub), read_only=True)
    assert fresh.execute("select count(*) from marts.fct_x").fetchone()[0] == 7
    fresh.close()
    assert (tmp_path / "messbar.previous.duckdb").exists()


def test_kill_during_publish_leaves_old_file_intact(tmp_path):
    wh, pub = tmp_path / "w.duckdb", tmp_path / "messbar.duckdb"
    make_warehouse(wh, 5)
    publish(wh, pub, run_id="r1")
    before = digest(pub)
    wh.unlink()
    make_warehouse(wh, 9)
    script = textwrap.dedent(f"""
        from pathlib import Path
        from loader.publish import publish
        publish(Path({str(wh)!r}), Path({str(pub)!r}), run_id="r2")
    """)
    env = {**os.environ, "MESSBAR_FAULT_POINT": "during_publish_rename"}
    proc = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT)
    assert proc.returncode == -9
    assert digest(pub) == before


def test_failing_publish_leaves_published_file_unchanged(tmp_path):
    wh, pub = tmp_path / "w.duckdb", tmp_path / "messbar.duckdb"
    make_warehouse(wh, 5)
    publish(wh, pub, run_id="r1")
    before = digest(pub)
    wh.write_bytes(b"not a duckdb file")
    with pytest.raises(Exception, match="unchanged"):
        publish(wh, pub, run_id="r2")
    assert digest(pub) == before
    assert not list(tmp_path.glob(".*tmp*"))
