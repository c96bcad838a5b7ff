"""Append-only raw tables are checked on the rows loaded since the last passing gate.

A suite with ``meta.incremental_column`` checks the rows above the value a passing gate handed
back (``GateResult.checked_through``); ``messbar.pipeline`` keeps that value beside the
warehouse and drops it when it belongs to another warehouse file."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from conftest import GROUP
from gate_warehouse import PARAMS, build_warehouse

from expectations.runner import SUITES_DIR, load_suites, validate
from messbar import pipeline

pytestmark = pytest.mark.xdist_group(GROUP)

SUITE = "raw.facebook__posts"
GOOD_LOAD = "2026-11-27 02:10:00+00"  # every good row of gate_warehouse
# a row with _row 0 (the suite wants _row >= 1), loaded a week earlier
OLD_DEFECT = (
    "insert into raw.facebook__posts select 'facebook/posts/old.ndjson.gz', 0, 'scheduled__old',"
    " timestamptz '2026-11-20 02:00:00+00', date '2026-11-20',"
    " timestamptz '2026-11-20 02:10:00+00',"
    " 'baeckerei-sonnenschein', '1000000001', '1000000001_9', '/v25.0/1000000001/posts',"
    " json_object('id', '9')"
)
# a row whose endpoint carries a query string (a token could hide there), loaded after the mark
NEW_DEFECT = (
    "insert into raw.facebook__posts select 'facebook/posts/new.ndjson.gz', 1, 'scheduled__new',"
    " timestamptz '2026-11-27 02:00:00+00', date '2026-11-27',"
    " timestamptz '2026-11-27 03:00:00+00',"
    " 'baeckerei-sonnenschein', '1000000001', '1000000001_8',"
    " '/v25.0/1000000001/posts?access_token=EAAB-secret', json_object('id', '8')"
)


def _gate(database: Path, marks: dict[str, str] | None):
    return validate(database, out_dir=None, tables=[SUITE], params=PARAMS, checked_through=marks)


def test_every_network_raw_table_is_append_only_and_scoped() -> None:
    scoped = {s.name for s in load_suites(SUITES_DIR) if s.incremental_column}
    assert {"raw.facebook__posts", "raw.x__replies", "raw.xing__page_insights"} <= scoped
    # whole-table checks where rows are replaced or judged against history
    assert not scoped & {"raw._loaded_files", "raw.input__outcomes", "raw.config__accounts"}
    assert {s.incremental_column for s in load_suites(SUITES_DIR) if s.incremental_column} == {
        "_loaded_at"
    }


def test_rows_checked_by_a_passing_gate_are_not_checked_again(tmp_path: Path) -> None:
    database = build_warehouse(tmp_path / "messbar.duckdb", OLD_DEFECT)

    whole = _gate(database, None)
    assert not whole.success  # control: the old row does fail a whole-table check
    assert any(f.column == "_row" for f in whole.failures)

    scoped = _gate(database, {SUITE: "2026-11-21 00:00:00+00"})
    assert scoped.success, scoped.summary()
    outcome = next(o for o in scoped.suites if o.suite == SUITE)
    assert outcome.rows == f"_loaded_at > 2026-11-21 00:00:00+00 and <= {GOOD_LOAD}"
    assert scoped.checked_through == {SUITE: GOOD_LOAD}
    assert "checked on the rows loaded since their last passing gate" in scoped.summary()


def test_a_defect_loaded_after_the_mark_fails_with_its_sample(tmp_path: Path) -> None:
    database = build_warehouse(tmp_path / "messbar.duckdb", OLD_DEFECT, NEW_DEFECT)
    result = _gate(database, {SUITE: GOOD_LOAD})
    assert not result.success
    assert [f.expectation for f in result.failures] == ["unexpected_rows_expectation"]
    assert result.failures[0].sample_keys == [{"_file": "facebook/posts/new.ndjson.gz", "_row": 1}]
    assert "EAAB-secret" not in result.summary()  # the custom SQL selects keys only


def test_no_new_rows_passes_and_keeps_the_mark(tmp_path: Path) -> None:
    database = build_warehouse(tmp_path / "messbar.duckdb", OLD_DEFECT)
    result = _gate(database, {SUITE: GOOD_LOAD})
    assert result.success
    assert next(o for o in result.suites if o.suite == SUITE).evaluated > 0
    assert result.checked_through == {SUITE: GOOD_LOAD}


def test_pipeline_keeps_marks_per_warehouse(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse" / "messbar.duckdb"
    warehouse.parent.mkdir()
    duckdb.connect(str(warehouse)).close()
    cfg = SimpleNamespace(warehouse_path=warehouse)
    assert pipeline.read_gate_marks(cfg) is None  # never passed: every row

    pipeline.write_gate_marks(cfg, {SUITE: GOOD_LOAD}, "scheduled__x")
    assert pipeline.read_gate_marks(cfg) == {SUITE: GOOD_LOAD}
    document = json.loads(pipeline.gate_marks_path(cfg).read_text(encoding="utf-8"))
    assert document["run_id"] == "scheduled__x"

    # the marks of another warehouse file (moved or replaced config) are not trusted
    other = SimpleNamespace(warehouse_path=tmp_path / "elsewhere" / "messbar.duckdb")
    other.warehouse_path.parent.mkdir()
    pipeline.gate_marks_path(cfg).rename(pipeline.gate_marks_path(other))
    assert pipeline.read_gate_marks(other) is None

    # an unreadable file means a whole-table check, not a crash
    pipeline.gate_marks_path(cfg).write_text("{not json", encoding="utf-8")
    assert pipeline.read_gate_marks(cfg) is None
