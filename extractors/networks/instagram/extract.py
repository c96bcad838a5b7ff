"""Nightly plan for one Instagram professional account (Graph API via graph.facebook.com).

1. Account snapshot (``followers_count`` exists only as a current value: snapshot it daily).
2. Daily account insights over ``[min(last day with data, end) - lookback, end)``, never older
   than the 90-day retention: the ``time_series`` metrics (``reach``; ``follower_count`` only
   for its last-30-days window) ≤ 30 days per call, and the ``total_value``-only metrics
   (``views``, ``total_interactions``, ...) one Meta day per read, batched. A day that is not
   published yet (values lag up to 48 h) comes back empty and is asked again next night.
3. Media created since the high-water mark minus an overlap, and every media younger than the
   refresh window (one newest-first listing that stops once a page reaches older media).
4. Lifetime insights for those media, with metrics per ``media_product_type`` (a Reel refuses
   feed-only metrics and vice versa). An empty ``data`` list or empty ``values`` means "no data"
   and is landed as such, never as 0.
5. Comments (with nested replies) of new media and of media younger than the comment window
   whose listing counted any (``comments_count``).
The per-day, per-media and comment reads of 2, 4 and 5 share Graph batch calls (50 reads per
call): a quiet night costs one batch call. A refused metric shows up as an answer in the batch;
it is then found with single calls, dropped, recorded, and the rest asked again.

``total_value`` metric objects carry no date, so each landed row gets the window it was asked
for under ``_requested`` (``since``/``until`` as Meta days); everything else is landed as served.
The token travels in the ``Authorization`` header; ``paging`` is stripped from every payload.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from extractors.core.errors import InvalidMetric, RequestRejected
from extractors.core.graph import GraphApi, build_client, parse_ts
from extractors.core.http import HttpClient
from extractors.core.job import ExtractJob
from extractors.core.landing import LandingWriter
from extractors.core.metrics import requested_metrics
from extractors.core.runner import Extraction
from extractors.networks.instagram import spec

log = logging.getLogger(__name__)

META_TZ = ZoneInfo("America/Los_Angeles")


__all__ = ["build_client", "extract"]  # build_client: the shared Graph client


# -- plan ----------------------------------------------------------------------------------------
def extract(job: ExtractJob, client: HttpClient, writer: LandingWriter, result: Extraction) -> None:
    opts = {**spec.DEFAULTS, **job.options}
    version = opts.get("api_version", spec.API_VERSION)
    graph = GraphApi(client, version, result, batch_size=int(opts["batch_size"]))
    user_id = job.account_id

    snapshot = client.get_json(f"{version}/{user_id}", {"fields": spec.ACCOUNT_FIELDS})
    writer.write("account", user_id, f"/{version}/{user_id}", [snapshot])

    end, start, series, totals = _account_insights_plan(job, opts)
    days_with_data = _time_series(job, graph, writer, series, start, end)
    media = _media(job, graph, writer, result, opts)

    refresh_from = job.days_before_end(int(opts["media_refresh_days"]))
    comment_from = job.days_before_end(int(opts["comment_days"]))
    previous_hwm = parse_ts(job.state.get("media_high_water_mark"))

    def is_new(created: datetime) -> bool:
        return previous_hwm is None or created > previous_hwm

    metric_media = [(m, p) for m, (c, p, _) in media.items() if c >= refresh_from or is_new(c)]
    comment_media = [
        m for m, (c, _, n) in media.items() if (c >= comment_from or is_new(c)) and n != 0
    ]
    metrics = list(
        opts.get("media_metrics") or requested_metrics("instagram", "post", job.logical_date)
    )
    page_size = int(opts["page_size"])

    days = _total_value_days(start, end) if totals else []
    insight_groups = _media_insight_groups(graph, metric_media, metrics)
    answers = graph.batch_groups(
        [
            [_total_value_url(job.account_id, totals, day) for day in days],
            *[[_insights_url(mid, wanted) for mid in ids] for _, ids, wanted in insight_groups],
            comment_urls(comment_media, page_size),
        ]
    )
    days_with_data += _total_values(job, graph, writer, totals, days, answers[0])
    media_insights(
        graph, writer, metric_media, metrics, groups=insight_groups, bodies=answers[1:-1]
    )
    comments(graph, writer, comment_media, page_size, bodies=answers[-1])
    if days_with_data:
        result.state["account_insights_through"] = max(
            max(days_with_data).isoformat(), job.state.get("account_insights_through", "")
        )


# -- account insights ----------------------------------------------------------------------------
def _account_insights_plan(job: ExtractJob, opts: dict) -> tuple[date, date, list[str], list[str]]:
    """``(end, start, time_series metrics, total_value metrics)`` of this run."""
    end = job.logical_date  # exclusive: values for Meta days up to end - 1
    covered = _parse_date(job.state.get("account_insights_through"))
    if covered is None:
        start = end - timedelta(days=int(opts["history_days"]))
    else:
        start = min(covered, end) - timedelta(days=int(opts["lookback_days"]))
    start = max(start, end - timedelta(days=spec.ACCOUNT_RETENTION_DAYS))
    registered = requested_metrics("instagram", "account_daily", end)
    metrics = [
        m for m in opts.get("account_metrics") or registered if m not in spec.SNAPSHOT_METRICS
    ]
    series = [m for m in metrics if m in spec.TIME_SERIES_METRICS]
    totals = [m for m in metrics if m not in spec.TIME_SERIES_METRICS]
    return end, start, series, totals


def _time_series(
    job: ExtractJob,
    graph: GraphApi,
    writer: LandingWriter,
    metrics: list[str],
    start: date,
    end: date,
) -> list[date]:
    """Daily ``time_series`` metrics, ≤ 30 days per call; a short-window metric (follower_count)
    is asked only for its own window. Returns the Meta days that had values."""
    windows: dict[date, list[str]] = {}
    for metric in metrics:
        short = spec.SHORT_WINDOW_DAYS.get(metric)
        first = max(start, end - timedelta(days=short)) if short else start
        windows.setdefault(first, []).append(metric)
    path = f"{graph.version}/{job.account_id}/insights"
    days: list[date] = []
    for first, group in sorted(windows.items()):
        chunk_start = first
        while chunk_start < end and group:
            chunk_end = min(end, chunk_start + timedelta(days=spec.MAX_INSIGHTS_DAYS))
            params = {
                "period": "day",
                "metric_type": "time_series",
                "since": chunk_start.isoformat(),
                "until": chunk_end.isoformat(),
            }
            try:
                body, group = graph.insights_call(path, group, params, level="account")
            except RequestRejected:
                if first == start:
                    raise
                # a short-window metric (follower_count: last 30 days of the API's clock) asked
                # from a back-filled logical date: skip it for this run, keep the others
                graph.result.event("skipped_window", f"account:{','.join(group)} since {first}")
                break
            data = (body or {}).get("data", [])
            writer.write("account_insights", job.account_id, f"/{path}", data)
            days += [
                _meta_day_before(ts)
                for obj in data
                for value in obj.get("values") or []
                if (ts := parse_ts(value.get("end_time"))) is not None
            ]
            chunk_start = chunk_end
    return days


def _total_value_days(start: date, end: date) -> list[date]:
    """The Meta days of ``[start, end)``, newest first."""
    return [end - timedelta(days=i) for i in range(1, (end - start).days + 1)]


def _total_value_params(day: date) -> dict[str, str]:
    window = {"since": day.isoformat(), "until": (day + timedelta(days=1)).isoformat()}
    return {"period": "day", "metric_type": "total_value", **window}


def _total_value_url(account_id: str, metrics: list[str], day: date) -> str:
    query = urlencode({"metric": ",".join(metrics), **_total_value_params(day)})
    return f"{account_id}/insights?{query}"


def _total_values(
    job: ExtractJob,
    graph: GraphApi,
    writer: LandingWriter,
    metrics: list[str],
    days: list[date],
    bodies: list[Any],
) -> list[date]:
    """Land ``total_value`` metrics, one Meta day per read (``bodies``: the batch answers).
    If the API refused a metric, the newest day is asked directly (the refused metric is found
    and dropped there) and the older days again through the batch endpoint."""
    if not metrics or not days:
        return []
    path = f"{graph.version}/{job.account_id}/insights"
    if any(isinstance(b, InvalidMetric) for b in bodies):
        body, metrics = graph.insights_call(
            path, metrics, _total_value_params(days[0]), level="account"
        )
        bodies = [body]
        if metrics and len(days) > 1:
            bodies += graph.batch([_total_value_url(job.account_id, metrics, d) for d in days[1:]])
    with_data = []
    for day, answer in zip(days, bodies, strict=False):
        if isinstance(answer, InvalidMetric):
            graph.result.event("retired_metric", f"account:total_value:{day.isoformat()}")
            continue
        data = (answer or {}).get("data", [])
        requested = {"metric_type": "total_value", **_total_value_params(day)}
        requested.pop("period")
        writer.write(
            "account_insights",
            job.account_id,
            f"/{path}",
            [{**obj, "_requested": requested} for obj in data],
        )
        if data:
            with_data.append(day)
    return with_data


# -- media ---------------------------------------------------------------------------------------
def _media(
    job: ExtractJob, graph: GraphApi, writer: LandingWriter, result: Extraction, opts: dict
) -> dict[str, tuple[datetime, str, int | None]]:
    """Media in the window, newest first, as ``{id: (timestamp, media_product_type,
    comments_count or None)}``."""
    hwm = parse_ts(job.state.get("media_high_water_mark"))
    refresh_from = job.days_before_end(int(opts["media_refresh_days"]))
    if hwm is None:
        since = job.days_before_end(int(opts["media_history_days"]))
    else:
        since = min(hwm - timedelta(days=int(opts["media_overlap_days"])), refresh_from)
    until = job.window_end
    path = f"{graph.version}/{job.account_id}/media"
    params = {"fields": spec.MEDIA_FIELDS, "limit": int(opts["page_size"])}
    seen: dict[str, tuple[datetime, str, int | None]] = {}
    for items in graph.pages(path, params):
        fresh, oldest = [], None
        for item in items:
            media_id = item.get("id")
            created = parse_ts(item.get("timestamp"))
            if not media_id or created is None:
                result.event("skipped_item", f"media without id or timestamp at {path}")
                continue
            oldest = created if oldest is None else min(oldest, created)
            if created >= until or created < since or media_id in seen:
                continue
            count = item.get("comments_count")
            seen[media_id] = (
                created,
                str(item.get("media_product_type") or "FEED"),
                count if isinstance(count, int) else None,
            )
            fresh.append(item)
        writer.write("media", job.account_id, f"/{path}", fresh)
        if oldest is not None and oldest < since:
            break  # newest first: every further page is older still
    if seen:
        newest = max(created for created, _, _ in seen.values()).astimezone(UTC).isoformat()
        result.state["media_high_water_mark"] = max(
            newest, job.state.get("media_high_water_mark", "")
        )
    return seen


def _media_insight_groups(
    graph: GraphApi, media: list[tuple[str, str]], metrics: list[str]
) -> list[tuple[str, list[str], list[str]]]:
    """``(media_product_type, media ids, metrics to ask)`` per product type, sorted."""
    by_product: dict[str, list[str]] = {}
    for media_id, product in media:
        by_product.setdefault(product, []).append(media_id)
    groups = []
    for product, ids in sorted(by_product.items()):
        # a metric of another product type is left out; an unknown one is asked, so that a
        # refusal is recorded instead of silently skipped
        wanted = [
            m
            for m in metrics
            if m in spec.MEDIA_PRODUCT_METRICS.get(product, ()) or m not in spec.KNOWN_MEDIA_METRICS
        ]
        if not wanted:
            graph.result.event("skipped_item", f"no media metrics for {product} media")
            continue
        groups.append((product, ids, wanted))
    return groups


def media_insights(
    graph: GraphApi,
    writer: LandingWriter,
    media: list[tuple[str, str]],
    metrics: list[str],
    *,
    groups: list[tuple[str, list[str], list[str]]] | None = None,
    bodies: list[list[Any]] | None = None,
) -> None:
    """Lifetime insights per media, metrics per ``media_product_type``. ``groups`` and
    ``bodies``: the groups of :func:`_media_insight_groups` and their batch answers, if the
    caller fetched them already."""
    if groups is None:
        groups = _media_insight_groups(graph, media, metrics)
    for index, (product, ids, wanted) in enumerate(groups):
        answers = (
            bodies[index]
            if bodies is not None
            else graph.batch([_insights_url(mid, wanted) for mid in ids])
        )
        if any(isinstance(b, InvalidMetric) for b in answers):
            probe = f"{graph.version}/{ids[0]}/insights"
            wanted = graph.valid_metrics(probe, wanted, {}, f"media:{product}")
            if not wanted:
                continue
            answers = graph.batch([_insights_url(mid, wanted) for mid in ids])
        for media_id, body in zip(ids, answers, strict=True):
            if isinstance(body, InvalidMetric):
                graph.result.event("retired_metric", f"media:{media_id}")
                continue
            writer.write(
                "media_insights",
                media_id,
                f"/{graph.version}/{media_id}/insights",
                (body or {}).get("data", []),
            )


def _insights_url(media_id: str, metrics: list[str]) -> str:
    return f"{media_id}/insights?{urlencode({'metric': ','.join(metrics)})}"


def comment_urls(media_ids: list[str], page_size: int) -> list[str]:
    """Batch entries for the first comment page of each media."""
    params = {"fields": spec.COMMENT_FIELDS, "limit": page_size}
    return [f"{mid}/comments?{urlencode(params)}" for mid in media_ids]


def comments(
    graph: GraphApi,
    writer: LandingWriter,
    media_ids: list[str],
    page_size: int,
    *,
    bodies: list[Any] | None = None,
) -> None:
    """Top-level comments with their replies nested (``replies.data``); first pages batched
    (``bodies``: their answers if already fetched)."""
    if not media_ids:
        return
    params = {"fields": spec.COMMENT_FIELDS, "limit": page_size}
    if bodies is None:
        bodies = graph.batch(comment_urls(media_ids, page_size))
    for media_id, body in zip(media_ids, bodies, strict=True):
        path = f"{graph.version}/{media_id}/comments"
        seen: set[str] = set()
        # params name the first page again: a refused cursor restarts the listing there
        for items in graph.pages(path, params, first_body=body or {"data": []}):
            fresh = [_all_replies(graph, c) for c in items if c.get("id") and c["id"] not in seen]
            seen.update(c["id"] for c in fresh)
            writer.write("comments", media_id, f"/{path}", fresh)


def _all_replies(graph: GraphApi, comment: dict[str, Any]) -> dict[str, Any]:
    """The comment with every reply in ``replies.data`` (following the replies' own paging)."""
    replies = comment.get("replies")
    if not isinstance(replies, dict) or not (replies.get("paging") or {}).get("next"):
        return comment
    path = f"{graph.version}/{comment['id']}/replies"
    everything = [r for page in graph.pages(path, {}, first_body=replies) for r in page]
    return {**comment, "replies": {"data": everything}}


def _meta_day_before(end_time: datetime) -> date:
    """The Meta day a daily value covers: the Pacific day before its ``end_time``."""
    return end_time.astimezone(META_TZ).date() - timedelta(days=1)


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
