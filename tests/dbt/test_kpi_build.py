"""kpi_weekly / kpi_monthly end to end: Facebook raw rows in, `dbt build`, exact KPI rows out;
plus `dbt docs generate` lists the marts and the exposures."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import duckdb
import pytest
from facebook_payloads import BUSINESS_A, BUSINESS_B, CONFIG_ACCOUNTS, facebook_rows
from raw_warehouse import build_warehouse, run_dbt

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dbt_kpi_build")]

KPI_COLUMNS = (
    "platform, period_start, period_end, views, viewers, followers_end, follower_growth, clicks, "
    "click_through_rate_by_views, posts_published, post_views, engagements, "
    "engagement_rate_by_views, is_small_sample, is_partial_period, provenance, missing_inputs"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The Facebook test rows after a successful `dbt build` (warehouse, workdir)."""
    # the comment marts pseudonymise commenters with a keyed hash; any key will do in a test
    os.environ.setdefault("MESSBAR_PSEUDONYM_KEY", "kpi-test-key-" + "0" * 40)
    workdir = tmp_path_factory.mktemp("dbt_kpi")
    path = build_warehouse(workdir / "warehouse.duckdb", facebook_rows(), CONFIG_ACCOUNTS)
    result = run_dbt(["build"], path, workdir)
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-6000:]}"
    return path, workdir


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def wilson(successes: int, trials: int, sign: int) -> float:
    z, p = 1.96, successes / trials
    spread = z * (p * (1 - p) / trials + z * z / (4 * trials * trials)) ** 0.5
    return (p + z * z / (2 * trials) + sign * spread) / (1 + z * z / trials)


# Business A, 13-15 Jan 2026 (Pacific days): views 1834 + 2210 + 1990, reach only on the 15th
# (870), clicks only on the 15th (7, against that day's 1990 views); followers 5125 at the end,
# none before (no growth). Posts by Berlin day: A1 (400 views, 27 engagements) and A2 (0 views,
# 5) on the 15th, A3 (no views, 3) on the 17th -> 3 posts, 35 engagements, rate 32 / 400.
A_FIGURES = (6034, 870, 5125, None, 7, 7 / 1990, 3, 400, 35, 32 / 400)
A_MISSING = ["costs"]


def test_kpi_monthly_rows_per_platform_and_all(built: tuple[Path, Path]) -> None:
    path, _ = built
    rows = query(
        path,
        f"select {KPI_COLUMNS} from marts.kpi_monthly where business = '{BUSINESS_A}' "
        "order by period_start, platform",
    )
    jan = (date(2026, 1, 1), date(2026, 1, 31))
    all_missing = ["costs", "outcomes", *(f"facebook:{m}" for m in A_MISSING)]
    assert rows == [
        # 'all' adds up the platforms; reach (viewers) is not additive across networks. The
        # data end on 17 Jan, so January is a partial period.
        ("all", *jan, 6034, None, *A_FIGURES[2:], True, True, "api", all_missing),
        ("facebook", *jan, *A_FIGURES, True, True, "api", A_MISSING),
    ]


def test_kpi_weekly_iso_week_and_partial_period(built: tuple[Path, Path]) -> None:
    path, _ = built
    rows = query(
        path,
        "select platform, period_start, period_end, iso_year, iso_week, views, posts_published, "
        "is_partial_period from marts.kpi_weekly "
        f"where business = '{BUSINESS_B}' order by period_start, platform",
    )
    # B: 1-2 Jul 2026 (Wednesday, Thursday) in ISO week 27; the data ends before Sunday 5 Jul
    week = (date(2026, 6, 29), date(2026, 7, 5), 2026, 27)
    assert rows == [("all", *week, 720, 2, True), ("facebook", *week, 720, 2, True)]


def test_wilson_interval_brackets_the_rate(built: tuple[Path, Path]) -> None:
    path, _ = built
    [(low, rate, high, e_low, e_high)] = query(
        path,
        "select click_through_rate_ci_low, click_through_rate_by_views, "
        "click_through_rate_ci_high, engagement_rate_ci_low, engagement_rate_ci_high "
        f"from marts.kpi_monthly where business = '{BUSINESS_A}' and platform = 'facebook'",
    )
    assert low < rate < high
    assert (low, high) == pytest.approx((wilson(7, 1990, -1), wilson(7, 1990, 1)))
    assert (e_low, e_high) == pytest.approx((wilson(32, 400, -1), wilson(32, 400, 1)))


def test_comment_counts_match_fct_comments(built: tuple[Path, Path]) -> None:
    path, _ = built
    kpi = query(
        path,
        "select business, period_start, sum(comments_received), sum(owner_replies) "
        "from marts.kpi_monthly where platform != 'all' group by all order by all",
    )
    facts = query(
        path,
        "select business, cast(date_trunc('month', commented_date) as date), "
        "count(*) filter (where not is_from_owner), "
        "nullif(count(*) filter (where is_from_owner and is_reply), 0) "
        "from marts.fct_comments group by all order by all",
    )
    assert [r for r in kpi if r[2] is not None] == facts


def test_docs_generate_lists_the_marts_and_exposures(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    path, _ = built
    result = run_dbt(["docs", "generate"], path, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    marts = {
        node["metadata"]["name"]
        for node in catalog["nodes"].values()
        if node["metadata"]["schema"] == "marts"
    }
    assert {"kpi_weekly", "kpi_monthly", "fct_posts", "fct_account_daily", "dim_accounts"} <= marts
    columns = catalog["nodes"]["model.messbar.kpi_monthly"]["columns"]
    assert {"engagements", "provenance", "missing_inputs"} <= set(columns)
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    exposures = {e["name"]: e["depends_on"]["nodes"] for e in manifest["exposures"].values()}
    assert {"owner_report", "metabase_dashboards", "superset_dashboards", "evidence_reports"} <= (
        set(exposures)
    )
    assert "model.messbar.kpi_monthly" in exposures["owner_report"]
