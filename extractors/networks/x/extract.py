"""Nightly plan for one X account. X bills every object it returns, so each object is read at
most once per run:

1. ``user``: ``GET /2/users/:id`` (followers snapshot), one call.
2. ``posts``: ONE reverse-chronological listing of ``GET /2/users/:id/tweets`` that returns the
   posts WITH their metrics: on the first run back to ``history_days``; later over the refresh
   window (``start_time`` = window end - ``post_refresh_days``), or, when the last seen post is
   older than that, everything after it (``since_id``). Posts older than the refresh window are
   not read again. With ``metrics_access: owned`` the listing is split at 29 days: the young
   part asks for ``non_public_metrics``/``organic_metrics`` (X has them only for posts of the
   last 30 days and drops older posts from a page that asks for them), the older part does not.
   ``end_time`` is the end of the run's window, paging follows ``meta.next_token``.
3. ``replies`` (the comments): ``GET /2/tweets/search/recent?query=conversation_id:<id>`` for
   the listed posts younger than ``reply_days`` (recent search covers only 7 days), after the
   newest reply already landed (``since_id``) and before the window end.
4. A ``cost`` event with the calls and reads of the run and their price in USD.

The token travels in the ``Authorization`` header; X's paging tokens are opaque and never stored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from extractors.core.errors import ExtractError, RequestRejected
from extractors.core.http import RetryPolicy, bearer_client
from extractors.core.job import ExtractJob
from extractors.core.landing import LandingWriter
from extractors.core.metrics import requested_metrics
from extractors.core.redact import Redactor
from extractors.core.runner import Extraction
from extractors.networks.x import spec
from extractors.networks.x.api import (
    Reads,
    ServerClock,
    XClient,
    make_classifier,
    pages,
    problem_text,
)

log = logging.getLogger(__name__)

ID_WIDTH = 20  # since_id state values are zero-padded so that text order = numeric order


def utcnow() -> datetime:
    """The client's notion of now; X's 30-day and 7-day windows and rate-limit resets are
    measured against it (tests point it at the sandbox clock)."""
    return datetime.now(UTC)


def build_client(
    job: ExtractJob,
    token: str,
    *,
    redactor: Redactor,
    sleep: Callable[[float], None] | None = None,
    session: requests.Session | None = None,
) -> XClient:
    policy = RetryPolicy(**job.option("retry", {}))
    clock = ServerClock(lambda: utcnow())  # a lambda: tests replace utcnow

    return bearer_client(
        job,
        token,
        classify=make_classifier(clock.timestamp, policy.max_total_wait),
        redactor=redactor,
        sleep=sleep,
        session=session,
        policy=policy,
        client_class=XClient,
        clock=clock,
    )


# -- options ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    version: str
    owned: bool  # user-context token of the account: private metrics, owned-read prices
    owned_reads: bool
    history_days: int
    refresh_days: int
    reply_days: int
    page_size: int
    exclude: str
    prices: dict[str, float]


def plan_options(job: ExtractJob) -> Plan:
    opts = {**spec.DEFAULTS, **job.options}
    access = str(opts["metrics_access"]).strip().lower()
    where = f"{job.label()}: config networks.x"
    if access not in spec.METRICS_ACCESS:
        raise ExtractError(
            f"{where}.metrics_access is '{opts['metrics_access']}'; use 'public' (any token, "
            "public metrics) or 'owned' (user-context token of the account, private metrics).",
            network="x",
        )
    exclude = opts["exclude"] or []
    if isinstance(exclude, str):
        exclude = [e for e in exclude.split(",") if e.strip()]
    exclude = sorted({str(e).strip() for e in exclude})
    if set(exclude) - spec.EXCLUDABLE:
        raise ExtractError(
            f"{where}.exclude lists {exclude}; allowed: retweets, replies.", network="x"
        )
    page_size = int(opts["page_size"])
    if not 5 <= page_size <= spec.MAX_PAGE_SIZE:
        raise ExtractError(f"{where}.page_size must be between 5 and 100.", network="x")
    prices = {**spec.PRICES_USD, **(opts.get("prices") or {})}
    owned = access == "owned"
    owned_reads = opts.get("owned_reads")
    return Plan(
        version=str(opts["api_version"]),
        owned=owned,
        owned_reads=owned if owned_reads is None else bool(owned_reads),
        history_days=int(opts["history_days"]),
        refresh_days=int(opts["post_refresh_days"]),
        reply_days=min(int(opts["reply_days"]), spec.SEARCH_DAYS),
        page_size=page_size,
        exclude=",".join(exclude),
        prices={k: float(v) for k, v in prices.items()},
    )


def metric_groups(level: str, job: ExtractJob) -> list[str]:
    """The field groups holding the registry's active metrics (``public_metrics`` ...)."""
    groups: list[str] = []
    for metric in requested_metrics("x", level, job.logical_date):
        group = metric.split(".", 1)[0]
        if group not in groups:
            groups.append(group)
    return groups


