"""The server around the networks: control endpoints, determinism, the redacted request log
and scripted faults."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import requests

import sandbox

NOW = sandbox.DEFAULT_NOW  # the clock of the `sb` fixture
TEST_TOKEN = "per-test-token"  # accepted by the `sb` fixture
PAGE = "1000000001"
POST_FIELDS = (
    "id,created_time,message,permalink_url,status_type,shares,"
    "reactions.summary(total_count).limit(0),comments.summary(true).limit(0)"
)


def _snapshot(base: str, post_id: str) -> list[bytes]:
    auth = {"Authorization": f"Bearer {sandbox.DEMO_TOKEN}"}
    urls = [
        (f"{base}/v25.0/{PAGE}", {"fields": "id,name,followers_count,fan_count"}),
        (f"{base}/v25.0/{PAGE}/posts", {"fields": POST_FIELDS, "limit": 40}),
        (
            f"{base}/v25.0/{PAGE}/insights",
            {
                "metric": "page_media_view,page_follows",
                "since": "2026-01-01",
                "until": "2026-03-01",
            },
        ),
        (f"{base}/v25.0/{post_id}/insights", {"metric": "post_media_view,post_clicks"}),
        (f"{base}/v25.0/{post_id}/comments", {"filter": "stream", "summary": "true"}),
    ]
    bodies = []
    for url, params in urls:
        response = requests.get(url, params=params, headers=auth, timeout=10)
        assert response.status_code == 200, response.text
        bodies.append(response.content.replace(base.replace("/", "\\/").encode(), b"BASE"))
    return bodies


def test_same_seed_and_clock_give_byte_identical_bodies() -> None:
    post = sandbox.NEGATIVE_BURST.post_id
    with sandbox.serve(now=NOW, seed=42) as a, sandbox.serve(now=NOW, seed=42) as b:
        assert _snapshot(a.facebook_url, post) == _snapshot(b.facebook_url, post)
        assert _snapshot(a.facebook_url, post) == _snapshot(a.facebook_url, post)
    with sandbox.serve(now=NOW, seed=43) as c, sandbox.serve(now=NOW, seed=42) as d:
        assert _snapshot(c.facebook_url, post) != _snapshot(d.facebook_url, post)


def test_clock_endpoint_moves_the_world_forward(sb, graph) -> None:
    post = next(p for p in sb.world.posts_at(PAGE, NOW) if len(sb.world.comments_at(p.id, NOW)) > 3)
    sb.set_now(post.created_time + timedelta(hours=3))
    metric = {"metric": "post_media_view"}
    views_before = graph(f"{post.id}/insights", metric).json()["data"][0]["values"][0]["value"]
    stream = {"filter": "stream", "limit": 100}
    comments_before = graph(f"{post.id}/comments", stream).json()["data"]
    posts_before = graph(f"{PAGE}/posts", {"fields": "id", "limit": 100}).json()["data"]

    later = (post.created_time + timedelta(days=30)).isoformat()
    response = requests.post(f"{sb.url}/__clock", json={"now": later}, timeout=5)
    assert response.json() == {"now": later}
    assert requests.get(f"{sb.url}/__clock", timeout=5).json()["now"] == later

    views_after = graph(f"{post.id}/insights", metric).json()["data"][0]["values"][0]["value"]
    comments_after = graph(f"{post.id}/comments", stream).json()["data"]
    posts_after = graph(f"{PAGE}/posts", {"fields": "id", "limit": 100}).json()["data"]
    assert views_after > views_before
    assert len(comments_after) > len(comments_before)
    assert [c["id"] for c in comments_after[: len(comments_before)]] == [
        c["id"] for c in comments_before
    ]
    before_ids = [p["id"] for p in posts_before]
    after_ids = [p["id"] for p in posts_after]
    assert set(before_ids[:50]) <= set(after_ids)
    assert len(set(after_ids) - set(before_ids)) >= 1


def test_request_log_redacts_every_token(sb, graph, http) -> None:
    secret = TEST_TOKEN
    graph(PAGE, {"fields": "name"}, token=secret, via="query")
    graph(PAGE, token=secret, via="header")
    graph(PAGE, token="unknown-secret-value", via="query")
    http.post(
        f"{sb.facebook_url}/v25.0/",
        data={
            "access_token": secret,
            "batch": json.dumps(
                [{"method": "GET", "relative_url": f"{PAGE}?access_token=inner-secret"}]
            ),
        },
    )
    log = requests.get(f"{sb.url}/__requests", timeout=5).json()["requests"]
    dumped = json.dumps(log)
    for value in (secret, "unknown-secret-value", "inner-secret", sandbox.DEMO_TOKEN):
        assert value not in dumped
    assert len(log) == 4
    first, second, third, batch = log
    assert first["method"] == "GET" and first["path"] == f"/facebook/v25.0/{PAGE}"
    assert ["access_token", "REDACTED"] in first["query"] and ["fields", "name"] in first["query"]
    assert first["auth"] == {
        "authorization_header": None,
        "access_token_in_query": True,
        "access_token_in_form": False,
    }
    assert second["auth"]["authorization_header"] == "Bearer"
    assert (first["status"], third["status"]) == (200, 400)
    assert batch["method"] == "POST" and batch["auth"]["access_token_in_form"] is True
    assert batch["batch"][0]["path"] == f"/{PAGE}"
    assert {"time", "clock", "network", "method", "path", "query", "auth", "status"} <= set(first)
    assert sb.requests() == log
    requests.delete(f"{sb.url}/__requests", timeout=5)
    assert sb.requests() == []


def test_scripted_faults_are_consumed_in_order(sb, graph) -> None:
    sb.add_fault(
        "GET", r"/insights$", status=429, headers={"Retry-After": "2"}, body={"error": "slow down"}
    )
    sb.add_fault("GET", r"/insights$", status=400, body=sandbox.graph_error(17))
    sb.add_fault("GET", r"/insights$", status=500, body=sandbox.graph_error(2))
    params = {"metric": "page_media_view"}
    first, second, third, fourth = (graph(f"{PAGE}/insights", params) for _ in range(4))
    assert (first.status_code, first.headers["Retry-After"]) == (429, "2")
    assert second.status_code == 400 and second.json()["error"]["code"] == 17
    assert second.json()["error"]["message"] == "(#17) User request limit reached"
    assert third.status_code == 500 and third.json()["error"]["code"] == 2
    assert fourth.status_code == 200
    assert [e["fault"] for e in sb.requests()] == [True, True, True, False]


def test_fault_on_the_kth_matching_request_only(sb, graph) -> None:
    sb.add_fault("*", r"/posts", status=400, body=sandbox.graph_error(190, 463), skip=2, times=1)
    codes = [graph(f"{PAGE}/posts", {"limit": 1}).status_code for _ in range(4)]
    assert codes == [200, 200, 400, 200]
    assert graph(PAGE).status_code == 200  # other paths never matched


def test_faults_over_http_and_clear(sb, graph) -> None:
    spec = {
        "method": "GET",
        "path": "/1000000001$",
        "status": 400,
        "body": sandbox.graph_error(80001),
        "times": 2,
    }
    pending = requests.post(f"{sb.url}/__faults", json=spec, timeout=5).json()["faults"]
    assert pending[0]["times"] == 2
    assert graph(PAGE).json()["error"]["code"] == 80001
    requests.delete(f"{sb.url}/__faults", timeout=5)
    assert graph(PAGE).status_code == 200
    bad = requests.post(f"{sb.url}/__faults", json={"paht": "x"}, timeout=5)
    assert bad.status_code == 400


def test_throttling_codes_have_graph_shape() -> None:
    for code in (4, 17, 32, 613, 80001):
        error = sandbox.graph_error(code)["error"]
        assert error["code"] == code and error["type"] == "OAuthException"
        assert error["message"].startswith(f"(#{code})") and error["fbtrace_id"]


def test_unknown_network_and_control_path(sb) -> None:
    assert requests.get(f"{sb.url}/myspace/v1/me", timeout=5).status_code == 404
    assert requests.get(f"{sb.url}/__nope", timeout=5).status_code == 404
    world = requests.get(f"{sb.url}/__world", timeout=5).json()
    assert world["negative_burst"]["post_id"] == sandbox.NEGATIVE_BURST.post_id
    assert {b["slug"] for b in world["businesses"]} == {
        "baeckerei-sonnenschein",
        "schreinerei-holzwerk",
        "friseur-schnittpunkt",
    }


def test_concurrent_requests(sb) -> None:
    from concurrent.futures import ThreadPoolExecutor

    url = f"{sb.facebook_url}/v25.0/{PAGE}/posts"
    params = {"access_token": sandbox.DEMO_TOKEN, "limit": 100, "fields": POST_FIELDS}
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        bodies = list(
            pool.map(lambda _: requests.get(url, params=params, timeout=10).content, range(16))
        )
    assert len(set(bodies)) == 1
    assert time.monotonic() - started < 10
