"""The Graph batch endpoint: ``POST /`` with a JSON list of up to 50 sub-requests."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import sandbox

PAGE = "1000000001"
AUTH = {"Authorization": f"Bearer {sandbox.DEMO_TOKEN}"}


def _batch(http, sb, items, path="/v25.0/", headers=AUTH, **form):
    data = {"batch": json.dumps(items), **form}
    return http.post(f"{sb.facebook_url}{path}", data=data, headers=headers, timeout=10)


def test_batch_answers_one_entry_per_request_in_order(http, sb) -> None:
    posts = [p.id for p in sb.world.posts_at(PAGE, sb.now)[:3]]
    query = urlencode({"metric": "post_media_view,post_clicks"})
    items = [{"method": "GET", "relative_url": f"{pid}/insights?{query}"} for pid in posts]
    response = _batch(http, sb, items)
    assert response.status_code == 200
    entries = response.json()
    assert isinstance(entries, list) and len(entries) == 3
    for pid, entry in zip(posts, entries, strict=True):
        assert set(entry) == {"code", "headers", "body"}
        assert entry["code"] == 200
        assert all(set(h) == {"name", "value"} for h in entry["headers"])
        assert isinstance(entry["body"], str)
        body = json.loads(entry["body"])
        assert [m["id"] for m in body["data"]] == [
            f"{pid}/insights/post_media_view/lifetime",
            f"{pid}/insights/post_clicks/lifetime",
        ]
        assert body["data"][0]["values"] == [
            {"value": sb.world.post_lifetime(pid, "post_media_view", sb.now)}
        ]


def test_errors_stay_inside_their_entry(http, sb) -> None:
    post = sb.world.posts_at(PAGE, sb.now)[0].id
    items = [
        {"method": "GET", "relative_url": f"{post}/insights?metric=post_impressions"},
        {"method": "GET", "relative_url": f"v25.0/{PAGE}?fields=name"},
    ]
    entries = _batch(http, sb, items).json()
    assert entries[0]["code"] == 400
    error = json.loads(entries[0]["body"])["error"]
    assert error["message"] == "(#100) The value must be a valid insights metric"
    assert entries[1]["code"] == 200
    assert json.loads(entries[1]["body"]) == {"name": "Bäckerei Sonnenschein", "id": PAGE}


def test_include_headers_false_and_root_path_and_token_in_form(http, sb) -> None:
    items = [{"method": "GET", "relative_url": f"{PAGE}?fields=id"}]
    response = _batch(
        http,
        sb,
        items,
        path="/",
        headers={},
        include_headers="false",
        access_token=sandbox.DEMO_TOKEN,
    )
    assert response.status_code == 200
    assert response.json() == [
        {"code": 200, "body": json.dumps({"id": PAGE}, separators=(",", ":"))}
    ]


def test_more_than_50_requests_is_an_error(http, sb) -> None:
    items = [{"method": "GET", "relative_url": f"{PAGE}?fields=id"}] * 51
    response = _batch(http, sb, items)
    assert response.status_code == 400
    assert "error" in response.json()
    assert len(_batch(http, sb, items[:50]).json()) == 50


def test_missing_batch_parameter_and_bad_token(http, sb) -> None:
    response = http.post(f"{sb.facebook_url}/v25.0/", data={}, headers=AUTH)
    assert response.status_code == 400 and response.json()["error"]["code"] == 100
    items = [{"method": "GET", "relative_url": f"{PAGE}?fields=id"}]
    response = _batch(http, sb, items, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 400 and response.json()["error"]["code"] == 190


def test_sub_requests_count_against_usage_and_can_be_faulted(http, sb) -> None:
    sb.add_fault("GET", r"/facebook/1000000001$", status=400, body=sandbox.graph_error(613))
    items = [{"method": "GET", "relative_url": f"{PAGE}?fields=id"}] * 3
    entries = _batch(http, sb, items).json()
    assert [e["code"] for e in entries] == [400, 200, 200]
    assert json.loads(entries[0]["body"])["error"]["code"] == 613
    assert sb.usage.peek(PAGE).calls == 2
