"""Reliability plan 11.2 #15 (abnormal future state) and the volume part of #18 through the real
pipeline: three nights of history, then every date cursor of ``raw._state`` is set to
2999-12-31 and, a week later, Facebook answers every list with no data (what a silently revoked
permission looks like). The extractors must not crash or move a cursor backwards; dbt builds;
the gate must not publish stale data silently: it fails on the future cursors and on Facebook's
volume drop against the recent median, and warns naming the stale account.

The extractors re-read their lookback windows whatever the cursor says, so a future cursor alone
leaves the data fresh; the gate still refuses it, since the next lookback would not save a
cursor that skips new objects. All clocks stay before the wall clock (fetch times are real)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from gate_scenarios import extract_and_load, make_config, nightly
from invariants import assert_invariants, sha256_of

import sandbox
from messbar import pipeline
from sandbox import scenarios

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("gate_scenarios_future")]

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
FUTURE = "2999-12-31"
RUN = "scheduled__future"
FIRST = NOW - timedelta(days=10)
LATER = FIRST + timedelta(days=9)


@pytest.fixture(scope="module")
def future(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("future")
    with sandbox.serve(now=FIRST) as sb:
        cfg = make_config(tmp, sb.url)
        for night in range(3):  # history for the run-to-run volume check
            sb.set_now(FIRST + timedelta(days=night))
            extract_and_load(cfg, FIRST + timedelta(days=night), f"scheduled__night{night}")
        pipeline.publish(cfg, "scheduled__night2")
        before = sha256_of(cfg.published_path)
        with duckdb.connect(str(cfg.warehouse_path)) as con:
            seeded = con.execute(
                "update raw._state set value = case when length(value) = 10 then ? "
                "else ? || substr(value, 11) end "
                "where try_cast(left(value, 10) as date) is not null "
                "and key not like 'csv_imported%' returning network, account_id, key, value",
                [FUTURE, FUTURE],
            ).fetchall()
        scenarios.mutate_objects(
            sb,
            r"^/facebook/",
            lambda o: o.update(data=[]) if isinstance(o.get("data"), list) else None,
        )
        sb.set_now(LATER)
        with pytest.raises(pipeline.GateFailed) as failed:
            nightly(cfg, LATER, RUN)
        yield {"cfg": cfg, "before": before, "error": str(failed.value), "seeded": seeded}


def rows(cfg, sql, params=None):
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_extraction_ran_for_every_account_without_moving_a_cursor_back(future):
    cfg = future["cfg"]
    assert {
        n for (n,) in rows(cfg, "select network from raw._loaded_files where run_id = ?", [RUN])
    } >= {
        "facebook",
        "instagram",
        "linkedin",
    }
    state = {
        (n, a, k): v
        for n, a, k, v in rows(cfg, "select network, account_id, key, value from raw._state")
    }
    assert future["seeded"]
    for network, account, key, value in future["seeded"]:
        assert state[(network, account, key)] == value, (network, key)
    assert_invariants(
        cfg.published_path,
        published=cfg.published_path,
        published_before=future["before"],
        must_be_unchanged=True,
    )


def test_the_gate_fails_on_the_future_cursors_naming_them(future):
    lines = [x for x in future["error"].splitlines() if x.startswith("  - raw._state")]
    assert len(lines) == 1
    for network in ("facebook", "instagram", "linkedin"):
        assert f'"network": "{network}"' in lines[0]
    assert FUTURE in lines[0] and "Reset it" in lines[0]


def test_the_stale_account_is_named_not_silently_published(future):
    (stale,) = [
        x
        for x in future["error"].splitlines()
        if x.startswith("  ! WARNING marts.fct_account_daily")
    ]
    assert '"platform": "facebook"' in stale and '"account_id": "1000000001"' in stale
    assert f'"logical_date": "{LATER.date()}"' in stale
    for network in ("instagram", "linkedin"):  # their lookback kept them fresh
        assert f'"platform": "{network}"' not in stale
    assert sha256_of(future["cfg"].published_path) == future["before"]


def test_the_volume_drop_against_the_recent_median_blocks(future):
    (volume,) = [
        x
        for x in future["error"].splitlines()
        if x.startswith("  - raw._loaded_files: unexpected_rows_expectation")
    ]
    assert '"network": "facebook"' in volume and f'"run_id": "{RUN}"' in volume
    assert '"earlier_runs": 3' in volume and "90% drop blocks the publish" in volume
    assert '"network": "instagram"' not in volume


def test_every_raw_table_of_a_real_load_has_a_suite(future):
    from expectations.runner import SUITES_DIR, load_suites

    tables = {
        f"raw.{t}"
        for (t,) in rows(
            future["cfg"],
            "select table_name from information_schema.tables where table_schema = 'raw'",
        )
    }
    missing = tables - {suite.name for suite in load_suites(SUITES_DIR)}
    assert not missing, f"add expectations/suites/<schema>.<table>.json for {sorted(missing)}"
