"""The Facebook extractor against the sandbox over real HTTP: plan, paging, retries, faults."""

import gzip
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import sandbox
from extractors.core.errors import PaginationError, RetriesExhausted, TokenError
from extractors.core.job import ExtractJob
from extractors.core.runner import run_job

CANARY = "EAAGcanaryTOKEN0123456789abcdefCANARY"
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
PAGE = "1000000001"  # Bäckerei Sonnenschein
LOGICAL = date(2026, 11, 27)


@pytest.fixture
def sb():
    with sandbox.serve(now=NOW, tokens=[CANARY]) as server:
        yield server


@pytest.fixture
def token_env(monkeypatch):
    monkeypatch.setenv("FB_CANARY", CANARY)


def make_job(sb, tmp_path: Path, state=None, **options) -> ExtractJob:
    return ExtractJob(
        network="facebook",
        business="baeckerei-sonnenschein",
        account_id=PAGE,
        token_ref="env:FB_CANARY",
        base_url=sb.facebook_url,
        timezone="Europe/Berlin",
        logical_date=LOGICAL,
        run_id="test__run",
        landing_dir=str(tmp_path / "landing"),
        state=state or {},
        options={"history_days": 120, **options},
    )


def landed(summary) -> tuple[dict, dict[str, list]]:
    manifest_path = Path(summary["manifest"])
    manifest = json.loads(manifest_path.read_text())
    landing = manifest_path.parents[4]
    streams = {}
    for f in manifest["files"]:
        lines = gzip.decompress((landing / f["path"]).read_bytes()).splitlines()
        streams[f["stream"]] = [json.loads(line) for line in lines]
    return manifest, streams


def all_landing_bytes(tmp_path: Path) -> bytes:
    out = b""
    for p in tmp_path.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            out += gzip.decompress(data) if p.name.endswith(".gz") else data
    return out


