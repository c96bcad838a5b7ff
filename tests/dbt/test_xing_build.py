"""XING through dbt: CSVs imported by the real extractor and loader (a first import and a
corrected one), `dbt build` with XING enabled, exact staging, intermediate and mart rows out."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from raw_warehouse import run_dbt

from extractors.core.job import ExtractJob
from extractors.core.runner import run_job
from extractors.networks.xing import spec
from loader.load import load, read_state

pytestmark = pytest.mark.slow

HEADER = ",".join(spec.COLUMNS)
BAKERY, CARPENTER = "baeckerei-a", "holzwerk-b"
BAKERY_V1 = f"""{HEADER}
2026-08-01,month,110,900,30,20,3,1
2026-09-01,month,115,500,25,,2,0
2026-10-01,month,118,640,21,14,2,1
"""
# The owner's correction: a follower count fixed, an impressions value withdrawn (emptied), the
# missing interactions filled in, and October re-entered as day rows instead of a month row.
BAKERY_V2 = f"""{HEADER}
2026-08-01,month,111,,30,20,3,1
2026-09-01,month,115,500,25,12,2,0
2026-10-30,day,117,40,2,1,0,0
2026-10-31,day,118,35,1,2,1,0
"""
CARPENTER_V1 = f"""{HEADER}
2026-11-24,day,50,20,1,1,0,0
2026-11-25,day,,22,0,,0,0
2026-11-26,day,51,18,2,1,0,1
"""
CONFIG_ACCOUNTS = [
    ("shop-a", "Bäckerei A", "Europe/Berlin", "xing", BAKERY, "Bäckerei A auf XING"),
    ("shop-b", "Holzwerk B", "Europe/Berlin", "xing", CARPENTER, None),
]
VARS = '{"enabled_networks": ["facebook", "xing"], "manual_networks": ["xing"]}'


def import_csv(root: Path, business: str, account: str, text: str, state: dict) -> None:
    csv = root / "inputs" / f"{account}.csv"
    csv.parent.mkdir(parents=True, exist_ok=True)
    csv.write_text(text, encoding="utf-8")
    job = ExtractJob(
        network="xing",
        business=business,
        account_id=account,
        token_ref="",
        base_url="",
        timezone="Europe/Berlin",
        logical_date=date(2026, 11, 27),
        run_id="scheduled__2026-11-26",
        landing_dir=str(root / "landing"),
        state=state,
        options={"csv": str(csv)},
    )
    run_job(job)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dbt_xing")
    db = root / "warehouse.duckdb"
    import_csv(root, "shop-a", BAKERY, BAKERY_V1, {})
    import_csv(root, "shop-b", CARPENTER, CARPENTER_V1, {})
    load(db, root / "landing")
    state = read_state(db)
    import_csv(root, "shop-a", BAKERY, BAKERY_V2, state[("xing", BAKERY)])
    import_csv(root, "shop-b", CARPENTER, CARPENTER_V1, state[("xing", CARPENTER)])  # unchanged
    load(db, root / "landing")
    with duckdb.connect(str(db)) as con:
        con.executemany(
            "insert into raw.config__accounts values (?, ?, ?, ?, ?, ?)", CONFIG_ACCOUNTS
        )
    result = run_dbt(["build", "--vars", VARS], db, root)
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-6000:]}"
    return db


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql).fetchall()


@pytest.mark.xdist_group("dbt_xing_build")
def test_raw_holds_both_bakery_imports_and_one_carpenter_import(warehouse: Path) -> None:
    assert query(
        warehouse,
        "select account_id, count(distinct _file), count(*) from raw.xing__page_insights "
        "group by all order by 1",
    ) == [(BAKERY, 2, 7), (CARPENTER, 1, 3)]


@pytest.mark.xdist_group("dbt_xing_build")
def test_staged_figures_keep_the_corrected_import_and_place_periods_on_days(
    warehouse: Path,
) -> None:
    rows = query(
        warehouse,
        "select metric_name, period, metric_date, metric_day_basis, measure_name, "
        "period_measure_name, metric_value, provenance from staging.stg_xing__page_insights "
        f"where account_id = '{BAKERY}' order by metric_date, period, metric_name",
    )
    m, d, local = "month", "day", "local_day"
    assert rows == [
        # August: the corrected followers win; impressions were emptied -> no row (unknown).
        ("clicks", m, date(2026, 8, 1), m, None, "clicks", 30, "manual"),
        ("comments", m, date(2026, 8, 1), m, None, None, 3, "manual"),
        ("interactions", m, date(2026, 8, 1), m, None, "engagements", 20, "manual"),
        ("new_contacts", m, date(2026, 8, 1), m, None, None, 1, "manual"),
        ("followers", m, date(2026, 8, 31), local, "followers", "followers", 111, "manual"),
        # September: interactions filled in by the correction.
        ("clicks", m, date(2026, 9, 1), m, None, "clicks", 25, "manual"),
        ("comments", m, date(2026, 9, 1), m, None, None, 2, "manual"),
        ("interactions", m, date(2026, 9, 1), m, None, "engagements", 12, "manual"),
        ("new_contacts", m, date(2026, 9, 1), m, None, None, 0, "manual"),
        ("post_impressions", m, date(2026, 9, 1), m, None, "views", 500, "manual"),
        ("followers", m, date(2026, 9, 30), local, "followers", "followers", 115, "manual"),
        # October: the later import gives day rows, so the earlier month row is gone.
        ("clicks", d, date(2026, 10, 30), local, "clicks", "clicks", 2, "manual"),
        ("comments", d, date(2026, 10, 30), local, None, None, 0, "manual"),
        ("followers", d, date(2026, 10, 30), local, "followers", "followers", 117, "manual"),
        ("interactions", d, date(2026, 10, 30), local, "engagements", "engagements", 1, "manual"),
        ("new_contacts", d, date(2026, 10, 30), local, None, None, 0, "manual"),
        ("post_impressions", d, date(2026, 10, 30), local, "views", "views", 40, "manual"),
        ("clicks", d, date(2026, 10, 31), local, "clicks", "clicks", 1, "manual"),
        ("comments", d, date(2026, 10, 31), local, None, None, 1, "manual"),
        ("followers", d, date(2026, 10, 31), local, "followers", "followers", 118, "manual"),
        ("interactions", d, date(2026, 10, 31), local, "engagements", "engagements", 2, "manual"),
        ("new_contacts", d, date(2026, 10, 31), local, None, None, 0, "manual"),
        ("post_impressions", d, date(2026, 10, 31), local, "views", "views", 35, "manual"),
    ]


@pytest.mark.xdist_group("dbt_xing_build")
def test_page_snapshots_one_per_import_with_latest_followers(warehouse: Path) -> None:
    assert query(
        warehouse,
        "select account_id, followers, followers_as_of, csv_rows, provenance, account_name "
        "from staging.stg_xing__pages order by account_id, fetched_at",
    ) == [
        (BAKERY, 118, date(2026, 10, 31), 3, "manual", None),
        (BAKERY, 118, date(2026, 10, 31), 4, "manual", None),
        (CARPENTER, 51, date(2026, 11, 26), 3, "manual", None),
    ]


@pytest.mark.xdist_group("dbt_xing_build")
def test_intermediate_daily_rows_hold_day_values_only(warehouse: Path) -> None:
    assert query(
        warehouse,
        "select account_id, metric_date, metric_day_basis, followers, views, viewers, "
        "engagements, clicks, page_views, new_followers "
        "from intermediate.int_account_daily__unioned where platform = 'xing' order by 1, 2",
    ) == [
        (BAKERY, date(2026, 8, 31), "local_day", 111, None, None, None, None, None, None),
        (BAKERY, date(2026, 9, 30), "local_day", 115, None, None, None, None, None, None),
        (BAKERY, date(2026, 10, 30), "local_day", 117, 40, None, 1, 2, None, None),
        (BAKERY, date(2026, 10, 31), "local_day", 118, 35, None, 2, 1, None, None),
        (CARPENTER, date(2026, 11, 24), "local_day", 50, 20, None, 1, 1, None, None),
        (CARPENTER, date(2026, 11, 25), "local_day", None, 22, None, None, 0, None, None),
        (CARPENTER, date(2026, 11, 26), "local_day", 51, 18, None, 1, 2, None, None),
    ]
    assert query(
        warehouse, "select count(*) from intermediate.int_posts__unioned where platform = 'xing'"
    ) == [(0,)]


@pytest.mark.xdist_group("dbt_xing_build")
def test_marts_show_xing_accounts_and_days_without_made_up_values(warehouse: Path) -> None:
    assert query(
        warehouse,
        "select business, business_name, platform, account_id, account_name, timezone, "
        "provenance from marts.dim_accounts order by account_id",
    ) == [
        ("shop-a", "Bäckerei A", "xing", BAKERY, "Bäckerei A auf XING", "Europe/Berlin", "manual"),
        ("shop-b", "Holzwerk B", "xing", CARPENTER, None, "Europe/Berlin", "manual"),
    ]
    assert query(
        warehouse,
        "select distinct d.provenance from marts.fct_account_daily d join "
        "marts.dim_accounts a using (account_key) where a.platform = 'xing'",
    ) == [("manual",)]
    carpenter = query(
        warehouse,
        "select account_date, followers, follower_change, views, viewers, platform_engagements, "
        "clicks, posts_published, metric_day_basis from marts.fct_account_daily d "
        "join marts.dim_accounts a using (account_key) "
        f"where a.account_id = '{CARPENTER}' order by account_date",
    )
    assert carpenter == [
        (date(2026, 11, 24), 50, None, 20, None, 1, 1, 0, "local_day"),
        (date(2026, 11, 25), None, None, 22, None, None, 0, 0, "local_day"),
        (date(2026, 11, 26), 51, None, 18, None, 1, 2, 0, "local_day"),
    ]
    bakery = query(
        warehouse,
        "select count(*), min(account_date), max(account_date), count(followers), "
        "count(views), sum(views), max(follower_change) filter (where account_date = "
        "date '2026-10-31'), count(*) filter (where metric_day_basis = 'local_day') "
        "from marts.fct_account_daily d join marts.dim_accounts a using (account_key) "
        f"where a.account_id = '{BAKERY}'",
    )
    # Dense from the first month-end count to the last day row; monthly totals are not spread
    # over days (views only on the two October day rows).
    assert bakery == [(62, date(2026, 8, 31), date(2026, 10, 31), 4, 2, 75, 1, 62)]
    assert query(warehouse, "select count(*) from marts.fct_posts where platform = 'xing'") == [
        (0,)
    ]


@pytest.mark.xdist_group("dbt_xing_build")
def test_staging_models_are_typed_like_facebooks_and_carry_provenance(warehouse: Path) -> None:
    types = query(
        warehouse,
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'staging'",
    )
    by_table: dict[str, dict[str, str]] = {}
    for table, column, data_type in types:
        by_table.setdefault(table, {})[column] = data_type
    for entity in ("pages", "page_insights", "posts", "post_insights", "comments"):
        xing, facebook = by_table[f"stg_xing__{entity}"], by_table[f"stg_facebook__{entity}"]
        shared = {c: t for c, t in facebook.items() if c in xing}
        assert {c: xing[c] for c in shared} == shared, entity
        assert xing["provenance"] == "VARCHAR"
    conformed = {
        "posts": 13,
        "post_insights": 8,
        "comments": 13,  # incl. commenter_key (always NULL: XING has no comments)
    }
    for entity, width in conformed.items():
        assert len(by_table[f"stg_xing__{entity}"]) == width + 1  # + provenance
        assert query(warehouse, f"select count(*) from staging.stg_xing__{entity}") == [(0,)]