# -- plan ------------------------------------------------------------------------------------
def extract(job: ExtractJob, client: XClient, writer: LandingWriter, result: Extraction) -> None:
    plan = plan_options(job)
    reads = Reads()
    _user(job, client, writer, result, plan, reads)
    now = client.server_clock.now()  # after the first answer: X's clock, not the worker's
    posts = _posts(job, client, writer, result, plan, reads, now)
    _replies(job, client, writer, result, plan, reads, now, posts)
    _report_cost(client, result, plan, reads)


def _user(
    job: ExtractJob,
    client: XClient,
    writer: LandingWriter,
    result: Extraction,
    plan: Plan,
    reads: Reads,
) -> None:
    path = f"{plan.version}/users/{job.account_id}"
    fields = ",".join([spec.USER_FIELDS, *metric_groups("account_daily", job)])
    body = client.get_json(path, {"user.fields": fields})
    user = (body or {}).get("data")
    if not isinstance(user, dict):
        raise RequestRejected(
            f"x account {job.account_id}: /{path}: no such user "
            f"({problem_text(body) or 'empty answer'}). Check account_id in the config: it is "
            "the numeric user id, not the @username.",
            network="x",
            endpoint=f"/{path}",
        )
    reads.users += 1
    _note_partial_errors(body, result, f"/{path}")
    writer.write("user", job.account_id, f"/{path}", [user])


@dataclass(frozen=True)
class Segment:
    """One part of the timeline listing: a lower bound (start_time or since_id), an end, and
    whether the private metric groups are asked for."""

    start: datetime | None
    since_id: int | None
    end: datetime  # exclusive
    private: bool


def listing_segments(job: ExtractJob, plan: Plan, now: datetime) -> list[Segment]:
    end = job.window_end.astimezone(UTC)
    hwm = _parse_ts(job.state.get("posts_high_water_mark"))
    since_id = _parse_id(job.state.get("posts_since_id"))
    refresh_from = job.days_before_end(plan.refresh_days).astimezone(UTC)
    if hwm is None or since_id is None:
        lower_time, lower_id = job.days_before_end(plan.history_days).astimezone(UTC), None
    elif plan.refresh_days > 0 and hwm >= refresh_from:
        lower_time, lower_id = refresh_from, None  # the refresh window covers the new posts
    else:
        lower_time, lower_id = hwm, since_id  # everything after the newest post landed
    private_from = now - timedelta(days=spec.PRIVATE_METRICS_DAYS, hours=-spec.PRIVATE_MARGIN_HOURS)
    if not plan.owned or private_from >= end:
        return [Segment(_start(lower_time, lower_id), lower_id, end, False)]
    if lower_time >= private_from:
        return [Segment(_start(lower_time, lower_id), lower_id, end, True)]
    return [
        Segment(private_from, None, end, True),
        Segment(_start(lower_time, lower_id), lower_id, private_from, False),
    ]


def _start(lower_time: datetime, lower_id: int | None) -> datetime | None:
    return None if lower_id is not None else lower_time


def _posts(
    job: ExtractJob,
    client: XClient,
    writer: LandingWriter,
    result: Extraction,
    plan: Plan,
    reads: Reads,
    now: datetime,
) -> list[tuple[str, datetime]]:
    path = f"{plan.version}/users/{job.account_id}/tweets"
    groups = metric_groups("post", job)
    seen: dict[str, datetime] = {}
    newest_id = 0
    for segment in listing_segments(job, plan, now):
        if segment.start is not None and segment.start >= segment.end:
            continue
        wanted = [g for g in groups if segment.private or g not in spec.PRIVATE_GROUPS]
        params: dict[str, Any] = {
            "tweet.fields": ",".join([spec.POST_FIELDS, *wanted]),
            "max_results": plan.page_size,
            "end_time": _x_time(segment.end - timedelta(seconds=1)),  # inclusive, seconds
        }
        if segment.start is not None:
            params["start_time"] = _x_time(segment.start)
        if segment.since_id is not None:
            params["since_id"] = str(segment.since_id)
        if plan.exclude:
            params["exclude"] = plan.exclude
        for body in pages(client, path, params, next_param="pagination_token"):
            items = list((body or {}).get("data") or [])
            reads.posts += len(items)
            _note_partial_errors(body, result, f"/{path}")
            fresh = []
            for item in items:
                pid, created = item.get("id"), _parse_ts(item.get("created_at"))
                if not pid or created is None:
                    result.event("skipped_item", f"post without id or created_at at /{path}")
                    continue
                if created >= segment.end or pid in seen:
                    continue
                seen[pid] = created
                newest_id = max(newest_id, int(pid))
                fresh.append(item)
            writer.write("posts", job.account_id, f"/{path}", fresh)
    if seen:
        newest = max(seen.values()).isoformat()
        result.state["posts_high_water_mark"] = max(
            newest, job.state.get("posts_high_water_mark", "")
        )
        result.state["posts_since_id"] = max(
            f"{newest_id:0{ID_WIDTH}d}", job.state.get("posts_since_id", "")
        )
    return list(seen.items())


