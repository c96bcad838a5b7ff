"""Reliability plan 11.2 #4, #5, #6, #7 and #9 for every API network of the registry, each
network's answers taken from its fault vocabulary (the Facebook-only forms of some of these
live in tests/extractors/facebook):

- #4 a 429 asking for a wait is waited out (recorded sleeps >= the wait), within the budget;
- #5 every throttling answer of the network (Graph codes in the body, LinkedIn's bare 429,
  X's 429 with a reset) is retried, nothing is lost;
- #6 a 5xx burst hitting two concurrent workers: capped, jittered delays that differ between
  the workers, and no duplicate rows despite the retried GETs;
- #7 a persistent 500 fails with a clear error naming the endpoint and the status (no token,
  no full URL), commits nothing and leaves the committed state as it was;
- #9 an expired token on page 3 fails at once (no request after it), names the account and
  says to re-authorize; nothing is committed, and the rerun resumes from the committed state.
"""

from __future__ import annotations

import threading

import pytest
from reliability_harness import (
    API_NETWORKS,
    CANARY,
    LOGICAL,
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

from extractors.core.errors import RetriesExhausted, TokenError
from extractors.core.http import RetryPolicy
from sandbox.faults import vocabulary


@pytest.mark.parametrize("network", API_NETWORKS)
def test_429_wait_is_honoured_within_the_budget(sb, tmp_path, network):
    vocab = vocabulary(network)
    expected = baseline(sb, network, tmp_path / "baseline")
    answer = vocab.rate_limited(sb.now)
    sb.add_fault("GET", **vocab.paged(), **answer.fault(), times=2)  # the first 2 calls
    sleeps: list[float] = []
    landing = tmp_path / "landing"
    summary = run(make_job(sb, network, landing), sleeps)
    assert keys_of(summary, vocab) == expected
    assert summary["retries"] == 2
    retry_waits = sleeps[:2]
    if answer.wait_seconds is not None:  # the network names a wait: never retried sooner
        assert all(wait >= answer.wait_seconds for wait in retry_waits), retry_waits
    assert all(wait <= RetryPolicy().max_total_wait for wait in sleeps)
    assert [e["status"] for e in paged_requests(sb, vocab)[:3]] == [429, 429, 200]
    load_and_check(landing, tmp_path / "warehouse.duckdb")


@pytest.mark.parametrize("network", API_NETWORKS)
def test_every_throttling_answer_is_retried(sb, tmp_path, network):
    vocab = vocabulary(network)
    expected = baseline(sb, network, tmp_path / "baseline")
    answers = vocab.throttled(sb.now)
    for answer in answers:  # page 2 gets every throttling answer of the network in turn
        first = answer is answers[0]
        sb.add_fault("GET", **vocab.paged(), **answer.fault(), skip=1 if first else 0)
    sleeps: list[float] = []
    retry = {"read_timeout": 5.0, "max_attempts": len(answers) + 2}
    summary = run(make_job(sb, network, tmp_path / "landing", retry=retry), sleeps)
    assert keys_of(summary, vocab) == expected  # treated as "wait and retry", nothing lost
    assert summary["retries"] == len(answers) and len(sleeps) >= len(answers)
    log = paged_requests(sb, vocab)
    assert [e["status"] for e in log if e["fault"]] == [a.status for a in answers]
    assert log[1]["query"] == log[len(answers) + 1]["query"]  # the same page, until it came


@pytest.mark.parametrize("network", API_NETWORKS)
def test_5xx_burst_on_two_workers_backs_off_with_capped_differing_jitter(sb, tmp_path, network):
    vocab = vocabulary(network)
    accounts = vocab.accounts
    expected = {a: baseline(sb, network, tmp_path / f"baseline-{a}", account=a) for a in accounts}
    for account in accounts:  # each worker's listing gets 503, 502, 500, then the data
        for answer in vocab.server_errors:
            sb.add_fault("GET", **vocab.paged(account), **answer.fault())
    policy = {"base_delay": 1.0, "max_delay": 3.0}  # ceilings 1, 2, 3 (capped, not 4)
    sleeps: dict[str, list[float]] = {a: [] for a in accounts}
    summaries: dict[str, dict] = {}
    errors: list[BaseException] = []

    def worker(account: str) -> None:
        retry = {"read_timeout": 5.0, **policy}
        job = make_job(sb, network, tmp_path / "landing", account=account, retry=retry)
        try:
            summaries[account] = run(job, sleeps[account])
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(a,)) for a in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    for account in accounts:
        delays = sleeps[account]
        assert len(delays) == 3 == summaries[account]["retries"]
        ceilings = [min(policy["max_delay"], policy["base_delay"] * 2**n) for n in range(3)]
        assert all(0 <= d <= c for d, c in zip(delays, ceilings, strict=True)), delays
        assert keys_of(summaries[account], vocab) == expected[account]  # no duplicate rows
    assert sleeps[accounts[0]] != sleeps[accounts[1]]  # jitter: the workers do not march in step
    load_and_check(tmp_path / "landing", tmp_path / "warehouse.duckdb")


@pytest.mark.parametrize("network", API_NETWORKS)
def test_persistent_500_fails_clearly_and_leaves_state_unchanged(sb, tmp_path, network):
    vocab = vocabulary(network)
    landing, db = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    yesterday = LOGICAL.replace(day=LOGICAL.day - 1)
    run(make_job(sb, network, landing, logical_date=yesterday, run_id="committed"))
    committed = load_and_check(landing, db)

    sb.add_fault("GET", **vocab.paged(), **vocab.server_errors[-1].fault(), times=100)
    sleeps: list[float] = []
    failed = tmp_path / "failed"
    with pytest.raises(RetriesExhausted) as err:
        run(make_job(sb, network, failed), sleeps)
    message = str(err.value)
    assert "HTTP 500" in message and f"account {vocab.accounts[0]}" in message
    endpoint = paged_requests(sb, vocab)[0]["path"].split("/", 2)[2]  # without the prefix
    assert f"/{endpoint}" in message
    assert CANARY not in message and "?" not in message and "http" not in message
    assert len(sleeps) == RetryPolicy().max_attempts - 1
    assert no_manifest(failed)
    assert load_and_check(failed, db) == committed  # nothing new committed, state unchanged


@pytest.mark.parametrize("network", API_NETWORKS)
def test_token_expiry_on_page_three_fails_fast_and_the_rerun_resumes(sb, tmp_path, network):
    vocab = vocabulary(network)
    expected = baseline(sb, network, tmp_path / "baseline")
    landing, db = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    sb.add_fault("GET", **vocab.paged(), **vocab.expired_token.fault(), skip=2, times=100)
    sleeps: list[float] = []
    with pytest.raises(TokenError) as err:
        run(make_job(sb, network, landing, run_id="expired"), sleeps)
    message = str(err.value)
    assert f"{network} account {vocab.accounts[0]}" in message and "re-authorize" in message
    assert CANARY not in message and "?" not in message
    log = sb.requests()
    failed_at = next(i for i, entry in enumerate(log) if entry["fault"])
    assert len(log) - failed_at - 1 <= 1 and sleeps == []  # no retry storm after the expiry
    assert no_manifest(landing)
    assert load_and_check(landing, db) == {}  # nothing committed, state not moved

    sb.clear_faults()  # the owner re-authorized: the next run starts from committed state
    summary = run(make_job(sb, network, landing, run_id="resumed"))
    assert keys_of(summary, vocab) == expected
    state = load_and_check(landing, db)
    assert raw_keys(db, network) == expected and state
