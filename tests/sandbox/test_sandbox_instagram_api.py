"""The sandbox's Instagram Graph API (``/instagram``): documented shapes, metric rules, windows,
errors and usage headers, asserted against payloads written from the documentation."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import requests

import sandbox
from sandbox.networks.instagram import ACCOUNTS, ig_user_id, ig_world
from sandbox.networks.instagram.world import INSIGHTS_LAG, IgMedia
from sandbox.world import meta_day_end

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
USER = "17841400000000001"
AUTH = {"Authorization": f"Bearer {sandbox.DEMO_TOKEN}"}
GRAPH_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$")


@pytest.fixture
def ig_sb():
    with sandbox.serve(now=NOW, seed=42) as server:
        yield server


@pytest.fixture
def get(ig_sb):
    session = requests.Session()

    def call(
        path: str, params: dict | None = None, headers: dict | None = AUTH
    ) -> requests.Response:
        url = f"{ig_sb.network_url('instagram')}/v25.0/{path}"
        return session.get(url, params=params or {}, headers=headers or {}, timeout=10)

    yield call
    session.close()


def _error(response: requests.Response, code: int) -> dict:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code", "fbtrace_id"}
    assert error["code"] == code and error["type"] == "OAuthException"
    return error


def _media(now: datetime, predicate) -> IgMedia:
    return next(m for m in ig_world(42).media_at(USER, now) if predicate(m))


def test_demo_accounts_have_deterministic_ids() -> None:
    assert [a.ig_user_id for a in ACCOUNTS] == [
        "17841400000000001",
        "17841400000000002",
        "17841400000000003",
    ]
    assert [a.business.slug for a in ACCOUNTS] == [b.slug for b in sandbox.BUSINESSES]
    assert ig_user_id(sandbox.BUSINESSES[2]) == "17841400000000003"


def test_user_node_shape_and_ground_truth(get) -> None:
    fields = "id,username,name,followers_count,follows_count,media_count"
    body = get(USER, {"fields": fields}).json()
    ig = ig_world(42)
    assert body == {
        "id": USER,
        "username": "baeckereisonnenschein",
        "name": "Bäckerei Sonnenschein",
        "followers_count": ig.followers_at(USER, NOW),
        "follows_count": ig.account(USER).follows_count,
        "media_count": len(ig.media_at(USER, NOW)),
    }
    assert get(USER).json() == {"id": USER}


def test_media_edge_shape_order_and_cursor_paging(get) -> None:
    fields = (
        "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count"
    )
    first = get(f"{USER}/media", {"fields": fields, "limit": 4}).json()
    assert set(first) == {"data", "paging"}
    assert set(first["paging"]) == {"cursors", "next"} and set(first["paging"]["cursors"]) == {
        "before",
        "after",
    }
    truth = ig_world(42).media_at(USER, NOW)
    assert [m["id"] for m in first["data"]] == [m.id for m in truth[:4]]
    for item in first["data"]:
        keys = set(fields.split(","))
        assert set(item) in (keys, keys - {"caption"})
        assert item["media_type"] in {"IMAGE", "VIDEO", "CAROUSEL_ALBUM"}
        assert item["media_product_type"] in {"FEED", "REELS"}
        assert GRAPH_TIME.match(item["timestamp"])
        assert re.match(r"^https://www\.instagram\.com/(p|reel)/[\w-]{11}/$", item["permalink"])
    second = requests.get(first["paging"]["next"], headers=AUTH, timeout=10).json()
    assert [m["id"] for m in second["data"]] == [m.id for m in truth[4:8]]
    assert "previous" in second["paging"]
    assert "access_token" not in first["paging"]["next"]


def test_media_insights_feed_and_reels_shapes(get) -> None:
    ig = ig_world(42)
    ready = ig.insights_state
    feed = _media(NOW, lambda m: m.media_product_type == "FEED" and ready(m, NOW) == "ready")
    body = get(f"{feed.id}/insights", {"metric": "views,reach,saved"}).json()
    assert body == {
        "data": [
            {
                "name": name,
                "period": "lifetime",
                "title": title,
                "values": [{"value": ig.media_lifetime(feed.id, name, NOW)}],
                "id": f"{feed.id}/insights/{name}/lifetime",
            }
            for name, title in (
                ("views", "Views"),
                ("reach", "Accounts reached"),
                ("saved", "Saves"),
            )
        ]
    }
    reel = _media(NOW, lambda m: m.media_product_type == "REELS" and ready(m, NOW) == "ready")
    body = get(f"{reel.id}/insights", {"metric": "views,ig_reels_avg_watch_time"}).json()
    assert [m["name"] for m in body["data"]] == ["views", "ig_reels_avg_watch_time"]
    error = _error(get(f"{feed.id}/insights", {"metric": "views,ig_reels_avg_watch_time"}), 100)
    assert error["message"] == (
        "(#100) The Media Insights API does not support the ig_reels_avg_watch_time metric for "
        "this media product type."
    )


def test_retired_media_metrics_fail_the_whole_call(get) -> None:
    media = _media(NOW, lambda m: m.media_product_type == "REELS")
    error = _error(get(f"{media.id}/insights", {"metric": "views,impressions"}), 100)
    assert error["message"].startswith(
        "(#100) Starting from version 22 and above, the impressions metric is no longer "
        "supported for the queried media."
    )
    for retired in ("plays", "video_views", "clips_replays_count", "engagement"):
        error = _error(get(f"{media.id}/insights", {"metric": f"reach,{retired}"}), 100)
        assert error["message"].startswith(
            "(#100) metric[1] must be one of the following values: views, reach"
        )


def test_media_insights_no_data_is_empty_not_zero(get, ig_sb) -> None:
    ig = ig_world(42)
    unavailable = _media(NOW, lambda m: ig.insights_state(m, NOW) == "unavailable")
    body = get(f"{unavailable.id}/insights", {"metric": "views,reach"}).json()
    assert [m["values"] for m in body["data"]] == [[], []]
    newest = ig.media_at(USER, NOW)[0]
    ig_sb.set_now(newest.timestamp + timedelta(hours=2))
    assert get(f"{newest.id}/insights", {"metric": "views,reach"}).json() == {"data": []}


def test_account_time_series_shape_days_and_lag(get) -> None:
    ig = ig_world(42)
    response = get(
        f"{USER}/insights",
        {
            "metric": "reach,follower_count",
            "period": "day",
            "since": "2026-11-20",
            "until": "2026-11-27",
        },
    )
    body = response.json()
    assert set(body) == {"data", "paging"} and set(body["paging"]) == {"previous", "next"}
    published = [
        date(2026, 11, 20) + timedelta(days=i)
        for i in range(7)
        if meta_day_end(date(2026, 11, 20) + timedelta(days=i)) + INSIGHTS_LAG <= NOW
    ]
    assert published[-1] == date(2026, 11, 24)  # 24 h lag: Nov 25 is not published at 02:00Z
    for name in ("reach", "follower_count"):
        obj = next(o for o in body["data"] if o["name"] == name)
        assert set(obj) == {"name", "period", "title", "values", "id"}
        assert obj["period"] == "day" and obj["id"] == f"{USER}/insights/{name}/day"
        assert obj["values"] == [
            {
                "value": ig.daily_value(USER, name, d),
                "end_time": f"{d + timedelta(days=1)}T08:00:00+0000",
            }
            for d in published
        ]


def test_account_total_value_shape_and_empty_day(get) -> None:
    params = {"metric": "views,total_interactions", "period": "day", "metric_type": "total_value"}
    body = get(f"{USER}/insights", {**params, "since": "2026-11-23", "until": "2026-11-24"}).json()
    ig = ig_world(42)
    assert body["data"] == [
        {
            "name": name,
            "period": "day",
            "title": title,
            "total_value": {"value": ig.daily_value(USER, name, date(2026, 11, 23))},
            "id": f"{USER}/insights/{name}/day",
        }
        for name, title in (("views", "Views"), ("total_interactions", "Content interactions"))
    ]
    lagging = get(f"{USER}/insights", {**params, "since": "2026-11-25", "until": "2026-11-26"})
    assert lagging.json()["data"] == []


def test_account_insights_rules_and_errors(get) -> None:
    error = _error(get(f"{USER}/insights", {"metric": "views", "period": "day"}), 100)
    assert error["message"] == (
        "(#100) The following metrics (views) should be specified with parameter "
        "metric_type=total_value"
    )
    error = _error(get(f"{USER}/insights", {"metric": "impressions", "period": "day"}), 100)
    assert "the impressions metric is no longer supported for the queried user" in error["message"]
    error = _error(get(f"{USER}/insights", {"metric": "reach,profile_views", "period": "day"}), 100)
    assert error["message"].startswith(
        "(#100) metric[1] must be one of the following values: reach"
    )
    window = {"metric": "reach", "period": "day", "since": "2026-09-01", "until": "2026-10-15"}
    error = _error(get(f"{USER}/insights", window), 100)
    assert "more than 30 days" in error["message"]
    window = {
        "metric": "follower_count",
        "period": "day",
        "since": "2026-10-01",
        "until": "2026-10-20",
    }
    assert "last 30 days" in _error(get(f"{USER}/insights", window), 100)["message"]


def test_comments_with_nested_replies_and_owner_ids(get) -> None:
    ig = ig_world(42)
    media = _media(
        NOW,
        lambda m: any(c.parent_id and c.author_id == USER for c in ig.comments_at(m.id, NOW)),
    )
    fields = "id,text,timestamp,like_count,from{id},replies{id,text,timestamp,like_count,from{id}}"
    body = get(f"{media.id}/comments", {"fields": fields, "limit": 100}).json()
    comments = ig.comments_at(media.id, NOW)
    top = [c for c in comments if c.parent_id is None]
    assert [c["id"] for c in body["data"]] == [c.id for c in top]
    owner_replies = 0
    for item in body["data"]:
        assert set(item) - {"replies"} == {"id", "text", "timestamp", "like_count", "from"}
        assert set(item["from"]) == {"id"}
        replies = [c for c in comments if c.parent_id == item["id"]]
        if not replies:
            assert "replies" not in item
            continue
        assert [r["id"] for r in item["replies"]["data"]] == [r.id for r in replies]
        owner_replies += sum(r["from"]["id"] == USER for r in item["replies"]["data"])
    assert owner_replies >= 1
    parent = next(c for c in comments if c.parent_id is not None).parent_id
    listed = get(f"{parent}/replies", {"fields": "id,parent_id"}).json()
    assert all(r["parent_id"] == parent for r in listed["data"])


def test_batch_usage_headers_and_token_errors(get, ig_sb) -> None:
    media = [m.id for m in ig_world(42).media_at(USER, NOW)[3:6]]
    batch = [{"method": "GET", "relative_url": f"{m}/insights?metric=reach"} for m in media]
    response = requests.post(
        f"{ig_sb.network_url('instagram')}/v25.0/",
        data={"batch": json.dumps(batch), "include_headers": "false"},
        headers=AUTH,
        timeout=10,
    )
    entries = response.json()
    assert [set(e) for e in entries] == [{"code", "body"}] * 3
    assert [
        json.loads(e["body"])["data"][0]["id"] for e in entries if json.loads(e["body"])["data"]
    ]
    usage = json.loads(response.headers["X-Business-Use-Case-Usage"])
    assert set(usage) == {USER} and usage[USER][0]["type"] == "instagram"
    assert set(usage[USER][0]) == {
        "type",
        "call_count",
        "total_cputime",
        "total_time",
        "estimated_time_to_regain_access",
    }
    assert _error(get(USER, headers={}), 2500)
    assert _error(get(USER, headers={"Authorization": "Bearer nope"}), 190)


def test_enforced_budget_answers_80002() -> None:
    with sandbox.serve(now=NOW, enforce_budget=True, page_budget=2) as server:
        url = f"{server.network_url('instagram')}/v25.0/{USER}"
        statuses = [requests.get(url, headers=AUTH, timeout=10) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 400]
    error = statuses[2].json()["error"]
    assert error["code"] == 80002 and error["is_transient"] is True