def _replies(
    job: ExtractJob,
    client: XClient,
    writer: LandingWriter,
    result: Extraction,
    plan: Plan,
    reads: Reads,
    now: datetime,
    posts: list[tuple[str, datetime]],
) -> None:
    search_from = now - timedelta(days=spec.SEARCH_DAYS)
    reply_from = max(search_from, now - timedelta(days=plan.reply_days))
    end = min(job.window_end.astimezone(UTC), now - timedelta(seconds=spec.SEARCH_END_LAG_SECONDS))
    conversations = [pid for pid, created in posts if created >= reply_from and created < end]
    if not conversations or end <= search_from:
        return
    hwm = _parse_ts(job.state.get("replies_high_water_mark"))
    since_id = _parse_id(job.state.get("replies_since_id"))
    usable = hwm is not None and hwm >= search_from + timedelta(hours=spec.SINCE_ID_MARGIN_HOURS)
    path = f"{plan.version}/tweets/search/recent"
    newest: tuple[int, str] | None = None
    for pid in conversations:
        params: dict[str, Any] = {
            "query": f"conversation_id:{pid}",
            "tweet.fields": spec.REPLY_FIELDS,
            "max_results": spec.MAX_PAGE_SIZE,
            "end_time": _x_time(end),
        }
        if usable and since_id is not None:
            params["since_id"] = str(since_id)
        seen: set[str] = set()
        for body in pages(client, path, params, next_param="next_token"):
            items = list((body or {}).get("data") or [])
            reads.replies += len(items)
            _note_partial_errors(body, result, f"/{path}")
            fresh = [r for r in items if r.get("id") and r["id"] not in seen]
            seen.update(r["id"] for r in fresh)
            for reply in fresh:
                created = _parse_ts(reply.get("created_at"))
                if created is not None and (newest is None or int(reply["id"]) > newest[0]):
                    newest = (int(reply["id"]), created.isoformat())
            writer.write("replies", pid, f"/{path}", fresh)
    if newest is not None:
        result.state["replies_since_id"] = max(
            f"{newest[0]:0{ID_WIDTH}d}", job.state.get("replies_since_id", "")
        )
        result.state["replies_high_water_mark"] = max(
            newest[1], job.state.get("replies_high_water_mark", "")
        )


def _report_cost(client: XClient, result: Extraction, plan: Plan, reads: Reads) -> None:
    usd = reads.cost_usd(plan.prices, owned=plan.owned_reads)
    detail = {
        "calls": client.stats.calls,
        "reads": {"users": reads.users, "posts": reads.posts, "replies": reads.replies},
        "usd": usd,
        "prices_usd": plan.prices,
        "owned_reads": plan.owned_reads,
        "prices_as_of": spec.PRICES_AS_OF,
    }
    log.info(
        "x account %s: %d calls, %d user / %d post / %d reply reads, estimated $%.4f",
        client.account,
        client.stats.calls,
        reads.users,
        reads.posts,
        reads.replies,
        usd,
    )
    result.event("cost", json.dumps(detail, sort_keys=True, separators=(",", ":")))


def _note_partial_errors(body: Any, result: Extraction, endpoint: str) -> None:
    """A 200 may carry ``errors[]`` next to ``data`` (e.g. one post no longer visible)."""
    for err in (body or {}).get("errors") or []:
        if isinstance(err, dict):
            title = err.get("title") or "error"
            detail = err.get("detail") or err.get("message") or ""
            result.event("partial_error", f"{endpoint}: {title}: {detail}".rstrip(": "))


# -- helpers ---------------------------------------------------------------------------------
def _x_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_ts(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _parse_id(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None
