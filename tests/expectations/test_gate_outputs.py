"""result.json, Data Docs, the CLI, and import hygiene."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GROUP
from gate_warehouse import MAX_FETCHED_AT, build_warehouse

from expectations.__main__ import main
from expectations.runner import GateResult, validate

pytestmark = pytest.mark.xdist_group(GROUP)

REPO = Path(__file__).resolve().parents[2]


def test_result_json_is_machine_readable(good_gate: tuple[GateResult, Path]) -> None:
    result, out_dir = good_gate
    assert result.result_path == out_dir / "result.json"
    document = json.loads(result.result_path.read_text())
    assert document["success"] is True
    assert document["failures"] == []
    assert document["params"]["max_fetched_at"] == MAX_FETCHED_AT
    assert {suite["status"] for suite in document["suites"]} == {"passed"}
    assert len(document["validation_results"]) == len(document["suites"])
    first = document["validation_results"][0]["results"][0]
    assert {"success", "expectation_config", "result"} <= set(first)


def test_data_docs_are_built_by_gx(good_gate: tuple[GateResult, Path]) -> None:
    result, out_dir = good_gate
    index = out_dir / "data_docs" / "index.html"
    assert result.data_docs_index == index
    html = index.read_text()
    assert "marts.fct_posts" in html
    assert list((out_dir / "data_docs" / "validations").rglob("*.html"))
    assert list((out_dir / "data_docs" / "expectations").rglob("*.html"))


def test_data_docs_of_an_earlier_run_are_replaced(tmp_path: Path) -> None:
    database = build_warehouse(tmp_path / "messbar.duckdb")
    out_dir = tmp_path / "quality"
    stale = out_dir / "data_docs" / "validations" / "stale.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old run")

    validate(database, out_dir=out_dir, tables=["marts.dim_accounts"], params={})

    assert not stale.exists()
    assert (out_dir / "data_docs" / "index.html").exists()
    assert sorted(p.name for p in out_dir.iterdir()) == ["data_docs", "result.json"]


def test_nothing_is_written_to_an_uncommitted_folder(good_gate: tuple[GateResult, Path]) -> None:
    _, out_dir = good_gate
    assert not list(out_dir.rglob("uncommitted"))
    assert not (REPO / "expectations" / "uncommitted").exists()
    assert not (REPO / "gx").exists()


def test_cli_exit_codes_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = build_warehouse(tmp_path / "good.duckdb")
    bad = build_warehouse(
        tmp_path / "bad.duckdb", "update marts.fct_posts set views = -1 where post_key = 'post_1'"
    )
    param = ["--param", f"max_fetched_at={MAX_FETCHED_AT}", "--table", "marts.fct_posts"]

    assert main([str(good), *param]) == 0
    assert "PASSED" in capsys.readouterr().out

    assert main([str(bad), *param, "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert "marts.fct_posts: expect_column_values_to_be_between column views" in out
    assert '"post_id": "1000000001_1"' in out
    assert (tmp_path / "out" / "result.json").exists()

    daily = ["--table", "marts.fct_account_daily", "--param", "min_account_days=9"]
    assert main([str(good), *daily]) == 1
    assert "expect_table_row_count_to_be_between: observed 8" in capsys.readouterr().out

    assert main([str(tmp_path / "missing.duckdb")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_importing_the_runner_does_not_import_gx() -> None:
    code = (
        "import sys, expectations.runner, expectations.__main__; "
        "assert 'great_expectations' not in sys.modules; "
        "assert 'duckdb_engine' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_a_failing_suite_runs_only_its_failed_expectations_again(tmp_path: Path) -> None:
    """The first pass is pass-or-fail; only the expectation that failed is computed again with
    counts and samples, and its detailed result takes the place of the first one."""
    bad = build_warehouse(
        tmp_path / "bad.duckdb", "update marts.fct_posts set views = -1 where post_key = 'post_1'"
    )

    gate = validate(
        bad,
        out_dir=tmp_path / "out",
        tables=["marts.fct_posts"],
        params={"max_fetched_at": MAX_FETCHED_AT},
    )

    assert not gate.success
    [failure] = gate.failures
    assert (failure.expectation, failure.column, failure.unexpected_count) == (
        "expect_column_values_to_be_between",
        "views",
        1,
    )
    assert failure.sample_values == [-1]
    [suite] = json.loads(gate.result_path.read_text())["validation_results"]
    failed = [r for r in suite["results"] if not r["success"]]
    passed = [r for r in suite["results"] if r["success"]]
    assert [r["expectation_config"]["kwargs"]["column"] for r in failed] == ["views"]
    assert failed[0]["result"]["unexpected_count"] == 1
    assert len(passed) > 5
    assert all(r["result"] == {} for r in passed)  # not computed a second time
    assert suite["statistics"]["unsuccessful_expectations"] == 1
    page = next((tmp_path / "out" / "data_docs" / "validations").rglob("*.html")).read_text()
    assert "views" in page


def test_a_worker_stores_nothing_and_hands_data_docs_the_stored_form(tmp_path: Path) -> None:
    """A worker validates the batch itself: no suite, validation definition or result lands in
    its own context's stores (each would be serialized again), and what it hands to Data Docs
    is the result as GX's validation results store holds it, under GX's key for this run."""
    import datetime as dt

    from great_expectations.core.run_identifier import RunIdentifier

    from expectations import runner

    bad = build_warehouse(
        tmp_path / "bad.duckdb", "update marts.fct_posts set views = -1 where post_key = 'post_1'"
    )
    params = {**runner.default_params(), "max_fetched_at": MAX_FETCHED_AT}
    [suite] = [s for s in runner.load_suites(runner.SUITES_DIR) if s.name == "marts.fct_posts"]
    run_id = RunIdentifier(
        run_name="nightly-test", run_time=dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    )
    worker = runner._Worker(bad, params, run_id)
    try:
        run = worker.run((runner._bind(suite, params), None))
        store = worker.context.validation_results_store
        assert store.list_keys() == []
        assert worker.context.suites.all() == []
        assert worker.context.validation_definitions.all() == []
        [(key, value)] = run.stored
        assert key[:3] == ("marts", "fct_posts", "nightly-test")  # the suite name splits at dots
        assert key[-1] == "warehouse-marts.fct_posts"  # data source and asset, as GX names it
        stored = store.deserialize(value)
        assert store.serialize(stored) == value
        assert stored.success is False
        assert stored.meta["run_id"]["run_name"] == "nightly-test"
        assert [r.expectation_config.kwargs["column"] for r in stored.results if not r.success] == [
            "views"
        ]
        assert run.result["success"] is False  # the gate's copy: the same result as a dict
        assert json.loads(value)["statistics"] == run.result["statistics"]
    finally:
        worker.close()
