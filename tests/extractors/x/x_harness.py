"""Shared helpers for the X extractor tests: a sandbox whose clock the extractor follows, jobs,
runs and the landed records."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import sandbox
from extractors.core.job import ExtractJob
from extractors.core.runner import run_job
from extractors.networks.x import extract as x_extract
from sandbox.networks.x import x_world

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
LOGICAL = date(2026, 11, 27)
TOKEN = "x-user-context-token-for-tests"
APP_TOKEN = "AAAAAAAAAAAAAAAAAAAAAapp-only-token-for-tests"
TOKEN_ENV = "MESSBAR_X_TEST_TOKEN"
ACCOUNT = "1500000000000000001"
BUSINESS = "baeckerei-sonnenschein"


@pytest.fixture(name="sb")
def x_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[sandbox.Sandbox]:
    """A sandbox at NOW; the extractor's clock follows the sandbox clock."""
    with sandbox.serve(now=NOW, tokens=[TOKEN, APP_TOKEN]) as server:
        monkeypatch.setattr(x_extract, "utcnow", lambda: server.now)
        monkeypatch.setenv(TOKEN_ENV, TOKEN)
        yield server


def make_job(
    sb: sandbox.Sandbox,
    landing: Path,
    *,
    state: dict[str, str] | None = None,
    logical_date: date = LOGICAL,
    account: str = ACCOUNT,
    **options: Any,
) -> ExtractJob:
    return ExtractJob(
        network="x",
        business=BUSINESS,
        account_id=account,
        token_ref=f"env:{TOKEN_ENV}",
        base_url=sb.network_url("x"),
        timezone="Europe/Berlin",
        logical_date=logical_date,
        run_id=f"test__{logical_date.isoformat()}",
        landing_dir=str(landing),
        state=dict(state or {}),
        options={"history_days": 420, "metrics_access": "owned", **options},
    )


def run(job: ExtractJob, sleeps: list[float] | None = None) -> tuple[dict, dict]:
    """Run the job through the shared runner (no real sleeping); return summary and manifest."""
    summary = run_job(job, sleep=(sleeps if sleeps is not None else []).append)
    manifest = json.loads(Path(summary["manifest"]).read_text(encoding="utf-8"))
    return summary, manifest


def landed(landing: Path, manifest: dict, stream: str) -> list[dict]:
    """The landing records of one stream listed in a manifest."""
    records: list[dict] = []
    for entry in manifest["files"]:
        if entry["stream"] == stream:
            with gzip.open(landing / entry["path"], "rt", encoding="utf-8") as fh:
                records.extend(json.loads(line) for line in fh)
    return records


def cost_of(manifest: dict) -> dict:
    [event] = [e for e in manifest["events"] if e["kind"] == "cost"]
    return json.loads(event["detail"])


def truth_posts(now: datetime, since: datetime, until: datetime, account: str = ACCOUNT):
    """Ground truth: the account's own posts and quotes created in [since, until)."""
    return [p for p in x_world(42).posts_at(account, now) if since <= p.created_at < until]


def window_end(logical: date = LOGICAL) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(logical, datetime.min.time(), ZoneInfo("Europe/Berlin")).astimezone(UTC)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def x_calls(sb: sandbox.Sandbox, suffix: str) -> list[dict]:
    return [e for e in sb.requests() if e["network"] == "x" and e["path"].endswith(suffix)]


def query_of(entry: dict) -> dict[str, str]:
    return dict(entry["query"])
