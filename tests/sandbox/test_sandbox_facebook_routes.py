"""Every Facebook route answers in the shape the Graph API documents.

The expected shapes below are written from the Graph API docs (reference/network-apis.md,
section 1), not from the server code.
"""

from __future__ import annotations

import re
from typing import Any

import requests

import sandbox
from sandbox.world import World

NOW = sandbox.DEFAULT_NOW  # the clock of the `sb` fixture
PAGE = "1000000001"
GRAPH_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$")
POST_FIELDS = (
    "id,created_time,updated_time,message,permalink_url,status_type,is_published,shares,"
    "reactions.summary(total_count).limit(0),comments.summary(true).limit(0)"
)
# the top-level keys a post can carry for POST_FIELDS (message and shares may be absent)
POST_KEYS = {
    "id",
    "created_time",
    "updated_time",
    "message",
    "permalink_url",
    "status_type",
    "is_published",
    "shares",
    "reactions",
    "comments",
}
COMMENT_FIELDS = "id,message,created_time,from,like_count,comment_count,parent"


def _assert_error(response: requests.Response, code: int, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status
    error = response.json()["error"]
    assert {"message", "type", "code", "fbtrace_id"} <= set(error)
    assert error["code"] == code
    assert isinstance(error["fbtrace_id"], str) and error["fbtrace_id"]
    return error


def test_page_object_returns_requested_fields_plus_id(graph) -> None:
    body = graph(PAGE, {"fields": "name,username,fan_count,followers_count,link,category"}).json()
    assert list(body) == [
        "name",
        "username",
        "fan_count",
        "followers_count",
        "link",
        "category",
        "id",
    ]
    assert body["id"] == PAGE and body["name"] == "Bäckerei Sonnenschein"
    assert isinstance(body["followers_count"], int) and isinstance(body["fan_count"], int)
    assert body["link"].startswith("https://www.facebook.com/")
    assert graph(PAGE, {"fields": "name"}).json() == {"name": "Bäckerei Sonnenschein", "id": PAGE}
    assert graph(PAGE).json() == {"name": "Bäckerei Sonnenschein", "id": PAGE}


def test_page_followers_match_ground_truth(graph, sb) -> None:
    body = graph(PAGE, {"fields": "followers_count"}).json()
    assert body == {"followers_count": sb.world.followers_at(PAGE, NOW), "id": PAGE}


def test_unknown_field_and_unknown_node_are_graph_errors(graph) -> None:
    error = _assert_error(graph(PAGE, {"fields": "name,fans"}), 100)
    assert error["message"] == "(#100) Tried accessing nonexisting field (fans) on node type (Page)"
    error = _assert_error(graph("999", {"fields": "name"}), 100)
    assert error["message"].startswith("Unsupported get request. Object with ID '999'")


def test_posts_edge_shape(graph, sb) -> None:
    body = graph(f"{PAGE}/posts", {"fields": POST_FIELDS, "limit": 5}).json()
    assert set(body) == {"data", "paging"}
    assert len(body["data"]) == 5
    for post in body["data"]:
        assert set(post) <= POST_KEYS
        assert POST_KEYS - {"shares", "message"} <= set(post)
        assert re.fullmatch(rf"{PAGE}_\d+", post["id"])
        assert GRAPH_TIME.match(post["created_time"]) and GRAPH_TIME.match(post["updated_time"])
        assert post["permalink_url"].startswith("https://www.facebook.com/")
        assert post["is_published"] is True
        assert post["reactions"] == {
            "data": [],
            "summary": {"total_count": post["reactions"]["summary"]["total_count"]},
        }
        comments = post["comments"]
        assert comments["data"] == []
        assert comments["summary"].keys() == {"order", "total_count", "can_comment"}
        assert (
            comments["summary"]["order"] == "ranked" and comments["summary"]["can_comment"] is True
        )
        if "shares" in post:
            assert set(post["shares"]) == {"count"} and post["shares"]["count"] > 0
        truth = sb.world.post(post["id"])
        assert post["reactions"]["summary"]["total_count"] == sb.world.post_lifetime(
            post["id"], "reactions", NOW
        )
        assert comments["summary"]["total_count"] == sb.world.comment_count(post["id"], NOW)
        assert post.get("shares", {"count": 0})["count"] == sb.world.post_lifetime(
            post["id"], "shares", NOW
        )
        assert post.get("message") == truth.message
    assert set(body["paging"]) == {"cursors", "next"}
    assert set(body["paging"]["cursors"]) == {"before", "after"}


def test_posts_newest_first_and_since_until(graph, sb) -> None:
    since, until = 1767225600, 1769904000  # 2026-01-01 .. 2026-02-01 UTC
    body = graph(
        f"{PAGE}/posts", {"fields": "id,created_time", "since": since, "until": until, "limit": 100}
    ).json()
    times = [p["created_time"] for p in body["data"]]
    assert times == sorted(times, reverse=True)
    assert all("2026-01-01" <= t < "2026-02-01" for t in times)
    truth = [
        p.id for p in sb.world.posts_at(PAGE, NOW) if since <= p.created_time.timestamp() <= until
    ]
    assert [p["id"] for p in body["data"]] == truth
    assert "next" not in body["paging"]


def test_shares_left_out_when_zero(graph, sb) -> None:
    posts = sb.world.posts_at(PAGE, NOW)[:100]
    zero = {p.id for p in posts if sb.world.post_lifetime(p.id, "shares", NOW) == 0}
    assert zero, "the demo world should have posts nobody shared"
    body = graph(f"{PAGE}/posts", {"fields": "id,shares", "limit": 100}).json()
    for post in body["data"]:
        assert ("shares" in post) == (post["id"] not in zero)


def test_post_insights_shape_and_values(graph, sb) -> None:
    post = sb.world.posts_at(PAGE, NOW)[4].id
    metrics = [
        "post_media_view",
        "post_total_media_view_unique",
        "post_clicks",
        "post_reactions_like_total",
    ]
    body = graph(f"{post}/insights", {"metric": ",".join(metrics)}).json()
    assert [m["name"] for m in body["data"]] == metrics
    for item in body["data"]:
        assert list(item) == ["name", "period", "values", "title", "description", "id"]
        assert item["period"] == "lifetime"
        assert item["id"] == f"{post}/insights/{item['name']}/lifetime"
        assert item["values"] == [{"value": sb.world.post_lifetime(post, item["name"], NOW)}]


def test_post_insights_retired_metric_fails_the_whole_call(graph, sb) -> None:
    post = sb.world.posts_at(PAGE, NOW)[0].id
    for retired in ("post_impressions", "post_impressions_unique", "post_engaged_users"):
        response = graph(f"{post}/insights", {"metric": f"post_media_view,{retired}"})
        assert response.json() == {
            "error": {
                "message": "(#100) The value must be a valid insights metric",
                "type": "OAuthException",
                "code": 100,
                "fbtrace_id": response.json()["error"]["fbtrace_id"],
            }
        }
        assert response.status_code == 400


def test_comments_edge_shape_and_order(graph, sb) -> None:
    burst = sandbox.NEGATIVE_BURST
    params = {
        "fields": COMMENT_FIELDS,
        "filter": "stream",
        "order": "reverse_chronological",
        "summary": "true",
        "limit": 100,
    }
    body = graph(f"{burst.post_id}/comments", params).json()
    assert set(body) == {"data", "paging", "summary"}
    truth = sb.world.comments_at(burst.post_id, NOW)
    assert [c["id"] for c in body["data"]] == [c.id for c in reversed(truth)]
    assert body["summary"] == {
        "order": "reverse_chronological",
        "total_count": len(truth),
        "can_comment": True,
    }
    story = burst.post_id.split("_")[1]
    for comment in body["data"]:
        assert set(comment) <= set(COMMENT_FIELDS.split(","))
        assert {"id", "message", "created_time", "like_count", "comment_count"} <= set(comment)
        assert re.fullmatch(rf"{story}_\d+", comment["id"])
        assert GRAPH_TIME.match(comment["created_time"])
        if "from" in comment:
            assert set(comment["from"]) == {"name", "id"}
        if "parent" in comment:
            assert {"id", "created_time", "message"} <= set(comment["parent"])
    assert any("from" not in c for c in body["data"])
    assert any(c.get("from", {}).get("id") == burst.page_id for c in body["data"])
    assert any("parent" in c for c in body["data"])


def test_comments_default_filter_is_toplevel_and_chronological(graph, sb) -> None:
    burst = sandbox.NEGATIVE_BURST
    body = graph(f"{burst.post_id}/comments", {"limit": 100}).json()
    truth = [c for c in sb.world.comments_at(burst.post_id, NOW) if c.parent_id is None]
    assert [c["id"] for c in body["data"]] == [c.id for c in truth]
    assert set(body["data"][0]) <= {"created_time", "from", "message", "id"}
    assert "summary" not in body


def test_comment_created_times_never_pass_the_clock(graph, sb) -> None:
    burst = sandbox.NEGATIVE_BURST
    sb.set_now(burst.window_start)
    body = graph(f"{burst.post_id}/comments", {"filter": "stream", "limit": 100}).json()
    assert body["data"], "at least the first angry comment is visible at window_start"
    assert all(c["created_time"] <= "2026-01-17T08:10:00+0000" for c in body["data"])
    sb.set_now(burst.post_created_time.replace(minute=0))
    assert graph(f"{burst.post_id}/comments").status_code == 400  # post not published yet


def test_unsupported_version_is_rejected(graph) -> None:
    for version in ("v21.0", "v17.0", "v99.0"):
        response = graph(PAGE, version=version)
        assert response.status_code == 400 and "error" in response.json()
    assert graph(PAGE, version="v22.0").status_code == 200
    assert graph(PAGE, version="v26.0").status_code == 200
    assert graph(PAGE, version=None).status_code == 200


def test_world_ground_truth_is_the_same_world(sb) -> None:
    assert isinstance(sb.world, World) and sb.world.seed == 42


def test_fields_parser_reads_modifiers_and_subfields(graph) -> None:
    fields = "id,reactions.type(LOVE).summary(total_count).limit(0),comments.limit(1){from{name}}"
    body = graph(f"{PAGE}/posts", {"fields": fields, "limit": 1}).json()
    (post,) = body["data"]
    assert set(post["reactions"]) == {"data", "summary"}
    assert set(post["reactions"]["summary"]) == {"total_count"}
    for comment in post["comments"]["data"]:
        assert set(comment) <= {"from", "id"}
    response = graph(f"{PAGE}/posts", {"fields": "id,reactions.summary("})
    assert response.status_code == 400 and response.json()["error"]["code"] == 2500
