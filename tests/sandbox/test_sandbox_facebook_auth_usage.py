"""Token handling (header or query, unknown, expired, missing) and the usage headers."""

from __future__ import annotations

import json
from datetime import timedelta

import requests

import sandbox

NOW = sandbox.DEFAULT_NOW  # the clock of the `sb` fixture
TEST_TOKEN = "per-test-token"  # accepted by the `sb` fixture
PAGE = "1000000002"


def test_token_accepted_from_bearer_oauth_header_and_query(graph) -> None:
    for via in ("header", "oauth", "query"):
        assert graph(PAGE, token=sandbox.DEMO_TOKEN, via=via).status_code == 200
    assert graph(PAGE, token=TEST_TOKEN).status_code == 200


def test_unknown_token_is_code_190(graph) -> None:
    response = graph(PAGE, token="EAAGm0PX4ZCpsBAJunk")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "Invalid OAuth access token - Cannot parse access token",
        "type": "OAuthException",
        "code": 190,
        "fbtrace_id": response.json()["error"]["fbtrace_id"],
    }
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_expired_token_is_190_subcode_463(graph, sb) -> None:
    sb.add_token("short-lived", expires_at=NOW + timedelta(hours=1))
    assert graph(PAGE, token="short-lived").status_code == 200
    sb.advance(hours=2)
    response = graph(PAGE, token="short-lived")
    error = response.json()["error"]
    assert response.status_code == 400
    assert (error["code"], error["error_subcode"], error["type"]) == (190, 463, "OAuthException")
    assert error["message"].startswith("Error validating access token: Session has expired on ")


def test_expired_tokens_option() -> None:
    with sandbox.serve(now=NOW, expired_tokens=["old"]) as sb:
        response = requests.get(
            f"{sb.facebook_url}/v25.0/{PAGE}", params={"access_token": "old"}, timeout=5
        )
        assert response.json()["error"]["error_subcode"] == 463


def test_missing_token_is_code_2500(graph) -> None:
    response = graph(PAGE, token=None)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 2500 and error["type"] == "OAuthException"
    assert error["message"] == (
        "An active access token must be used to query information about the current user."
    )


def test_every_graph_response_carries_usage_headers(graph) -> None:
    for response in (graph(PAGE), graph(PAGE, token="bad"), graph(f"{PAGE}/insights")):
        assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
        assert response.headers["x-fb-trace-id"]
        app = json.loads(response.headers["X-App-Usage"])
        assert set(app) == {"call_count", "total_cputime", "total_time"}
        buc = json.loads(response.headers["X-Business-Use-Case-Usage"])
        assert list(buc) == [PAGE]
        (entry,) = buc[PAGE]
        assert set(entry) == {
            "type",
            "call_count",
            "total_cputime",
            "total_time",
            "estimated_time_to_regain_access",
        }
        assert entry["type"] == "pages"


def test_usage_is_percent_of_a_configurable_budget() -> None:
    with sandbox.serve(now=NOW, app_budget=10, page_budget=4) as sb:
        url = f"{sb.facebook_url}/v25.0/{PAGE}"
        seen = []
        for _ in range(5):
            response = requests.get(url, params={"access_token": sandbox.DEMO_TOKEN}, timeout=5)
            buc = json.loads(response.headers["X-Business-Use-Case-Usage"])[PAGE][0]
            app = json.loads(response.headers["X-App-Usage"])
            seen.append((app["call_count"], buc["call_count"]))
        assert seen == [(10, 25), (20, 50), (30, 75), (40, 100), (50, 100)]
        assert buc["estimated_time_to_regain_access"] > 0


def test_enforced_budget_throttles_with_80001() -> None:
    with sandbox.serve(now=NOW, page_budget=2, enforce_budget=True) as sb:
        url = f"{sb.facebook_url}/v25.0/{PAGE}"
        codes = [
            requests.get(url, params={"access_token": sandbox.DEMO_TOKEN}, timeout=5).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 400]
        response = requests.get(url, params={"access_token": sandbox.DEMO_TOKEN}, timeout=5)
        assert response.json()["error"]["code"] == 80001
