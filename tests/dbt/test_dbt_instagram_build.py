"""dbt_project/ for Instagram: handcrafted raw rows in, `dbt build` with Instagram enabled,
exact staging, intermediate and mart rows out (empty insights stay NULL, never 0)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from instagram_payloads import (
    BUSINESS,
    COMMENTER,
    CONFIG_ACCOUNTS,
    M_FEED,
    M_NEW,
    M_REEL,
    USER,
    insert_instagram_rows,
    instagram_rows,
)
from raw_warehouse import create_raw_schema, run_dbt

pytestmark = pytest.mark.slow

F2 = datetime(2026, 11, 27, 2, 0, 4, tzinfo=UTC)
ENTITIES = ("pages", "page_insights", "posts", "post_insights", "comments")


def key(*parts: str) -> str:
    return hashlib.md5(":".join(parts).encode()).hexdigest()  # noqa: S324 - not security


ACCOUNT_KEY = key("instagram", USER)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("dbt_instagram")
    path = workdir / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        create_raw_schema(con)
        insert_instagram_rows(con, instagram_rows())
        con.executemany(
            "INSERT INTO raw.config__accounts VALUES (?, ?, ?, ?, ?, ?)", CONFIG_ACCOUNTS
        )
    result = run_dbt(
        ["build", "--vars", json.dumps({"enabled_networks": ["facebook", "instagram"]})],
        path,
        workdir,
    )
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-6000:]}"
    return path


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql).fetchall()


@pytest.mark.xdist_group("dbt_instagram_build")
def test_staging_models_match_facebook_types_on_the_conformed_columns(warehouse: Path) -> None:
    def columns(model: str) -> dict[str, str]:
        rows = query(
            warehouse,
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = 'staging' and table_name = '{model}'",
        )
        return dict(rows)

    for entity in ENTITIES:
        facebook, instagram = (
            columns(f"stg_facebook__{entity}"),
            columns(f"stg_instagram__{entity}"),
        )
        assert facebook, entity
        for column, data_type in facebook.items():
            if column in ("username", "fans", "end_time_at"):
                continue  # Facebook's own extras
            assert instagram.get(column) == data_type, (entity, column)


@pytest.mark.xdist_group("dbt_instagram_build")
def test_int_posts_keep_empty_insights_null_never_zero(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select post_id, post_type, views, viewers, clicks, reactions, comments, shares, saves, "
        "metrics_fetched_at from intermediate.int_posts__unioned "
        "where platform = 'instagram' order by post_id",
    )
    assert rows == [
        # newest fetch wins; the media's like_count/comments_count beat the insights
        (M_FEED, "feed_image", 1489, 908, None, 123, 12, 2, 6, F2),
        # empty `values`: no data, so NULL; counters come from the media object
        (M_REEL, "reels_video", None, None, None, 40, 0, None, None, F2),
        # empty data set: no insights rows at all
        (M_NEW, "feed_carousel_album", None, None, None, 3, 1, None, None, F2),
    ]


@pytest.mark.xdist_group("dbt_instagram_build")
def test_fct_posts_local_day_and_engagements(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select post_key, account_key, business, post_id, published_at, published_date, views, "
        "engagements, engagement_rate_by_views from marts.fct_posts "
        "where platform = 'instagram' order by post_id",
    )
    assert rows == [
        # 23:30 UTC on 24 Nov is 00:30 on 25 Nov in Berlin
        (key("instagram", M_FEED), ACCOUNT_KEY, BUSINESS, M_FEED,
         datetime(2026, 11, 24, 23, 30, tzinfo=UTC), date(2026, 11, 25), 1489, 137, 137 / 1489),
        (key("instagram", M_REEL), ACCOUNT_KEY, BUSINESS, M_REEL,
         datetime(2026, 11, 25, 10, 0, tzinfo=UTC), date(2026, 11, 25), None, None, None),
        (key("instagram", M_NEW), ACCOUNT_KEY, BUSINESS, M_NEW,
         datetime(2026, 11, 26, 19, 45, tzinfo=UTC), date(2026, 11, 26), None, None, None),
    ]  # fmt: skip


@pytest.mark.xdist_group("dbt_instagram_build")
def test_int_account_daily_pivots_series_totals_and_snapshots(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select metric_date, metric_day_basis, followers, views, viewers, engagements, clicks, "
        "page_views, new_followers from intermediate.int_account_daily__unioned "
        "where platform = 'instagram' order by metric_date",
    )
    assert rows == [
        (date(2026, 11, 22), "platform_day", None, None, 500, None, None, None, None),
        # the second fetch restated reach for Nov 23; accounts_engaged feeds no measure
        (date(2026, 11, 23), "platform_day", None, 636, 430, 39, 13, None, 7),
        (date(2026, 11, 24), "platform_day", None, 700, 610, None, None, None, None),
        # snapshots sit on the Pacific day they were taken (02:00 UTC = 18:00 PST the day before)
        (date(2026, 11, 25), "platform_day", 5520, None, None, None, None, None, None),
        (date(2026, 11, 26), "platform_day", 5529, None, None, None, None, None, None),
    ]


@pytest.mark.xdist_group("dbt_instagram_build")
def test_fct_account_daily_and_dim_accounts(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select account_key, account_date, followers, follower_change, views, viewers, "
        "platform_engagements, clicks, posts_published, metric_day_basis "
        "from marts.fct_account_daily where platform = 'instagram' order by account_date",
    )
    assert rows == [
        (ACCOUNT_KEY, date(2026, 11, 22), None, None, None, 500, None, None, 0, "platform_day"),
        (ACCOUNT_KEY, date(2026, 11, 23), None, None, 636, 430, 39, 13, 0, "platform_day"),
        (ACCOUNT_KEY, date(2026, 11, 24), None, None, 700, 610, None, None, 0, "platform_day"),
        (ACCOUNT_KEY, date(2026, 11, 25), 5520, None, None, None, None, None, 2, "platform_day"),
        (ACCOUNT_KEY, date(2026, 11, 26), 5529, 9, None, None, None, None, 1, "platform_day"),
    ]
    assert query(warehouse, "select * from marts.dim_accounts where platform = 'instagram'") == [
        (ACCOUNT_KEY, BUSINESS, "Bäckerei Sonnenschein", "instagram", USER,
         "Bäckerei Sonnenschein", "Europe/Berlin", "api"),
    ]  # fmt: skip


@pytest.mark.xdist_group("dbt_instagram_build")
def test_comments_unnest_replies_without_commenter_names(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select comment_id, parent_comment_id, reply_count, is_from_owner, like_count "
        "from staging.stg_instagram__comments order by comment_id",
    )
    assert rows == [
        ("1791202611004001", None, 1, False, 2),
        ("1791202611004002", "1791202611004001", 0, True, 1),
    ]
    everything = query(warehouse, "select * from staging.stg_instagram__comments")
    text = json.dumps(everything, default=str)
    assert COMMENTER not in text  # the username never leaves raw
