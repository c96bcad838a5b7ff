"""End-to-end tests of dbt_project/ for Facebook: raw rows in, `dbt build`, exact mart rows out."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from facebook_payloads import (
    A1,
    A2,
    A3,
    B1,
    B2,
    BUSINESS_A,
    BUSINESS_B,
    CONFIG_ACCOUNTS,
    PAGE_A,
    PAGE_B,
    facebook_rows,
    post_payload,
)
from raw_warehouse import DBT_PROJECT, RawRow, build_warehouse, run_dbt

pytestmark = pytest.mark.slow

W2 = datetime(2026, 1, 16, 2, 0, 4, tzinfo=UTC)
W3 = datetime(2026, 1, 18, 2, 0, 5, tzinfo=UTC)
S1 = datetime(2026, 7, 3, 2, 0, 3, tzinfo=UTC)


def key(*parts: str) -> str:
    return hashlib.md5(":".join(parts).encode()).hexdigest()  # noqa: S324 - not security


KEY_A, KEY_B = key("facebook", PAGE_A), key("facebook", PAGE_B)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The handcrafted raw rows after a successful `dbt build`."""
    workdir = tmp_path_factory.mktemp("dbt_facebook")
    path = build_warehouse(workdir / "warehouse.duckdb", facebook_rows(), CONFIG_ACCOUNTS)
    result = run_dbt(["build"], path, workdir)
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-6000:]}"
    return path


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql).fetchall()


@pytest.mark.xdist_group("dbt_facebook_build")
def test_models_land_in_the_custom_schemas_as_named(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select table_schema, table_name from information_schema.tables "
        "where table_schema not in ('raw') order by 1, 2",
    )
    expected_schema = {
        "stg": "staging",
        "int": "intermediate",
        "fct": "marts",
        "dim": "marts",
        "kpi": "marts",
        "outcome": "marts",
        "reputation": "marts",
        "metric": "reference",
    }
    assert rows, "dbt built nothing"
    for schema, name in rows:
        assert schema == expected_schema[name.split("_")[0]], (schema, name)
    names = {name for _, name in rows}
    assert {
        "dim_accounts",
        "fct_posts",
        "fct_account_daily",
        "stg_facebook__posts",
        "int_posts__unioned",
        "metric_registry__facebook",
    } <= names


@pytest.mark.xdist_group("dbt_facebook_build")
def test_mart_columns_and_types_follow_the_contract(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position",
    )
    columns = {}
    for table, column, data_type in rows:
        columns.setdefault(table, []).append((column, data_type))
    tz, v = "TIMESTAMP WITH TIME ZONE", "VARCHAR"
    assert columns["dim_accounts"] == [
        ("account_key", v),
        ("business", v),
        ("business_name", v),
        ("platform", v),
        ("account_id", v),
        ("account_name", v),
        ("timezone", v),
        ("provenance", v),
    ]
    assert columns["fct_posts"] == [
        ("post_key", v),
        ("account_key", v),
        ("business", v),
        ("platform", v),
        ("post_id", v),
        ("published_at", tz),
        ("published_date", "DATE"),
        ("post_type", v),
        ("message", v),
        ("permalink_url", v),
        ("views", "BIGINT"),
        ("viewers", "BIGINT"),
        ("reactions", "BIGINT"),
        ("comments", "BIGINT"),
        ("shares", "BIGINT"),
        ("clicks", "BIGINT"),
        ("saves", "BIGINT"),
        ("engagements", "BIGINT"),
        ("engagement_rate_by_views", "DOUBLE"),
        ("metrics_fetched_at", tz),
        ("provenance", v),
    ]
    assert columns["fct_account_daily"] == [
        ("account_key", v),
        ("business", v),
        ("platform", v),
        ("account_date", "DATE"),
        ("followers", "BIGINT"),
        ("follower_change", "BIGINT"),
        ("views", "BIGINT"),
        ("viewers", "BIGINT"),
        ("platform_engagements", "BIGINT"),
        ("clicks", "BIGINT"),
        ("posts_published", "BIGINT"),
        ("metric_day_basis", v),
        ("provenance", v),
    ]


@pytest.mark.xdist_group("dbt_facebook_build")
def test_dim_accounts_has_config_names_latest_page_name_and_default_timezone(
    warehouse: Path,
) -> None:
    assert query(warehouse, "select * from marts.dim_accounts order by account_id") == [
        (
            KEY_A,
            BUSINESS_A,
            "Bäckerei Sonnenschein",
            "facebook",
            PAGE_A,
            "Bäckerei Sonnenschein GmbH",
            "Europe/Berlin",
            "api",
        ),
        (
            KEY_B,
            BUSINESS_B,
            "Radhaus Müller",
            "facebook",
            PAGE_B,
            "Radhaus Müller",
            "Europe/Berlin",
            "api",
        ),
    ]


