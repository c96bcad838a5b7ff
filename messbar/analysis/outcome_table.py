"""Assemble ``marts.outcome_linkage``: every outcome of a business against every weekly activity
series (platform x measure) at lags 0..MAX_LAG, with the multiple-testing adjustment per
business and outcome. The statistics live in :mod:`messbar.analysis.outcome_linkage`."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from messbar.analysis import outcome_linkage as ol

MEASURES = ("posts", "views", "engagements", "clicks")
COLUMNS = (
    "business",
    "outcome_metric",
    "activity_platform",
    "activity_measure",
    "lag_weeks",
    "weeks_used",
    "effect_per_unit",
    "effect_standardised",
    "ci_low",
    "ci_high",
    "p_value",
    "p_value_adjusted",
    "verdict",
    "method",
    "provenance",
)


def link_table(activity: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per business, outcome metric, activity platform, measure and lag.

    ``activity``: business, activity_platform, week_start, activity_provenance and one column
    per measure (NULL = unknown). ``outcomes``: business, outcome_metric, week_start, value."""
    rows: list[dict] = []
    for business, outcome_rows in outcomes.groupby("business", sort=True):
        business_activity = activity[activity["business"] == business]
        calendar = _calendar(outcome_rows["week_start"], business_activity["week_start"])
        for metric, series in outcome_rows.groupby("outcome_metric", sort=True):
            y = _on_calendar(series, "value", calendar)
            family: list[dict] = []
            for (platform, provenance), platform_rows in business_activity.groupby(
                ["activity_platform", "activity_provenance"], sort=True
            ):
                for measure in MEASURES:
                    x = _on_calendar(platform_rows, measure, calendar)
                    for estimate in ol.fit_lags(y, x):
                        family.append(
                            {
                                "business": business,
                                "outcome_metric": metric,
                                "activity_platform": platform,
                                "activity_measure": measure,
                                "lag_weeks": estimate.lag,
                                "weeks_used": estimate.weeks_used,
                                "effect_per_unit": estimate.effect_per_unit,
                                "effect_standardised": estimate.effect_standardised,
                                "ci_low": estimate.ci_low,
                                "ci_high": estimate.ci_high,
                                "p_value": estimate.p_value,
                                "method": estimate.method,
                                "provenance": f"manual/{provenance}",
                            }
                        )
            adjusted = ol.benjamini_hochberg(r["p_value"] for r in family)
            tests = sum(p is not None for p in adjusted)
            for row, p_adj in zip(family, adjusted, strict=True):
                row["p_value_adjusted"] = p_adj
                row["verdict"] = ol.verdict(row["weeks_used"], p_adj)
                if p_adj is not None:
                    row["method"] += f"; Benjamini-Hochberg over {tests} tests"
            rows.extend(family)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for name in ("effect_per_unit", "effect_standardised", "ci_low", "ci_high", "p_value"):
        frame[name] = frame[name].astype("Float64")  # nullable: unknown stays NULL, not NaN
    frame["p_value_adjusted"] = frame["p_value_adjusted"].astype("Float64")
    for name in ("lag_weeks", "weeks_used"):
        frame[name] = frame[name].astype("int64")
    for name in ("business", "outcome_metric", "activity_platform", "activity_measure"):
        frame[name] = frame[name].astype("string")
    for name in ("verdict", "method", "provenance"):
        frame[name] = frame[name].astype("string")
    return frame


def _calendar(*week_columns: pd.Series) -> pd.DatetimeIndex:
    weeks = pd.to_datetime(pd.concat(week_columns, ignore_index=True)).dropna()
    if weeks.empty:
        return pd.DatetimeIndex([])
    return pd.date_range(weeks.min(), weeks.max(), freq=timedelta(days=7))


def _on_calendar(frame: pd.DataFrame, column: str, calendar: pd.DatetimeIndex) -> np.ndarray:
    series = pd.Series(
        pd.to_numeric(frame[column], errors="coerce").astype("float64").to_numpy(),
        index=pd.to_datetime(frame["week_start"]),
    )
    return series.reindex(calendar).to_numpy(dtype=float)
