"""dbt build of the owner-input staging, the weekly intermediates, the estimation node and
marts.outcome_linkage on a small warehouse: loader-written inputs, handmade fct_ tables."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest
from raw_warehouse import create_raw_schema, run_dbt

from loader.inputs.load import load_inputs
from messbar.config import load_config

pytestmark = pytest.mark.slow

FIRST = date(2025, 1, 6)  # a Monday
WEEKS = 60
MODELS = (  # this stage only: other marts read the inputs too and need tables not built here
    "stg_inputs__costs",
    "stg_inputs__outcomes",
    "int_activity_weekly__aggregated",
    "int_outcomes_weekly__aggregated",
    "int_outcome_links__estimated",
    "outcome_linkage",
)


def posts_and_outcomes() -> tuple[list[tuple], list[str]]:
    """b1 posts on facebook (api) and xing (manual); its enquiries follow facebook's weekly views
    one week later. b2 has only 20 weeks of outcomes."""
    rng = np.random.default_rng(3)
    posts, csv = [], ["period_start,period,business,metric,value"]
    views = rng.integers(200, 2000, WEEKS)
    for week in range(WEEKS):
        monday = FIRST + timedelta(weeks=week)
        posts.append(("b1", "facebook", monday + timedelta(days=2), int(views[week]), 10, 1))
        if week % 3 == 0:
            posts.append(("b1", "xing", monday + timedelta(days=4), 50, 2, None))
        posts.append(("b2", "facebook", monday + timedelta(days=1), 100 + week, 5, 1))
        previous = views[week - 1] if week else views.mean()
        enquiries = round(20 + 0.01 * previous + rng.normal(0, 1.5))
        csv.append(f"{monday.isoformat()},week,b1,enquiries,{enquiries}")
    return posts, csv


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("dbt_outcome_linkage")
    path = workdir / "warehouse.duckdb"
    posts, outcome_lines = posts_and_outcomes()
    b2 = ["period_start,period,business,metric,value"] + [
        f"{(FIRST + timedelta(weeks=w)).isoformat()},week,b2,orders,{w % 4}" for w in range(20)
    ]
    (workdir / "b1.csv").write_text("\n".join(outcome_lines) + "\n")
    (workdir / "b2.csv").write_text("\n".join(b2) + "\n")
    (workdir / "messbar.yml").write_text(
        "businesses:\n"
        "  - slug: b1\n    inputs:\n      outcomes: b1.csv\n"
        "  - slug: b2\n    inputs:\n      outcomes: b2.csv\n"
    )
    with duckdb.connect(str(path)) as con:
        create_raw_schema(con)
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_posts (business varchar, platform varchar, "
            "published_date date, views bigint, engagements bigint, clicks bigint)"
        )
        con.executemany("insert into marts.fct_posts values (?, ?, ?, ?, ?, ?)", posts)
        con.execute(
            "create table marts.fct_account_daily as select business, platform, "
            "min(published_date) - 1 as account_date, "
            "case when platform = 'xing' then 'manual' else 'api' end as provenance "
            "from marts.fct_posts group by all union all "
            "select business, platform, max(published_date) + 5, "
            "case when platform = 'xing' then 'manual' else 'api' end "
            "from marts.fct_posts group by all"
        )
    load_inputs(path, load_config(workdir / "messbar.yml"))
    result = run_dbt(
        ["build", "--select", *MODELS],
        path,
        workdir,
    )
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-6000:]}"
    return path


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.xdist_group("dbt_outcome_linkage")
def test_the_planted_lag_is_the_only_views_effect(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select activity_platform, lag_weeks, verdict, weeks_used, provenance "
        "from marts.outcome_linkage where business = 'b1' and activity_measure = 'views' "
        "order by 1, 2",
    )
    detected = [(p, k) for p, k, v, *_ in rows if v == "effect detected"]
    assert detected == [("all", 1), ("facebook", 1)]
    assert {(p, w, prov) for p, _, _, w, prov in rows} == {
        ("all", 55, "manual/mixed"),  # 59 complete weeks minus 4 for the lags
        ("facebook", 55, "manual/api"),
        ("xing", 55, "manual/manual"),
    }


@pytest.mark.xdist_group("dbt_outcome_linkage")
def test_short_series_and_unreported_measures_say_too_little_data(warehouse: Path) -> None:
    assert query(
        warehouse,
        "select distinct verdict, weeks_used, effect_per_unit, p_value_adjusted "
        "from marts.outcome_linkage where business = 'b2'",
    ) == [("too little data", 16, None, None)]
    assert query(
        warehouse,
        "select distinct verdict, p_value from marts.outcome_linkage "
        "where business = 'b1' and activity_platform = 'xing' and activity_measure = 'clicks'",
    ) == [("too little data", None)]


@pytest.mark.xdist_group("dbt_outcome_linkage")
def test_one_row_per_key_and_adjusted_never_below_raw(warehouse: Path) -> None:
    assert query(warehouse, "select count(*) from marts.outcome_linkage") == [
        (3 * 4 * 5 + 2 * 4 * 5,)  # b1: all, facebook, xing; b2: all, facebook
    ]
    assert query(
        warehouse,
        "select count(*) from marts.outcome_linkage where p_value_adjusted < p_value "
        "or ci_low > ci_high",
    ) == [(0,)]
    assert query(
        warehouse,
        "select provenance, count(*) from staging.stg_inputs__outcomes group by 1",
    ) == [("manual", 80)]
