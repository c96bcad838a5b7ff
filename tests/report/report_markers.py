"""Checks every number marker of an owner report against the published marts.

A marker is an element with ``data-metric``, ``data-business``, ``data-value`` (the raw value)
and its coordinates (``data-platform``, ``data-period``, ``data-period-end``,
``data-base-period``, ``data-key``), plus ``data-kind`` (how it reads). The expected value of
each metric is written here in SQL of its own, not taken from the report code: a report that
shows a wrong figure, or one these checks do not know, fails.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from html.parser import HTMLParser
from typing import Any

import duckdb

MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class MarkerParser(HTMLParser):
    """Collects marker elements (attributes and text), chart figures and not-available notes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.markers: list[dict[str, Any]] = []
        self.charts: list[str] = []
        self.not_available: list[str] = []
        self.lang: str | None = None
        self._open: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang")
        if "data-chart" in a:
            self.charts.append(a["data-chart"])
        if "data-na" in a:
            self.not_available.append(a["data-na"])
        if "data-metric" in a:
            self._open = {"attrs": a, "text": ""}

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag == "span":
            self.markers.append(self._open)
            self._open = None


def parse(html: str) -> MarkerParser:
    parser = MarkerParser()
    parser.feed(html)
    return parser


def _kpi(con, column: str, business: str, platform: str, period: str):
    row = con.execute(
        f"select {column} from marts.kpi_monthly "
        "where business = ? and platform = ? and period_start = ?",
        [business, platform, period],
    ).fetchone()
    return row[0] if row else None


def _scalar(con, sql: str, params: list) -> Any:
    row = con.execute(sql, params).fetchone()
    return row[0] if row else None


KPI_COLUMNS = re.compile(r"^[a-z_]+$")
COMMENTS = "from marts.fct_comments where business = ? and not is_from_owner"


def expected(con: duckdb.DuckDBPyConnection, a: dict[str, str]) -> Any:
    """The value the marts hold for the marker with attributes ``a``."""
    metric, b = a["data-metric"], a["data-business"]
    platform, period = a.get("data-platform"), a.get("data-period")
    end, key = a.get("data-period-end"), a.get("data-key")
    if metric.startswith(("rel_change:kpi_monthly.", "abs_change:kpi_monthly.")):
        how, column = metric.split(":")
        column = column.removeprefix("kpi_monthly.")
        assert KPI_COLUMNS.match(column)
        cur = _kpi(con, column, b, platform, period)
        base = _kpi(con, column, b, platform, a["data-base-period"])
        if cur is None or base is None:
            return None
        if how == "abs_change":
            return cur - base
        return None if base == 0 else (cur - base) / abs(base)
    table, _, column = metric.partition(".")
    if table == "kpi_monthly":
        assert KPI_COLUMNS.match(column)
        return _kpi(con, column, b, platform, period)
    if table == "fct_posts":
        if column == "rated_posts":
            return _scalar(
                con,
                "select count(*) from marts.fct_posts where business = ? and published_date "
                "between ? and ? and engagement_rate_by_views is not null and views >= 100",
                [b, period, end],
            )
        if column == "last_fetched_at":
            return _scalar(
                con,
                "select max(metrics_fetched_at) from marts.fct_posts "
                "where business = ? and platform = ?",
                [b, platform],
            )
        assert column in {"published_date", "views", "engagements", "engagement_rate_by_views"}
        return _scalar(
            con,
            f"select {column} from marts.fct_posts where post_key = ? and business = ?",
            [key, b],
        )
    if table == "fct_comments":
        if column == "commented_date":
            return _scalar(
                con,
                "select commented_date from marts.fct_comments where comment_key = ?",
                [key],
            )
        if column == "unanswered_questions":
            return _scalar(
                con,
                "select count(*) from marts.fct_comments where business = ? "
                "and is_unanswered_question and commented_date >= ?",
                [b, period],
            )
        where, params = f"{COMMENTS} and commented_date between ? and ?", [b, period, end]
        if column == "received":
            return _scalar(con, f"select count(*) {where}", params)
        kind, _, label = column.partition("_")
        field = {"sentiment": "sentiment_label", "intent": "intent"}[kind]
        return _scalar(con, f"select count(*) {where} and {field} = ?", [*params, label])
    if table == "reputation_alerts":
        assert KPI_COLUMNS.match(column)
        return _scalar(
            con,
            f"select {column} from marts.reputation_alerts where alert_key = ?",
            [key],
        )
    if table == "outcome_linkage":
        base = "from marts.outcome_linkage where business = ? and outcome_metric = ?"
        if column == "tested":
            return _scalar(
                con, f"select count(*) {base} and verdict <> 'too little data'", [b, key]
            )
        if column == "max_weeks_used":
            return _scalar(
                con, f"select max(weeks_used) {base} and verdict <> 'too little data'", [b, key]
            )
        if column == "more_effects":
            return _scalar(
                con, f"select count(*) - 1 {base} and verdict = 'effect detected'", [b, key]
            )
        outcome, act_platform, measure, lag = key.split("|")
        assert KPI_COLUMNS.match(column)
        return _scalar(
            con,
            f"select {column} {base} and activity_platform = ? "
            "and activity_measure = ? and lag_weeks = ?",
            [b, outcome, act_platform, measure, int(lag)],
        )
    if table == "fct_account_daily":
        if column == "last_date":
            sql, params = (
                "select max(account_date) from marts.fct_account_daily where business = ?",
                [b],
            )
            if platform:
                sql, params = sql + " and platform = ?", [b, platform]
            return _scalar(con, sql, params)
        if column == "days":
            return _scalar(
                con,
                "select count(*) from marts.fct_account_daily where business = ? "
                "and platform = ? and account_date between ? and ?",
                [b, platform, period, end],
            )
    if table == "_publication" and column == "published_at":
        return _scalar(con, "select max(published_at) from marts._publication", [])
    raise AssertionError(f"unknown metric in the report: {metric} ({a})")


