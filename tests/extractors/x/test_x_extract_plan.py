"""The X nightly plan against the sandbox over real HTTP: what is read, how often, with which
state, and what it costs (reliability.md 11.3 connector checks plus X's billing rules)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from x_harness import (
    ACCOUNT,
    LOGICAL,
    NOW,
    cost_of,
    days,
    landed,
    make_job,
    query_of,
    run,
    truth_posts,
    window_end,
    x_calls,
    x_sandbox,  # noqa: F401 - the `sb` fixture
)

from extractors.networks.x import spec
from loader.load import load
from sandbox.networks.x import snowflake, x_world

END = window_end()
PRIVATE_FROM = NOW - timedelta(days=29)


def _ids(records: list[dict]) -> list[str]:
    return [r["payload"]["id"] for r in records]


def test_basic_read_lands_every_stream_with_unique_keys(sb, tmp_path: Path) -> None:
    summary, manifest = run(make_job(sb, tmp_path))
    posts, replies = landed(tmp_path, manifest, "posts"), landed(tmp_path, manifest, "replies")
    [user] = landed(tmp_path, manifest, "user")
    assert user["payload"]["id"] == ACCOUNT and user["payload"]["username"] == "BaeckereiSonne"
    assert user["payload"]["public_metrics"]["followers_count"] == x_world(42).followers_at(
        ACCOUNT, NOW
    )
    truth = truth_posts(NOW, END - days(420), END)
    assert sorted(_ids(posts)) == sorted(p.id for p in truth) and len(truth) > 30
    assert all(r["_meta"]["object_id"] == ACCOUNT for r in posts)
    assert replies and len(set(_ids(replies))) == len(replies)
    for record in replies:
        conversation = record["_meta"]["object_id"]
        assert record["payload"]["conversation_id"] == conversation
        assert record["_meta"]["endpoint"] == "/2/tweets/search/recent"
    assert summary["rows"] == {"user": 1, "posts": len(truth), "replies": len(replies)}


def test_first_run_makes_exactly_the_planned_calls_and_reads_each_post_once(
    sb, tmp_path: Path
) -> None:
    summary, manifest = run(make_job(sb, tmp_path, page_size=20))
    young = truth_posts(NOW, PRIVATE_FROM, END)
    old = truth_posts(NOW, END - days(420), PRIVATE_FROM)
    recent = truth_posts(NOW, NOW - days(7), END)
    timeline = x_calls(sb, "/tweets")
    searches = x_calls(sb, "/search/recent")
    assert len(x_calls(sb, f"/users/{ACCOUNT}")) == 1
    assert len(timeline) == max(1, math.ceil(len(young) / 20)) + math.ceil(len(old) / 20)
    assert len(searches) == len(recent) > 0
    assert summary["calls"] == manifest["calls"] == len(sb.requests())
    assert not [e for e in sb.requests() if e["path"].endswith("/2/tweets")]  # no re-reads
    # paging: every page after the first of a segment sends the previous page's token
    tokens = [query_of(e).get("pagination_token") for e in timeline]
    assert sum(t is not None for t in tokens) == len(timeline) - 2
    ids = _ids(landed(tmp_path, manifest, "posts"))
    assert len(ids) == len(set(ids)) == len(young) + len(old)
    assert cost_of(manifest)["reads"]["posts"] == len(ids)


def test_private_metrics_only_for_posts_younger_than_29_days(sb, tmp_path: Path) -> None:
    _, manifest = run(make_job(sb, tmp_path))
    for record in landed(tmp_path, manifest, "posts"):
        post = record["payload"]
        created = datetime.fromisoformat(post["created_at"].replace("Z", "+00:00"))
        private = {"non_public_metrics", "organic_metrics"} & post.keys()
        assert "public_metrics" in post
        assert bool(private) == (created >= PRIVATE_FROM), post["id"]
    young, old = x_calls(sb, "/tweets")[0], x_calls(sb, "/tweets")[-1]
    assert "organic_metrics" in query_of(young)["tweet.fields"]
    assert "organic_metrics" not in query_of(old)["tweet.fields"]


def test_public_access_never_asks_for_private_metrics(sb, tmp_path: Path) -> None:
    _, manifest = run(make_job(sb, tmp_path, metrics_access="public"))
    assert all(
        "non_public_metrics" not in query_of(e)["tweet.fields"] for e in x_calls(sb, "/tweets")
    )
    cost = cost_of(manifest)
    assert cost["owned_reads"] is False
    prices = spec.PRICES_USD
    expected = (
        prices["user_read"]
        + cost["reads"]["posts"] * prices["post_read"]
        + cost["reads"]["replies"] * prices["post_read"]
    )
    assert cost["usd"] == round(expected, 6)


def test_two_full_reads_agree(sb, tmp_path: Path) -> None:
    _, first = run(make_job(sb, tmp_path / "a"))
    _, second = run(make_job(sb, tmp_path / "b"))
    for stream in ("user", "posts", "replies"):
        a = _ids(landed(tmp_path / "a", first, stream))
        b = _ids(landed(tmp_path / "b", second, stream))
        assert set(b) >= set(a) and a, stream


def test_next_night_rereads_only_the_refresh_window(sb, tmp_path: Path) -> None:
    _, first = run(make_job(sb, tmp_path))
    sb.advance(days=1)
    sb.clear_requests()
    job = make_job(sb, tmp_path, state=first["state"], logical_date=LOGICAL + timedelta(days=1))
    _, second = run(job)
    end2 = window_end(job.logical_date)
    refresh_from = end2 - days(spec.DEFAULTS["post_refresh_days"])
    [listing] = x_calls(sb, "/tweets")
    assert query_of(listing)["start_time"] == refresh_from.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "since_id" not in query_of(listing)
    posts = landed(tmp_path, second, "posts")
    assert sorted(_ids(posts)) == sorted(p.id for p in truth_posts(sb.now, refresh_from, end2))
    new = truth_posts(sb.now, END, end2)
    assert {p.id for p in new} <= set(_ids(posts))
    # replies: only conversations of the last 7 days, after the newest reply already landed
    searches = x_calls(sb, "/search/recent")
    assert len(searches) == len(truth_posts(sb.now, sb.now - days(7), end2))
    since = int(first["state"]["replies_since_id"])
    assert all(query_of(e)["since_id"] == str(since) for e in searches)
    assert all(int(r["payload"]["id"]) > since for r in landed(tmp_path, second, "replies"))
    for key, value in first["state"].items():
        assert second["state"][key] >= value  # state only moves forward


def test_after_a_gap_the_listing_continues_after_the_newest_post_with_since_id(
    sb, tmp_path: Path
) -> None:
    _, first = run(make_job(sb, tmp_path, metrics_access="public"))
    sb.advance(days=20)
    sb.clear_requests()
    logical = LOGICAL + timedelta(days=20)
    job = make_job(
        sb, tmp_path, state=first["state"], logical_date=logical, metrics_access="public"
    )
    _, second = run(job)
    [listing] = x_calls(sb, "/tweets")
    query = query_of(listing)
    assert query["since_id"] == str(int(first["state"]["posts_since_id"]))
    assert "start_time" not in query
    hwm = datetime.fromisoformat(first["state"]["posts_high_water_mark"])
    expected = [
        p.id for p in truth_posts(sb.now, hwm + timedelta(milliseconds=1), window_end(logical))
    ]
    assert sorted(_ids(landed(tmp_path, second, "posts"))) == sorted(expected) and expected
    assert second["state"]["posts_since_id"] > first["state"]["posts_since_id"]


def test_far_future_state_lands_no_new_posts_and_keeps_the_state(sb, tmp_path: Path) -> None:
    future = datetime(2031, 1, 1, tzinfo=UTC)
    state = {
        "posts_high_water_mark": future.isoformat(),
        "posts_since_id": f"{int(snowflake(future, 0)):020d}",
        "replies_high_water_mark": future.isoformat(),
        "replies_since_id": f"{int(snowflake(future, 0)):020d}",
    }
    summary, manifest = run(make_job(sb, tmp_path, state=state))
    assert manifest["state"] == state
    posts = landed(tmp_path, manifest, "posts")
    assert all(r["payload"]["created_at"] < END.strftime("%Y-%m-%dT%H:%M:%S") for r in posts)
    assert landed(tmp_path, manifest, "replies") == []
    assert summary["rows"]["replies"] == 0


def test_cost_event_counts_calls_and_reads_and_reaches_raw_events(sb, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    summary, manifest = run(make_job(sb, landing))
    cost = cost_of(manifest)
    log = sb.requests()
    assert cost["calls"] == manifest["calls"] == summary["calls"] == len(log)
    served = {
        kind: sum(e["resources"] for e in log if e["path"].endswith(suffix))
        for kind, suffix in (("users", ACCOUNT), ("posts", "/tweets"), ("replies", "/recent"))
    }
    assert cost["reads"] == served
    prices = spec.PRICES_USD
    expected = (
        served["users"] * prices["user_read"]
        + served["posts"] * prices["owned_post_read"]
        + served["replies"] * prices["post_read"]
    )
    assert cost["usd"] == round(expected, 6) and cost["prices_as_of"] == spec.PRICES_AS_OF
    assert [e for e in summary["events"] if e["kind"] == "cost"]
    warehouse = tmp_path / "warehouse.duckdb"
    load(warehouse, landing)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(detail,)] = con.execute(
            "select detail from raw._events where network = 'x' and kind = 'cost'"
        ).fetchall()
    assert json.loads(detail)["usd"] == cost["usd"]


def test_configured_prices_override_the_defaults(sb, tmp_path: Path) -> None:
    _, manifest = run(make_job(sb, tmp_path, prices={"owned_post_read": 0.0, "user_read": 1.0}))
    cost = cost_of(manifest)
    assert cost["usd"] == round(1.0 + cost["reads"]["replies"] * spec.PRICES_USD["post_read"], 6)