@pytest.mark.xdist_group("dbt_facebook_build")
def test_fct_posts_keeps_newest_fetch_and_buckets_by_berlin_day(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select post_key, account_key, post_id, published_at, published_date, views, viewers, "
        "reactions, comments, shares, clicks, engagements, engagement_rate_by_views, "
        "metrics_fetched_at from marts.fct_posts order by post_id",
    )
    assert rows == [
        # 23:30 UTC on 14 Jan is 00:30 on 15 Jan in Berlin; the second fetch's metrics win.
        (key("facebook", A1), KEY_A, A1, datetime(2026, 1, 14, 23, 30, tzinfo=UTC),
         date(2026, 1, 15), 400, 300, 20, 4, 3, 12, 27, 27 / 400, W2),
        # No `shares` field -> 0 shares; 0 views -> rate NULL.
        (key("facebook", A2), KEY_A, A2, datetime(2026, 1, 15, 10, 0, tzinfo=UTC),
         date(2026, 1, 15), 0, None, 5, 0, 0, None, 5, None, W2),
        # No insights at all -> views NULL -> rate NULL.
        (key("facebook", A3), KEY_A, A3, datetime(2026, 1, 17, 12, 0, tzinfo=UTC),
         date(2026, 1, 17), None, None, 1, 1, 1, None, 3, None, W3),
        # Summer: 21:59 UTC is 23:59 CEST the same day, 22:30 UTC is 00:30 CEST the next day.
        (key("facebook", B1), KEY_B, B1, datetime(2026, 7, 1, 21, 59, tzinfo=UTC),
         date(2026, 7, 1), 50, None, 8, 1, 1, None, 10, 0.2, S1),
        (key("facebook", B2), KEY_B, B2, datetime(2026, 7, 1, 22, 30, tzinfo=UTC),
         date(2026, 7, 2), None, None, 3, 0, 0, None, 3, None, S1),
    ]  # fmt: skip


@pytest.mark.xdist_group("dbt_facebook_build")
def test_fct_account_daily_is_dense_with_follower_change_and_local_post_days(
    warehouse: Path,
) -> None:
    rows = query(
        warehouse,
        "select account_key, business, platform, account_date, followers, follower_change, "
        "views, viewers, platform_engagements, clicks, posts_published, metric_day_basis "
        "from marts.fct_account_daily order by business, account_date",
    )
    a = (KEY_A, BUSINESS_A, "facebook")
    b = (KEY_B, BUSINESS_B, "facebook")
    basis = "platform_day"
    assert rows == [
        # Winter values end at 08:00 UTC (Pacific midnight) and belong to the day before.
        (*a, date(2026, 1, 13), 5100, None, 1834, None, None, None, 0, basis),
        # 14 Jan was restated (5108 -> 5110) by the newer fetch.
        (*a, date(2026, 1, 14), 5110, 10, 2210, None, None, None, 0, basis),
        (*a, date(2026, 1, 15), 5125, 15, 1990, 870, 64, 7, 2, basis),
        # Dense calendar: no platform values, no posts.
        (*a, date(2026, 1, 16), None, None, None, None, None, None, 0, basis),
        (*a, date(2026, 1, 17), None, None, None, None, None, None, 1, basis),
        # Summer values end at 07:00 UTC (Pacific daylight midnight).
        (*b, date(2026, 7, 1), 800, None, 300, None, None, None, 1, basis),
        (*b, date(2026, 7, 2), 795, -5, 420, None, None, None, 1, basis),
    ]


@pytest.mark.xdist_group("dbt_facebook_build")
def test_page_snapshots_keep_latest_fetch_per_berlin_day(warehouse: Path) -> None:
    assert query(
        warehouse,
        "select account_id, snapshot_date, followers from intermediate.int_accounts__unioned "
        "order by account_id, snapshot_date",
    ) == [
        (PAGE_A, date(2026, 1, 15), 5124),
        (PAGE_A, date(2026, 1, 16), 5131),
        (PAGE_A, date(2026, 1, 18), 5140),
        (PAGE_B, date(2026, 7, 3), 810),
    ]
    # The replayed load of the 16 January fetch is one staged snapshot, not two.
    assert query(warehouse, "select count(*) from staging.stg_facebook__pages") == [(5,)]


