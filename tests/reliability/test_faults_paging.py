"""Reliability plan 11.2 #11 and #12, for every API network of the registry, on the paged
listing its vocabulary names: items out of order, the same item on two consecutive pages, a
short page and an empty page that still link onward change nothing in what lands; a ``next``
that loops fails clearly after a bounded number of requests; a cursor the API refuses
mid-listing restarts the listing from its first page (the start of the window computed from
the committed state), bounded, and the duplicates that causes are dropped."""

from __future__ import annotations

import pytest
from reliability_harness import (
    API_NETWORKS,
    baseline,
    keys_of,
    load_and_check,
    make_job,
    no_manifest,
    paged_requests,
    raw_keys,
    reliability_sandbox,  # noqa: F401 - the `sb` fixture
    run,
)

from extractors.core.errors import PaginationError
from sandbox.faults import vocabulary


@pytest.mark.parametrize("network", API_NETWORKS)
def test_odd_pages_land_exactly_the_baseline_rows(sb, tmp_path, network):
    vocab = vocabulary(network)
    expected = baseline(sb, network, tmp_path / "baseline")
    paged = vocab.paged()
    landing = tmp_path / "landing"

    # run 1: page 1 in reverse order; page 2's last item again at the top of page 3
    sb.add_fault("GET", **paged, kind="reorder")
    sb.add_fault("GET", **paged, kind="duplicate")
    first = run(make_job(sb, network, landing, run_id="odd__1"))
    notes_1 = [e.get("fault_kind", "") for e in paged_requests(sb, vocab)]
    # run 2: half of page 1 moved to page 2; page 3 empty (still linking on), its items on 4
    sb.clear_requests()
    sb.add_fault("GET", **paged, kind="short_page")
    sb.add_fault("GET", **paged, kind="empty_page")
    second = run(make_job(sb, network, landing, run_id="odd__2"))
    log_2 = paged_requests(sb, vocab)

    assert keys_of(first, vocab) == expected
    assert keys_of(second, vocab) == expected
    assert [n.split(":")[0] for n in notes_1[:3]] == ["reorder", "duplicate", "duplicate"]
    assert [e.get("fault_kind", "").split(":")[0] for e in log_2[:4]] == [
        "short_page",
        "short_page",
        "empty_page",
        "empty_page",
    ]
    assert len(log_2) == len(paged_requests_of_baseline(sb, network, tmp_path))
    load_and_check(landing, tmp_path / "warehouse.duckdb")


def paged_requests_of_baseline(sb, network, tmp_path) -> list[dict]:
    """The paged requests of a clean run: odd pages must not cost extra requests."""
    sb.clear_requests()
    run(make_job(sb, network, tmp_path / "count"))
    return paged_requests(sb, vocabulary(network))


@pytest.mark.parametrize("network", API_NETWORKS)
def test_a_next_that_loops_fails_clearly_and_commits_nothing(sb, tmp_path, network):
    vocab = vocabulary(network)
    baseline(sb, network, tmp_path / "baseline")
    # page 2 points back at its own cursor (offset paging: page 3 repeats page 2)
    sb.add_fault("GET", **vocab.paged(), kind="loop", skip=1, times=50)
    landing = tmp_path / "landing"
    with pytest.raises(PaginationError) as err:
        run(make_job(sb, network, landing))
    message = str(err.value)
    assert f"{network} account {vocab.accounts[0]}" in message
    assert "loops back" in message or "same" in message
    assert "?" not in message and "http" not in message  # a path, never a full URL
    assert len(paged_requests(sb, vocab)) <= 3  # detected at once, no page-count runaway
    assert no_manifest(landing)


@pytest.mark.parametrize("network", API_NETWORKS)
def test_invalid_cursor_restarts_the_listing_bounded(sb, tmp_path, network):
    vocab = vocabulary(network)
    expected = baseline(sb, network, tmp_path / "baseline")
    refused = {**vocab.with_cursor(), **vocab.invalid_cursor.fault()}

    # the second cursor (page 3) is refused once: the listing starts again from page 1
    sb.add_fault("GET", **refused, skip=1)
    landing = tmp_path / "landing"
    summary = run(make_job(sb, network, landing, run_id="cursor__restart"))
    log = paged_requests(sb, vocab)
    firsts = [e for e in log if vocab.cursor_param not in dict(e["query"])]
    if vocab.paging == "offset":
        firsts = [e for e in log if dict(e["query"]).get(vocab.cursor_param) == "0"]
    assert keys_of(summary, vocab) == expected  # no gap; the re-read pages were dropped
    assert len(firsts) == 2 and sum(e["fault"] for e in log) == 1
    state = load_and_check(landing, tmp_path / "warehouse.duckdb")
    assert raw_keys(tmp_path / "warehouse.duckdb", network, "cursor__restart") == expected
    assert state  # committed with its rows

    # a cursor refused every time: two restarts, then a clear failure, nothing committed
    sb.clear_requests()
    sb.add_fault("GET", **refused, times=50)
    failed = tmp_path / "failed"
    with pytest.raises(PaginationError) as err:
        run(make_job(sb, network, failed))
    assert "kept refusing the paging cursor" in str(err.value)
    assert "last committed state" in str(err.value)
    assert sum(e["fault"] for e in paged_requests(sb, vocab)) == 3
    assert no_manifest(failed)