def test_first_run_lands_what_the_sandbox_serves(sb, tmp_path, token_env):
    summary = run_job(make_job(sb, tmp_path), sleep=lambda s: None)
    manifest, streams = landed(summary)
    window_end = datetime(2026, 11, 27, tzinfo=UTC) - timedelta(hours=1)  # Berlin midnight
    since = window_end - timedelta(days=120)
    expected = [p for p in sb.world.posts_at(PAGE, NOW) if since <= p.created_time < window_end]
    posts = [r["payload"] for r in streams["posts"]]
    assert sorted(p["id"] for p in posts) == sorted(p.id for p in expected)
    assert len({p["id"] for p in posts}) == len(posts)  # unique keys
    some = expected[len(expected) // 2]
    insight = {
        (r["_meta"]["object_id"], r["payload"]["name"]): r["payload"]["values"][0]["value"]
        for r in streams["post_insights"]
    }
    assert insight[(some.id, "post_media_view")] == sb.world.post_lifetime(
        some.id, "post_media_view", NOW
    )
    page_metrics = {r["payload"]["name"] for r in streams["page_insights"]}
    assert {"page_media_view", "page_follows"} <= page_metrics
    comments = {r["payload"]["id"] for r in streams["comments"]}
    assert comments and len(comments) == len(streams["comments"])
    assert (
        manifest["state"]["posts_high_water_mark"]
        == max(p.created_time for p in expected).isoformat()
    )
    assert manifest["state"]["page_insights_through"] == "2026-11-26"
    # every record carries its fetch metadata, the endpoint never a query string
    meta = streams["posts"][0]["_meta"]
    assert meta["endpoint"] == f"/v25.0/{PAGE}/posts" and meta["run_id"] == "test__run"
    # the token went in a header only, and never reached a file
    assert all(not r["auth"]["access_token_in_query"] for r in sb.requests())
    assert CANARY.encode() not in all_landing_bytes(tmp_path)


def test_two_full_reads_agree_and_incremental_reads_less(sb, tmp_path, token_env):
    first = run_job(make_job(sb, tmp_path / "a"), sleep=lambda s: None)
    second = run_job(make_job(sb, tmp_path / "b"), sleep=lambda s: None)
    _, s1 = landed(first)
    _, s2 = landed(second)
    assert {r["payload"]["id"] for r in s1["posts"]} == {r["payload"]["id"] for r in s2["posts"]}

    state = json.loads(Path(first["manifest"]).read_text())["state"]
    sb.clear_requests()
    third = run_job(make_job(sb, tmp_path / "c", state=state), sleep=lambda s: None)
    _, s3 = landed(third)
    hwm = datetime.fromisoformat(state["posts_high_water_mark"])
    refresh_from = datetime(2026, 11, 27, tzinfo=UTC) - timedelta(hours=1, days=28)
    assert s3["posts"], "the refresh window re-reads recent posts"
    for r in s3["posts"]:
        created = datetime.fromisoformat(r["payload"]["created_time"].replace("+0000", "+00:00"))
        assert created >= min(hwm - timedelta(days=1), refresh_from)
    assert third["calls"] < first["calls"]
    insights_calls = [r for r in sb.requests() if r["path"].endswith("/insights")]
    assert len(insights_calls) == 1  # only the trailing lookback window


def test_far_future_state_returns_nothing_new_without_crashing(sb, tmp_path, token_env):
    state = {
        "posts_high_water_mark": "2999-12-31T00:00:00+00:00",
        "page_insights_through": "2999-12-30",
    }
    summary = run_job(make_job(sb, tmp_path, state=state), sleep=lambda s: None)
    manifest, streams = landed(summary)
    # posts of the refresh window are re-read for their metrics, nothing beyond the window end
    for r in streams.get("posts", []):
        assert r["payload"]["created_time"] < "2026-11-27"
    assert manifest["state"]["posts_high_water_mark"] == "2999-12-31T00:00:00+00:00"
    assert manifest["state"]["page_insights_through"] == "2999-12-30"  # never moves backwards


def test_429_with_retry_after_is_waited_out(sb, tmp_path, token_env):
    sb.add_fault(
        "GET",
        r"/insights$",
        status=429,
        headers={"Retry-After": "2"},
        body={"error": {"message": "busy", "code": 4}},
        times=2,
    )
    sleeps: list[float] = []
    summary = run_job(make_job(sb, tmp_path), sleep=sleeps.append)
    assert len(sleeps) == 2 and all(s >= 2 for s in sleeps)
    assert summary["retries"] == 2
    _, streams = landed(summary)
    assert streams["page_insights"]


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_graph_throttling_in_body_is_retried(sb, tmp_path, token_env, code):
    sb.add_fault("GET", rf"/{PAGE}/posts$", status=400, body=sandbox.graph_error(code), times=2)
    sleeps: list[float] = []
    summary = run_job(make_job(sb, tmp_path), sleep=sleeps.append)
    assert len(sleeps) == 2
    _, streams = landed(summary)
    assert streams["posts"]


def test_persistent_500_fails_clearly_and_lands_nothing(sb, tmp_path, token_env):
    sb.add_fault("GET", rf"/{PAGE}/posts$", status=500, body="oops", times=100)
    sleeps: list[float] = []
    with pytest.raises(RetriesExhausted) as err:
        run_job(make_job(sb, tmp_path), sleep=sleeps.append)
    message = str(err.value)
    assert f"/v25.0/{PAGE}/posts" in message and "HTTP 500" in message
    assert CANARY not in message and "?" not in message
    assert len(sleeps) == 5  # max_attempts - 1, each bounded
    assert not list((tmp_path / "landing").rglob("*.json"))  # no manifest: nothing committed
    assert not list((tmp_path / "landing").rglob("*.partial"))


def test_token_expiry_mid_run_fails_fast_with_actionable_message(sb, tmp_path, token_env):
    sb.add_fault(
        "POST", r"/facebook/v25\.0/$", status=400, body=sandbox.graph_error(190, 463), times=1
    )
    with pytest.raises(TokenError) as err:
        run_job(make_job(sb, tmp_path), sleep=lambda s: None)
    assert "obtain a new token" in str(err.value) and CANARY not in str(err.value)
    log = sb.requests()
    failed_at = next(i for i, r in enumerate(log) if r["fault"])
    assert len(log) - failed_at - 1 == 0  # no retry storm after the 190
    assert not list((tmp_path / "landing").rglob("*.json"))


def test_retired_metric_is_dropped_recorded_and_the_rest_is_kept(sb, tmp_path, token_env):
    job = make_job(
        sb, tmp_path, page_metrics=["page_media_view", "page_impressions", "page_follows"]
    )
    summary = run_job(job, sleep=lambda s: None)
    _, streams = landed(summary)
    assert {r["payload"]["name"] for r in streams["page_insights"]} == {
        "page_media_view",
        "page_follows",
    }
    assert {"kind": "retired_metric", "detail": "page:page_impressions"} in summary["events"]


def first_posts_url(sb, tmp_path) -> tuple[str, int]:
    """The URL of the extractor's first posts request (from a baseline run) and its row count."""
    from urllib.parse import urlencode

    sb.clear_requests()
    base = run_job(make_job(sb, tmp_path / "baseline"), sleep=lambda s: None)
    first = next(r for r in sb.requests() if r["path"].endswith(f"{PAGE}/posts"))
    query = urlencode([tuple(pair) for pair in first["query"]])
    return f"{sb.url}{first['path']}?{query}", base["rows"]["posts"]


def test_empty_page_with_next_is_followed_and_a_loop_fails(sb, tmp_path, token_env):
    url, baseline_rows = first_posts_url(sb, tmp_path)
    sb.add_fault("GET", rf"/{PAGE}/posts$", status=200, body={"data": [], "paging": {"next": url}})
    summary = run_job(make_job(sb, tmp_path / "ok"), sleep=lambda s: None)
    assert summary["rows"]["posts"] == baseline_rows > 0  # an empty page did not end paging

    loop = {
        "data": [{"id": f"{PAGE}_1", "created_time": "2026-11-20T10:00:00+0000"}],
        "paging": {"next": url + "&after=LOOP"},
    }
    sb.add_fault("GET", rf"/{PAGE}/posts$", status=200, body=loop, times=10)
    with pytest.raises(PaginationError, match="loops back"):
        run_job(make_job(sb, tmp_path / "loop"), sleep=lambda s: None)


def test_next_link_with_token_is_stripped_and_foreign_hosts_refused(sb, tmp_path, token_env):
    url, baseline_rows = first_posts_url(sb, tmp_path)
    echoed = url.replace("?", f"?access_token={CANARY}&", 1)
    sb.add_fault(
        "GET", rf"/{PAGE}/posts$", status=200, body={"data": [], "paging": {"next": echoed}}
    )
    sb.clear_requests()
    summary = run_job(make_job(sb, tmp_path / "a"), sleep=lambda s: None)
    assert summary["rows"]["posts"] == baseline_rows
    posts_requests = [r for r in sb.requests() if r["path"].endswith(f"{PAGE}/posts")]
    assert len(posts_requests) >= 2
    assert not any(r["auth"]["access_token_in_query"] for r in posts_requests)
    assert CANARY.encode() not in all_landing_bytes(tmp_path / "a")

    sb.add_fault(
        "GET",
        rf"/{PAGE}/posts$",
        status=200,
        body={"data": [], "paging": {"next": "https://evil.example/steal?x=1"}},
    )
    with pytest.raises(PaginationError, match="foreign host"):
        run_job(make_job(sb, tmp_path / "b"), sleep=lambda s: None)


def test_duplicate_items_across_pages_collapse(sb, tmp_path, token_env):
    url, _ = first_posts_url(sb, tmp_path)
    dup = {"id": f"{PAGE}_101202611009", "created_time": "2026-11-20T14:05:00+0000"}
    sb.add_fault(
        "GET",
        rf"/{PAGE}/posts$",
        status=200,
        body={"data": [dup], "paging": {"next": url + "&after=PAGE2"}},
    )
    sb.add_fault("GET", rf"/{PAGE}/posts$", status=200, body={"data": [dup, dup]})
    summary = run_job(make_job(sb, tmp_path / "dup"), sleep=lambda s: None)
    assert summary["rows"]["posts"] == 1
