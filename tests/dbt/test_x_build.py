"""dbt for X on realistic raw rows: the X extractor runs against the sandbox, the loader lands
the files in raw, `dbt build` runs with X enabled, and the staging, intermediate and mart rows
are checked against the sandbox's ground truth."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from raw_warehouse import run_dbt

import sandbox
from extractors.core.job import ExtractJob
from extractors.core.runner import run_job
from extractors.networks.x import extract as x_extract
from loader.load import load
from sandbox.networks.x import x_world

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dbt_x_build")]

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
TOKEN = "x-dbt-test-token"
ACCOUNTS = {
    "baeckerei-sonnenschein": ("Bäckerei Sonnenschein", "1500000000000000001"),
    "friseur-schnittpunkt": ("Friseursalon Schnittpunkt", "1500000000000000003"),
}
BERLIN = ZoneInfo("Europe/Berlin")
VARS = '{"enabled_networks": ["facebook", "x"]}'


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("dbt_x")
    landing = workdir / "landing"
    with (
        sandbox.serve(now=NOW, tokens=[TOKEN]) as sb,
        pytest.MonkeyPatch.context() as mp,
    ):
        mp.setattr(x_extract, "utcnow", lambda: sb.now)
        mp.setenv("MESSBAR_X_DBT_TOKEN", TOKEN)
        for business, (_, account) in ACCOUNTS.items():
            run_job(
                ExtractJob(
                    network="x",
                    business=business,
                    account_id=account,
                    token_ref="env:MESSBAR_X_DBT_TOKEN",
                    base_url=sb.network_url("x"),
                    timezone="Europe/Berlin",
                    logical_date=date(2026, 11, 27),
                    run_id="scheduled__2026-11-26",
                    landing_dir=str(landing),
                    options={"history_days": 60, "metrics_access": "owned"},
                ),
                sleep=lambda _: None,
            )
    path = workdir / "warehouse.duckdb"
    load(path, landing)
    with duckdb.connect(str(path)) as con:
        con.executemany(
            "insert into raw.config__accounts values (?, ?, 'Europe/Berlin', 'x', ?, null)",
            [(b, name, account) for b, (name, account) in ACCOUNTS.items()],
        )
    result = run_dbt(["build", "--vars", VARS], path, workdir)
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-6000:]}"
    return path


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()


def test_staging_columns_are_typed_like_facebook(warehouse: Path) -> None:
    sql = """
        select table_name, column_name, data_type from information_schema.columns
        where table_schema = 'staging' and table_name like ?
    """
    for entity in ("pages", "page_insights", "posts", "post_insights", "comments"):
        fb = {c: t for _, c, t in query(warehouse, sql, [f"stg_facebook__{entity}"])}
        x = {c: t for _, c, t in query(warehouse, sql, [f"stg_x__{entity}"])}
        shared = {c: fb[c] for c in fb if c in x}
        assert shared and {c: x[c] for c in shared} == shared, entity
    comments = {c for _, c, _ in query(warehouse, sql, ["stg_x__comments"])}
    assert not {"author_id", "in_reply_to_user_id", "username"} & comments


def test_fct_posts_carries_x_metrics_from_the_registry(warehouse: Path) -> None:
    world = x_world(42)
    account = ACCOUNTS["baeckerei-sonnenschein"][1]
    end = datetime(2026, 11, 27, tzinfo=BERLIN)
    posts = [p for p in world.posts_at(account, NOW) if end - timedelta(days=60) <= p.created_at]
    rows = {
        r[0]: r[1:]
        for r in query(
            warehouse,
            "select post_id, views, reactions, comments, shares, clicks, engagements, "
            "published_date, post_type, permalink_url from marts.fct_posts "
            "where platform = 'x' and business = 'baeckerei-sonnenschein'",
        )
    }
    assert set(rows) == {p.id for p in posts}
    for post in posts:
        public = world.public_metrics(post, NOW)
        views, reactions, comments, shares, clicks, engagements, day, kind, url = rows[post.id]
        assert (views, reactions, comments) == (
            public["impression_count"],
            public["like_count"],
            public["reply_count"],
        )
        assert shares == public["retweet_count"] + public["quote_count"]
        assert engagements == reactions + comments + shares
        assert day == post.created_at.astimezone(BERLIN).date()
        assert kind == post.kind and url.endswith(f"/status/{post.id}")
        if NOW - post.created_at < timedelta(days=29):
            organic = world.organic_metrics(post, NOW)
            expected = organic["user_profile_clicks"] + organic.get("url_link_clicks", 0)
            assert clicks == expected, post.id
        else:
            assert clicks is None, post.id  # no private metrics: NULL, never 0


def test_int_posts_maps_bookmarks_to_saves(warehouse: Path) -> None:
    world = x_world(42)
    [(post_id, saves)] = query(
        warehouse,
        "select post_id, saves from intermediate.int_posts__unioned where platform = 'x' "
        "order by published_at desc limit 1",
    )
    assert saves == world.public_metrics(world.post(post_id), NOW)["bookmark_count"]


def test_fct_account_daily_has_followers_on_the_utc_day_of_the_fetch(warehouse: Path) -> None:
    world = x_world(42)
    rows = query(
        warehouse,
        "select business, account_date, followers, views, platform_engagements, metric_day_basis, "
        "posts_published from marts.fct_account_daily where platform = 'x' "
        "and account_date = date '2026-11-27' order by business",
    )
    assert [r[0] for r in rows] == sorted(ACCOUNTS)
    for business, _day, followers, views, engagements, basis, _ in rows:
        account = ACCOUNTS[business][1]
        assert followers == world.followers_at(account, NOW)
        assert (views, engagements, basis) == (None, None, "utc_day")
    posted = query(
        warehouse,
        "select account_date, posts_published from marts.fct_account_daily "
        "where platform = 'x' and business = 'friseur-schnittpunkt' and posts_published > 0",
    )
    truth: dict[date, int] = {}
    end = datetime(2026, 11, 27, tzinfo=BERLIN)
    for p in x_world(42).posts_at(ACCOUNTS["friseur-schnittpunkt"][1], NOW):
        if end - timedelta(days=60) <= p.created_at < end:
            day = p.created_at.astimezone(BERLIN).date()
            truth[day] = truth.get(day, 0) + 1
    assert dict(posted) == truth


def test_dim_accounts_names_the_x_accounts(warehouse: Path) -> None:
    assert query(
        warehouse,
        "select business, business_name, account_id, account_name, timezone "
        "from marts.dim_accounts where platform = 'x' order by business",
    ) == [
        (b, name, account, name, "Europe/Berlin") for b, (name, account) in sorted(ACCOUNTS.items())
    ]


def test_comments_keep_no_handles_and_flag_the_owner(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select comment_id, post_id, parent_comment_id, message, is_from_owner "
        "from staging.stg_x__comments",
    )
    world = x_world(42)
    assert rows
    for comment_id, post_id, parent, message, is_owner in rows:
        reply = world.post(comment_id)
        assert reply is not None and reply.conversation_id == post_id
        assert not message.startswith("@")
        assert is_owner == (world.user(reply.author_id) is not None)
        assert (parent is None) == (reply.references[0].id == post_id)
    assert os.environ.get("MESSBAR_X_DBT_TOKEN") is None