@pytest.mark.xdist_group("dbt_facebook_build")
def test_staged_comments_flag_the_page_reply_and_drop_commenter_names(warehouse: Path) -> None:
    columns = [
        name
        for (name,) in query(
            warehouse,
            "select column_name from information_schema.columns "
            "where table_name = 'stg_facebook__comments' order by ordinal_position",
        )
    ]
    assert columns == [
        "platform",
        "business",
        "account_id",
        "post_id",
        "comment_id",
        "parent_comment_id",
        "commented_at",
        "message",
        "like_count",
        "reply_count",
        "is_from_owner",
        "commenter_key",
        "fetched_at",
        # bookkeeping of the incremental staging table (dbt_project/README.md)
        "_fetched_at",
        "_file",
        "_row",
        "_loaded_at",
    ]
    assert query(
        warehouse,
        "select comment_id, parent_comment_id, reply_count, is_from_owner "
        "from staging.stg_facebook__comments order by comment_id",
    ) == [("2001_9001", None, 1, False), ("2001_9002", "2001_9001", 0, True)]
    staged = str(query(warehouse, "select * from staging.stg_facebook__comments"))
    assert "Erika Mustermann" not in staged  # names never leave raw
    # nor do user ids: staging stores the keyed hash of the id (insights/dbt_plugin.py)
    assert "5550001" not in staged
    secret = os.environ["MESSBAR_PSEUDONYM_KEY"].encode()
    keys = query(
        warehouse,
        "select comment_id, commenter_key from staging.stg_facebook__comments order by 1",
    )
    assert keys == [
        ("2001_9001", hmac.new(secret, b"facebook:5550001", hashlib.sha256).hexdigest()),
        ("2001_9002", hmac.new(secret, f"facebook:{PAGE_A}".encode(), hashlib.sha256).hexdigest()),
    ]


@pytest.mark.xdist_group("dbt_facebook_null_id")
def test_dbt_build_fails_when_a_staged_post_has_no_id(tmp_path: Path) -> None:
    nameless = post_payload("ignored", "2026-01-15T09:00:00+0000", 1, 0, 0)
    del nameless["id"]
    rows = [
        *facebook_rows(),
        RawRow("posts", BUSINESS_A, PAGE_A, PAGE_A, "2026-01-16T02:00:04+00:00", nameless),
    ]
    path = build_warehouse(tmp_path / "warehouse.duckdb", rows, CONFIG_ACCOUNTS)
    result = run_dbt(["build"], path, tmp_path)
    assert result.returncode != 0, "dbt build passed although a post has no id"
    # one test checks the model's rows: keys, filled columns, accepted values (row_checks)
    assert "row_checks_stg_facebook__posts_" in result.stdout
    with duckdb.connect(str(path), read_only=True) as con:
        null_ids = con.execute(
            "select count(*) from staging.stg_facebook__posts where post_id is null"
        ).fetchone()
    assert null_ids == (1,)  # the row the test failed on
    # The failing test stops everything downstream of the staged posts.
    with duckdb.connect(str(path), read_only=True) as con:
        marts = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    assert ("fct_posts",) not in marts


@pytest.mark.xdist_group("dbt_facebook_null_id")
def test_source_freshness_warns_after_36_hours_and_errors_after_72(tmp_path: Path) -> None:
    now = datetime.now(UTC)

    def fetched(hours_ago: int) -> str:
        return (now - timedelta(hours=hours_ago)).isoformat()

    page = {"id": PAGE_A, "name": "Bäckerei Sonnenschein", "followers_count": 1}
    rows = [
        RawRow(
            "posts", BUSINESS_A, PAGE_A, PAGE_A, fetched(1), post_payload(A1, "2026-01-01", 1, 1, 1)
        ),
        RawRow("page", BUSINESS_A, PAGE_A, PAGE_A, fetched(40), page),
        RawRow("comments", BUSINESS_A, PAGE_A, A1, fetched(80), {"id": "1_2"}),
    ]
    path = build_warehouse(tmp_path / "warehouse.duckdb", rows, CONFIG_ACCOUNTS)
    run_dbt(["source", "freshness"], path, tmp_path)
    results = json.loads((tmp_path / "target" / "sources.json").read_text())["results"]
    status = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results}
    assert status["facebook__posts"] == "pass"
    assert status["facebook__page"] == "warn"
    assert status["facebook__comments"] == "error"
    # Empty tables have no max(_fetched_at) to judge and count as stale.
    assert status["facebook__post_insights"] == "error"


