"""The whole nightly DAG through real Airflow (`airflow dags test`, SQLite metadata), real dbt,
real Great Expectations and the sandbox over loopback; then the gate blocking a bad run."""

import gzip
import hashlib
import json
import os
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
        demo.replace("env:MESSBAR_SANDBOX_TOKEN", "env:MESSBAR_E2E_TOKEN")
        .replace("data_dir: ../data", "data_dir: data")
        .replace(" demo_inputs/", f" {ROOT / 'config' / 'demo_inputs'}/"),
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


def test_all_five_networks_for_every_business(run):
    rows = query(
        published(run),
        "select business, platform, count(*) from marts.dim_accounts group by all order by 1, 2",
    )
    businesses = ("baeckerei-sonnenschein", "friseur-schnittpunkt", "schreinerei-holzwerk")
    platforms = ("facebook", "instagram", "linkedin", "x", "xing")
    assert rows == [(b, p, 1) for b in businesses for p in platforms]
    posts = dict(query(published(run), "select platform, count(*) from marts.fct_posts group by 1"))
    assert set(posts) == {"facebook", "instagram", "linkedin", "x"}  # XING has no post data
    assert all(n > 0 for n in posts.values())
    future = query(
        published(run), "select count(*) from marts.fct_posts where published_at >= ?", [WINDOW_END]
    )[0][0]
    assert future == 0


