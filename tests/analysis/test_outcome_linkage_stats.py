"""The statistics of marts.outcome_linkage: exact recovery on clean data, honest refusals,
Benjamini-Hochberg as scipy computes it, and simulated detection and false-alarm rates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from messbar.analysis import outcome_linkage as ol
from messbar.analysis.outcome_simulation import Scenario, rates
from messbar.analysis.outcome_table import COLUMNS, link_table


def test_a_noiseless_lagged_effect_is_recovered_exactly() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 100, 60)
    t = np.arange(60)
    y = 5 + 0.2 * t + 0.5 * np.r_[np.zeros(3), x[:-3]] + rng.normal(0, 1e-6, 60)
    estimates = ol.fit_lags(y, x)
    assert [e.lag for e in estimates] == [0, 1, 2, 3, 4]
    assert estimates[3].effect_per_unit == pytest.approx(0.5, abs=1e-6)
    assert all(abs(e.effect_per_unit) < 1e-6 for e in estimates if e.lag != 3)
    assert estimates[3].weeks_used == 56  # 60 weeks minus the 4 needed for the lags
    assert estimates[3].ci_low < 0.5 < estimates[3].ci_high
    assert estimates[3].p_value < 1e-6


def test_standardised_effect_and_interval_follow_their_definitions() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(50, 10, 80)
    y = 3 + 0.8 * np.r_[np.zeros(1), x[:-1]] + rng.normal(0, 4, 80)
    e = ol.fit_lags(y, x)[1]
    rows = np.arange(4, 80)
    expected = e.effect_per_unit * x[rows - 1].std(ddof=1) / y[rows].std(ddof=1)
    assert e.effect_standardised == pytest.approx(expected)
    half = (e.ci_high - e.ci_low) / 2
    assert e.ci_low + half == pytest.approx(e.effect_per_unit)
    df = int(e.method.split("t(")[1].split(")")[0])
    assert df == 76 - 7 - 1  # weeks - (intercept, trend, 5 lags) - rho
    assert e.ci_low > 0 and e.p_value < 1e-6  # a clear effect: the interval excludes 0


def test_too_few_weeks_or_no_variation_give_no_estimate() -> None:
    x = np.arange(29, dtype=float)
    short = ol.fit_lags(np.arange(29, dtype=float) % 5, x)  # 25 usable weeks
    assert {(e.weeks_used, e.p_value) for e in short} == {(25, None)}
    constant = ol.fit_lags(np.random.default_rng(3).normal(size=60), np.full(60, 4.0))
    assert all(e.p_value is None for e in constant)
    assert constant[0].method == "outcome or activity never varies"
    gaps = np.random.default_rng(4).normal(size=60)
    gaps[::2] = np.nan  # every other week unknown: no week has all five lags
    assert ol.fit_lags(np.random.default_rng(5).normal(size=60), gaps)[0].weeks_used == 0
    assert ol.verdict(25, None) == ol.TOO_LITTLE


def test_seasonal_terms_only_with_two_years() -> None:
    rng = np.random.default_rng(6)
    year = ol.fit_lags(rng.normal(size=60), rng.normal(size=60))[0].method
    two = ol.fit_lags(rng.normal(size=110), rng.normal(size=110))[0].method
    assert "sine" not in year and "annual sine/cosine" in two


def test_benjamini_hochberg_matches_scipy_and_skips_missing() -> None:
    p = [0.01, None, 0.04, 0.03, 0.2, 0.001, float("nan"), 0.04]
    adjusted = ol.benjamini_hochberg(p)
    known = [v for v in p if v is not None and not math.isnan(v)]
    expected = iter(stats.false_discovery_control(known, method="bh"))
    for raw, adj in zip(p, adjusted, strict=True):
        if raw is None or math.isnan(raw):
            assert adj is None
        else:
            assert adj == pytest.approx(next(expected))
    assert ol.verdict(40, 0.049) == ol.EFFECT and ol.verdict(40, 0.05) == ol.NO_EFFECT


def test_link_table_one_family_per_business_and_outcome() -> None:
    weeks = pd.date_range("2025-01-06", periods=60, freq="7D")
    rng = np.random.default_rng(8)
    views = rng.uniform(100, 1000, 60)
    activity = pd.DataFrame(
        {
            "business": "b",
            "activity_platform": np.repeat(["all", "p1"], 60),
            "week_start": np.tile(weeks, 2),
            "activity_provenance": "api",
            "posts": rng.integers(0, 5, 120),
            "views": np.tile(views, 2),
            "engagements": rng.uniform(0, 50, 120),
            "clicks": None,  # never reported
        }
    )
    enquiries = 10 + 0.02 * np.r_[0, 0, views[:-2]] + rng.normal(0, 1, 60)
    outcomes = pd.DataFrame(
        {"business": "b", "outcome_metric": "enquiries", "week_start": weeks, "value": enquiries}
    )
    table = link_table(activity, outcomes)
    assert list(table.columns) == list(COLUMNS)
    assert len(table) == 2 * 4 * 5
    detected = table[table["verdict"] == ol.EFFECT]
    found = set(
        zip(detected.activity_platform, detected.activity_measure, detected.lag_weeks, strict=True)
    )
    assert {("all", "views", 2), ("p1", "views", 2)} <= found
    assert not {(p, m, k) for p, m, k in found if m == "views" and k != 2}
    clicks = table[table["activity_measure"] == "clicks"]
    assert set(clicks["verdict"]) == {ol.TOO_LITTLE} and clicks["p_value"].isna().all()
    assert table["method"].str.contains("Benjamini-Hochberg over 30 tests").sum() == 30
    assert set(table["provenance"]) == {"manual/api"}


@pytest.mark.parametrize(
    ("scenario", "check"),
    [
        (Scenario(effect=0.8), lambda r: r["detected_at_planted_lag"] >= 0.9),
        (Scenario(weeks=40, effect=0.8), lambda r: r["detected_at_planted_lag"] >= 0.7),
        (Scenario(effect=0.0), lambda r: 0.03 <= r["raw_false_positive_rate"] <= 0.07),
        (Scenario(effect=0.0), lambda r: r["datasets_with_any_detection"] <= 0.1),
        (
            Scenario(effect=0.0, rho_noise=0.6, rho_activity=0.6),
            lambda r: r["raw_false_positive_rate"] <= 0.07,
        ),
    ],
    ids=["power-60w", "power-40w", "size-single-test", "size-family", "size-autocorrelated"],
)
def test_simulated_rates(scenario: Scenario, check) -> None:
    result = rates(scenario, runs=200, seed=11)
    assert check(result), result
