"""The LinkedIn extractor against the sandbox over real HTTP: the connector checks of
reliability.md 11.3 plus versions, throttling and token faults."""

import gzip
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import sandbox
from extractors.core.errors import (
    PermissionDenied,
    RequestRejected,
    RetriesExhausted,
    TokenError,
)
from extractors.core.job import ExtractJob
from extractors.core.runner import run_job
from extractors.networks.linkedin.extract import ApiVersionSunset
from sandbox.networks.linkedin import world

CANARY = "AQVcanaryLinkedInTOKEN0123456789CANARY"
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
ORG = "90000001"  # Bäckerei Sonnenschein
LOGICAL = date(2026, 11, 27)
WINDOW_END = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)  # Berlin midnight starting LOGICAL


@pytest.fixture
def sb():
    with sandbox.serve(now=NOW, tokens=[CANARY]) as server:
        yield server


@pytest.fixture(autouse=True)
def token_env(monkeypatch):
    monkeypatch.setenv("LI_CANARY", CANARY)


def make_job(sb, tmp_path: Path, state=None, **options) -> ExtractJob:
    return ExtractJob(
        network="linkedin",
        business="baeckerei-sonnenschein",
        account_id=ORG,
        token_ref="env:LI_CANARY",
        base_url=sb.network_url("linkedin"),
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


def calls_to(sb, fragment: str) -> list[dict]:
    return [r for r in sb.requests() if fragment in r["path"]]


def created(payload: dict) -> datetime:
    return datetime.fromtimestamp(payload["createdAt"] / 1000, tz=UTC)


def test_basic_read_lands_what_the_sandbox_serves(sb, tmp_path):
    summary = run_job(make_job(sb, tmp_path), sleep=lambda s: None)
    manifest, streams = landed(summary)
    lw = world(sb.seed)
    since = WINDOW_END - timedelta(days=120)
    expected = [p for p in lw.posts_at(ORG, NOW) if since <= p.created_at < WINDOW_END]
    posts = [r["payload"] for r in streams["posts"]]
    assert sorted(p["id"] for p in posts) == sorted(p.urn for p in expected)
    assert all(p["id"] for p in posts) and len({p["id"] for p in posts}) == len(posts)
    # snapshot: the lookup and the follower total of the same fetch
    org = {r["_meta"]["endpoint"]: r["payload"] for r in streams["organization"]}
    assert org[f"/rest/organizations/{ORG}"]["localizedName"] == "Bäckerei Sonnenschein"
    size = org["/rest/networkSizes/urn%3Ali%3Aorganization%3A90000001"]
    assert size == {"firstDegreeSize": lw.followers_at(ORG, NOW)}
    # daily statistics: UTC days up to logical date - 3 (windows must end two days ago)
    days = [
        datetime.fromtimestamp(r["payload"]["timeRange"]["start"] / 1000, tz=UTC).date()
        for r in streams["share_statistics"]
    ]
    assert days[-1] == date(2026, 11, 24) and len(days) == len(set(days)) == 120
    assert streams["share_statistics"][-1]["payload"]["totalShareStatistics"] == (
        lw.share_statistics_on(ORG, date(2026, 11, 24))
    )
    gains = streams["follower_statistics"][0]["payload"]
    assert set(gains["followerGains"]) == {"organicFollowerGain", "paidFollowerGain"}
    # lifetime statistics for every new post, keyed by its URN
    stats = {r["_meta"]["object_id"]: r["payload"] for r in streams["post_statistics"]}
    assert set(stats) == {p.urn for p in expected}
    some = expected[len(expected) // 2]
    assert stats[some.urn]["totalShareStatistics"] == lw.post_statistics(some.urn, NOW)
    # comments (replies included) have unique URNs
    comment_urns = [r["payload"]["commentUrn"] for r in streams["comments"]]
    assert comment_urns and len(comment_urns) == len(set(comment_urns))
    assert any("parentComment" in r["payload"] for r in streams["comments"])
    assert manifest["state"] == {
        "follower_statistics_through": "2026-11-24",
        "share_statistics_through": "2026-11-24",
        "posts_high_water_mark": max(p.created_at for p in expected).isoformat(),
    }
    assert manifest["events"] == []
    # headers: version and protocol on every call; the token only in the header
    assert all(r["auth"]["authorization_header"] == "Bearer" for r in sb.requests())
    assert all(not r["auth"]["access_token_in_query"] for r in sb.requests())
    assert CANARY not in json.dumps(sb.requests())
    assert CANARY.encode() not in all_landing_bytes(tmp_path)
    assert all("?" not in r["_meta"]["endpoint"] for s in streams.values() for r in s)


def test_two_full_reads_agree_and_incremental_reads_only_newer(sb, tmp_path):
    first = run_job(make_job(sb, tmp_path / "a"), sleep=lambda s: None)
    second = run_job(make_job(sb, tmp_path / "b"), sleep=lambda s: None)
    _, s1 = landed(first)
    _, s2 = landed(second)
    for stream in ("posts", "post_statistics", "comments", "share_statistics"):
        assert [r["payload"] for r in s1[stream]] == [r["payload"] for r in s2[stream]], stream

    state = json.loads(Path(first["manifest"]).read_text())["state"]
    sb.clear_requests()
    third = run_job(make_job(sb, tmp_path / "c", state=state), sleep=lambda s: None)
    manifest, s3 = landed(third)
    hwm = datetime.fromisoformat(state["posts_high_water_mark"])
    refresh_from = WINDOW_END - timedelta(days=60)
    assert s3["posts"], "the refresh window re-reads recent posts"
    assert all(
        created(r["payload"]) >= min(hwm - timedelta(days=1), refresh_from) for r in s3["posts"]
    )
    assert len(s3["posts"]) < len(s1["posts"])
    # daily statistics: only the lookback window again
    assert len(s3["share_statistics"]) == 7
    assert third["calls"] < first["calls"]
    assert manifest["state"]["posts_high_water_mark"] == state["posts_high_water_mark"]


def test_next_night_finds_only_the_new_post(sb, tmp_path):
    lw = world(sb.seed)
    # a state as if the previous night ran: everything up to the newest post is known
    posts = lw.posts_at(ORG, NOW)
    newest, previous = posts[0], posts[1]
    state = {"posts_high_water_mark": previous.created_at.isoformat()}
    summary = run_job(
        make_job(sb, tmp_path, state=state, post_refresh_days=0, comment_days=0),
        sleep=lambda s: None,
    )
    manifest, streams = landed(summary)
    new_posts = [r["payload"]["id"] for r in streams["posts"]]
    assert newest.urn in new_posts
    assert {r["_meta"]["object_id"] for r in streams["post_statistics"]} == {newest.urn}
    assert manifest["state"]["posts_high_water_mark"] == newest.created_at.isoformat()


def test_far_future_state_returns_no_new_posts_without_crashing(sb, tmp_path):
    state = {
        "posts_high_water_mark": "2030-01-01T00:00:00+00:00",
        "follower_statistics_through": "2030-01-01",
        "share_statistics_through": "2030-01-01",
    }
    summary = run_job(
        make_job(sb, tmp_path, state=state, post_refresh_days=0, comment_days=0),
        sleep=lambda s: None,
    )
    manifest, streams = landed(summary)
    assert streams["posts"] == [] and streams["post_statistics"] == []
    assert manifest["state"] == state  # marks never move backwards
    assert streams["organization"], "the snapshot is still taken"


def test_posts_page_by_start_and_count(sb, tmp_path):
    summary = run_job(make_job(sb, tmp_path, page_size=5), sleep=lambda s: None)
    _, streams = landed(summary)
    starts = [dict(r["query"]).get("start") for r in calls_to(sb, "/rest/posts")]
    assert starts[:3] == ["0", "5", "10"]
    ids = [r["payload"]["id"] for r in streams["posts"]]
    assert len(ids) == len(set(ids)) > 5


def test_sunset_version_fails_fast_with_a_clear_message(sb, tmp_path):
    with pytest.raises(ApiVersionSunset) as err:
        run_job(make_job(sb, tmp_path, api_version="202410"), sleep=lambda s: None)
    message = str(err.value)
    assert (
        "LinkedIn API version 202410 is sunset: raise networks.linkedin.api_version in the "
        "config to a current version" in message
    )
    assert "426" in message and CANARY not in message
    assert len(sb.requests()) == 1 and sb.requests()[0]["status"] == 426
    assert not (tmp_path / "landing" / "_manifests").exists()


def test_missing_version_is_refused_before_any_call(sb, tmp_path):
    with pytest.raises(RequestRejected) as err:
        run_job(make_job(sb, tmp_path, api_version=""), sleep=lambda s: None)
    assert "YYYYMM" in str(err.value) and "api_version" in str(err.value)
    assert sb.requests() == []


def test_version_missing_answer_fails_fast(sb, tmp_path):
    body = {
        "status": 400,
        "code": "VERSION_MISSING",
        "message": "A version must be present. Please specify a version by adding the "
        "LinkedIn-Version header.",
    }
    sb.add_fault("GET", r"/linkedin/rest/organizations/", status=400, body=body)
    with pytest.raises(RequestRejected) as err:
        run_job(make_job(sb, tmp_path), sleep=lambda s: None)
    assert "VERSION_MISSING" in str(err.value) and "/rest/organizations/90000001" in str(err.value)
    assert len(sb.requests()) == 1


def test_bare_429_is_retried_with_jittered_exponential_backoff(sb, tmp_path):
    sb.add_fault("GET", r"/linkedin/rest/posts$", status=429, body="", times=3)
    sleeps: list[float] = []
    summary = run_job(make_job(sb, tmp_path), sleep=sleeps.append)
    assert summary["retries"] == 3 and len(sleeps) == 3
    assert all(0 <= s <= 2**i for i, s in enumerate(sleeps))  # base 1 s, full jitter
    posts_calls = calls_to(sb, "/rest/posts")
    assert [r["status"] for r in posts_calls[:4]] == [429, 429, 429, 200]
    assert [r["fault"] for r in posts_calls[:4]] == [True, True, True, False]
    _, streams = landed(summary)
    assert streams["posts"]


def test_exhausted_429_budget_says_when_the_daily_quota_resets(sb, tmp_path):
    sb.add_fault(
        "GET", r"/linkedin/rest/organizationalEntityShareStatistics$", status=429, body="", times=50
    )
    sleeps: list[float] = []
    job = make_job(sb, tmp_path, retry={"max_attempts": 4, "base_delay": 2.0})
    with pytest.raises(RetriesExhausted) as err:
        run_job(job, sleep=sleeps.append)
    message = str(err.value)
    assert "LinkedIn's daily quota" in message and "00:00 UTC" in message
    assert "HTTP 429" in message and CANARY not in message and "?" not in message
    assert len(sleeps) == 3 and all(0 <= s <= 2.0 * 2**i for i, s in enumerate(sleeps))
    assert len(calls_to(sb, "organizationalEntityShareStatistics")) == 4


def test_rejected_token_fails_fast(sb, tmp_path, monkeypatch):
    monkeypatch.setenv("LI_CANARY", "AQVrevokedTOKENxyz")
    with pytest.raises(TokenError) as err:
        run_job(make_job(sb, tmp_path), sleep=lambda s: None)
    message = str(err.value)
    assert "401" in message and "INVALID_ACCESS_TOKEN" in message
    assert "60 days" in message and "AQVrevokedTOKENxyz" not in message
    assert len(sb.requests()) == 1
    assert "AQVrevokedTOKENxyz" not in json.dumps(sb.requests())


def test_expired_token_fails_fast(sb, tmp_path):
    sb.add_token(CANARY, expires_at=NOW - timedelta(minutes=1))
    with pytest.raises(TokenError) as err:
        run_job(make_job(sb, tmp_path), sleep=lambda s: None)
    assert "EXPIRED_ACCESS_TOKEN" in str(err.value)
    assert len(sb.requests()) == 1


def test_every_stream_yields_records_with_unique_keys(sb, tmp_path):
    _, streams = landed(run_job(make_job(sb, tmp_path), sleep=lambda s: None))
    keys = {
        "organization": lambda p: p.get("id", p.get("firstDegreeSize") is not None),
        "follower_statistics": lambda p: p["timeRange"]["start"],
        "share_statistics": lambda p: p["timeRange"]["start"],
        "posts": lambda p: p["id"],
        "post_statistics": lambda p: p.get("share") or p.get("ugcPost"),
        "comments": lambda p: p["commentUrn"],
    }
    for stream, key in keys.items():
        values = [key(r["payload"]) for r in streams[stream]]
        assert values and all(v is not None for v in values), stream
        assert len(values) == len(set(values)), stream


def test_a_field_linkedin_stops_serving_is_recorded_as_retired(sb, tmp_path):
    day = 1795478400000  # 2026-11-24 00:00 UTC
    element = {
        "organizationalEntity": "urn:li:organization:90000001",
        "timeRange": {"start": day, "end": day + 86_400_000},
        "totalShareStatistics": {"impressionCount": 10, "clickCount": 1, "likeCount": 0},
    }
    body = {"paging": {"start": 0, "count": 1, "links": []}, "elements": [element]}
    sb.add_fault(
        "GET", r"/linkedin/rest/organizationalEntityShareStatistics$", status=200, body=body
    )
    state = {"share_statistics_through": "2026-11-30", "follower_statistics_through": "2026-11-30"}
    summary = run_job(make_job(sb, tmp_path, state=state, lookback_days=1), sleep=lambda s: None)
    manifest, streams = landed(summary)
    assert {"kind": "retired_metric", "detail": "account_daily:uniqueImpressionsCount"} in (
        manifest["events"]
    )
    assert streams["share_statistics"][0]["payload"] == element


def test_an_organization_the_token_does_not_administer_fails_with_a_permission_error(sb, tmp_path):
    job = make_job(sb, tmp_path)
    job = ExtractJob.from_dict({**job.to_dict(), "account_id": "12345"})
    with pytest.raises(PermissionDenied) as err:
        run_job(job, sleep=lambda s: None)
    message = str(err.value)
    assert "403" in message and "ACCESS_DENIED" in message and "README" in message
    assert CANARY not in message and len(sb.requests()) == 1
