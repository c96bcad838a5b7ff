"""All suites pass on good data; every planted defect fails, naming table, check and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import GROUP
from gate_warehouse import PARAMS, build_warehouse

from expectations.runner import SUITES_DIR, GateResult, load_suites, validate

pytestmark = pytest.mark.xdist_group(GROUP)

RAW = "facebook/{stream}/account=1000000001/logical_date=2026-11-27/run1.ndjson.gz"

# (id, SQL planting the defect, table, expectation, text that must name the offending row)
DEFECTS = [
    (
        "duplicate raw line",
        "insert into raw.facebook__posts select * from raw.facebook__posts where _row = 2",
        "raw.facebook__posts",
        "expect_compound_columns_to_be_unique",
        RAW.format(stream="posts"),
    ),
    (
        # DuckDB refuses a NULL where the loader declared NOT NULL: a table without the
        # constraint (made by hand, or by an old version) is what can hold one
        "raw key column without its NOT NULL",
        "alter table raw.facebook__page_insights alter column account_id drop not null",
        "raw.facebook__page_insights",
        "unexpected_rows_expectation",
        '"column_name": "account_id"',
    ),
    (
        "null payload",
        "update raw.facebook__page_insights set payload = null where _row = 3",
        "raw.facebook__page_insights",
        "expect_column_values_to_not_be_null column payload",
        '"_row": 3',
    ),
    (
        "fetched in the future",
        "update raw.facebook__comments"
        " set _fetched_at = timestamptz '2031-01-01 00:00:00+00' where _row = 1",
        "raw.facebook__comments",
        "expect_column_values_to_be_between column _fetched_at",
        '"_row": 1',
    ),
    (
        "query string in endpoint",
        "update raw.facebook__post_insights"
        " set endpoint = endpoint || '?access_token=SECRET' where _row = 2",
        "raw.facebook__post_insights",
        "unexpected_rows_expectation",
        '"_row": 2',
    ),
    (
        "duplicate account key",
        "insert into marts.dim_accounts"
        " values ('acc_fb', 'b', 'B', 'linkedin', '42', 'B', 'UTC', 'api')",
        "marts.dim_accounts",
        "expect_column_values_to_be_unique column account_key",
        '"account_id": "42"',
    ),
    (
        "unknown platform",
        "update marts.dim_accounts set platform = 'myspace' where account_key = 'acc_ig'",
        "marts.dim_accounts",
        "expect_column_values_to_be_in_set column platform",
        '"platform": "myspace"',
    ),
    (
        "null post key",
        "update marts.fct_posts set post_key = null where post_id = '1000000001_3'",
        "marts.fct_posts",
        "expect_column_values_to_not_be_null column post_key",
        '"post_id": "1000000001_3"',
    ),
    (
        "negative metric",
        "update marts.fct_posts set shares = -4 where post_id = '1000000001_2'",
        "marts.fct_posts",
        "expect_column_values_to_be_between column shares",
        '"post_id": "1000000001_2"',
    ),
    (
        "published after metrics were fetched",
        "update marts.fct_posts set published_at = timestamptz '2026-11-30 00:00:00+00'"
        " where post_id = '1000000001_4'",
        "marts.fct_posts",
        "expect_column_pair_values_a_to_be_greater_than_b column metrics_fetched_at, published_at",
        '"post_id": "1000000001_4"',
    ),
    (
        "duplicate account day",
        "insert into marts.fct_account_daily"
        " select * from marts.fct_account_daily where account_date = date '2026-11-23'",
        "marts.fct_account_daily",
        "expect_compound_columns_to_be_unique column account_key, account_date",
        '"account_date": "2026-11-23"',
    ),
    (
        "negative daily metric",
        "update marts.fct_account_daily set viewers = -1 where account_date = date '2026-11-21'",
        "marts.fct_account_daily",
        "expect_column_values_to_be_between column viewers",
        '"account_date": "2026-11-21"',
    ),
]


@pytest.fixture(scope="module")
def bad_gate(tmp_path_factory: pytest.TempPathFactory) -> GateResult:
    """Every defect planted in one warehouse (each in its own row), validated once."""
    database = tmp_path_factory.mktemp("bad_gate") / "messbar.duckdb"
    build_warehouse(database, *(sql for _, sql, *_ in DEFECTS))
    return validate(database, out_dir=None, params=PARAMS)


def test_all_suites_pass_on_good_data(good_gate: tuple[GateResult, Path]) -> None:
    result, _ = good_gate
    assert result.success, result.summary()
    assert not result.failures
    names = {suite.name for suite in load_suites(SUITES_DIR)}
    assert {outcome.suite for outcome in result.suites} == names
    assert all(o.status == "passed" and o.evaluated > 0 for o in result.suites)
    assert "PASSED" in result.summary()


def test_suite_files_cover_the_facebook_raw_tables_and_marts() -> None:
    names = {suite.name for suite in load_suites(SUITES_DIR)}
    streams = ("page", "page_insights", "posts", "post_insights", "comments")
    assert {f"raw.facebook__{stream}" for stream in streams} <= names
    assert {"marts.dim_accounts", "marts.fct_posts", "marts.fct_account_daily"} <= names


@pytest.mark.parametrize(
    ("table", "expectation", "key"),
    [pytest.param(*case[2:], id=case[0]) for case in DEFECTS],
)
def test_planted_defect_fails_naming_table_expectation_and_key(
    bad_gate: GateResult, table: str, expectation: str, key: str
) -> None:
    assert not bad_gate.success
    lines = [
        line for line in bad_gate.summary().splitlines() if f"- {table}: {expectation}" in line
    ]
    assert lines, f"no failure for {table} {expectation} in:\n{bad_gate.summary()}"
    assert any(key in line for line in lines), lines


def test_failures_carry_counts_and_samples(bad_gate: GateResult) -> None:
    (shares,) = [f for f in bad_gate.failures if f.column == "shares"]
    assert shares.table == "marts.fct_posts"
    assert shares.expectation == "expect_column_values_to_be_between"
    assert shares.kwargs == {"column": "shares", "min_value": 0}
    assert shares.unexpected_count == 1
    assert shares.sample_values == [-4]
    assert shares.sample_keys == [{"platform": "facebook", "post_id": "1000000001_2"}]


def test_a_token_in_an_endpoint_never_reaches_the_summary(bad_gate: GateResult) -> None:
    assert "SECRET" not in bad_gate.summary()


def test_passing_suites_stay_green_next_to_failing_ones(bad_gate: GateResult) -> None:
    statuses = {outcome.suite: outcome.status for outcome in bad_gate.suites}
    assert statuses["raw.facebook__page"] == "passed"
    assert statuses["marts.fct_posts"] == "failed"


def test_missing_mart_fails_and_optional_suite_is_skipped(tmp_path: Path) -> None:
    database = build_warehouse(tmp_path / "messbar.duckdb", "drop table marts.fct_posts")
    suites = tmp_path / "suites"
    suites.mkdir()
    for name in ("marts.fct_posts", "marts.dim_accounts"):
        (suites / f"{name}.json").write_text((SUITES_DIR / f"{name}.json").read_text())
    optional = {"name": "marts.kpi_reach_weekly", "expectations": [], "meta": {"optional": True}}
    (suites / "marts.kpi_reach_weekly.json").write_text(json.dumps(optional))

    result = validate(database, suites, out_dir=None, params=PARAMS)

    assert not result.success
    (failure,) = result.failures
    assert (failure.table, failure.expectation) == ("marts.fct_posts", "table_exists")
    assert "marts.fct_posts does not exist" in result.summary()
    statuses = {outcome.suite: outcome.status for outcome in result.suites}
    assert statuses == {
        "marts.dim_accounts": "passed",
        "marts.fct_posts": "missing",
        "marts.kpi_reach_weekly": "skipped",
    }


def test_row_count_threshold_comes_from_params(tmp_path: Path) -> None:
    database = build_warehouse(tmp_path / "messbar.duckdb")
    tables = ["marts.fct_account_daily"]

    assert validate(database, out_dir=None, tables=tables, params=PARAMS).success
    result = validate(
        database, out_dir=None, tables=tables, params={**PARAMS, "min_account_days": 9}
    )

    (failure,) = result.failures
    assert failure.expectation == "expect_table_row_count_to_be_between"
    assert failure.observed_value == 8
    assert "observed 8" in result.summary()


def test_unknown_table_and_missing_param_are_clear_errors(tmp_path: Path) -> None:
    database = build_warehouse(tmp_path / "messbar.duckdb")
    with pytest.raises(ValueError, match=r"No suite for marts\.nope"):
        validate(database, out_dir=None, tables=["marts.nope"])
    suites = tmp_path / "suites"
    suites.mkdir()
    suite = {
        "name": "marts.fct_posts",
        "expectations": [
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "views", "max_value": {"$PARAMETER": "max_views"}},
            }
        ],
    }
    (suites / "marts.fct_posts.json").write_text(json.dumps(suite))
    with pytest.raises(ValueError, match=r"needs parameter\(s\) max_views"):
        validate(database, suites, out_dir=None)
    assert validate(database, suites, out_dir=None, params={"max_views": "1000"}).success
