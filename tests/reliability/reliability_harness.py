"""Shared pieces of the registry-wide fault tests: one job per API network built from the
sandbox's fault vocabulary (``sandbox/networks/<slug>/faults.py``), runs with recorded sleeps,
the landed rows of the vocabulary's paged stream, and loading into a real DuckDB warehouse
followed by the shared invariants. A network added to the registry with a vocabulary is
covered by every test that parametrises over :data:`API_NETWORKS`."""

from __future__ import annotations

import gzip
import importlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from invariants import assert_invariants

import sandbox
from extractors.core.job import ExtractJob
from extractors.core.runner import run_job
from extractors.registry import NETWORKS, raw_table
from loader.load import load, read_state
from sandbox.faults import FaultVocabulary, vocabulary

API_NETWORKS = [slug for slug, spec in NETWORKS.items() if spec.provenance == "api"]
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
LOGICAL = date(2026, 11, 27)
CANARY = "messbarCANARYtoken0123456789abcdefCANARY"
TOKEN_ENV = "MESSBAR_RELIABILITY_TOKEN"
FAST_RETRY = {"read_timeout": 0.25, "connect_timeout": 2.0}


@pytest.fixture(name="sb")
def reliability_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[sandbox.Sandbox]:
    """A sandbox at NOW that accepts the canary token; extractors that read the wall clock
    (a module-level ``utcnow``) follow the sandbox clock instead."""
    with sandbox.serve(now=NOW, tokens=[CANARY]) as server:
        monkeypatch.setenv(TOKEN_ENV, CANARY)
        for spec in NETWORKS.values():
            module = importlib.import_module(spec.module)
            if hasattr(module, "utcnow"):
                monkeypatch.setattr(module, "utcnow", lambda: server.now)
        yield server


def make_job(
    sb: sandbox.Sandbox,
    network: str,
    landing: Path,
    *,
    account: str | None = None,
    state: dict[str, str] | None = None,
    logical_date: date = LOGICAL,
    run_id: str = "reliability__run",
    **options: Any,
) -> ExtractJob:
    """A job for the vocabulary's account with its small-pages options (plus ``options``)."""
    vocab = vocabulary(network)
    return ExtractJob(
        network=network,
        business="baeckerei-sonnenschein",
        account_id=account or vocab.accounts[0],
        token_ref=f"env:{TOKEN_ENV}",
        base_url=sb.network_url(network),
        timezone="Europe/Berlin",
        logical_date=logical_date,
        run_id=run_id,
        landing_dir=str(landing),
        state=dict(state or {}),
        options={**vocab.job_options, "retry": dict(FAST_RETRY), **options},
    )


def run(job: ExtractJob, sleeps: list[float] | None = None) -> dict[str, Any]:
    """Run the job through the shared runner; waits are recorded, never slept."""
    return run_job(job, sleep=(sleeps if sleeps is not None else []).append)


def landed(summary: dict[str, Any], stream: str) -> list[dict[str, Any]]:
    """The payloads of one stream landed by a finished run."""
    manifest_path = Path(summary["manifest"])
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    landing = manifest_path.parents[4]
    out = []
    for entry in manifest["files"]:
        if entry["stream"] == stream:
            with gzip.open(landing / entry["path"], "rt", encoding="utf-8") as fh:
                out.extend(json.loads(line)["payload"] for line in fh)
    return out


def keys_of(summary: dict[str, Any], vocab: FaultVocabulary) -> list[str]:
    """The keys of the paged stream's rows, sorted, duplicates kept (so they show)."""
    return sorted(str(p.get(vocab.key)) for p in landed(summary, vocab.stream))


_BASELINES: dict[tuple[str, str | None], list[str]] = {}


def baseline(sb: sandbox.Sandbox, network: str, landing: Path, **kwargs: Any) -> list[str]:
    """The paged stream's keys of a run without faults (the world is a pure function of seed
    and clock, so it is computed once per network and account), checked to span at least 3
    pages so that a fault on page 2 or 3 sits in the middle of the listing."""
    vocab = vocabulary(network)
    key = (network, kwargs.get("account"))
    if key not in _BASELINES or kwargs.keys() - {"account"}:
        sb.clear_requests()
        keys = keys_of(run(make_job(sb, network, landing, **kwargs)), vocab)
        assert len(paged_requests(sb, vocab, kwargs.get("account"))) >= 3, "baseline too short"
        assert keys and len(keys) == len(set(keys))
        sb.clear_requests()
        if kwargs.keys() - {"account"}:
            return keys
        _BASELINES[key] = keys
    return list(_BASELINES[key])


def paged_requests(
    sb: sandbox.Sandbox, vocab: FaultVocabulary, account: str | None = None
) -> list[dict[str, Any]]:
    """Request-log entries of the vocabulary's paged endpoint (for one account)."""
    import re
    from urllib.parse import quote

    where = vocab.paged(account)
    path, query = re.compile(where["path"]), re.compile(where.get("query", ""))
    out = []
    for entry in sb.requests():
        # the log keeps decoded values; the vocabulary's query regexes are written for the wire
        wire = "&".join(f"{k}={quote(v, safe='')}" for k, v in entry["query"])
        if path.search(entry["path"]) and query.search(wire):
            out.append(entry)
    return out


def no_manifest(landing: Path) -> bool:
    """Nothing committed: no manifest and no leftover unfinished file of the failed attempt."""
    return not list(landing.rglob("_manifests/**/*.json")) and not list(landing.rglob("*.partial"))


def load_and_check(
    landing: Path, db: Path, *, extra_roots: tuple[Path, ...] = ()
) -> dict[tuple[str, str], dict[str, str]]:
    """Load the landing files into a real DuckDB warehouse, assert the shared invariants (state
    not ahead of committed rows, no canary token in landing, warehouse or ``extra_roots``) and
    that no run landed a key of any raw table twice; return the committed state."""
    load(db, landing)
    assert_invariants(db, secret=CANARY, secret_roots=[landing, db, *extra_roots])
    assert_no_duplicates_per_run(db)
    return read_state(db)


def assert_no_duplicates_per_run(db: Path) -> None:
    """Within one run, each paged stream's key appears at most once in raw (reruns may add a
    second batch: staging keeps the latest)."""
    with duckdb.connect(str(db), read_only=True) as con:
        for network in API_NETWORKS:
            vocab = vocabulary(network)
            table = raw_table(network, vocab.stream)
            dupes = con.execute(
                f"select _run_id, payload->>'{vocab.key}' as k, count(*) from raw.\"{table}\" "
                "group by all having count(*) > 1"
            ).fetchall()
            assert not dupes, f"raw.{table}: keys landed twice in one run: {dupes[:5]}"


def raw_keys(db: Path, network: str, run_id: str | None = None) -> list[str]:
    """Sorted keys of the vocabulary stream in raw (optionally of one run)."""
    vocab = vocabulary(network)
    table = raw_table(network, vocab.stream)
    sql = f"select payload->>'{vocab.key}' from raw.\"{table}\""
    params: list[Any] = []
    if run_id is not None:
        sql += " where _run_id = ?"
        params.append(run_id)
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(r[0] for r in con.execute(sql, params).fetchall())
