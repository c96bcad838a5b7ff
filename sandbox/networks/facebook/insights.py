"""``/{page-id}/insights`` (daily values per Meta day) and ``/{post-id}/insights`` (lifetime)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sandbox.graph.errors import invalid_param
from sandbox.graph.paging import echo_url
from sandbox.graph.timewindow import (
    MAX_INSIGHTS_DAYS,
    day_boundary,
    day_start,
    graph_time,
    parse_time,
    unix,
)
from sandbox.networks.facebook.call import Call
from sandbox.networks.facebook.metrics import (
    PAGE_METRICS,
    POST_METRICS,
    checked_period,
    requested_metrics,
)
from sandbox.world import EPOCH, Business, Post, meta_day, meta_day_end

DEFAULT_DAYS = 3  # without since/until: the last days up to today (only complete days show)


def metric_values(raw: list[str]) -> list[str]:
    """``metric`` values, also in Graph's JSON-array form ``["a","b"]``."""
    values: list[str] = []
    for value in raw:
        if value.strip().startswith("["):
            try:
                values.extend(str(item) for item in json.loads(value))
                continue
            except ValueError:
                pass
        values.append(value)
    return values


def _window(call: Call) -> tuple[date, date]:
    """``[first day, end day)`` of a since/until request, in Meta days."""
    since, until = call.param("since"), call.param("until")
    end = day_boundary(parse_time(until, "until")) if until else meta_day(call.now) + timedelta(1)
    start = day_boundary(parse_time(since, "since")) if since else end - timedelta(DEFAULT_DAYS)
    if (end - start).days > MAX_INSIGHTS_DAYS:
        raise invalid_param("There cannot be more than 90 days (7776000 s) between since and until")
    return start, end


def page_insights(call: Call, biz: Business, metric: str | None) -> dict[str, Any]:
    raw = [metric] if metric else metric_values(call.params("metric"))
    names = requested_metrics(raw, PAGE_METRICS)
    period = checked_period(call.param("period"), "day")
    start, end = _window(call)
    oldest = max(EPOCH, meta_day(call.now) - timedelta(days=730))
    days = [start + timedelta(days=i) for i in range(max(0, (end - start).days))]
    days = [d for d in days if d >= oldest and meta_day_end(d) <= call.now]
    data = []
    if period == "day":
        for name in names:
            title, description = PAGE_METRICS[name]
            values = [
                {
                    "value": call.world.page_daily_value(biz.page_id, name, d),
                    "end_time": graph_time(meta_day_end(d)),
                }
                for d in days
            ]
            data.append(
                {
                    "name": name,
                    "period": period,
                    "values": values,
                    "title": title,
                    "description": description,
                    "id": f"{biz.page_id}/insights/{name}/{period}",
                }
            )
    span = timedelta(days=max(1, (end - start).days))
    base = call.url(*call.parts)

    def link(first: date, last: date) -> str:
        window = {"since": str(unix(day_start(first))), "until": str(unix(day_start(last)))}
        return echo_url(base, call.query, window)

    return {
        "data": data,
        "paging": {"previous": link(start - span, start), "next": link(end, end + span)},
    }


def post_metric_objects(call: Call, post: Post, raw: list[str], period: str | None) -> list[dict]:
    names = requested_metrics(metric_values(raw), POST_METRICS)
    if checked_period(period, "lifetime") != "lifetime":
        return []
    objects = []
    for name in names:
        title, description = POST_METRICS[name]
        objects.append(
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": call.world.post_lifetime(post.id, name, call.now)}],
                "title": title,
                "description": description,
                "id": f"{post.id}/insights/{name}/lifetime",
            }
        )
    return objects


def post_insights(call: Call, post: Post, metric: str | None) -> dict[str, Any]:
    raw = [metric] if metric else call.params("metric")
    return {"data": post_metric_objects(call, post, raw, call.param("period"))}
