"""The Instagram extractor against the sandbox over real HTTP: the connector checks of
reliability.md 11.3 plus Instagram's faults (throttling codes in the body, token errors,
retired metrics, empty insights)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import sandbox
from extractors.core.errors import TokenError
from extractors.core.job import ExtractJob
from extractors.core.runner import run_job
from sandbox.networks.instagram import ig_world

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
LOGICAL = date(2026, 11, 27)
USER = "17841400000000001"
TOKEN = "ig-test-token"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def sb():
    with sandbox.serve(now=NOW, seed=42, tokens=[TOKEN]) as server:
        yield server


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESSBAR_TEST_IG_TOKEN", TOKEN)


def _job(
    sb: sandbox.Sandbox,
    landing: Path,
    *,
    logical: date = LOGICAL,
    state: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
    account: str = USER,
    run_id: str = "run1",
) -> ExtractJob:
    return ExtractJob(
        network="instagram",
        business="baeckerei-sonnenschein",
        account_id=account,
        token_ref="env:MESSBAR_TEST_IG_TOKEN",
        base_url=sb.network_url("instagram"),
        timezone="Europe/Berlin",
        logical_date=logical,
        run_id=run_id,
        landing_dir=str(landing),
        state=dict(state or {}),
        options=dict(options or {}),
    )


def _run(job: ExtractJob, sleeps: list[float] | None = None) -> tuple[dict, dict]:
    summary = run_job(job, sleep=(sleeps if sleeps is not None else []).append)
    manifest = json.loads(Path(summary["manifest"]).read_text())
    return summary, manifest


def _rows(landing: Path, manifest: dict) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    for entry in manifest["files"]:
        with gzip.open(landing / entry["path"], "rt", encoding="utf-8") as fh:
            rows[entry["stream"]] = [json.loads(line) for line in fh]
    return rows


def _day_of(row: dict) -> str:
    payload = row["payload"]
    if "_requested" in payload:
        return payload["_requested"]["since"]
    values = payload.get("values") or [{}]
    return "series:" + str(values[0].get("end_time"))


def _keys(rows: dict[str, list[dict]]) -> dict[str, list]:
    """The natural key of every landed object, per stream."""
    replies = [
        r["id"]
        for row in rows.get("comments", [])
        for r in row["payload"].get("replies", {}).get("data", [])
    ]
    return {
        "account": [row["payload"]["id"] for row in rows.get("account", [])],
        "account_insights": [
            (row["payload"]["name"], _day_of(row)) for row in rows.get("account_insights", [])
        ],
        "media": [row["payload"]["id"] for row in rows.get("media", [])],
        "media_insights": [
            (row["_meta"]["object_id"], row["payload"]["name"])
            for row in rows.get("media_insights", [])
        ],
        "comments": [row["payload"]["id"] for row in rows.get("comments", [])] + replies,
    }


def _window_media(sb: sandbox.Sandbox, since: datetime, until: datetime) -> list[str]:
    return [m.id for m in ig_world(42).media_at(USER, sb.now) if since <= m.timestamp < until]


def test_basic_read_lands_every_stream_with_unique_non_null_keys(sb, tmp_path) -> None:
    summary, manifest = _run(_job(sb, tmp_path))
    rows = _rows(tmp_path, manifest)
    assert set(rows) == {"account", "account_insights", "media", "media_insights", "comments"}
    for stream, keys in _keys(rows).items():
        assert keys, f"{stream} landed nothing"
        assert all(k is not None and k != "" for k in keys), stream
        assert len(keys) == len(set(keys)), f"{stream} has duplicate keys"
    ig = ig_world(42)
    assert rows["account"][0]["payload"] == {
        "id": USER,
        "username": "baeckereisonnenschein",
        "name": "Bäckerei Sonnenschein",
        "followers_count": ig.followers_at(USER, NOW),
        "follows_count": ig.account(USER).follows_count,
        "media_count": len(ig.media_at(USER, NOW)),
    }
    window_end = datetime.combine(LOGICAL, time(0), BERLIN)
    expected = _window_media(sb, window_end - timedelta(days=730), window_end)
    assert [r["payload"]["id"] for r in rows["media"]] == expected
    assert manifest["state"]["media_high_water_mark"] == ig.media(expected[0]).timestamp.isoformat()
    # account values lag 24 h: the last published Meta day is 2026-11-24
    assert manifest["state"]["account_insights_through"] == "2026-11-24"
    assert summary["events"] == []
    # Graph batch for insights and comments; one snapshot, three reach windows, follower_count
    calls = Counter(e["path"].rsplit("/", 1)[-1] for e in sb.requests())
    assert calls[USER] == 1 and calls["media"] == 2
    assert manifest["calls"] == len(sb.requests())


def test_requests_carry_the_token_only_in_the_header(sb, tmp_path) -> None:
    _run(_job(sb, tmp_path))
    log = sb.requests()
    assert log
    for entry in log:
        assert entry["auth"] == {
            "authorization_header": "Bearer",
            "access_token_in_query": False,
            "access_token_in_form": False,
        }
        assert TOKEN not in json.dumps(entry)
    for path in tmp_path.rglob("*.ndjson.gz"):
        text = gzip.decompress(path.read_bytes()).decode()
        assert TOKEN not in text and '"paging"' not in text and "access_token" not in text


def test_two_full_reads_agree(sb, tmp_path) -> None:
    _, first = _run(_job(sb, tmp_path / "a", run_id="a"))
    _, second = _run(_job(sb, tmp_path / "b", run_id="b"))
    rows_a, rows_b = _rows(tmp_path / "a", first), _rows(tmp_path / "b", second)
    for stream in rows_a:
        payloads_a = sorted(json.dumps(r["payload"], sort_keys=True) for r in rows_a[stream])
        payloads_b = sorted(json.dumps(r["payload"], sort_keys=True) for r in rows_b[stream])
        assert payloads_a == payloads_b, stream
    assert first["state"] == second["state"]


def test_incremental_run_returns_only_newer_media(sb, tmp_path) -> None:
    options = {"media_refresh_days": 0, "comment_days": 0, "media_overlap_days": 0}
    sb.set_now(datetime(2026, 11, 10, 2, tzinfo=UTC))
    _, first = _run(_job(sb, tmp_path / "1", options=options, logical=date(2026, 11, 10)))
    hwm = datetime.fromisoformat(first["state"]["media_high_water_mark"])
    sb.set_now(NOW)
    _, second = _run(_job(sb, tmp_path / "2", state=first["state"], options=options))
    rows = _rows(tmp_path / "2", second)
    landed = [r["payload"]["id"] for r in rows["media"]]
    window_end = datetime.combine(LOGICAL, time(0), BERLIN)
    assert landed == _window_media(sb, hwm, window_end)
    assert len(landed) >= 2, "the demo world should have new media between the two runs"
    ig = ig_world(42)
    assert all(ig.media(m).timestamp >= hwm for m in landed)
    insights_media = {r["_meta"]["object_id"] for r in rows["media_insights"]}
    assert insights_media <= set(landed)
    assert {r["_meta"]["object_id"] for r in rows["comments"]} <= set(landed)
    assert second["state"]["media_high_water_mark"] > first["state"]["media_high_water_mark"]
    # account insights resume at the last covered day minus the lookback, not from scratch
    days = {
        r["payload"]["_requested"]["since"]
        for r in rows["account_insights"]
        if "_requested" in r["payload"]
    }
    covered = date.fromisoformat(first["state"]["account_insights_through"])
    assert min(days) == (covered - timedelta(days=3)).isoformat()
    assert second["state"]["account_insights_through"] == "2026-11-24"


def test_far_future_state_lands_no_new_media_and_keeps_the_state(sb, tmp_path) -> None:
    state = {
        "media_high_water_mark": "2099-01-01T00:00:00+00:00",
        "account_insights_through": "2099-01-01",
    }
    options = {"media_refresh_days": 0, "comment_days": 0}
    summary, manifest = _run(_job(sb, tmp_path, state=state, options=options))
    rows = _rows(tmp_path, manifest)
    assert rows.get("media", []) == [] and "media_insights" not in rows and "comments" not in rows
    assert manifest["state"]["media_high_water_mark"] == state["media_high_water_mark"]
    assert manifest["state"]["account_insights_through"] == "2099-01-01"
    assert summary["rows"]["account"] == 1
    # the media listing stopped after its first page instead of reading two years of media
    assert Counter(e["path"].rsplit("/", 1)[-1] for e in sb.requests())["media"] == 1


def test_throttling_in_the_body_is_retried_with_the_recorded_backoff(sb, tmp_path) -> None:
    usage = {
        USER: [
            {
                "type": "instagram",
                "call_count": 100,
                "total_cputime": 40,
                "total_time": 60,
                "estimated_time_to_regain_access": 2,
            }
        ]
    }
    sb.add_fault(
        "GET",
        rf"/instagram/v25\.0/{USER}$",
        status=400,
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        body=sandbox.graph_error(
            80002, message="(#80002) There have been too many calls to this Instagram account."
        ),
    )
    sb.add_fault(
        "GET", r"/instagram/\d+/insights$", status=400, body=sandbox.graph_error(4), times=2
    )
    sleeps: list[float] = []
    summary, manifest = _run(_job(sb, tmp_path), sleeps)
    assert summary["retries"] == 2
    assert sleeps[0] == 120.0  # estimated_time_to_regain_access: 2 minutes
    assert len(sleeps) == 2 and 0 <= sleeps[1] <= 1.0  # first backoff step, full jitter
    log = sb.requests()
    snapshot_calls = [e for e in log if e["path"] == f"/instagram/v25.0/{USER}"]
    assert [e["status"] for e in snapshot_calls] == [400, 200]
    assert [e["fault"] for e in snapshot_calls] == [True, False]
    batch_entries = [b for e in log for b in e.get("batch", [])]
    assert sum(1 for b in batch_entries if b["status"] == 400) == 2
    assert summary["rows"]["media_insights"] > 0
    assert manifest["events"] == []


def test_expired_token_fails_fast_with_a_clear_message(sb, tmp_path) -> None:
    sb.add_fault(
        "GET",
        rf"/instagram/v25\.0/{USER}$",
        status=400,
        body=sandbox.graph_error(190, 463, "Error validating access token: Session has expired."),
        times=5,
    )
    sleeps: list[float] = []
    with pytest.raises(TokenError) as caught:
        _run(_job(sb, tmp_path), sleeps)
    message = str(caught.value)
    assert "instagram account 17841400000000001" in message
    assert f"/instagram/v25.0/{USER}" in message
    assert "obtain a new token" in message
    assert TOKEN not in message and "?" not in message
    assert len(sb.requests()) == 1 and sleeps == []
    assert not list(tmp_path.rglob("*.json")) and not list(tmp_path.rglob("*.gz"))


def test_retired_metrics_are_dropped_and_recorded(sb, tmp_path) -> None:
    options = {
        "account_metrics": ["impressions", "reach", "views", "profile_views"],
        "media_metrics": ["impressions", "views", "reach", "plays", "video_views"],
        "history_days": 5,
        "media_history_days": 40,
    }
    _, manifest = _run(_job(sb, tmp_path, options=options))
    details = sorted(e["detail"] for e in manifest["events"] if e["kind"] == "retired_metric")
    assert "account:impressions" in details and "account:profile_views" in details
    assert {"media:FEED:impressions", "media:FEED:plays", "media:FEED:video_views"} <= set(details)
    rows = _rows(tmp_path, manifest)
    assert {r["payload"]["name"] for r in rows["account_insights"]} == {"reach", "views"}
    assert {r["payload"]["name"] for r in rows["media_insights"]} == {"views", "reach"}
    refused = [e for e in sb.requests() if e["status"] == 400]
    assert refused, "the sandbox should have refused the retired metrics"


def _evening_media() -> tuple[str, datetime]:
    """A media posted late in the Berlin evening with a media without insights in the 60 days
    before it, and 02:00 Berlin the next day."""
    ig = ig_world(42)
    listed = ig.media_at(USER, datetime(2026, 11, 1, tzinfo=UTC))
    for media in listed:
        local = media.timestamp.astimezone(BERLIN)
        earlier = [
            m
            for m in listed
            if media.timestamp - timedelta(days=55) <= m.timestamp < media.timestamp
        ]
        if local.hour >= 19 and any(m.insights_unavailable for m in earlier):
            run_at = datetime.combine(local.date() + timedelta(days=1), time(2), BERLIN)
            return media.id, run_at
    raise AssertionError("the demo world should have an evening media")


def test_empty_insights_are_landed_as_no_data_never_zero(sb, tmp_path) -> None:
    fresh_id, run_at = _evening_media()
    sb.set_now(run_at)
    ig = ig_world(42)
    _, manifest = _run(
        _job(
            sb,
            tmp_path,
            logical=run_at.date(),
            options={"history_days": 3, "media_history_days": 60, "media_refresh_days": 60},
        )
    )
    rows = _rows(tmp_path, manifest)
    assert fresh_id in [r["payload"]["id"] for r in rows["media"]]
    assert ig.insights_state(ig.media(fresh_id), run_at) == "too_new"
    assert [r for r in rows["media_insights"] if r["_meta"]["object_id"] == fresh_id] == []
    unavailable = {
        m.id for m in ig.media_at(USER, run_at) if ig.insights_state(m, run_at) == "unavailable"
    } & {r["_meta"]["object_id"] for r in rows["media_insights"]}
    assert unavailable, "the demo world should have media without insights in the window"
    for row in rows["media_insights"]:
        if row["_meta"]["object_id"] in unavailable:
            assert row["payload"]["values"] == []
        else:
            assert row["payload"]["values"][0]["value"] is not None


def test_backfilled_date_skips_follower_count_outside_its_window(sb, tmp_path) -> None:
    """follower_count only reaches 30 days back from the API's own clock: a run for an old
    logical date keeps the other metrics and records the skipped window."""
    _, manifest = _run(_job(sb, tmp_path, logical=date(2026, 9, 1)))
    assert {"kind": "skipped_window", "detail": "account:follower_count since 2026-08-04"} in (
        manifest["events"]
    )
    names = {r["payload"]["name"] for r in _rows(tmp_path, manifest)["account_insights"]}
    assert {"reach", "views", "total_interactions"} <= names and "follower_count" not in names
