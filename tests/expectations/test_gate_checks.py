"""Gate coverage (a suite per raw table and mart) and the run-level checks: volume against the
recent median, future state, schema drift events, freshness and mart-to-staging reconciliation.

One warehouse carries every planted defect, validated once (GX is slow to start)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path

import duckdb
import pytest
from conftest import GROUP
from gate_warehouse import PARAMS, build_warehouse

from expectations.runner import (
    SUITES_DIR,
    WORKERS_ENV,
    GateResult,
    gate_workers,
    load_suites,
    validate,
)

pytestmark = pytest.mark.xdist_group(GROUP)

ROOT = Path(__file__).resolve().parents[2]
THIS_RUN = "scheduled__2026-11-26"
THIS_LOAD = "timestamptz '2026-11-27 02:10:00+00'"

DEFECTS = [
    # volume: six more earlier Facebook runs of 100 rows; this run loads 5 (a 95% drop)
    "insert into raw._loaded_files select 'facebook/posts/old' || i || '.ndjson.gz', 'facebook',"
    " 'posts', '1000000001', 'scheduled__old' || i, 'm', 100, 'sha',"
    " timestamptz '2026-11-01 02:10:00+00' + to_days(cast(i as integer)) from range(1, 7) r(i)",
    f"update raw._loaded_files set rows = 5 where run_id = '{THIS_RUN}'",
    # LinkedIn has one run only: not judged, and the summary says so
    "insert into raw._loaded_files values ('linkedin/posts/a.ndjson.gz', 'linkedin', 'posts',"
    f" '90000001', '{THIS_RUN}', 'm', 40, 'sha', {THIS_LOAD})",
    # a far-future cursor (reliability plan #15)
    "insert into raw._state values ('instagram', '17841400000000001', 'account_insights_through',"
    f" '2999-12-31', '{THIS_RUN}', {THIS_LOAD})",
    # drift events of this load
    "insert into raw._events values ('instagram', '17841400000000001', '" + THIS_RUN + "',"
    " 'type_change', 'raw.instagram__media: field like_count was number, now string (example"
    f' value "1.2K")\', {THIS_LOAD})',
    "insert into raw._events values ('instagram', '17841400000000001', '" + THIS_RUN + "',"
    " 'schema_change', 'raw.instagram__media: new field shares_count (number, example value 3)',"
    f" {THIS_LOAD})",
    # Instagram's newest daily figures are 26 days old
    "update marts.fct_account_daily set account_date = date '2026-11-01'"
    " where account_key = 'acc_ig'",
    # the staging unions disagree with the marts
    "create or replace view intermediate.int_posts__unioned as select a.platform, a.account_id,"
    " p.views + 1 as views, p.reactions, p.comments, p.shares, p.clicks from marts.fct_posts p"
    " join marts.dim_accounts a using (account_key)",
    "create or replace view intermediate.int_account_daily__unioned as select a.platform,"
    " a.account_id, d.views, d.viewers, d.platform_engagements as engagements, d.clicks * 2 as"
    " clicks from marts.fct_account_daily d join marts.dim_accounts a using (account_key)",
    "create or replace view intermediate.int_comments__classified as select c.platform,"
    " c.business, a.account_id from marts.fct_comments c join marts.dim_accounts a"
    " using (account_key) union all select 'facebook', 'baeckerei-sonnenschein', '1000000001'",
]
TABLES = [
    "raw._loaded_files",
    "raw._state",
    "raw._events",
    "marts.fct_posts",
    "marts.fct_account_daily",
    "marts.fct_comments",
]


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[GateResult, Path]:
    root = tmp_path_factory.mktemp("run_checks")
    database = build_warehouse(root / "messbar.duckdb", *DEFECTS)
    params = {**PARAMS, "run_id": THIS_RUN}
    return validate(database, out_dir=root / "quality", tables=TABLES, params=params), root


def _lines(result: GateResult, table: str, marker: str = "- ") -> list[str]:
    return [
        line
        for line in result.summary().splitlines()
        if line.lstrip().startswith(marker) and f"{table}: " in line
    ]


def test_every_raw_table_and_mart_has_a_meaningful_suite(tmp_path: Path) -> None:
    from loader.inputs.load import DDL as INPUTS_DDL
    from loader.load import ensure_raw_tables

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_raw_tables(con)
        for stmt in INPUTS_DDL:
            con.execute(stmt)
        raw = {
            f"raw.{name}"
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
    marts = {
        f"marts.{path.stem}" for path in (ROOT / "dbt_project" / "models" / "marts").rglob("*.sql")
    }
    suites = {suite.name: suite for suite in load_suites(SUITES_DIR)}
    missing = sorted((raw | marts) - set(suites))
    assert not missing, f"add expectations/suites/<schema>.<table>.json for {missing}"
    for name in sorted(raw | marts):
        types = [e["type"] for e in suites[name].config["expectations"]]
        assert "expect_table_columns_to_match_set" in types, f"{name}: no schema check"
        keyed = {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
        not_null = {
            e["kwargs"].get("column")
            for e in suites[name].config["expectations"]
            if e["type"] == "expect_column_values_to_not_be_null"
        }
        assert keyed & set(types) or set(suites[name].key_columns) <= not_null, (
            f"{name}: no key check"
        )


def test_a_90_percent_volume_drop_blocks_and_names_the_network(checked) -> None:
    result, _ = checked
    assert not result.success
    (line,) = [
        line
        for line in _lines(result, "raw._loaded_files")
        if "unexpected_rows_expectation" in line
    ]
    assert '"network": "facebook"' in line and '"rows_this_run": 5' in line
    assert '"median_rows": 100' in line and '"ratio": 0.05' in line
    assert "90% drop blocks the publish" in line


def test_too_little_volume_history_passes_and_says_so(checked) -> None:
    result, _ = checked
    notes = [w for w in result.warnings if w.table == "raw._loaded_files"]
    assert [w.severity for w in notes] == ["info"]
    assert {"network": "linkedin", "run_id": THIS_RUN}.items() <= notes[0].sample_keys[0].items()
    assert notes[0].sample_keys[0]["earlier_runs"] == 0
    assert "volume not judged" in result.summary()


def test_a_far_future_state_fails_naming_network_account_and_key(checked) -> None:
    result, _ = checked
    (line,) = _lines(result, "raw._state")
    assert '"network": "instagram"' in line and '"key": "account_insights_through"' in line
    assert "2999-12-31" in line and "Reset it" in line


def test_type_change_of_this_load_blocks_and_schema_change_warns(checked) -> None:
    result, _ = checked
    (blocking,) = _lines(result, "raw._events")
    assert "like_count" in blocking and "1.2K" in blocking
    assert "an old type change" not in result.summary()  # an earlier run's event is history
    (warning,) = [w for w in result.warnings if w.table == "raw._events"]
    assert warning.severity == "warning"
    assert "shares_count" in warning.describe()


def test_stale_account_is_a_warning_naming_it(checked) -> None:
    result, _ = checked
    (stale,) = [w for w in result.warnings if w.table == "marts.fct_account_daily"]
    assert stale.sample_keys == [
        {
            "account_id": "1000000001",
            "business": "baeckerei-sonnenschein",
            "data_through": dt.date(2026, 11, 1),
            "logical_date": dt.date(2026, 11, 27),
            "platform": "instagram",
            "provenance": "api",
        }
    ]
    assert "WARNING marts.fct_account_daily" in result.summary()


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ("marts.fct_posts", '"mart_views": 1000'),
        ("marts.fct_account_daily", '"staged_clicks": 182'),
        ("marts.fct_comments", '"staged_comments": 5'),
    ],
)
def test_marts_reconcile_with_the_staging_unions(checked, table: str, needle: str) -> None:
    result, _ = checked
    lines = [line for line in _lines(result, table) if "unexpected_rows_expectation" in line]
    assert len(lines) == 1, result.summary()
    assert '"platform": "facebook"' in lines[0] and needle in lines[0]


def test_result_file_and_data_docs_carry_failures_and_warnings(checked) -> None:
    _, root = checked
    document = json.loads((root / "quality" / "result.json").read_text())
    assert document["success"] is False
    assert {f["table"] for f in document["failures"]} >= {
        "raw._loaded_files",
        "raw._state",
        "raw._events",
        "marts.fct_posts",
    }
    assert {w["severity"] for w in document["warnings"]} == {"warning", "info"}
    # the expectations that ran, with the run's values bound, are in the Data Docs pages (the
    # bound value, not the date of the day the test runs)
    pages = "".join(p.read_text() for p in (root / "quality" / "data_docs").rglob("*.html"))
    assert "raw._state" in pages and PARAMS["max_fetched_at"] in pages


def test_drifted_rows_are_held_then_released_with_their_type_accepted() -> None:
    """loader/drift.py on its own: learn, hold a type change and a lost id, release; the same
    verdicts whether the payloads are parsed in SQL or the landing writer's counts are used."""
    from extractors.core.shapes import FieldCounter
    from loader import drift
    from loader.load import RAW_COLUMNS

    for counted in (False, True):
        con = duckdb.connect()
        con.execute(f"create schema raw; create table raw.t ({RAW_COLUMNS})")
        drift.ensure_tables(con, RAW_COLUMNS)
        drift.register_macros(con)
        loads = iter(range(1, 10))

        def land(file: str, *payloads: dict, con=con, loads=loads, counted=counted):
            """One load: the batch's rows share their _loaded_at, as the loader's do."""
            loaded_at = dt.datetime(2026, 11, 27, 2, next(loads), tzinfo=dt.UTC)
            counter = FieldCounter()
            for row, payload in enumerate(payloads, 1):
                counter.add(payload)
                con.execute(
                    "insert into raw.t values (?, ?, 'run_' || ?, now(), current_date, ?, 'b',"
                    " 'a', 'o', '/e', ?)",
                    [file, row, file, loaded_at, json.dumps(payload)],
                )
            declared = None
            if counted:
                declared = drift.declared_fields([(counter.as_manifest(), f"run_{file}")])
            return drift.check_batch(con, "x", "t", loaded_at, declared)

        first = land("f1", {"id": "1", "likes": 3, "from": {"id": "u"}}, {"id": "2", "likes": None})
        assert first == ([], 0)  # first load: learn only
        events, held = land(
            "f2", {"id": "3", "likes": "1.2K"}, {"likes": 4}, {"id": "5", "likes": 6, "new": True}
        )
        assert held == 2
        assert [(e.kind, e.run_id) for e in events] == [
            ("missing_id", "run_f2"),
            ("type_change", "run_f2"),
            ("schema_change", "run_f2"),
        ]
        assert 'field likes was number, now string (example value "1.2K")' in events[1].detail
        assert "new field new (boolean, example value true)" in events[2].detail
        kept = con.execute("select payload->>'id' from raw.t where _file = 'f2'").fetchall()
        assert kept == [("5",)]

        assert drift.release(con, "t") == 2
        assert con.execute("select count(*) from raw._quarantine").fetchone() == (0,)
        # the string type is accepted now; an empty object is still an object
        assert land("f3", {"id": "6", "likes": "2K", "new": False, "from": {}}) == ([], 0)
        known = con.execute("select field, json_type from raw._schema order by all").fetchall()
        assert ("$.from", "object") in known and ("$.from", "json") not in known


