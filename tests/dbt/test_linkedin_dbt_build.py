"""dbt_project/ for LinkedIn: raw rows in, `dbt build`, exact intermediate and mart rows out."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from linkedin_payloads import (
    CONFIG_ACCOUNTS,
    ORG,
    SHARE,
    UGC,
    insert_linkedin_rows,
    linkedin_rows,
)
from raw_warehouse import create_raw_schema, insert_config_accounts, run_dbt

pytestmark = pytest.mark.slow

VARS = json.dumps({"enabled_networks": ["facebook", "linkedin"]})
SELECT = [
    "+fct_posts",
    "+fct_account_daily",
    "+dim_accounts",
    "+stg_linkedin__comments",
    "stg_facebook__comments",
]


def key(*parts: str) -> str:
    return hashlib.md5(":".join(parts).encode()).hexdigest()  # noqa: S324 - not security


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("dbt_linkedin")
    path = workdir / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        create_raw_schema(con)
        insert_linkedin_rows(con, linkedin_rows())
        insert_config_accounts(con, CONFIG_ACCOUNTS)
    result = run_dbt(["build", "--select", *SELECT, "--vars", VARS], path, workdir)
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-6000:]}"
    return path


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql).fetchall()


@pytest.mark.xdist_group("dbt_linkedin_build")
def test_posts_take_counters_from_lifetime_statistics(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select post_id, post_type, message, views, viewers, clicks, reactions, comments, "
        "shares, saves from intermediate.int_posts__unioned where platform = 'linkedin' "
        "order by post_id",
    )
    assert rows == [
        (SHARE, "text", "Frische Brezeln!", 400, 300, 8, 12, 2, 1, None),
        (UGC, "media", "Neues Video", 50, None, 0, 3, 0, 0, None),
    ]
    facts = query(
        warehouse,
        "select post_id, published_date, engagements, engagement_rate_by_views, permalink_url "
        "from marts.fct_posts where platform = 'linkedin' order by post_id",
    )
    assert facts == [
        (SHARE, date(2026, 11, 25), 15, 15 / 400, f"https://www.linkedin.com/feed/update/{SHARE}"),
        (UGC, date(2026, 11, 26), 3, 3 / 50, f"https://www.linkedin.com/feed/update/{UGC}"),
    ]


@pytest.mark.xdist_group("dbt_linkedin_build")
def test_account_daily_on_utc_days_with_nulls_for_missing_measures(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select metric_date, metric_day_basis, followers, views, viewers, engagements, clicks, "
        "page_views, new_followers from intermediate.int_account_daily__unioned "
        "where platform = 'linkedin' order by metric_date",
    )
    assert rows == [
        (date(2026, 11, 23), "utc_day", None, 200, 140, 10, 4, None, 2),
        (date(2026, 11, 24), "utc_day", None, 90, None, 3, 2, None, 2),
        (date(2026, 11, 26), "utc_day", 1180, None, None, None, None, None, None),
        (date(2026, 11, 27), "utc_day", 1190, None, None, None, None, None, None),
    ]
    facts = query(
        warehouse,
        "select account_date, followers, follower_change, views, posts_published, "
        "metric_day_basis from marts.fct_account_daily where platform = 'linkedin' "
        "order by account_date",
    )
    assert facts == [
        (date(2026, 11, 23), None, None, 200, 0, "utc_day"),
        (date(2026, 11, 24), None, None, 90, 0, "utc_day"),
        (date(2026, 11, 25), None, None, None, 1, "utc_day"),
        (date(2026, 11, 26), 1180, None, None, 1, "utc_day"),
        (date(2026, 11, 27), 1190, 10, None, 0, "utc_day"),
    ]


@pytest.mark.xdist_group("dbt_linkedin_build")
def test_dim_accounts_and_comment_privacy(warehouse: Path) -> None:
    assert query(
        warehouse,
        "select account_key, business, platform, account_id, account_name, timezone "
        "from marts.dim_accounts where platform = 'linkedin'",
    ) == [
        (
            key("linkedin", ORG),
            "baeckerei-sonnenschein",
            "linkedin",
            ORG,
            "Bäckerei Sonnenschein",
            "Europe/Berlin",
        )
    ]
    comments = query(
        warehouse,
        "select comment_id, parent_comment_id, is_from_owner, like_count, reply_count "
        "from staging.stg_linkedin__comments order by comment_id",
    )
    assert comments == [
        (f"urn:li:comment:({SHARE},1001)", None, False, 2, 1),
        (f"urn:li:comment:({SHARE},1002)", f"urn:li:comment:({SHARE},1001)", True, 2, 0),
    ]
    columns = {
        r[0]
        for r in query(
            warehouse,
            "select column_name from information_schema.columns "
            "where table_name = 'stg_linkedin__comments'",
        )
    }
    assert not columns & {"actor", "author", "commenter_name"}


@pytest.mark.xdist_group("dbt_linkedin_build")
def test_conformed_columns_are_typed_like_facebook(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'staging' and (table_name like 'stg_facebook__%' "
        "or table_name like 'stg_linkedin__%')",
    )
    types: dict[tuple[str, str], dict[str, str]] = {}
    for table, column, data_type in rows:
        network, entity = table.removeprefix("stg_").split("__")
        types.setdefault((network, entity), {})[column] = data_type
    for entity in ("pages", "page_insights", "posts", "post_insights", "comments"):
        facebook, linkedin = types[("facebook", entity)], types[("linkedin", entity)]
        shared = {c: t for c, t in facebook.items() if c in linkedin}
        assert shared == {c: linkedin[c] for c in shared}, entity