def test_facebook_marts_match_what_the_sandbox_served(run):
    sb, world = run["sb"], run["sb"].world
    pages = [
        r[0]
        for r in query(
            published(run),
            "select account_id from marts.dim_accounts where platform = 'facebook' order by 1",
        )
    ]
    assert pages == ["1000000001", "1000000002", "1000000003"]
    since = WINDOW_END - timedelta(days=HISTORY_DAYS)
    for page in pages:
        served = [p for p in world.posts_at(page, LOGICAL) if since <= p.created_time < WINDOW_END]
        rows = query(
            published(run),
            "select post_id, views, comments from marts.fct_posts "
            "where platform = 'facebook' and post_id like ? order by post_id",
            [f"{page}_%"],
        )
        assert [r[0] for r in rows] == sorted(p.id for p in served)
        for post_id, views, _ in rows[:: max(1, len(rows) // 5)]:
            assert views == world.post_lifetime(post_id, "post_media_view", LOGICAL)
        last_day, followers = latest_followers(run, "facebook", page)
        assert followers == world.page_daily_value(page, "page_follows", last_day)
    assert sb.requests(), "the extractor talked to the sandbox"


def latest_followers(run, platform: str, account_id: str):
    return query(
        published(run),
        "select account_date, followers from marts.fct_account_daily d "
        "join marts.dim_accounts a using (account_key) where a.platform = ? and "
        "a.account_id = ? and followers is not null order by account_date desc limit 1",
        [platform, account_id],
    )[0]


def test_follower_totals_match_each_source(run):
    from sandbox.networks.instagram.world import IgWorld
    from sandbox.networks.linkedin.world import world as linkedin_world
    from sandbox.networks.x.world import XWorld

    seed = run["sb"].seed
    sources = {
        "instagram": lambda a: IgWorld(seed).followers_at(a, LOGICAL),
        "linkedin": lambda a: linkedin_world(seed).followers_at(a, LOGICAL),
        "x": lambda a: XWorld(seed).followers_at(a, LOGICAL),
    }
    for platform, truth in sources.items():
        accounts = [
            r[0]
            for r in query(
                published(run),
                "select account_id from marts.dim_accounts where platform = ?",
                [platform],
            )
        ]
        assert len(accounts) == 3
        for account in accounts:
            assert latest_followers(run, platform, account)[1] == truth(account), platform
    # XING: the month-end followers of the owner's CSV
    csv = (ROOT / "config" / "demo_inputs" / "xing" / "baeckerei-sonnenschein.csv").read_text()
    last = [line.split(",") for line in csv.splitlines()[1:] if line.strip()][-1]
    assert latest_followers(run, "xing", "baeckerei-sonnenschein")[1] == int(last[2])


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
    next_night = LOGICAL + timedelta(days=1)
    run["sb"].set_now(next_night)
    proc = dags_test(run["env"], next_night.isoformat())
    out = proc.stdout + proc.stderr
    assert not dag_run_succeeded(out)
    assert "Quality gate failed" in out and "fct_posts" in out and "views" in out
    assert hashlib.sha256(published(run).read_bytes()).hexdigest() == before
    result = json.loads((run["data"] / "published" / "quality" / "result.json").read_text())
    assert result["success"] is False
    assert (run["data"] / "published" / "quality" / "data_docs").exists()
    assert CANARY not in out


def test_insight_marts_answer_the_owners_questions(run):
    pub = published(run)
    for table in (
        "kpi_weekly",
        "kpi_monthly",
        "fct_comments",
        "reputation_alerts",
        "outcome_linkage",
    ):
        assert query(pub, f"select count(*) from marts.{table}")[0][0] > 0, table
    verdicts = dict(
        query(
            pub,
            "select business, list(distinct verdict order by verdict) "
            "from marts.outcome_linkage group by 1",
        )
    )
    assert "effect detected" in verdicts["baeckerei-sonnenschein"]
    assert "no detectable effect" in verdicts["schreinerei-holzwerk"]
    assert "effect detected" not in verdicts["schreinerei-holzwerk"]  # no planted effect
    lags = {
        r[0]
        for r in query(
            pub,
            "select lag_weeks from marts.outcome_linkage where "
            "business = 'baeckerei-sonnenschein' and verdict = "
            "'effect detected'",
        )
    }
    assert lags == {2}  # the planted lag of config/demo_inputs/make_outcomes.py
    alerts = query(pub, "select business, alert_date from marts.reputation_alerts")
    assert alerts == [("friseur-schnittpunkt", datetime(2026, 1, 17).date())]


def test_commenters_only_as_keyed_pseudonyms(run):
    key = os.environ["MESSBAR_PSEUDONYM_KEY"].encode()
    assert not [str(p) for p, data in _artefacts(run["tmp"]) if key in data]
    columns = {
        r[0]
        for r in query(
            published(run),
            "select column_name from information_schema.columns where table_name = 'fct_comments'",
        )
    }
    assert "commenter_key" in columns and not columns & {"commenter_id", "from", "author_id"}
    # the working warehouse too: staging already replaces the user id (insights/dbt_plugin.py)
    stored = query(
        run["data"] / "warehouse" / "messbar.duckdb",
        "select table_name, column_name from duckdb_columns() where schema_name <> 'raw' "
        "and ((starts_with(table_name, 'stg') and ends_with(table_name, '__comments')) "
        "or column_name in ('commenter_id', 'author_id', 'actor', 'from'))",
    )
    staged = {table for table, _ in stored if table.endswith("__comments")}
    assert len(staged) >= 4  # one per network with comments (+ XING's empty model)
    assert {table for table, column in stored if column == "commenter_key"} == staged
    assert not {column for _, column in stored} & {"commenter_id", "author_id", "actor", "from"}


def test_bi_client_reads_every_mart_read_only(run):
    """What Superset does: SQLAlchemy through duckdb-engine, read-only on the published file."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(f"duckdb:///{published(run)}", connect_args={"read_only": True})
    try:
        inspector = inspect(engine)
        marts = set(inspector.get_table_names(schema="marts"))
        assert {
            "dim_accounts",
            "fct_posts",
            "fct_account_daily",
            "kpi_weekly",
            "kpi_monthly",
            "fct_comments",
            "reputation_alerts",
            "outcome_linkage",
        } <= marts
        with engine.connect() as con:
            for table in marts:
                columns = inspector.get_columns(table, schema="marts")  # dataset creation
                assert columns, table
                con.execute(text(f'select * from marts."{table}" limit 5')).fetchall()
            with pytest.raises(SQLAlchemyError, match="read-only"):
                con.execute(text("create table marts.nope as select 1"))
    finally:
        engine.dispose()
