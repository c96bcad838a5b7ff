"""X faults over real HTTP: rate limits (429 with x-rate-limit-reset, measured on the client's
clock), an exhausted window announced by x-rate-limit-remaining, 401 and usage-cap fast
failures, app-only tokens asking for private metrics, paging loops, and no token anywhere."""

from __future__ import annotations

import gzip
from datetime import timedelta
from pathlib import Path

import pytest
from x_harness import (
    ACCOUNT,
    APP_TOKEN,
    NOW,
    TOKEN,
    TOKEN_ENV,
    make_job,
    run,
    x_calls,
    x_sandbox,  # noqa: F401 - the `sb` fixture
)

from extractors.core.errors import (
    PaginationError,
    PermissionDenied,
    RequestRejected,
    RetriesExhausted,
    TokenError,
)
from extractors.core.runner import run_job
from sandbox.networks.x import too_many_requests, usage_capped

TIMELINE = rf"/x/2/users/{ACCOUNT}/tweets$"


def test_429_waits_until_the_reset_on_the_clients_clock(sb, tmp_path: Path) -> None:
    reset = int(NOW.timestamp()) + 120
    sb.add_fault("GET", TIMELINE, **too_many_requests(900, reset))
    sleeps: list[float] = []
    summary, manifest = run(make_job(sb, tmp_path), sleeps)
    assert sleeps and sleeps[0] >= reset - NOW.timestamp()
    assert sleeps[0] < 300  # the reset, not a blind maximum backoff
    statuses = [e["status"] for e in x_calls(sb, "/tweets")]
    assert statuses[:2] == [429, 200]
    assert summary["retries"] == 1 and manifest["calls"] == len(sb.requests())


def test_429_with_a_reset_beyond_the_retry_budget_fails_at_once_naming_the_reset(
    sb, tmp_path: Path
) -> None:
    reset = int(NOW.timestamp()) + 3600
    sb.add_fault("GET", TIMELINE, **too_many_requests(900, reset))
    sleeps: list[float] = []
    with pytest.raises(RetriesExhausted) as err:
        run(make_job(sb, tmp_path), sleeps)
    message = str(err.value)
    assert "2026-11-27T03:00:00Z" in message and "retry budget" in message
    assert f"/2/users/{ACCOUNT}/tweets" in message and TOKEN not in message
    assert sleeps == []
    assert len(sb.requests()) == 2  # the user, then the refused listing: no retries
    assert not list((tmp_path / "_manifests").rglob("*.json"))


def _exhausted_listing(sb, reset: int) -> None:
    """The first listing call (the young, private segment) answers with no calls left."""
    sb.add_fault(
        "GET",
        TIMELINE,
        status=200,
        headers={
            "x-rate-limit-limit": "900",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        },
        body={"meta": {"result_count": 0}},
    )


def test_an_exhausted_window_waits_for_its_reset_before_the_next_call(sb, tmp_path: Path) -> None:
    reset = int(NOW.timestamp()) + 60
    _exhausted_listing(sb, reset)
    sleeps: list[float] = []
    summary, _ = run(make_job(sb, tmp_path), sleeps)
    assert len(sleeps) == 1 and sleeps[0] >= reset - NOW.timestamp()
    assert [e["status"] for e in x_calls(sb, "/tweets")][:2] == [200, 200]
    assert summary["retries"] == 0 and not [e for e in sb.requests() if e["status"] == 429]


def test_an_exhausted_window_beyond_the_budget_fails_naming_the_reset(sb, tmp_path: Path) -> None:
    _exhausted_listing(sb, int(NOW.timestamp()) + 7200)
    sleeps: list[float] = []
    with pytest.raises(RetriesExhausted, match=r"until 2026-11-27T04:00:00Z"):
        run(make_job(sb, tmp_path), sleeps)
    assert sleeps == [] and len(x_calls(sb, "/tweets")) == 1


def test_401_fails_fast_without_retry(sb, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "revoked-token")
    sleeps: list[float] = []
    with pytest.raises(TokenError) as err:
        run(make_job(sb, tmp_path), sleeps)
    assert len(sb.requests()) == 1 and sleeps == []
    message = str(err.value)
    assert "x account" in message and f"/2/users/{ACCOUNT}" in message
    assert "revoked-token" not in message and "obtain a new token" in message


def test_usage_cap_fails_fast(sb, tmp_path: Path) -> None:
    sb.add_fault("GET", TIMELINE, **usage_capped())
    sleeps: list[float] = []
    with pytest.raises(RequestRejected) as err:
        run(make_job(sb, tmp_path), sleeps)
    assert "usage cap" in str(err.value) and sleeps == []
    assert len(sb.requests()) == 2


def test_app_only_token_cannot_read_private_metrics(sb, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, APP_TOKEN)
    with pytest.raises(PermissionDenied) as err:
        run(make_job(sb, tmp_path, metrics_access="owned"))
    assert "metrics_access: public" in str(err.value) and APP_TOKEN not in str(err.value)
    summary, _ = run(make_job(sb, tmp_path, metrics_access="public"))
    assert summary["rows"]["posts"] > 0


def test_a_next_token_that_loops_fails_clearly(sb, tmp_path: Path) -> None:
    body = {"meta": {"result_count": 0, "next_token": "7140dibdnow9c7btw4"}}
    sb.add_fault("GET", TIMELINE, status=200, body=body, times=3)
    with pytest.raises(PaginationError) as err:
        run(make_job(sb, tmp_path, metrics_access="public"))
    assert "loops back" in str(err.value) and len(x_calls(sb, "/tweets")) == 2


def test_invalid_metrics_access_is_a_clear_config_error(sb, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="metrics_access"):
        run_job(make_job(sb, tmp_path, metrics_access="everything"))
    assert sb.requests() == []


def test_no_token_in_urls_logs_or_landing_files(sb, tmp_path: Path) -> None:
    run(make_job(sb, tmp_path))
    for entry in sb.requests():
        assert entry["auth"]["authorization_header"] == "Bearer"
        assert not entry["auth"]["access_token_in_query"]
        assert TOKEN not in str(entry["query"])
    for path in tmp_path.rglob("*.gz"):
        assert TOKEN.encode() not in gzip.decompress(path.read_bytes())
    for path in tmp_path.rglob("*.json"):
        assert TOKEN not in path.read_text()


def test_a_retried_429_counts_in_calls_but_not_in_reads(sb, tmp_path: Path) -> None:
    reset = int((NOW + timedelta(seconds=30)).timestamp())
    sb.add_fault("GET", r"/x/2/tweets/search/recent$", **too_many_requests(300, reset))
    _, manifest = run(make_job(sb, tmp_path))
    log = sb.requests()
    assert manifest["calls"] == len(log)
    assert sum(e["status"] == 429 for e in log) == 1
