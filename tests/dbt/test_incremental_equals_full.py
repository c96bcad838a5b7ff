"""Incremental nightly runs leave exactly what a full refresh of the same raw data builds.

Three nightly dates through the real pipeline steps (sandbox over loopback, extractors, loader,
``dbt build`` of the incremental models), including a daily value restated inside the lookback
window and a night whose files arrive late (loaded after the next night's, with older fetch
times). Then a ``--full-refresh`` build of a copy of the same warehouse must give the same
staging tables and marts (``mart_digest``). Data tests are left to the other dbt tests: the
builds here leave them out, to stay fast."""

import hashlib
import json
import shutil
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import sandbox
from extractors.core.landing import LandingWriter
from messbar import pipeline
from messbar.config import load_config

sys.path.insert(0, str(Path(__file__).parents[1] / "reliability"))
from invariants import assert_no_duplicate_keys, mart_digest
from raw_warehouse import run_dbt

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dbt_incremental")]

ROOT = Path(__file__).parents[2]
TOKEN = "incremental-test-token"
PAGE = "1000000001"
BUSINESS = "baeckerei-sonnenschein"
NIGHTS = [datetime(2026, 11, 25, 2, 0, tzinfo=UTC) + timedelta(days=i) for i in range(3)]
RESTATED_DAY = date(2026, 11, 21)  # inside the 7-day lookback of the third night
BUILD = {"data_tests": False}
RESTATED_VIEWS = 987654


def write_config(data_dir: Path, url: str) -> Path:
    path = data_dir.parent / f"{data_dir.name}.yml"
    path.write_text(
        f"""
data_dir: {data_dir}
networks:
  facebook:
    base_url: {url}/facebook
    history_days: 45
    lookback_days: 7
    post_refresh_days: 14
    comment_days: 7
  instagram:
    base_url: {url}/instagram
    history_days: 30
    media_history_days: 45
    lookback_days: 3
    media_refresh_days: 14
    comment_days: 7
  linkedin:
    base_url: {url}/linkedin
    api_version: "202603"
    history_days: 30
    lookback_days: 7
    post_refresh_days: 14
    comment_days: 7
  x:
    base_url: {url}/x
    history_days: 30
    post_refresh_days: 7
    reply_days: 7
    metrics_access: owned
businesses:
  - slug: {BUSINESS}
    name: Bäckerei Sonnenschein
    accounts:
      facebook:
        - account_id: "{PAGE}"
          token: env:MESSBAR_INCREMENTAL_TOKEN
      instagram:
        - account_id: "17841400000000001"
          token: env:MESSBAR_INCREMENTAL_TOKEN
      linkedin:
        - account_id: "90000001"
          token: env:MESSBAR_INCREMENTAL_TOKEN
      x:
        - account_id: "1500000000000000001"
          token: env:MESSBAR_INCREMENTAL_TOKEN
""",
        encoding="utf-8",
    )
    return path


def extract_night(cfg, sb, when: datetime, landing_dir: Path | None = None) -> None:
    sb.set_now(when)
    for job in pipeline.plan(cfg, when, f"scheduled__{when:%Y-%m-%d}"):
        if landing_dir is not None:
            job["landing_dir"] = str(landing_dir)
        pipeline.extract(job)


def restate_daily_views(cfg, logical: date) -> None:
    """A later fetch that restates one daily value inside the lookback (Meta stamps a day's
    value with the next Pacific midnight), landed like an extractor lands it."""
    writer = LandingWriter(
        cfg.landing_dir,
        network="facebook",
        business=BUSINESS,
        account_id=PAGE,
        run_id="manual__restatement",
        logical_date=logical,
    )
    metric = {
        "name": "page_media_view",
        "period": "day",
        "values": [
            {
                "value": RESTATED_VIEWS,
                "end_time": f"{(RESTATED_DAY + timedelta(days=1)).isoformat()}T08:00:00+0000",
            }
        ],
        "id": f"{PAGE}/insights/page_media_view/day",
    }
    writer.write("page_insights", PAGE, f"/v25.0/{PAGE}/insights", [metric])
    writer.finish(state={}, events=[], calls=0)


