"""Cursor paging: ``next`` only when more data exists, ``limit`` honoured, every post exactly
once, and the token echoed in ``next`` only when it was sent as a query parameter."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import sandbox

PAGE = "1000000003"


def _follow(http, first: dict, headers: dict[str, str]) -> list[dict]:
    pages = [first]
    while "next" in pages[-1].get("paging", {}):
        response = http.get(pages[-1]["paging"]["next"], headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        pages.append(response.json())
    return pages


def test_following_next_yields_every_post_exactly_once(graph, http, sb) -> None:
    first = graph(f"{PAGE}/posts", {"fields": "id", "limit": 30}).json()
    pages = _follow(http, first, {"Authorization": f"Bearer {sandbox.DEMO_TOKEN}"})
    ids = [p["id"] for page in pages for p in page["data"]]
    truth = [p.id for p in sb.world.posts_at(PAGE, sb.now)]
    assert ids == truth and len(set(ids)) == len(ids)
    assert all(len(page["data"]) == 30 for page in pages[:-1])
    assert 0 < len(pages[-1]["data"]) <= 30
    assert "next" not in pages[-1]["paging"]
    assert all("next" in page["paging"] for page in pages[:-1])


def test_limit_default_25_and_capped_at_100(graph) -> None:
    assert len(graph(f"{PAGE}/posts").json()["data"]) == 25
    assert len(graph(f"{PAGE}/posts", {"limit": 7}).json()["data"]) == 7
    assert len(graph(f"{PAGE}/posts", {"limit": 500}).json()["data"]) == 100


def test_no_next_when_everything_fits(graph, sb) -> None:
    total = len(sb.world.posts_at(PAGE, sb.now))
    body = graph(f"{PAGE}/posts", {"fields": "id", "since": "2026-02-01", "limit": 100}).json()
    assert 0 < len(body["data"]) < total
    assert set(body["paging"]) == {"cursors"}
    body = graph(f"{PAGE}/posts", {"since": "2030-01-01"}).json()
    assert body == {"data": []}


def test_next_echoes_query_token_only_when_sent_as_query(graph) -> None:
    params = {"fields": "id,message", "limit": 5}
    query_sent = graph(f"{PAGE}/posts", params, via="query").json()["paging"]["next"]
    header_sent = graph(f"{PAGE}/posts", params, via="header").json()["paging"]["next"]
    oauth_sent = graph(f"{PAGE}/posts", params, via="oauth").json()["paging"]["next"]
    assert parse_qs(urlsplit(query_sent).query)["access_token"] == [sandbox.DEMO_TOKEN]
    for url in (header_sent, oauth_sent):
        assert "access_token" not in parse_qs(urlsplit(url).query)
        assert sandbox.DEMO_TOKEN not in url
    for url in (query_sent, header_sent):
        query = parse_qs(urlsplit(url).query)
        assert query["fields"] == ["id,message"] and query["limit"] == ["5"]
        assert "after" in query


def test_next_is_an_absolute_url_on_this_server(graph, sb) -> None:
    url = graph(f"{PAGE}/posts", {"limit": 2}).json()["paging"]["next"]
    assert url.startswith(f"{sb.facebook_url}/v25.0/{PAGE}/posts?")


def test_query_token_next_link_works_without_header(graph, http) -> None:
    first = graph(f"{PAGE}/posts", {"fields": "id", "limit": 50}, via="query").json()
    pages = _follow(http, first, headers={})
    assert len(pages) > 2


def test_before_cursor_returns_the_previous_page(graph, http) -> None:
    first = graph(f"{PAGE}/posts", {"fields": "id", "limit": 10}).json()
    headers = {"Authorization": f"Bearer {sandbox.DEMO_TOKEN}"}
    second = http.get(first["paging"]["next"], headers=headers).json()
    assert "previous" in second["paging"] and "previous" not in first["paging"]
    back = http.get(second["paging"]["previous"], headers=headers).json()
    assert [p["id"] for p in back["data"]] == [p["id"] for p in first["data"]]


def test_comments_paging_covers_all_comments_once(graph, http, sb) -> None:
    burst = sandbox.NEGATIVE_BURST
    first = graph(f"{burst.post_id}/comments", {"filter": "stream", "limit": 4}).json()
    pages = _follow(http, first, {"Authorization": f"Bearer {sandbox.DEMO_TOKEN}"})
    ids = [c["id"] for page in pages for c in page["data"]]
    assert ids == [c.id for c in sb.world.comments_at(burst.post_id, sb.now)]


def test_bad_cursor_is_a_graph_error(graph) -> None:
    response = graph(f"{PAGE}/posts", {"after": "not-a-cursor"})
    assert response.status_code == 400 and response.json()["error"]["code"] == 100
