"""The whole nightly DAG through real Airflow (`airflow dags test`, SQLite metadata), real dbt,
real Great Expectations and the sandbox over loopback; then the gate blocking a bad run."""

import gzip
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import sandbox
from messbar.airflow_local import airflow_env, dags_test, prepare
from messbar.demo import dag_run_succeeded

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e_dag")]

ROOT = Path(__file__).parents[2]
CANARY = "EAAGe2eCANARYtoken9876543210zyxwvuCANARY"
LOGICAL = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 03:00 Berlin
WINDOW_END = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)  # Berlin midnight of the 27th
HISTORY_DAYS = 420


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    config = tmp / "messbar.yml"
    demo = (ROOT / "config" / "demo.yml").read_text(encoding="utf-8")
    config.write_text(
        demo.replace("env:MESSBAR_SANDBOX_TOKEN", "env:MESSBAR_E2E_TOKEN").replace(
            "data_dir: ../data", "data_dir: data"
        ),
        encoding="utf-8",
    )
    with sandbox.serve(now=LOGICAL, tokens=[CANARY]) as sb:
        env = airflow_env(
            tmp / "airflow",
            {
                "MESSBAR_CONFIG": str(config),
                "MESSBAR_SANDBOX_URL": sb.url,
                "MESSBAR_E2E_TOKEN": CANARY,
                "AIRFLOW__LOGGING__LOGGING_LEVEL": "DEBUG",  # the canary must survive DEBUG
            },
        )
        env.pop("MESSBAR_DATA_DIR", None)
        prepare(tmp / "airflow", env)
        proc = dags_test(env, LOGICAL.isoformat())
        yield {"tmp": tmp, "env": env, "proc": proc, "sb": sb, "data": tmp / "data"}


def published(run) -> Path:
    return run["data"] / "published" / "messbar.duckdb"


def query(path: Path, sql: str, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_dag_run_succeeds_and_publishes(run):
    out = run["proc"].stdout + run["proc"].stderr
    assert dag_run_succeeded(out), out[-3000:]
    assert published(run).exists()
    assert (run["data"] / "published" / "quality" / "result.json").exists()


def test_marts_match_what_the_sandbox_served(run):
    sb, world = run["sb"], run["sb"].world
    accounts = query(
        published(run), "select business, platform, account_id from marts.dim_accounts order by 1"
    )
    assert accounts == [
        ("baeckerei-sonnenschein", "facebook", "1000000001"),
        ("friseur-schnittpunkt", "facebook", "1000000003"),
        ("schreinerei-holzwerk", "facebook", "1000000002"),
    ]
    since = WINDOW_END - timedelta(days=HISTORY_DAYS)
    for _, _, page in accounts:
        served = [p for p in world.posts_at(page, LOGICAL) if since <= p.created_time < WINDOW_END]
        rows = query(
            published(run),
            "select post_id, views, comments from marts.fct_posts "
            "where post_id like ? order by post_id",
            [f"{page}_%"],
        )
        assert [r[0] for r in rows] == sorted(p.id for p in served)
        for post_id, views, _ in rows[:: max(1, len(rows) // 5)]:
            assert views == world.post_lifetime(post_id, "post_media_view", LOGICAL)
        last_day = query(
            published(run),
            "select max(account_date) from marts.fct_account_daily "
            "d join marts.dim_accounts a using (account_key) where a.account_id = ? "
            "and followers is not null",
            [page],
        )[0][0]
        followers = query(
            published(run),
            "select followers from marts.fct_account_daily d join "
            "marts.dim_accounts a using (account_key) where a.account_id = ? and "
            "account_date = ?",
            [page, last_day],
        )[0][0]
        assert followers == world.page_daily_value(page, "page_follows", last_day)
    assert sb.requests(), "the extractor talked to the sandbox"


def _artefacts(root: Path):
    for p in root.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            if p.name.endswith(".gz"):
                data = gzip.decompress(data)
            yield p, data


def test_canary_token_appears_nowhere(run):
    out = (run["proc"].stdout + run["proc"].stderr).encode()
    assert CANARY.encode() not in out
    leaks = [str(p) for p, data in _artefacts(run["tmp"]) if CANARY.encode() in data]
    assert leaks == []
    # the task logs (printed by `dags test`) are there, with the extractor's own lines
    assert b"calls, rows" in out


def test_gate_failure_blocks_publish_and_keeps_the_published_file(run):
    before = hashlib.sha256(published(run).read_bytes()).hexdigest()
    warehouse = run["data"] / "warehouse" / "messbar.duckdb"
    con = duckdb.connect(str(warehouse))
    post_id = con.execute(
        "select post_id from marts.fct_posts order by post_id limit 1"
    ).fetchone()[0]
    bad = {
        "name": "post_media_view",
        "period": "lifetime",
        "values": [{"value": -500}],
        "id": f"{post_id}/insights/post_media_view/lifetime",
    }
    con.execute(
        "insert into raw.facebook__post_insights values ('planted.ndjson.gz', 1, 'planted', "
        "now() + interval 1 minute, current_date, now(), 'baeckerei-sonnenschein', "
        "'1000000001', ?, '/v25.0/x/insights', ?)",
        [post_id, json.dumps(bad)],
    )
    con.close()
    proc = dags_test(run["env"], (LOGICAL + timedelta(days=1)).isoformat())
    out = proc.stdout + proc.stderr
    assert not dag_run_succeeded(out)
    assert "Quality gate failed" in out and "fct_posts" in out and "views" in out
    assert hashlib.sha256(published(run).read_bytes()).hexdigest() == before
    result = json.loads((run["data"] / "published" / "quality" / "result.json").read_text())
    assert result["success"] is False
    assert (run["data"] / "published" / "quality" / "data_docs").exists()
    assert CANARY not in out