def staging_digest(db: Path) -> dict[str, str]:
    """sha256 of the sorted rows of every staging relation (tables and views)."""
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'staging' order by 1"
            ).fetchall()
        ]
        for name in names:
            rows = con.execute(f"select * from staging.{name} order by all").fetchall()
            out[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def incremental_models(cfg, tmp: Path) -> set[str]:
    """The models dbt builds as incremental tables, listed by ``dbt ls`` with the nightly
    build's vars (its own target folder: the nightly one has no manifest.json)."""
    listed = run_dbt(
        [
            *("ls", "--quiet", "--resource-type", "model", "--output", "name"),
            *("--select", "config.materialized:incremental", "--vars", pipeline.dbt_vars()),
        ],
        cfg.warehouse_path,
        tmp,
    )
    assert listed.returncode == 0, listed.stdout[-4000:] + listed.stderr[-4000:]
    return set(listed.stdout.split())


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory, monkeypatch_module):
    tmp = tmp_path_factory.mktemp("incremental")
    monkeypatch_module.setenv("MESSBAR_INCREMENTAL_TOKEN", TOKEN)
    monkeypatch_module.delenv("MESSBAR_DATA_DIR", raising=False)
    with sandbox.serve(now=NIGHTS[0], tokens=[TOKEN]) as sb:
        cfg = load_config(write_config(tmp / "incremental", sb.url))
        # night 1: the first run lands the history and builds every model
        extract_night(cfg, sb, NIGHTS[0])
        pipeline.load(cfg)
        pipeline.transform(cfg, **BUILD)
        # night 2 is extracted but its files arrive only after night 3 was loaded and built;
        # night 3 also brings a restated daily value inside its lookback
        late = tmp / "late_landing"
        extract_night(cfg, sb, NIGHTS[1], landing_dir=late)
        extract_night(cfg, sb, NIGHTS[2])
        restate_daily_views(cfg, NIGHTS[2].date())
        pipeline.load(cfg)
        pipeline.transform(cfg, **BUILD)
        shutil.copytree(late, cfg.landing_dir, dirs_exist_ok=True)
        late_load = pipeline.load(cfg)
        pipeline.transform(cfg, **BUILD)
    full = load_config(write_config(tmp / "full", sb.url))
    full.warehouse_path.parent.mkdir(parents=True)
    shutil.copy(cfg.warehouse_path, full.warehouse_path)
    pipeline.transform(full, full_refresh=True, unit_tests=False, **BUILD)
    return {"incremental": cfg, "full": full, "late_load": late_load}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_staging_is_incremental_where_raw_grows(warehouses, tmp_path):
    models = incremental_models(warehouses["incremental"], tmp_path)
    assert {
        "stg_facebook__page_insights",
        "stg_facebook__posts",
        "stg_facebook__post_insights",
        "stg_facebook__comments",
        "stg_instagram__page_insights",
        "stg_linkedin__post_insights",
        "stg_x__comments",
        "int_comments__classified",
    } <= models
    assert warehouses["late_load"]["files"] > 0  # the late night really came in last


def test_incremental_marts_equal_a_full_refresh(warehouses):
    incremental = warehouses["incremental"].warehouse_path
    full = warehouses["full"].warehouse_path
    digest = mart_digest(incremental)
    assert digest == mart_digest(full)
    assert digest["fct_posts"][0] > 0 and digest["fct_comments"][0] > 0
    assert_no_duplicate_keys(incremental)


def test_incremental_staging_equals_a_full_refresh(warehouses):
    assert staging_digest(warehouses["incremental"].warehouse_path) == staging_digest(
        warehouses["full"].warehouse_path
    )


def test_incremental_builds_leave_no_scratch_tables(warehouses):
    """The increment of the Python model (int_comments__classified) is computed in a scratch
    table; it must not stay in the warehouse, one more every night."""
    with duckdb.connect(str(warehouses["incremental"].warehouse_path), read_only=True) as con:
        leftovers = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name not in "
            "('raw', 'staging', 'intermediate', 'marts', 'reference')"
        ).fetchall()
    assert leftovers == []