def _outcome(result: GateResult) -> tuple[list, list, list]:
    return (
        [asdict(f) for f in result.failures],
        [asdict(w) for w in result.warnings],
        [asdict(s) for s in result.suites],
    )


def _validation_pages(out_dir: Path) -> list[str]:
    """The suite of every validation page (validations/<schema>/<table>/<run>/...)."""
    root = out_dir / "data_docs" / "validations"
    return sorted(".".join(page.relative_to(root).parts[:2]) for page in root.rglob("*.html"))


def test_suites_spread_over_processes_give_the_same_gate(
    checked, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suites of one gate are independent: forked workers run them (MESSBAR_GATE_WORKERS)
    and the parent builds one Data Docs site; the verdict, failures, samples and pages are the
    same as in one process."""
    _, root = checked
    params = {**PARAMS, "run_id": THIS_RUN}
    gates = {}
    for workers in (1, 3):
        monkeypatch.setenv(WORKERS_ENV, str(workers))
        out_dir = tmp_path / f"workers-{workers}"
        gate = validate(root / "messbar.duckdb", out_dir=out_dir, tables=TABLES, params=params)
        gates[workers] = (gate, out_dir)

    (one, one_dir), (three, three_dir) = gates[1], gates[3]
    assert (one.processes, three.processes) == (1, 3)
    assert "in 3 processes" in three.summary().splitlines()[0]
    assert not one.success and _outcome(one) == _outcome(three)
    assert {f.table for f in one.failures} >= {"raw._loaded_files", "raw._state"}
    # one validation page per suite in both sites, whichever process ran it
    assert _validation_pages(one_dir) == _validation_pages(three_dir) == sorted(TABLES)
    for out_dir in (one_dir, three_dir):
        document = json.loads((out_dir / "result.json").read_text())
        assert len(document["validation_results"]) == len(TABLES)


def test_gate_workers_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    assert 1 <= gate_workers() <= 4
    monkeypatch.setenv(WORKERS_ENV, "2")
    assert gate_workers() == 2
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(WORKERS_ENV, bad)
        with pytest.raises(ValueError, match=r"MESSBAR_GATE_WORKERS=.*whole number"):
            gate_workers()
