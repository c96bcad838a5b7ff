"""Reliability plan 11.2 #8, for every API network of the registry: a read timeout (the
sandbox says nothing for longer than the client's read timeout), a truncated body (full
Content-Length announced, half the JSON sent, connection closed), a dropped connection and an
unparseable 200 in the middle of the paged listing are retried; a broken page is never parsed
into partial rows, and the run lands exactly the rows of a run without faults."""

from __future__ import annotations

import pytest
from reliability_harness import (
    API_NETWORKS,
    baseline,
    keys_of,
    load_and_check,
    make_job,
    paged_requests,
    reliability_sandbox,  # noqa: F401 - the `sb` fixture
    run,
)

from sandbox.faults import vocabulary


@pytest.mark.parametrize("network", API_NETWORKS)
def test_transport_faults_mid_listing_are_retried_without_partial_rows(sb, tmp_path, network):
    vocab = vocabulary(network)
    expected = baseline(sb, network, tmp_path / "baseline")
    paged = vocab.paged()
    # Faults own requests in order: page 2 stalls (longer than the 0.25 s read timeout), its
    # retry is truncated, the next retry passes; page 3's connection is dropped, its retry is
    # a complete 200 whose JSON stops half-way, the next retry passes.
    sb.add_fault("GET", **paged, kind="stall", skip=1, stall_seconds=1.0)
    sb.add_fault("GET", **paged, kind="truncate")
    sb.add_fault("GET", **paged, kind="drop", skip=1)
    sb.add_fault("GET", **paged, status=200, body='{"data": [{"id": "1"')
    sleeps: list[float] = []
    landing = tmp_path / "landing"
    summary = run(make_job(sb, network, landing), sleeps)

    assert keys_of(summary, vocab) == expected  # nothing lost, nothing twice, nothing partial
    log = paged_requests(sb, vocab)
    assert [e["fault"] for e in log[:7]] == [False, True, True, False, True, True, False]
    assert [e.get("transport") for e in (log[1], log[2], log[4])] == ["stall", "truncate", "drop"]
    assert log[1]["query"] == log[2]["query"] == log[3]["query"]  # page 2 asked for again
    assert log[4]["query"] == log[5]["query"] == log[6]["query"]  # page 3 asked for again
    assert summary["retries"] == 4 and len(sleeps) == 4
    load_and_check(landing, tmp_path / "warehouse.duckdb")