def test_late_restatement_inside_the_lookback_reaches_the_marts(warehouses):
    with duckdb.connect(str(warehouses["incremental"].warehouse_path), read_only=True) as con:
        views = con.execute(
            "select d.views from marts.fct_account_daily d join marts.dim_accounts a "
            "using (account_key) where a.platform = 'facebook' and a.account_id = ? "
            "and d.account_date = ?",
            [PAGE, RESTATED_DAY],
        ).fetchone()
    assert views == (RESTATED_VIEWS,)


def test_nightly_build_writes_run_results_not_the_manifest(warehouses):
    """dbt runs through messbar.dbt_build: run_results.json for transform's failure report,
    no manifest.json (written twice per run by dbt's CLI, read by nothing at night), and the
    saved parse that lets the next run skip parsing."""
    target = warehouses["incremental"].data_dir / "dbt" / "target"
    results = json.loads((target / "run_results.json").read_text())["results"]
    assert {r["unique_id"] for r in results} >= {
        "model.messbar.fct_posts",
        "model.messbar.kpi_weekly",
    }
    assert not (target / "manifest.json").exists()
    assert (target / "partial_parse.msgpack").exists()
    # the file log keeps each node's result, not every SQL statement (dbt_env)
    log = (warehouses["incremental"].data_dir / "dbt" / "logs" / "dbt.log").read_text()
    assert "OK created sql table model marts.fct_posts" in log
    assert "SQL status" not in log
    assert '"staging"."stg_facebook__posts"' not in log  # no statement names a relation


def test_a_failing_data_test_stops_the_build_naming_it(warehouses, tmp_path, monkeypatch):
    cfg = load_config(write_config(tmp_path / "broken", "http://127.0.0.1:9"))
    cfg.warehouse_path.parent.mkdir(parents=True)
    shutil.copy(warehouses["full"].warehouse_path, cfg.warehouse_path)
    with duckdb.connect(str(cfg.warehouse_path)) as con:  # one post twice
        con.execute(
            "insert into staging.stg_facebook__posts from staging.stg_facebook__posts limit 1"
        )

    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")  # as someone chasing the failure would
    with pytest.raises(pipeline.TransformFailed) as failed:
        pipeline.transform(cfg, select=["stg_facebook__posts,test_type:data"])

    message = str(failed.value)
    assert "dbt build failed (1 node(s)); nothing was published" in message
    assert "test.messbar.row_checks_stg_facebook__posts_" in message
    assert "DBT_LOG_LEVEL_FILE=debug" in message
    log = (cfg.data_dir / "dbt" / "logs" / "dbt.log").read_text()
    assert "SQL status" in log  # the statements are back
    assert '"staging"."stg_facebook__posts"' in log
    assert "Failure in test row_checks_stg_facebook__posts_" in log
    results = json.loads((cfg.data_dir / "dbt" / "target" / "run_results.json").read_text())
    tests = [r for r in results["results"] if r["unique_id"].startswith("test.")]
    assert [r["status"] for r in tests if r["status"] != "pass"] == ["fail"]
    assert all(r["status"] == "success" for r in results["results"] if r not in tests)


def test_the_dbt_process_leaves_the_warehouse_closed_and_its_log_complete(warehouses, tmp_path):
    """messbar.dbt_build ends its process with os._exit (Python's teardown is slow): first it
    closes the warehouse, which checkpoints it (no WAL left beside the file), and flushes the
    log, whose last line is dbt's summary."""
    cfg = load_config(write_config(tmp_path / "closed", "http://127.0.0.1:9"))
    cfg.warehouse_path.parent.mkdir(parents=True)
    shutil.copy(warehouses["full"].warehouse_path, cfg.warehouse_path)
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        posts = con.execute("select count(*) from staging.stg_facebook__posts").fetchone()

    outcome = pipeline.transform(cfg, select=["stg_facebook__posts"], full_refresh=True)

    assert outcome["nodes"] >= 1
    assert not cfg.warehouse_path.with_name(cfg.warehouse_path.name + ".wal").exists()
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from staging.stg_facebook__posts").fetchone() == posts
    log = (cfg.data_dir / "dbt" / "logs" / "dbt.log").read_text().rstrip().splitlines()
    assert "Done. PASS=" in log[-1]
