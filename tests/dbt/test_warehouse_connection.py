"""How dbt's connection writes into the warehouse (dbt_project/profiles.yml): the file is
attached under its own name with the loader's row groups (16,384 rows), so a build's tables
fill row groups written straight into the file, and scratch tables of a build (or left by
builds of earlier versions) do not stay in it."""

import duckdb
import pytest
from raw_warehouse import build_warehouse, run_dbt

from loader.load import WRITER_ROW_GROUP_SIZE  # profiles.yml must write the same size

pytestmark = pytest.mark.xdist_group("dbt_connection")

PAGE = "1000000001"
ACCOUNTS = [("b", "Betrieb", "Europe/Berlin", "facebook", PAGE, "Betrieb")]
POSTS = 2 * WRITER_ROW_GROUP_SIZE + 7_232  # 3 row groups; fewer than one of DuckDB's default


def test_dbt_writes_row_groups_of_the_connection_size_into_the_named_file(tmp_path):
    path = build_warehouse(tmp_path / "wh.duckdb", [], ACCOUNTS)
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            insert into raw.facebook__posts
            select 'facebook/posts/f.ndjson.gz', i, 'r', timestamptz '2026-11-26 02:00:00+00',
                date '2026-11-26', timestamptz '2026-11-26 02:00:00+00', 'b', ?, ?,
                '/v25.0/posts',
                json_object('id', ? || '_' || i, 'created_time', '2026-11-25T10:00:00+0000',
                            'message', 'Post ' || i)
            from range(?) t(i)
            """,
            [PAGE, PAGE, PAGE, POSTS],
        )
        # what a nightly build of an earlier version left behind: cleared by the next build
        con.execute("create table main.int_comments__classified__dbt_tmp20261126020012 (i int)")
    result = run_dbt(
        ["build", "--select", "stg_facebook__posts", "stg_messbar__accounts"], path, tmp_path
    )
    assert result.returncode == 0, result.stdout[-3000:]

    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from staging.stg_facebook__posts").fetchone() == (
            POSTS,
        )
        sizes = [
            n
            for (n,) in con.execute(
                "select max(count) from pragma_storage_info('staging.stg_facebook__posts') "
                "group by row_group_id"
            ).fetchall()
        ]
        leftovers = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name not in ('raw', 'staging', 'intermediate', 'marts', 'reference')"
        ).fetchall()
    assert len(sizes) == 3 and max(sizes) == WRITER_ROW_GROUP_SIZE
    assert leftovers == []
    # the views read the file's own tables: a copy under another name (the published file,
    # a backup) reads them too
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(path.read_bytes())
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("select count(*) from staging.stg_messbar__accounts").fetchone() == (1,)
