"""The sandbox's transport and paging fault kinds, its request hook and the fault vocabulary,
seen from a plain HTTP client (the extractor-side behaviour is in tests/reliability)."""

from __future__ import annotations

import pytest
import requests

import sandbox
from extractors.registry import NETWORKS
from sandbox.faults import vocabulary

POSTS = r"/facebook/v25\.0/1000000001/posts$"
PARAMS = {"limit": 3, "fields": "id,created_time"}


def test_stall_outlasts_the_read_timeout_then_the_next_request_is_served(sb, graph):
    sb.add_fault("GET", POSTS, kind="stall", stall_seconds=0.6)
    with pytest.raises(requests.ReadTimeout):
        requests.get(
            f"{sb.facebook_url}/v25.0/1000000001/posts",
            params=PARAMS,
            headers={"Authorization": "Bearer sandbox-demo-token"},
            timeout=(2, 0.2),
        )
    assert graph("1000000001/posts", PARAMS).status_code == 200
    first, second = sb.requests()
    assert (first["status"], first["transport"], first["fault"]) == (0, "stall", True)
    assert second["fault"] is False


def test_truncated_body_and_dropped_connection_break_the_transfer(sb, graph):
    sb.add_fault("GET", POSTS, kind="truncate")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        graph("1000000001/posts", PARAMS)
    sb.add_fault("GET", POSTS, kind="drop")
    with pytest.raises(requests.ConnectionError):
        graph("1000000001/posts", PARAMS)
    assert [e.get("transport") for e in sb.requests()] == ["truncate", "drop"]


def test_paging_faults_rewrite_the_real_answer(sb, graph):
    clean = graph("1000000001/posts", PARAMS).json()
    sb.add_fault("GET", POSTS, kind="empty_page")
    empty = graph("1000000001/posts", PARAMS).json()
    assert empty["data"] == [] and empty["paging"]["next"] == clean["paging"]["next"]
    carried = requests.get(
        empty["paging"]["next"], headers={"Authorization": "Bearer sandbox-demo-token"}, timeout=5
    ).json()
    assert carried["data"][:3] == clean["data"]  # page 1's items arrive with page 2
    sb.add_fault("GET", POSTS, kind="loop", query=r"(^|&)after=")
    second = requests.get(
        clean["paging"]["next"], headers={"Authorization": "Bearer sandbox-demo-token"}, timeout=5
    ).json()
    assert second["paging"]["next"].endswith(clean["paging"]["next"].split("/facebook", 1)[1])


def test_request_hook_fires_once_on_the_nth_matching_request(sb, graph):
    seen: list[dict] = []
    sb.on_request(seen.append, path=POSTS, nth=2)
    for _ in range(3):
        graph("1000000001/posts", {**PARAMS, "access_token": "sandbox-demo-token"}, via=None)
    assert len(seen) == 1 and seen[0]["n"] == 2 and seen[0]["path"].endswith("/posts")
    assert "sandbox-demo-token" not in repr(seen)  # the query is redacted


def test_fault_kinds_over_the_control_endpoint(sb):
    spec = {"path": POSTS, "kind": "drop", "query": "limit=3"}
    pending = requests.post(f"{sb.url}/__faults", json=spec, timeout=5).json()["faults"]
    assert pending[0]["kind"] == "drop" and pending[0]["query"] == "limit=3"
    bad = requests.post(f"{sb.url}/__faults", json={"path": "x", "kind": "melt"}, timeout=5)
    assert bad.status_code == 400 and "unknown fault kind" in bad.json()["error"]


@pytest.mark.parametrize("slug", [s for s, n in NETWORKS.items() if n.provenance == "api"])
def test_every_api_network_has_a_consistent_vocabulary(slug):
    vocab = vocabulary(slug)
    assert vocab.paging in {"link", "token", "offset"} and vocab.items
    assert (vocab.paging == "offset") == (not vocab.next)
    assert vocab.throttled(sandbox.DEFAULT_NOW) and len(vocab.server_errors) >= 3
    assert vocab.expired_token.status in (400, 401) and vocab.invalid_cursor.status == 400