@pytest.mark.xdist_group("dbt_facebook_build")
def test_row_checks_fail_naming_each_problem_its_column_and_value(
    warehouse: Path, tmp_path: Path
) -> None:
    """One row_checks test per model checks its keys, filled columns and accepted values in one
    query and reports each problem: the check, the column(s), the offending value and the
    number of rows."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, path)
    with duckdb.connect(str(path)) as con:
        rows = con.execute("select post_key from marts.fct_posts order by post_key").fetchall()
        assert len(rows) >= 5
        con.execute("update marts.fct_posts set provenance = 'scraped' where post_key = ?", rows[0])
        con.execute("update marts.fct_posts set platform = 'myspace' where post_key = ?", rows[1])
        con.execute("update marts.fct_posts set platform = 'myspace' where post_key = ?", rows[2])
        con.execute("update marts.fct_posts set platform = null where post_key = ?", rows[3])
        con.execute(
            "update marts.fct_posts set post_key = ? where post_key = ?", [rows[0][0], rows[4][0]]
        )

    selected = ["--select", "fct_posts,test_name:row_checks"]
    result = run_dbt(["test", *selected], path, tmp_path)

    assert result.returncode != 0, "dbt test passed although fct_posts has broken rows"
    assert "row_checks_fct_posts_" in result.stdout
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    (test,) = [r for r in results if r["unique_id"].startswith("test.")]  # not on-run-end
    assert test["status"] == "fail" and test["failures"] == 4
    # the test's rows: which check, which column, which value, how many rows
    found = query(path, test["compiled_code"])
    assert sorted(found) == [
        ("accepted_values", "platform", "myspace", 2),
        ("accepted_values", "provenance", "scraped", 1),
        ("not_null", "platform", None, 1),
        ("unique", "post_key", f"{{'post_key': {rows[0][0]}}}", 2),
    ]


@pytest.mark.xdist_group("dbt_facebook_build")
def test_row_checks_without_a_check_or_with_a_bare_key_is_a_compile_error(
    warehouse: Path, tmp_path: Path
) -> None:
    """A row_checks test must name at least one check, and a unique key is a list of columns:
    both mistakes stop dbt with a message that says what to write."""
    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, path)
    broken = project / "tests" / "broken_row_checks.sql"  # dbt renders it while parsing
    for call, says in (
        ("test_row_checks(ref('fct_posts'))", "list at least one of unique, not_null"),
        ("test_row_checks(ref('fct_posts'), unique=['post_key'])", "write [[post_key]] for"),
    ):
        broken.write_text("{{ " + call + " }}\n")
        result = run_dbt(["test", "--select", "broken_row_checks"], path, tmp_path, project)
        assert result.returncode != 0
        assert says in result.stdout, result.stdout[-2000:]


@pytest.mark.xdist_group("dbt_facebook_build")
def test_views_are_rebuilt_only_when_their_sql_changes(warehouse: Path, tmp_path: Path) -> None:
    """macros/view_materialization.sql: every view carries the md5 of the SQL it was built
    from; a run leaves a view whose fingerprint matches as it is, and rebuilds it when the
    fingerprint differs, on a full refresh, when the model's SQL changed or when a table took
    its place. (A hand-made view with the right fingerprint shows what a run left alone.)"""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, path)
    name = "intermediate.int_posts__unioned"

    def catalog() -> tuple[str, str]:
        rows = query(
            path,
            "select comment, sql from duckdb_views() "
            "where schema_name || '.' || view_name = '" + name + "'",
        )
        assert len(rows) == 1, rows
        return rows[0]

    def tamper(comment: str) -> None:
        with duckdb.connect(str(path)) as con:
            con.execute(f"create or replace view {name} as select 'hand-made' as post_id")
            con.execute(f"comment on view {name} is '{comment}'")

    def run(*args: str, project: Path = DBT_PROJECT) -> None:
        result = run_dbt(["run", "--select", name.split(".")[1], *args], path, tmp_path, project)
        assert result.returncode == 0, result.stdout[-3000:]

    built = catalog()
    assert built[0].startswith("messbar:sql_md5=")
    fingerprints = query(
        path,
        "select count(*), count(*) filter (where comment like 'messbar:sql_md5=%') "
        "from duckdb_views() where schema_name in ('staging', 'intermediate')",
    )
    assert fingerprints[0][0] > 3 and fingerprints[0][0] == fingerprints[0][1]

    tamper(built[0])
    run()
    assert "hand-made" in catalog()[1]  # the fingerprint matched: left alone

    run("--full-refresh")
    assert catalog() == built

    tamper("messbar:sql_md5=0")
    run()
    assert catalog() == built  # fingerprint differs: rebuilt

    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    model = project / "models" / "intermediate" / "int_posts__unioned.sql"
    model.write_text(
        "select * from (\n" + model.read_text() + "\n) where post_id <> 'messbar-test-changed'"
    )
    run(project=project)
    changed = catalog()
    assert changed[0] != built[0] and changed[0].startswith("messbar:sql_md5=")
    assert "messbar-test-changed" in changed[1]

    with duckdb.connect(str(path)) as con:  # a table where the view should be
        con.execute(f"drop view {name}")
        con.execute(f"create table {name} as select 1 as x")
    run()
    assert catalog() == built
    assert query(path, f"select count(*) from {name}") == query(
        warehouse, f"select count(*) from {name}"
    )
