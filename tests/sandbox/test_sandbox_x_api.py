"""The X sandbox speaks the documented X API v2 shapes: default and requested fields, problem
JSON errors, rate-limit headers on every response, token paging, the 3,200/800 timeline caps,
private metrics only for user context and posts younger than 30 days, and recent search by
conversation_id over 7 days."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

import sandbox
from sandbox.networks.x import api as x_api
from sandbox.networks.x import x_world

USER = "1500000000000000003"
APP = "AAAAAAAAAAAAAAAAAAAAAsandbox-app-only"
RATE_HEADERS = {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"}


@pytest.fixture
def x(sb: sandbox.Sandbox, http: requests.Session):
    sb.add_token(APP)

    def get(path: str, params: dict | None = None, token: str | None = sandbox.DEMO_TOKEN):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return http.get(f"{sb.network_url('x')}{path}", params=params, headers=headers, timeout=10)

    return get


def _pages(x, path: str, params: dict, token_param: str) -> list[dict]:
    pages = [x(path, params).json()]
    while "next_token" in pages[-1]["meta"]:
        pages.append(x(path, {**params, token_param: pages[-1]["meta"]["next_token"]}).json())
    return pages


def test_user_lookup_default_and_requested_fields(x, sb) -> None:
    assert x(f"/2/users/{USER}").json() == {
        "data": {"id": USER, "name": "Friseursalon Schnittpunkt", "username": "Schnittpunkt_LO"}
    }
    body = x(f"/2/users/{USER}", {"user.fields": "public_metrics,created_at,description"}).json()
    assert set(body["data"]) == {
        "id",
        "name",
        "username",
        "public_metrics",
        "created_at",
        "description",
    }
    assert set(body["data"]["public_metrics"]) == {
        "followers_count",
        "following_count",
        "tweet_count",
        "listed_count",
        "like_count",
        "media_count",
    }
    assert body["data"]["public_metrics"]["followers_count"] == x_world(42).followers_at(
        USER, sb.now
    )
    assert body["data"]["created_at"].endswith(".000Z")


def test_unknown_user_is_a_partial_error_in_a_200(x) -> None:
    response = x("/2/users/42")
    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "value": "42",
                "detail": "Could not find user with id: [42].",
                "title": "Not Found Error",
                "resource_type": "user",
                "parameter": "id",
                "resource_id": "42",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ]
    }


def test_timeline_defaults_meta_and_token_paging_cover_every_post_once(x, sb) -> None:
    first = x(f"/2/users/{USER}/tweets").json()
    assert len(first["data"]) == 10
    assert set(first["data"][0]) == {"id", "text", "edit_history_tweet_ids"}
    assert set(first["meta"]) == {"result_count", "newest_id", "oldest_id", "next_token"}
    params = {"max_results": 100, "exclude": "retweets,replies", "tweet.fields": "created_at"}
    pages = _pages(x, f"/2/users/{USER}/tweets", params, "pagination_token")
    ids = [p["id"] for page in pages for p in page.get("data", [])]
    assert ids == [p.id for p in x_world(42).posts_at(USER, sb.now)]
    assert "previous_token" in pages[1]["meta"] and "next_token" not in pages[-1]["meta"]
    assert [p["meta"]["result_count"] for p in pages] == [len(p["data"]) for p in pages]


def test_timeline_time_window_since_id_and_empty_answer(x, sb) -> None:
    posts = x_world(42).posts_at(USER, sb.now)
    start, end = posts[5].created_at, posts[1].created_at
    params = {
        "exclude": "retweets,replies",
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_time": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    body = x(f"/2/users/{USER}/tweets", params).json()
    assert [p["id"] for p in body["data"]] == [p.id for p in posts[1:6]]
    body = x(f"/2/users/{USER}/tweets", {"exclude": "retweets,replies", "since_id": posts[2].id})
    assert [p["id"] for p in body.json()["data"]] == [posts[0].id, posts[1].id]
    newest = {"exclude": "retweets,replies", "since_id": posts[0].id}
    assert x(f"/2/users/{USER}/tweets", newest).json() == {"meta": {"result_count": 0}}


def test_timeline_metrics_and_private_metrics_rules(x, sb) -> None:
    fields = "created_at,public_metrics,non_public_metrics,organic_metrics"
    params = {"tweet.fields": fields, "max_results": 100, "exclude": "retweets,replies"}
    body = x(f"/2/users/{USER}/tweets", params).json()
    cutoff = sb.now - timedelta(days=30)
    young = [p for p in x_world(42).posts_at(USER, sb.now)[:100] if p.created_at >= cutoff]
    assert [p["id"] for p in body["data"]] == [p.id for p in young]  # older ones dropped
    assert set(body["data"][0]["public_metrics"]) == {
        "retweet_count",
        "reply_count",
        "like_count",
        "quote_count",
        "bookmark_count",
        "impression_count",
    }
    assert {"impression_count", "user_profile_clicks", "engagements"} <= set(
        body["data"][0]["non_public_metrics"]
    )
    response = x(f"/2/users/{USER}/tweets", params, token=APP)
    assert response.status_code == 403
    assert response.json()["type"] == (
        "https://api.twitter.com/2/problems/unsupported-authentication"
    )
    public = x(f"/2/users/{USER}/tweets", {"tweet.fields": "public_metrics"}, token=APP)
    assert public.status_code == 200 and "public_metrics" in public.json()["data"][0]


def test_timeline_serves_only_the_most_recent_posts(x, sb, monkeypatch) -> None:
    monkeypatch.setattr(x_api, "TIMELINE_CAP", 12)
    monkeypatch.setattr(x_api, "TIMELINE_CAP_NO_REPLIES", 7)
    everything = x_world(42).timeline_at(USER, sb.now)
    pages = _pages(x, f"/2/users/{USER}/tweets", {"max_results": 5}, "pagination_token")
    assert [p["id"] for page in pages for p in page.get("data", [])] == [
        p.id for p in everything[:12]
    ]
    body = x(f"/2/users/{USER}/tweets", {"max_results": 100, "exclude": "replies"}).json()
    assert len(body["data"]) <= 7


def test_errors_are_problem_json_with_rate_limit_headers(x) -> None:
    missing = x(f"/2/users/{USER}", token=None)
    assert missing.status_code == 401
    assert missing.json() == {
        "title": "Unauthorized",
        "type": "about:blank",
        "status": 401,
        "detail": "Unauthorized",
    }
    assert x(f"/2/users/{USER}", token="nope").status_code == 401
    bad = x(f"/2/users/{USER}/tweets", {"max_results": 500})
    assert bad.status_code == 400
    assert bad.json() == {
        "errors": [
            {
                "parameters": {"max_results": ["500"]},
                "message": "The `max_results` query parameter value [500] is not between 5 and 100",
            }
        ],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
    assert x(f"/2/users/{USER}/tweets", {"tweet.fields": "views"}).status_code == 400
    assert x(f"/2/users/{USER}/tweets", {"access_token": "t"}).status_code == 400
    for response in (missing, bad, x(f"/2/users/{USER}")):
        assert all(name in response.headers for name in RATE_HEADERS)
        assert response.headers["content-type"].startswith("application/json")


def test_rate_limit_headers_count_down_and_429_when_enforced(x, sb, monkeypatch) -> None:
    monkeypatch.setattr(x_api, "LIMITS", {**x_api.LIMITS, "user": (300, 2)})
    first, second = x(f"/2/users/{USER}"), x(f"/2/users/{USER}")
    assert first.headers["x-rate-limit-limit"] == "2"
    assert [first.headers["x-rate-limit-remaining"], second.headers["x-rate-limit-remaining"]] == [
        "1",
        "0",
    ]
    reset = int(first.headers["x-rate-limit-reset"])
    assert 0 < reset - sb.now.timestamp() <= 900 and reset % 900 == 0
    sb.usage.enforce = True
    limited = x(f"/2/users/{USER}")
    assert limited.status_code == 429
    assert limited.json() == {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
    }
    assert limited.headers["x-rate-limit-remaining"] == "0"


def test_recent_search_returns_the_conversation_of_the_last_7_days(x, sb) -> None:
    world = x_world(42)
    sb.set_now(sb.now + timedelta(days=250))
    posts = [p for p in world.posts_at(USER, sb.now) if sb.now - p.created_at < timedelta(days=7)]
    conversation = next(p for p in posts if world.replies_at(p.id, sb.now))
    params = {
        "query": f"conversation_id:{conversation.id}",
        "tweet.fields": "author_id,created_at,conversation_id,in_reply_to_user_id,"
        "referenced_tweets,public_metrics",
        "max_results": 10,
    }
    pages = _pages(x, "/2/tweets/search/recent", params, "next_token")
    replies = [r for page in pages for r in page.get("data", [])]
    assert [r["id"] for r in replies] == [r.id for r in world.replies_at(conversation.id, sb.now)]
    assert conversation.id not in {r["id"] for r in replies}  # the post itself is not a reply
    assert all(r["conversation_id"] == conversation.id for r in replies)
    assert set(replies[0]) >= {"id", "text", "author_id", "created_at", "referenced_tweets"}
    assert all("previous_token" not in page["meta"] for page in pages)


def test_recent_search_parameter_rules(x, sb) -> None:
    post = x_world(42).posts_at(USER, sb.now)[0]
    base = {"query": f"conversation_id:{post.id}"}
    old = (sb.now - timedelta(days=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = (sb.now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    now = sb.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert x("/2/tweets/search/recent", {**base, "start_time": old}).status_code == 400
    assert x("/2/tweets/search/recent", {**base, "end_time": now}).status_code == 400
    both = x("/2/tweets/search/recent", {**base, "start_time": recent, "since_id": post.id})
    assert both.status_code == 400 and "since_id" in both.json()["errors"][0]["message"]
    assert x("/2/tweets/search/recent", {**base, "max_results": 5}).status_code == 400
    assert x("/2/tweets/search/recent", {"query": "from:someone"}).status_code == 400
    assert x("/2/tweets/search/recent", {**base, "start_time": recent}).status_code == 200
