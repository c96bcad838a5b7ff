"""Nightly plan for one Facebook Page.

1. Page snapshot (followers).
2. Daily Page insights over ``[min(last covered day, end) - lookback, end)``, ≤ 90 days per call.
3. Posts created since the high-water mark minus an overlap, and every post younger than the
   refresh window (one listing, newest first).
4. Lifetime insights for those posts and
5. comments of new posts and of posts younger than the comment window whose listing counted any
   (``comments.summary``): both in the same Graph batch calls, 50 reads per call.

The token travels in the ``Authorization`` header, so Graph's ``paging.next`` links never carry
it; any ``access_token`` found in a link is stripped before the link is followed.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from extractors.core.errors import InvalidMetric
from extractors.core.graph import GraphApi, build_client, parse_ts
from extractors.core.http import HttpClient
from extractors.core.job import ExtractJob
from extractors.core.landing import LandingWriter
from extractors.core.metrics import requested_metrics
from extractors.core.runner import Extraction
from extractors.networks.facebook import spec

log = logging.getLogger(__name__)


__all__ = ["build_client", "extract"]  # build_client: the shared Graph client


# -- plan ----------------------------------------------------------------------------------------
def extract(job: ExtractJob, client: HttpClient, writer: LandingWriter, result: Extraction) -> None:
    opts = {**spec.DEFAULTS, **job.options}
    version = opts.get("api_version", spec.API_VERSION)
    graph = GraphApi(client, version, result, batch_size=int(opts["batch_size"]))
    page_id = job.account_id

    snapshot = client.get_json(f"{version}/{page_id}", {"fields": spec.PAGE_FIELDS})
    writer.write("page", page_id, f"/{version}/{page_id}", [snapshot])

    _page_insights(job, graph, writer, result, opts)
    posts = _posts(job, graph, writer, result, opts)

    refresh_from = job.days_before_end(int(opts["post_refresh_days"]))
    comment_from = job.days_before_end(int(opts["comment_days"]))
    previous_hwm = parse_ts(job.state.get("posts_high_water_mark"))
    is_new = (lambda c: True) if previous_hwm is None else (lambda c: c > previous_hwm)
    metric_posts = [pid for pid, created, _ in posts if created >= refresh_from or is_new(created)]
    comment_posts = [
        pid
        for pid, created, count in posts
        if (created >= comment_from or is_new(created)) and count != 0
    ]

    post_metrics = list(
        opts.get("post_metrics") or requested_metrics("facebook", "post", job.logical_date)
    )
    page_size = int(opts["page_size"])
    # one batch run for both: a quiet night needs a single batch call instead of two
    insight_bodies, comment_bodies = graph.batch_groups(
        [
            insight_urls(metric_posts, post_metrics),
            comment_urls(comment_posts, page_size),
        ]
    )
    post_insights(graph, writer, metric_posts, post_metrics, bodies=insight_bodies)
    comments(graph, writer, comment_posts, page_size, bodies=comment_bodies)


def _page_insights(
    job: ExtractJob, graph: GraphApi, writer: LandingWriter, result: Extraction, opts: dict
) -> None:
    end = job.logical_date  # exclusive: values for Meta days up to end - 1
    covered = _parse_date(job.state.get("page_insights_through"))
    lookback = int(opts["lookback_days"])
    if covered is None:
        start = end - timedelta(days=int(opts["history_days"]))
    else:
        start = min(covered, end) - timedelta(days=lookback)
    metrics = list(opts.get("page_metrics") or requested_metrics("facebook", "account_daily", end))
    chunk_start = start
    while chunk_start < end and metrics:
        chunk_end = min(end, chunk_start + timedelta(days=spec.MAX_INSIGHTS_DAYS))
        path = f"{graph.version}/{job.account_id}/insights"
        body, metrics = graph.insights_call(
            path,
            metrics,
            {"period": "day", "since": chunk_start.isoformat(), "until": chunk_end.isoformat()},
            level="page",
        )
        if body is not None:
            writer.write("page_insights", job.account_id, f"/{path}", body.get("data", []))
        chunk_start = chunk_end
    if metrics:
        last = end - timedelta(days=1)
        result.state["page_insights_through"] = max(
            last.isoformat(), job.state.get("page_insights_through", "")
        )


def _posts(
    job: ExtractJob, graph: GraphApi, writer: LandingWriter, result: Extraction, opts: dict
) -> list[tuple[str, datetime, int | None]]:
    """Posts in the window as ``(id, created_time, top-level comment count or None)``."""
    hwm = parse_ts(job.state.get("posts_high_water_mark"))
    refresh_from = job.days_before_end(int(opts["post_refresh_days"]))
    if hwm is None:
        since = job.days_before_end(int(opts["history_days"]))
    else:
        since = min(hwm - timedelta(days=int(opts["post_overlap_days"])), refresh_from)
    until = job.window_end
    path = f"{graph.version}/{job.account_id}/posts"
    params = {
        "fields": spec.POST_FIELDS,
        "since": int(since.timestamp()),
        "until": int(until.timestamp()),
        "limit": int(opts["page_size"]),
    }
    seen: dict[str, datetime] = {}
    counts: dict[str, int | None] = {}
    for items in graph.pages(path, params):
        fresh = []
        for item in items:
            pid = item.get("id")
            created = parse_ts(item.get("created_time"))
            if not pid or created is None:
                result.event("skipped_item", f"post without id or created_time at {path}")
                continue
            if created >= until or pid in seen:  # beyond the window, or repeated across pages
                continue
            seen[pid] = created
            total = ((item.get("comments") or {}).get("summary") or {}).get("total_count")
            counts[pid] = total if isinstance(total, int) else None
            fresh.append(item)
        writer.write("posts", job.account_id, f"/{path}", fresh)
    if seen:
        newest = max(seen.values()).astimezone(UTC).isoformat()
        result.state["posts_high_water_mark"] = max(
            newest, job.state.get("posts_high_water_mark", "")
        )
    return [(pid, created, counts[pid]) for pid, created in seen.items()]


def insight_urls(post_ids: list[str], metrics: list[str]) -> list[str]:
    """Batch entries for the lifetime insights of ``post_ids`` (none without metrics)."""
    if not metrics:
        return []
    return [f"{pid}/insights?{urlencode({'metric': ','.join(metrics)})}" for pid in post_ids]


def comment_urls(post_ids: list[str], page_size: int) -> list[str]:
    """Batch entries for the first comment page of each post."""
    return [f"{pid}/comments?{urlencode(_comment_params(page_size))}" for pid in post_ids]


def _comment_params(page_size: int) -> dict:
    return {
        "fields": spec.COMMENT_FIELDS,
        "filter": "stream",
        "order": "chronological",
        "limit": page_size,
    }


def post_insights(
    graph: GraphApi,
    writer: LandingWriter,
    post_ids: list[str],
    metrics: list[str],
    *,
    bodies: list | None = None,
) -> None:
    """Land lifetime post insights; ``bodies``: the batch answers if already fetched."""
    if not post_ids or not metrics:
        return
    if bodies is None:
        bodies = graph.batch(insight_urls(post_ids, metrics))
    if any(isinstance(b, InvalidMetric) for b in bodies):
        probe = f"{graph.version}/{post_ids[0]}/insights"
        metrics = graph.valid_metrics(probe, metrics, {}, "post")
        if not metrics:
            return
        bodies = graph.batch(insight_urls(post_ids, metrics))
    for pid, body in zip(post_ids, bodies, strict=True):
        if isinstance(body, InvalidMetric):
            graph.result.event("retired_metric", f"post:{pid}")
            continue
        writer.write(
            "post_insights",
            pid,
            f"/{graph.version}/{pid}/insights",
            (body or {}).get("data", []),
        )


def comments(
    graph: GraphApi,
    writer: LandingWriter,
    post_ids: list[str],
    page_size: int,
    *,
    bodies: list | None = None,
) -> None:
    """Land comments (first pages batched, further pages followed); ``bodies``: the batch
    answers of the first pages if already fetched."""
    if not post_ids:
        return
    params = _comment_params(page_size)
    if bodies is None:
        bodies = graph.batch(comment_urls(post_ids, page_size))
    for pid, body in zip(post_ids, bodies, strict=True):
        path = f"{graph.version}/{pid}/comments"
        seen: set[str] = set()
        # params name the first page again: a refused cursor restarts the listing there
        for items in graph.pages(path, params, first_body=body or {"data": []}):
            fresh = [c for c in items if c.get("id") and c["id"] not in seen]
            seen.update(c["id"] for c in fresh)
            writer.write("comments", pid, f"/{path}", fresh)


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