def same(raw: str, want: Any, kind: str) -> bool:
    """``data-value`` equals the marts' value (NULL shows as an empty data-value)."""
    if want is None or (isinstance(want, float) and math.isnan(want)):
        return raw == ""
    if raw == "":
        return False
    if kind == "date":
        return raw == want.isoformat()
    if kind == "datetime":
        return datetime.fromisoformat(raw) == want
    if kind == "bool":
        return raw == ("true" if want else "false")
    return math.isclose(float(raw), float(want), rel_tol=1e-12, abs_tol=1e-12)


def shown_matches(text: str, raw: str, kind: str, lang: str, scale: float) -> bool:
    """The text a person reads says the same as ``data-value`` (within the shown rounding)."""
    text = " ".join(text.split())
    if raw == "":
        return text == "–"
    if kind == "date":
        d = date.fromisoformat(raw)
        want = f"{d:%d.%m.%Y}" if lang == "de" else f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
        return text == want
    if kind == "datetime":
        return (
            re.match(r"^(\d\d\.\d\d\.\d{4}|\d{1,2} \w{3} \d{4}), \d\d:\d\d \S+$", text) is not None
        )
    if kind == "bool":
        return text == {("de", "true"): "ja", ("de", "false"): "nein"}.get(
            (lang, raw), "yes" if raw == "true" else "no"
        )
    value = float(raw)
    below = text.startswith("<")
    number = re.sub(r"[^\d,.\-+]", "", text)
    number = number.replace(".", "").replace(",", ".") if lang == "de" else number.replace(",", "")
    shown = float(number)
    if kind == "p" and below:
        return value < shown
    factor = {"pct": 100, "rel": 100, "pp": 100}.get(kind, scale if kind == "sig" else 1)
    target = value * factor
    tolerance = {
        "int": 0.5,
        "signed_int": 0.5,
        "minutes": 0.5,
        "rel": 0.5,
        "pct": 0.05,
        "pp": 0.05,
        "eur": 0.005,
        "p": 0.0005,
    }.get(kind)
    if kind == "sig":
        tolerance = 0.005 * abs(target)
    return abs(shown - target) <= tolerance + 1e-9


def check_markers(con, markers: list[dict[str, Any]], lang: str) -> list[str]:
    """Every disagreement between the markers and the marts, as readable lines."""
    problems = []
    for m in markers:
        a = m["attrs"]
        want = expected(con, a)
        if not same(a["data-value"], want, a["data-kind"]):
            problems.append(f"{a['data-metric']} {a}: report {a['data-value']!r}, marts {want!r}")
        scale = float(a.get("data-scale", "1"))
        if not shown_matches(m["text"], a["data-value"], a["data-kind"], lang, scale):
            problems.append(f"{a['data-metric']}: shows {m['text']!r} for {a['data-value']!r}")
    return problems
