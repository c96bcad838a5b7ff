"""Pure rules of the HTTP engine: retry classification, Retry-After, bounded backoff, redaction."""

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from extractors.core.graph import classify
from extractors.core.http import Outcome, RetryPolicy, classify_http, parse_retry_after
from extractors.core.redact import Redactor, endpoint_of, strip_paging, strip_secret_params


def graph_error(code, subcode=None, message="boom", **extra):
    err = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC123"}
    if subcode:
        err["error_subcode"] = subcode
    err.update(extra)
    return {"error": err}


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001, 1, 2])
def test_graph_throttling_and_transient_codes_are_retried_even_with_4xx_status(code):
    assert classify(400, {}, graph_error(code)).outcome is Outcome.RETRY
    assert classify(403, {}, graph_error(code)).outcome is Outcome.RETRY


@pytest.mark.parametrize("code,subcode", [(190, 463), (190, 460), (190, None), (102, None)])
def test_token_errors_fail_fast(code, subcode):
    verdict = classify(400, {}, graph_error(code, subcode))
    assert verdict.outcome is Outcome.TOKEN
    assert str(code) in verdict.message


@pytest.mark.parametrize("code", [10, 200, 299])
def test_permission_errors_are_not_retried(code):
    assert classify(403, {}, graph_error(code)).outcome is Outcome.PERMISSION


def test_retired_metric_is_its_own_outcome_and_other_100s_are_rejected():
    retired = graph_error(100, message="(#100) The value must be a valid insights metric")
    assert classify(400, {}, retired).outcome is Outcome.INVALID_METRIC
    assert classify(400, {}, graph_error(100, message="Unknown field")).outcome is Outcome.REJECTED


def test_is_transient_flag_is_honoured():
    assert classify(500, {}, graph_error(999, is_transient=True)).outcome is Outcome.RETRY


def test_bucket_usage_header_gives_wait_time_for_80001():
    headers = {
        "X-Business-Use-Case-Usage": '{"1": [{"type": "pages", "call_count": 100, '
        '"total_cputime": 5, "total_time": 5, "estimated_time_to_regain_access": 3}]}'
    }
    verdict = classify(400, headers, graph_error(80001))
    assert verdict.wait_seconds == 180.0


def test_status_classification_without_graph_body():
    assert classify_http(429, {"Retry-After": "7"}, None).wait_seconds == 7.0
    assert classify_http(503, {}, None).outcome is Outcome.RETRY
    assert classify_http(401, {}, None).outcome is Outcome.TOKEN
    assert classify_http(404, {}, None).outcome is Outcome.REJECTED
    assert classify(200, {}, None).outcome is Outcome.RETRY  # empty 200 body is not data


def test_retry_after_seconds_and_http_date():
    assert parse_retry_after("2") == 2.0
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(later, now=now.timestamp()) == pytest.approx(30.0)
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_is_bounded_jittered_and_respects_server_wait():
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    rng = random.Random(7)
    delays = [policy.backoff(n, rng, None) for n in range(12) for _ in range(20)]
    assert max(delays) <= 8.0
    assert len({round(d, 6) for d in delays}) > 100  # jitter: not a fixed sequence
    # the ceiling grows exponentially: attempt 0 never waits more than base_delay
    assert all(policy.backoff(0, rng, None) <= 1.0 for _ in range(50))
    assert policy.backoff(0, rng, 30.0) >= 30.0


def test_redaction_helpers():
    url = "https://graph.facebook.com/v25.0/1/posts?access_token=SECRET&limit=25&after=QVF"
    assert endpoint_of(url) == "/v25.0/1/posts"
    cleaned = strip_secret_params(url)
    assert "SECRET" not in cleaned and "after=QVF" in cleaned and "limit=25" in cleaned
    payload = {
        "data": [{"id": "1", "comments": {"paging": {"next": url}, "summary": {}}}],
        "paging": {"next": url},
    }
    assert "SECRET" not in repr(strip_paging(payload))
    assert strip_paging(payload)["data"][0]["comments"] == {"summary": {}}
    redact = Redactor(["tok-123"])
    assert redact("failed with tok-123 and access_token=abc&x=1") == (
        "failed with *** and access_token=***&x=1"
    )


def test_server_clock_follows_the_api_date_only_when_the_local_clock_is_off():
    from extractors.core.clock import ServerClock

    local = datetime(2026, 12, 6, 11, 0, 0, tzinfo=UTC)
    clock = ServerClock(lambda: local)
    assert clock.now() == local  # nothing heard yet: the local clock
    clock.note({"Date": format_datetime(local + timedelta(seconds=3), usegmt=True)})
    assert clock.now() == local  # within the tolerance: the local clock
    api = datetime(2026, 11, 27, 2, 0, 0, tzinfo=UTC)  # a worker 9 days ahead of the API
    clock.note({"Date": format_datetime(api, usegmt=True)})
    # one second added: Date has whole seconds, and the estimate must not run behind the API
    assert clock.now() == api + timedelta(seconds=1)
    assert clock.timestamp() == (api + timedelta(seconds=1)).timestamp()
    for broken in ({}, {"Date": "yesterday"}, {"Date": "Fri, 27 Nov 2026 02:00:00"}):
        clock.note(broken)  # unparseable or without a zone: ignored, the last estimate stays
        assert clock.now() == api + timedelta(seconds=1)
