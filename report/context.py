"""What one business's report shows, read from the published marts.

Each ``_section`` function returns a plain dict for the template: ``available`` False (and the
mart it waited for) when its mart is missing or empty, else the :class:`~report.numbers.Num`
values, texts from the marts (escaped by the template) and charts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from report import charts
from report.i18n import month_name, outcome_name, phrase, platform_name, text
from report.marts import Marts
from report.numbers import Num

log = logging.getLogger(__name__)

TREND_MONTHS = 13  # a year back and the report month: the same month last year is on the chart
SENTIMENT_MONTHS = 6
MIN_POST_VIEWS = 100  # the marts' small-sample threshold for rates (kpi is_small_sample)
TOP_POSTS = 3
OPEN_QUESTIONS = 10
EXAMPLE_COMMENTS = 3
ALERT_COMMENTS = 5
PLATFORM_ORDER = ("facebook", "instagram", "linkedin", "x", "xing")

# (column, kind, change kind) per goal; change kind "rel" for counts, "pp" for rates
GOALS: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    "awareness": (
        ("views", "int", "rel"),
        ("followers_end", "int", "rel"),
        ("follower_growth", "signed_int", None),
    ),
    "acquisition": (
        ("clicks", "int", "rel"),
        ("click_through_rate_by_views", "pct", "pp"),
        ("website_sessions", "int", "rel"),
        ("enquiries", "int", "rel"),
        ("new_customers", "int", "rel"),
        ("orders", "int", "rel"),
    ),
    "relationship": (
        ("comments_received", "int", "rel"),
        ("reply_rate", "pct", "pp"),
        ("median_minutes_to_first_owner_reply", "minutes", "rel"),
        ("engagements", "int", "rel"),
        ("engagement_rate_by_views", "pct", "pp"),
    ),
}
NETWORK_ROWS = (
    ("views", "int"),
    ("viewers", "int"),
    ("followers_end", "int"),
    ("follower_growth", "signed_int"),
    ("clicks", "int"),
    ("posts_published", "int"),
    ("engagements", "int"),
    ("engagement_rate_by_views", "pct"),
    ("comments_received", "int"),
    ("reply_rate", "pct"),
    ("total_cost_eur", "eur"),
)
COST_ROWS = (
    ("total_cost_eur", "eur"),
    ("cost_per_engagement", "eur"),
    ("cost_per_click", "eur"),
    ("cost_per_new_follower", "eur"),
    ("cost_per_enquiry", "eur"),
)
OUTCOME_ORDER = ("enquiries", "new_customers", "orders", "revenue_eur", "website_sessions")
MEASURE_SCALE = {"posts": 1, "views": 1000, "engagements": 100, "clicks": 100}
INTENTS = ("question", "complaint", "praise", "purchase_interest")
SENTIMENTS = ("positive", "neutral", "negative")

_SENTIMENT_COUNTS = ", ".join(
    f"count(*) filter (where sentiment_label = '{s}') as {s}" for s in SENTIMENTS
)
_INTENT_COUNTS = ", ".join(f"count(*) filter (where intent = '{i}') as {i}" for i in INTENTS)
# comments by others than the owner, in [start, end]; column names from the constants above
_COMMENT_COUNTS_SQL = (
    f"select count(*) as received, {_SENTIMENT_COUNTS}, {_INTENT_COUNTS} "  # noqa: S608
    "from marts.fct_comments where business = ? and not is_from_owner "
    "and commented_date between ? and ?"
)
_SENTIMENT_MONTHS_SQL = (
    "select date_trunc('month', commented_date)::date as m, "  # noqa: S608
    f"{_SENTIMENT_COUNTS} from marts.fct_comments where business = ? and not is_from_owner "
    "and commented_date between ? and ? group by 1"
)


@dataclass(frozen=True)
class BusinessInfo:
    slug: str
    name: str
    timezone: str


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return add_months(first, 1) - timedelta(days=1)


def month_label(first: date, lang: str) -> str:
    return f"{month_name(first.month, lang)} {first.year}"


def short_month(first: date, lang: str) -> str:
    return f"{month_name(first.month, lang)[:3]} {first:%y}"


class _Builder:
    def __init__(self, marts: Marts, business: BusinessInfo, lang: str) -> None:
        self.m = marts
        self.b = business
        self.lang = lang
        self.kpi: dict[tuple[str, date], dict[str, Any]] = {}
        if marts.has("kpi_monthly", business.slug):
            for row in marts.rows(
                "select * from marts.kpi_monthly where business = ?", [business.slug]
            ):
                self.kpi[(row["platform"], row["period_start"])] = row
        self.platforms = self._platforms()

    # -- numbers -------------------------------------------------------------------------
    def num(self, metric: str, value: Any, kind: str, **where: Any) -> Num:
        return Num(metric=metric, value=value, kind=kind, business=self.b.slug, **where)

    def k(self, column: str, platform: str, period: date, kind: str) -> Num:
        row = self.kpi.get((platform, period))
        value = row.get(column) if row else None
        return self.num(f"kpi_monthly.{column}", value, kind, platform=platform, period=period)

    def change(self, column: str, platform: str, period: date, base: date, how: str) -> Num:
        """Relative change (counts) or difference in percentage points (rates)."""
        cur, old = self.k(column, platform, period, "int").value, None
        if (row := self.kpi.get((platform, base))) is not None:
            old = row.get(column)
        value = None
        if cur is not None and old is not None:
            if how == "pp":
                value = cur - old
            elif old != 0:
                value = (cur - old) / abs(old)
        kind = "pp" if how == "pp" else "rel"
        return self.num(
            f"{'abs' if how == 'pp' else 'rel'}_change:kpi_monthly.{column}",
            value,
            kind,
            platform=platform,
            period=period,
            base_period=base,
        )

    # -- frame -----------------------------------------------------------------------------
    def _platforms(self) -> list[str]:
        found: set[str] = set()
        if "dim_accounts" in self.m.tables:
            found |= {
                r["platform"]
                for r in self.m.rows(
                    "select distinct platform from marts.dim_accounts where business = ?",
                    [self.b.slug],
                )
            }
        found |= {p for (p, _) in self.kpi if p != "all"}
        return sorted(found, key=lambda p: (*PLATFORM_ORDER, p).index(p))

    def frame(self) -> dict[str, Any]:
        """The report month (the latest complete month), the running month and the as-of day."""
        as_of = None
        if self.m.has("fct_account_daily", self.b.slug):
            as_of = self.m.one(
                "select max(account_date) as d from marts.fct_account_daily where business = ?",
                [self.b.slug],
            )["d"]
        published = None
        if "_publication" in self.m.tables:
            row = self.m.one(
                "select published_at, run_id from marts._publication "
                "order by published_at desc limit 1"
            )
            published = row
        all_rows = sorted(p for (plat, p) in self.kpi if plat == "all")
        complete = [p for p in all_rows if not self.kpi[("all", p)]["is_partial_period"]]
        partial = [p for p in all_rows if self.kpi[("all", p)]["is_partial_period"]]
        if complete:
            report = complete[-1]
        else:
            ref = as_of or (
                published["published_at"].astimezone(ZoneInfo(self.b.timezone)).date()
                if published
                else datetime.now(UTC).date()
            )
            report = month_start(ref) if ref == month_end(month_start(ref)) else add_months(ref, -1)
            report = month_start(report)
        running = partial[-1] if partial and partial[-1] > report else None
        return {
            "report": report,
            "report_end": month_end(report),
            "prev": add_months(report, -1),
            "last_year": add_months(report, -12),
            "running": running,
            "as_of": as_of,
            "published": published,
        }

    # -- sections --------------------------------------------------------------------------
    def summary(self, f: dict[str, Any], linkage: dict[str, Any]) -> dict[str, Any]:
        period = f["report"]
        if ("all", period) not in self.kpi:
            return {"available": False, "mart": "marts.kpi_monthly", "payoff": linkage["payoff"]}
        k = self.k
        lines = []
        views, eng = k("views", "all", period, "int"), k("engagements", "all", period, "int")
        change = self.change("views", "all", period, f["prev"], "rel")
        if change.value is None:
            lines.append(self.say("sum_reach_nochange", views=views, engagements=eng))
        else:
            lines.append(self.say("sum_reach", views=views, change=change, engagements=eng))
        followers = k("followers_end", "all", period, "int")
        growth = k("follower_growth", "all", period, "signed_int")
        if followers.value is not None:
            key = "sum_followers" if growth.value is not None else "sum_followers_nogrowth"
            lines.append(self.say(key, followers=followers, growth=growth))
        enquiries = k("enquiries", "all", period, "int")
        if enquiries.value is not None:
            change = self.change("enquiries", "all", period, f["prev"], "rel")
            key = "sum_enquiries" if change.value is not None else "sum_enquiries_nochange"
            lines.append(self.say(key, enquiries=enquiries, change=change))
        cost = k("total_cost_eur", "all", period, "eur")
        if cost.value is not None:
            line = self.say("sum_cost", cost=cost)
            cpe = k("cost_per_enquiry", "all", period, "eur")
            if cpe.value is not None:
                line += " " + self.say("sum_cost_per_enquiry", cpe=cpe)
            lines.append(line)
        else:
            lines.append(self.say("sum_no_cost"))
        running = None
        if f["running"] is not None:
            r = f["running"]
            running = self.say(
                "running",
                month=month_label(r, self.lang),
                partial=self.say("month_partial", day=self.fmt_date(f["as_of"], r)),
                views=k("views", "all", r, "int"),
                posts=k("posts_published", "all", r, "int"),
            )
        return {"available": True, "lines": lines, "running": running, "payoff": linkage["payoff"]}

    def goals(self, f: dict[str, Any]) -> dict[str, Any]:
        period = f["report"]
        if ("all", period) not in self.kpi:
            return {"available": False, "mart": "marts.kpi_monthly"}
        groups = []
        for goal, columns in GOALS.items():
            rows = []
            for column, kind, how in columns:
                cur = self.k(column, "all", period, kind)
                prev = self.k(column, "all", f["prev"], kind)
                ly = self.k(column, "all", f["last_year"], kind)
                if cur.value is None and prev.value is None and ly.value is None:
                    continue
                rows.append(
                    {
                        "label": text(self.lang, f"kpi_{column}"),
                        "cur": cur,
                        "prev": prev,
                        "vs_prev": self.change(column, "all", period, f["prev"], how)
                        if how
                        else None,
                        "ly": ly,
                        "vs_ly": self.change(column, "all", period, f["last_year"], how)
                        if how
                        else None,
                    }
                )
            groups.append({"title": text(self.lang, f"goal_{goal}"), "rows": rows})
        ly_note = None
        cur_row, ly_row = self.kpi[("all", period)], self.kpi.get(("all", f["last_year"]))
        if ly_row is not None:
            extra = sorted(set(ly_row["missing_inputs"]) - set(cur_row["missing_inputs"]))
            if extra:
                ly_note = self.say("goals_ly_note", missing=", ".join(self.inputs(extra)))
        return {
            "available": True,
            "groups": groups,
            "month": month_label(period, self.lang),
            "prev": month_label(f["prev"], self.lang),
            "ly": month_label(f["last_year"], self.lang),
            "ly_note": ly_note,
            "charts": [
                c
                for c in (
                    self.chart_awareness(f),
                    self.chart_acquisition(f),
                    self.chart_relationship(f),
                )
                if c
            ],
        }

    def networks(self, f: dict[str, Any]) -> dict[str, Any]:
        period = f["report"]
        platforms = [p for p in self.platforms if (p, period) in self.kpi]
        if not platforms:
            return {"available": False, "mart": "marts.kpi_monthly"}
        rows = [
            {
                "label": text(self.lang, f"kpi_{column}"),
                "cells": [self.k(column, p, period, kind) for p in platforms],
            }
            for column, kind in NETWORK_ROWS
        ]
        small = [bool(self.kpi[(p, period)]["is_small_sample"]) for p in platforms]
        return {
            "available": True,
            "platforms": [platform_name(p, self.lang) for p in platforms],
            "small": small,
            "rows": rows,
            "chart": self.chart_networks(f, platforms),
        }

    def posts(self, f: dict[str, Any]) -> dict[str, Any]:
        if not self.m.has("fct_posts", self.b.slug):
            return {"available": False, "mart": "marts.fct_posts"}
        start, end = f["report"], f["report_end"]
        rated = self.m.rows(
            "select post_key, platform, published_date, message, permalink_url, views, "
            "engagements, engagement_rate_by_views from marts.fct_posts "
            "where business = ? and published_date between ? and ? "
            "and engagement_rate_by_views is not null and views >= ? "
            "order by engagement_rate_by_views desc, post_key",
            [self.b.slug, start, end, MIN_POST_VIEWS],
        )
        count = self.num("fct_posts.rated_posts", len(rated), "int", period=start, period_end=end)
        top = rated[:TOP_POSTS]
        flop = [r for r in reversed(rated[TOP_POSTS:])][:TOP_POSTS]
        return {
            "available": True,
            "count": count,
            "month": month_label(start, self.lang),
            "top": [self.post(r) for r in top],
            "flop": [self.post(r) for r in flop],
        }

    def post(self, row: dict[str, Any]) -> dict[str, Any]:
        key = row["post_key"]
        message = " ".join((row["message"] or "").split())
        url = row["permalink_url"] or ""
        return {
            "platform": platform_name(row["platform"], self.lang),
            "date": self.num("fct_posts.published_date", row["published_date"], "date", key=key),
            "message": message if len(message) <= 140 else message[:139].rstrip() + "…",
            # only web links: a post's link comes from the network and is not trusted
            "url": url if url.startswith(("https://", "http://")) else None,
            "views": self.num("fct_posts.views", row["views"], "int", key=key),
            "engagements": self.num("fct_posts.engagements", row["engagements"], "int", key=key),
            "rate": self.num(
                "fct_posts.engagement_rate_by_views",
                row["engagement_rate_by_views"],
                "pct",
                key=key,
            ),
        }

    def costs(self, f: dict[str, Any]) -> dict[str, Any]:
        period = f["report"]
        if ("all", period) not in self.kpi:
            return {"available": False, "mart": "marts.kpi_monthly"}
        columns = ["all", *[p for p in self.platforms if (p, period) in self.kpi]]
        has_cost = self.kpi[("all", period)]["total_cost_eur"] is not None
        rows = [
            {
                "label": text(self.lang, f"kpi_{column}"),
                "cells": [self.k(column, p, period, kind) for p in columns],
            }
            for column, kind in COST_ROWS
        ]
        return {
            "available": True,
            "has_cost": has_cost,
            "month": month_label(period, self.lang),
            "platforms": [platform_name(p, self.lang) for p in columns],
            "rows": rows,
            "chart": self.chart_costs(f),
        }

    def comments(self, f: dict[str, Any]) -> dict[str, Any]:
        if not self.m.has("fct_comments", self.b.slug):
            return {"available": False, "mart": "marts.fct_comments"}
        start, end = f["report"], f["report_end"]
        counts = self.m.one(_COMMENT_COUNTS_SQL, [self.b.slug, start, end])
        where = {"period": start, "period_end": end}
        received = self.num("fct_comments.received", counts["received"], "int", **where)
        summary = intents = None
        if counts["received"]:
            summary = self.say(
                "comments_summary",
                month=month_label(start, self.lang),
                received=received,
                **{
                    s: self.num(f"fct_comments.sentiment_{s}", counts[s], "int", **where)
                    for s in SENTIMENTS
                },
            )
            names = {
                "question": "questions",
                "complaint": "complaints",
                "praise": "praise",
                "purchase_interest": "interest",
            }
            intents = self.say(
                "comments_intents",
                **{
                    names[i]: self.num(f"fct_comments.intent_{i}", counts[i], "int", **where)
                    for i in INTENTS
                },
            )
        examples = {}
        for label in ("negative", "positive"):
            examples[label] = [
                self.comment(r)
                for r in self.m.rows(
                    "select comment_key, platform, commented_date, message "
                    "from marts.fct_comments where business = ? and not is_from_owner "
                    "and sentiment_label = ? and commented_date between ? and ? "
                    "order by commented_at desc, comment_key limit ?",
                    [self.b.slug, label, start, end, EXAMPLE_COMMENTS],
                )
            ]
        open_rows = self.m.rows(
            "select comment_key, platform, commented_date, message from marts.fct_comments "
            "where business = ? and is_unanswered_question and commented_date >= ? "
            "order by commented_at desc, comment_key",
            [self.b.slug, start],
        )
        open_count = self.num(
            "fct_comments.unanswered_questions", len(open_rows), "int", period=start
        )
        return {
            "available": True,
            "month": month_label(start, self.lang),
            "summary": summary,
            "intents": intents,
            "examples": examples,
            "since": self.fmt_day(start),
            "open_count": open_count,
            "open": [self.comment(r) for r in open_rows[:OPEN_QUESTIONS]],
            "chart": self.chart_sentiment(f),
        }

    def comment(self, row: dict[str, Any]) -> dict[str, Any]:
        return {
            "platform": platform_name(row["platform"], self.lang),
            "date": self.num(
                "fct_comments.commented_date", row["commented_date"], "date", key=row["comment_key"]
            ),
            "message": " ".join((row["message"] or "").split()),
        }

    def alerts(self, f: dict[str, Any]) -> dict[str, Any]:
        if "reputation_alerts" not in self.m.tables:
            return {"available": False, "mart": "marts.reputation_alerts"}
        start = f["report"]
        rows = self.m.rows(
            "select * from marts.reputation_alerts where business = ? and alert_date >= ? "
            "order by alert_date desc",
            [self.b.slug, start],
        )
        items = []
        for r in rows:
            key = r["alert_key"]

            def n(column: str, kind: str, r: dict = r, key: str = key) -> Num:
                return self.num(f"reputation_alerts.{column}", r[column], kind, key=key)

            comments = []
            if r["comment_keys"] and "fct_comments" in self.m.tables:
                comments = [
                    self.comment(c)
                    for c in self.m.rows(
                        "select comment_key, platform, commented_date, message "
                        "from marts.fct_comments where comment_key in "
                        "(select unnest(?::varchar[])) order by commented_at, comment_key limit ?",
                        [r["comment_keys"], ALERT_COMMENTS],
                    )
                ]
            items.append(
                {
                    "severity": r["severity"],
                    "severity_text": text(self.lang, f"severity_{r['severity']}"),
                    "line": self.say(
                        "alert_line",
                        date=self.render(n("alert_date", "date")),
                        negative=n("negative_comments", "int"),
                        expected_neg=n("negative_comments_expected", "sig"),
                        unfollows=n("unfollows", "int"),
                        expected_unf=n("unfollows_expected", "sig"),
                    ),
                    "comments": comments,
                }
            )
        last = None
        if not items:
            before = self.m.one(
                "select alert_key, alert_date, severity from marts.reputation_alerts "
                "where business = ? and alert_date < ? order by alert_date desc limit 1",
                [self.b.slug, start],
            )
            if before:
                last = self.say(
                    "alerts_last",
                    date=self.num(
                        "reputation_alerts.alert_date",
                        before["alert_date"],
                        "date",
                        key=before["alert_key"],
                    ),
                    severity=text(self.lang, f"severity_{before['severity']}"),
                )
        return {"available": True, "since": self.fmt_day(start), "entries": items, "last": last}

    def linkage(self) -> dict[str, Any]:
        if not self.m.has("outcome_linkage", self.b.slug):
            return {"available": False, "mart": "marts.outcome_linkage", "payoff": None}
        rows = self.m.rows(
            "select * from marts.outcome_linkage where business = ? "
            "order by p_value_adjusted nulls last, abs(effect_standardised) desc, "
            "activity_platform, activity_measure, lag_weeks",
            [self.b.slug],
        )
        outcomes = sorted(
            {r["outcome_metric"] for r in rows},
            key=lambda o: (OUTCOME_ORDER.index(o) if o in OUTCOME_ORDER else 99, o),
        )
        verdicts = []
        best_line = None
        for outcome in outcomes:
            mine = [r for r in rows if r["outcome_metric"] == outcome]
            found = [r for r in mine if r["verdict"] == "effect detected"]
            tested = [r for r in mine if r["verdict"] != "too little data"]
            name = outcome_name(outcome, self.lang)
            if found:
                line = self.effect_line(found[0])
                more = len(found) - 1
                if more:
                    line += " " + self.say(
                        "link_more",
                        count=self.num("outcome_linkage.more_effects", more, "int", key=outcome),
                    )
                best_line = best_line or self.effect_line(found[0])
                verdicts.append({"verdict": "effect detected", "line": line})
            elif tested:
                verdicts.append(
                    {
                        "verdict": "no detectable effect",
                        "line": self.say(
                            "link_none",
                            outcome=name[:1].upper() + name[1:],
                            tested=self.num(
                                "outcome_linkage.tested", len(tested), "int", key=outcome
                            ),
                            weeks=self.num(
                                "outcome_linkage.max_weeks_used",
                                max(r["weeks_used"] for r in tested),
                                "int",
                                key=outcome,
                            ),
                        ),
                    }
                )
            else:
                verdicts.append(
                    {
                        "verdict": "too little data",
                        "line": self.say("link_little", outcome=name[:1].upper() + name[1:]),
                    }
                )
        kinds = {v["verdict"] for v in verdicts}
        if "effect detected" in kinds:
            payoff = self.say("payoff_yes", detail=best_line)
        elif "no detectable effect" in kinds:
            payoff = self.say("payoff_no")
        else:
            payoff = self.say("payoff_little")
        return {"available": True, "verdicts": verdicts, "payoff": payoff}

    def effect_line(self, r: dict[str, Any]) -> Any:
        key = "|".join(
            (
                r["outcome_metric"],
                r["activity_platform"],
                r["activity_measure"],
                str(r["lag_weeks"]),
            )
        )
        scale = MEASURE_SCALE.get(r["activity_measure"], 1)

        def n(column: str, kind: str) -> Num:
            return self.num(
                f"outcome_linkage.{column}",
                r[column],
                kind,
                key=key,
                scale=scale if kind == "sig" else 1,
            )

        lag = r["lag_weeks"]
        lag_num = self.num("outcome_linkage.lag_weeks", lag, "int", key=key)
        lag_text = (
            self.say("lag_0") if lag == 0 else self.say("lag_1" if lag == 1 else "lag_n", n=lag_num)
        )
        return self.say(
            "link_effect",
            measure=text(self.lang, f"measure_{r['activity_measure']}"),
            where=self.say("where_all")
            if r["activity_platform"] == "all"
            else self.say("where_one", platform=platform_name(r["activity_platform"], self.lang)),
            outcome=outcome_name(r["outcome_metric"], self.lang),
            lag=lag_text,
            scale=f"{scale:,}".replace(",", "." if self.lang == "de" else ","),
            effect=n("effect_per_unit", "sig"),
            low=n("ci_low", "sig"),
            high=n("ci_high", "sig"),
            p=n("p_value_adjusted", "p"),
            weeks=n("weeks_used", "int"),
        )

    def freshness(self, f: dict[str, Any]) -> dict[str, Any]:
        published = f["published"]
        pub_line = None
        if published:
            pub_line = self.say(
                "fresh_published",
                published=self.num(
                    "_publication.published_at", published["published_at"], "datetime"
                ),
                run=published["run_id"],
            )
        if "dim_accounts" not in self.m.tables or not self.m.has("dim_accounts", self.b.slug):
            return {"available": False, "mart": "marts.dim_accounts", "published": pub_line}
        period, end = f["report"], f["report_end"]
        accounts = {
            r["platform"]: r["provenance"]
            for r in self.m.rows(
                "select platform, min(provenance) as provenance from marts.dim_accounts "
                "where business = ? group by platform",
                [self.b.slug],
            )
        }
        daily: dict[str, dict[str, Any]] = {}
        if "fct_account_daily" in self.m.tables:
            for r in self.m.rows(
                "select platform, max(account_date) as last_date, count(*) filter "
                "(where account_date between ? and ?) as days from marts.fct_account_daily "
                "where business = ? group by platform",
                [period, end, self.b.slug],
            ):
                daily[r["platform"]] = r
        fetched: dict[str, Any] = {}
        if "fct_posts" in self.m.tables:
            fetched = {
                r["platform"]: r["at"]
                for r in self.m.rows(
                    "select platform, max(metrics_fetched_at) as at from marts.fct_posts "
                    "where business = ? group by platform",
                    [self.b.slug],
                )
            }
        rows = []
        for p in self.platforms:
            if p not in accounts:
                continue
            kpi = self.kpi.get((p, period))
            where = {"platform": p}
            rows.append(
                {
                    "platform": platform_name(p, self.lang),
                    "source": text(self.lang, f"source_{accounts[p]}"),
                    "last_date": self.num(
                        "fct_account_daily.last_date",
                        daily.get(p, {}).get("last_date"),
                        "date",
                        **where,
                    ),
                    "days": self.num(
                        "fct_account_daily.days",
                        daily.get(p, {}).get("days", 0),
                        "int",
                        period=period,
                        period_end=end,
                        **where,
                    ),
                    "fetched": self.num(
                        "fct_posts.last_fetched_at", fetched.get(p), "datetime", **where
                    ),
                    "missing": ", ".join(self.inputs(kpi["missing_inputs"]))
                    if kpi and kpi["missing_inputs"]
                    else (text(self.lang, "missing_none") if kpi else text(self.lang, "na")),
                    "retired": self.k("affected_by_retired_metric", p, period, "bool"),
                }
            )
        return {
            "available": True,
            "published": pub_line,
            "month": month_label(period, self.lang),
            "days_in_month": (end - period).days + 1,
            "rows": rows,
        }

    # -- charts ----------------------------------------------------------------------------
    def trend_months(self, f: dict[str, Any], count: int = TREND_MONTHS) -> list[date]:
        return [add_months(f["report"], -i) for i in reversed(range(count))]

    def chart_awareness(self, f: dict[str, Any]) -> dict[str, Any] | None:
        months = self.trend_months(f)
        series = [
            (platform_name(p, self.lang), p, [self.k("views", p, m, "int") for m in months])
            for p in self.platforms
        ]
        return self.chart("awareness", months, series, style="line", kind="int")

    def chart_acquisition(self, f: dict[str, Any]) -> dict[str, Any] | None:
        months = self.trend_months(f)
        series = [
            (text(self.lang, f"kpi_{c}"), c, [self.k(c, "all", m, "int") for m in months])
            for c in ("clicks", "enquiries")
        ]
        return self.chart("acquisition", months, series, style="line", kind="int")

    def chart_relationship(self, f: dict[str, Any]) -> dict[str, Any] | None:
        months = self.trend_months(f)
        series = [
            (text(self.lang, f"kpi_{c}"), c, [self.k(c, "all", m, "int") for m in months])
            for c in ("comments_received", "comments_replied")
        ]
        return self.chart("relationship", months, series, style="bar", kind="int")

    def chart_networks(self, f: dict[str, Any], platforms: list[str]) -> dict[str, Any] | None:
        period = f["report"]
        series = [
            (
                text(self.lang, "kpi_views"),
                "views",
                [self.k("views", p, period, "int") for p in platforms],
            ),
            (
                text(self.lang, "kpi_engagement_rate_by_views"),
                "engagement_rate_by_views",
                [self.k("engagement_rate_by_views", p, period, "pct") for p in platforms],
            ),
        ]
        return self.chart(
            "networks",
            [platform_name(p, self.lang) for p in platforms],
            series,
            style="panels",
            kind="int",
            colors=platforms,
            title_month=month_label(period, self.lang),
        )

    def chart_costs(self, f: dict[str, Any]) -> dict[str, Any] | None:
        months = self.trend_months(f)
        series = [
            (
                text(self.lang, "kpi_total_cost_eur"),
                "total_cost_eur",
                [self.k("total_cost_eur", "all", m, "eur") for m in months],
            ),
            (
                text(self.lang, "kpi_cost_per_enquiry"),
                "cost_per_enquiry",
                [self.k("cost_per_enquiry", "all", m, "eur") for m in months],
            ),
        ]
        return self.chart("costs", months, series, style="bar_line", kind="eur")

    def chart_sentiment(self, f: dict[str, Any]) -> dict[str, Any] | None:
        months = self.trend_months(f, SENTIMENT_MONTHS)
        rows = {
            r["m"]: r
            for r in self.m.rows(_SENTIMENT_MONTHS_SQL, [self.b.slug, months[0], f["report_end"]])
        }
        series = [
            (
                text(self.lang, f"sent_{s}"),
                s,
                [
                    self.num(
                        f"fct_comments.sentiment_{s}",
                        rows[m][s] if m in rows else 0,
                        "int",
                        period=m,
                        period_end=month_end(m),
                    )
                    for m in months
                ],
            )
            for s in SENTIMENTS
        ]
        return self.chart("sentiment", months, series, style="stacked", kind="int")

    def chart(
        self,
        chart_id: str,
        categories: list[Any],
        series: list[tuple[str, str, list[Num]]],
        *,
        style: str,
        kind: str,
        colors: list[str] | None = None,
        title_month: str | None = None,
    ) -> dict[str, Any] | None:
        """A chart and the table of its figures; None when no figure exists."""
        if not any(n.value is not None for _, _, nums in series for n in nums):
            return None
        labels = [c if isinstance(c, str) else short_month(c, self.lang) for c in categories]
        title = text(self.lang, f"chart_{chart_id}").format(month=title_month or "")
        desc = text(self.lang, f"chart_{chart_id}_desc").format(n=len(categories))
        svg = charts.render(
            f"{self.b.slug}-{chart_id}",
            title,
            desc,
            labels,
            [(label, code, [n.value for n in nums]) for label, code, nums in series],
            style=style,
            kinds=[nums[0].kind for _, _, nums in series],
            lang=self.lang,
            colors=colors,
        )
        return {
            "id": chart_id,
            "title": title,
            "svg": svg,
            "columns": [label for label, _, _ in series],
            "rows": [
                {"label": labels[i], "cells": [nums[i] for _, _, nums in series]}
                for i in range(len(labels))
            ],
        }

    # -- words -----------------------------------------------------------------------------
    def say(self, key: str, **values: Any) -> Any:
        return phrase(self.lang, key, **{k: self.render(v) for k, v in values.items()})

    render: Callable[[Any], Any]  # set by the writer: renders a Num with its marker

    def fmt_day(self, day: date) -> str:
        from report.numbers import format_date

        return format_date(day, self.lang)

    def fmt_date(self, as_of: date | None, month: date) -> str:
        return self.fmt_day(as_of or month_end(month))

    def inputs(self, names: list[str]) -> list[str]:
        out = []
        for name in names:
            platform, _, what = name.rpartition(":")
            label = text(self.lang, f"input_{what}")
            out.append(f"{platform_name(platform, self.lang)}: {label}" if platform else label)
        return out


def build(marts: Marts, business: BusinessInfo, lang: str, render: Callable[[Num], Any]) -> dict:
    """The template context of one business's report."""
    b = _Builder(marts, business, lang)
    b.render = lambda v: render(v) if isinstance(v, Num) else v
    f = b.frame()
    sections: dict[str, Any] = {}
    guarded: list[tuple[str, Callable[[], dict]]] = [
        ("linkage", b.linkage),
        ("summary", lambda: b.summary(f, sections["linkage"])),
        ("goals", lambda: b.goals(f)),
        ("networks", lambda: b.networks(f)),
        ("posts", lambda: b.posts(f)),
        ("costs", lambda: b.costs(f)),
        ("comments", lambda: b.comments(f)),
        ("alerts", lambda: b.alerts(f)),
        ("freshness", lambda: b.freshness(f)),
    ]
    for name, make in guarded:
        try:
            sections[name] = make()
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            # an older published file without a column this report reads: say so, don't fail
            log.warning("report %s: section %s not available (%s)", business.slug, name, exc)
            sections[name] = {
                "available": False,
                "mart": "marts",
                "payoff": None,
                "published": None,
            }
    if sections["summary"].get("payoff") is None:
        sections["summary"]["payoff"] = phrase(lang, "payoff_na")
    return {
        "lang": lang,
        "business": business,
        "frame": f,
        "month": month_label(f["report"], lang),
        "as_of": b.render(b.num("fct_account_daily.last_date", f["as_of"], "date")),
        "published": b.render(
            b.num(
                "_publication.published_at",
                f["published"]["published_at"] if f["published"] else None,
                "datetime",
            )
        ),
        **sections,
    }
