"""Nightly plan for one LinkedIn organization (company page).

1. Organization lookup and follower total (``networkSizes``): the daily snapshot.
2. Follower gains, time-bound DAY, over ``[last covered day - lookback, logical date - 2 days)``
   (LinkedIn refuses windows that end later than two days ago or start more than 12 months back).
3. Page share statistics, time-bound DAY, over the same kind of window.
4. Posts by the organization (``q=author``, ``sortBy=CREATED``, newest first, ``start``/``count``
   paging) back to the high-water mark minus an overlap or the refresh window.
5. Lifetime statistics of new posts and posts younger than the refresh window
   (``shares=List(...)`` and ``ugcPosts=List(...)`` in one call, up to ``stats_batch_size`` URNs).
6. Comments (and replies) of new posts and posts younger than the comment window, skipping the
   posts whose lifetime statistics just said ``commentCount: 0`` (LinkedIn has no batch read for
   comments: each post costs a call, so an empty answer known in advance is not asked for).

LinkedIn days are UTC days and time ranges are epoch milliseconds. Rest.li 2.0 values
(``List(...)``, ``(timeRange:(...))``) must reach the server unencoded while URNs inside them are
URL-encoded, so query strings are built here rather than by ``requests``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

import requests

from extractors.core.errors import ExtractError, RequestRejected, RetriesExhausted, TokenError
from extractors.core.http import (
    HttpClient,
    Outcome,
    Verdict,
    bearer_client,
    classify_http,
)
from extractors.core.job import ExtractJob
from extractors.core.landing import LandingWriter
from extractors.core.metrics import requested_metrics
from extractors.core.offset_paging import offset_pages
from extractors.core.redact import Redactor
from extractors.core.runner import Extraction
from extractors.networks.linkedin import spec

log = logging.getLogger(__name__)

SHARE_STATISTICS = "/rest/organizationalEntityShareStatistics"
FOLLOWER_STATISTICS = "/rest/organizationalEntityFollowerStatistics"


class ApiVersionSunset(RequestRejected):
    """LinkedIn no longer serves the pinned ``LinkedIn-Version`` (HTTP 426): raise it."""


# -- HTTP ---------------------------------------------------------------------------------------
# a refused paging position ("Exceeds the pagination limit", a bad start/count)
_PAGING = re.compile(r"paginat|paging|\bstart\b", re.IGNORECASE)


def classify(status: int, headers: Any, body: Any) -> Verdict:
    """LinkedIn errors: ``{"status", "serviceErrorCode"?, "code", "message"}``; throttling is a
    bare HTTP 429 (no ``Retry-After``, no usage headers)."""
    if 200 <= status < 300:
        if body is None:
            return Verdict(Outcome.RETRY, f"HTTP {status} with empty body")
        return Verdict(Outcome.OK)
    detail = f"HTTP {status}"
    if isinstance(body, dict) and (body.get("code") or body.get("message")):
        detail += f" {body.get('code') or ''}: {body.get('message') or ''}".rstrip(": ")
    if status == 429:
        return Verdict(Outcome.RETRY, f"{detail} (rate limited)", 429)
    if status == 426:
        return Verdict(Outcome.REJECTED, detail, 426)
    if status == 400 and isinstance(body, dict) and _PAGING.search(str(body.get("message"))):
        return Verdict(Outcome.INVALID_CURSOR, detail, 400)
    generic = classify_http(status, headers, body)
    return Verdict(generic.outcome, detail, status, generic.wait_seconds)


class LinkedInClient(HttpClient):
    """The shared engine with LinkedIn's messages for a sunset version, a rejected token and
    an exhausted daily quota."""

    api_version: str = spec.API_VERSION

    def request(self, method: str, url_or_path: str, **kwargs: Any) -> Any:
        try:
            return super().request(method, url_or_path, **kwargs)
        except RetriesExhausted as exc:
            if exc.code != 429:
                raise
            raise RetriesExhausted(
                f"{self.network} account {self.account}: {method} {exc.endpoint} was still "
                f"rate-limited (HTTP 429) after {self.policy.max_attempts} attempts with "
                "backoff. LinkedIn's daily quota (per application and per member) resets at "
                "00:00 UTC: rerun after midnight UTC, or lower post_refresh_days/comment_days "
                "to need fewer calls.",
                network=self.network,
                endpoint=exc.endpoint,
                status=429,
                code=429,
            ) from None

    def error(self, verdict: Verdict, endpoint: str, status: int) -> ExtractError:
        where = f"{self.network} account {self.account}: {endpoint}"
        kwargs = {"network": self.network, "endpoint": endpoint, "status": status}
        if status == 426:
            return ApiVersionSunset(
                f"{where}: LinkedIn API version {self.api_version} is sunset: raise "
                "networks.linkedin.api_version in the config to a current version "
                f"(LinkedIn answered {self.redact(verdict.message)}; each monthly version is "
                "served for about one year).",
                code=426,
                **kwargs,
            )
        if verdict.outcome is Outcome.TOKEN:
            return TokenError(
                f"{where}: the access token was rejected ({self.redact(verdict.message)}). "
                "LinkedIn access tokens expire after 60 days: exchange the refresh token for a "
                "new one (refresh tokens last 365 days from the first authorization) or "
                "re-authorize: have a page administrator authorize the app again; then update "
                "the secret it is read from and rerun (it resumes from the last committed "
                "state); retrying cannot help.",
                code=verdict.code,
                **kwargs,
            )
        return super().error(verdict, endpoint, status)


def build_client(
    job: ExtractJob,
    token: str,
    *,
    redactor: Redactor,
    sleep: Callable[[float], None] | None = None,
    session: requests.Session | None = None,
) -> HttpClient:
    version = str(job.option("api_version", spec.API_VERSION) or "")
    client = bearer_client(
        job,
        token,
        classify=classify,
        redactor=redactor,
        sleep=sleep,
        session=session,
        headers={"LinkedIn-Version": version, "X-Restli-Protocol-Version": spec.PROTOCOL_VERSION},
        client_class=LinkedInClient,
    )
    client.api_version = version
    return client


# -- Rest.li 2.0 query values -------------------------------------------------------------------
def enc(urn: str) -> str:
    """A URN as a Rest.li 2.0 key or list item: fully URL-encoded."""
    return quote(urn, safe="")


def restli_list(urns: Iterable[str]) -> str:
    return "List(" + ",".join(enc(u) for u in urns) + ")"


def day_ms(day: date) -> int:
    return int(datetime.combine(day, time(0), tzinfo=UTC).timestamp() * 1000)


def time_intervals(start: date, end: date) -> str:
    """DAY intervals over the UTC days ``[start, end)`` in Rest.li 2.0 record syntax."""
    return f"(timeRange:(start:{day_ms(start)},end:{day_ms(end)}),timeGranularityType:DAY)"


def from_ms(value: Any) -> datetime | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC)


# -- plan -----------------------------------------------------------------------------------------
def extract(job: ExtractJob, client: HttpClient, writer: LandingWriter, result: Extraction) -> None:
    opts = {**spec.DEFAULTS, "api_version": spec.API_VERSION, **job.options}
    version = str(opts["api_version"] or "")
    if not spec.VERSION_FORMAT.match(version):
        raise RequestRejected(
            f"{job.label()}: networks.linkedin.api_version is {version!r}, but LinkedIn needs a "
            "LinkedIn-Version header of the form YYYYMM (e.g. "
            f"{spec.API_VERSION}); set a current version in the config.",
            network=spec.SLUG,
        )
    org_id = job.account_id
    org_urn = spec.ORG_URN.format(id=org_id)

    organization = client.get_json(f"/rest/organizations/{org_id}")
    size_path = f"/rest/networkSizes/{enc(org_urn)}"
    size = client.get_json(f"{size_path}?edgeType={spec.FOLLOWER_EDGE}")
    writer.write("organization", org_id, f"/rest/organizations/{org_id}", [organization])
    writer.write("organization", org_id, size_path, [size])

    _time_bound(job, client, writer, result, opts, "follower_statistics", FOLLOWER_STATISTICS)
    _time_bound(job, client, writer, result, opts, "share_statistics", SHARE_STATISTICS)

    posts = _posts(job, client, writer, result, opts)
    previous_hwm = _parse_ts(job.state.get("posts_high_water_mark"))

    def wanted(days: int) -> list[str]:
        since = job.days_before_end(days)
        return [
            urn
            for urn, created in posts
            if created >= since or previous_hwm is None or created > previous_hwm
        ]

    counts = _post_statistics(
        job, client, writer, result, opts, wanted(int(opts["post_refresh_days"]))
    )
    commented = [u for u in wanted(int(opts["comment_days"])) if counts.get(u) != 0]
    _comments(client, writer, commented, _page_size(opts))


def _page_size(opts: dict) -> int:
    return max(1, min(int(opts["page_size"]), spec.MAX_PAGE_SIZE))


def _stat_window(job: ExtractJob, state_key: str, opts: dict) -> tuple[date, date] | None:
    """UTC days ``[start, end)`` to (re)read: LinkedIn serves the rolling last 12 months and
    refuses windows that end later than two days ago."""
    end = job.logical_date - timedelta(days=spec.END_LAG_DAYS)
    covered = job.state.get(state_key)
    if covered:
        start = min(date.fromisoformat(covered) + timedelta(days=1), end)
        start -= timedelta(days=int(opts["lookback_days"]))
    else:
        start = end - timedelta(days=int(opts["history_days"]))
    start = max(start, job.logical_date - timedelta(days=spec.MAX_HISTORY_DAYS))
    return (start, end) if start < end else None


def _time_bound(
    job: ExtractJob,
    client: HttpClient,
    writer: LandingWriter,
    result: Extraction,
    opts: dict,
    stream: str,
    path: str,
) -> None:
    state_key = f"{stream}_through"
    window = _stat_window(job, state_key, opts)
    if window is None:
        writer.write(stream, job.account_id, path, [])
        return
    org_urn = spec.ORG_URN.format(id=job.account_id)
    start, end = window
    elements: list[dict] = []
    while start < end:
        chunk_end = min(end, start + timedelta(days=spec.MAX_DAYS_PER_CALL))
        query = (
            f"q=organizationalEntity&organizationalEntity={enc(org_urn)}"
            f"&timeIntervals={time_intervals(start, chunk_end)}"
        )
        body = client.get_json(f"{path}?{query}")
        page = list((body or {}).get("elements") or [])
        writer.write(stream, job.account_id, path, page)
        elements.extend(page)
        start = chunk_end
    if stream == "share_statistics":
        fields = [e.get("totalShareStatistics") or {} for e in elements]
        _check_metrics(result, "account_daily", job.logical_date, fields)
    through = (end - timedelta(days=1)).isoformat()
    result.state[state_key] = max(through, job.state.get(state_key, ""))


def _check_metrics(
    result: Extraction, level: str, day: date, statistics: list[dict[str, Any]]
) -> None:
    """LinkedIn has no metric parameter and drops a retired field silently: record every metric
    the registry expects that no returned object carries."""
    if not statistics:
        return
    expected = [
        m for m in requested_metrics(spec.SLUG, level, day) if m in spec.SHARE_STATISTICS_FIELDS
    ]
    for metric in expected:
        if not any(metric in s for s in statistics):
            log.warning("linkedin: %s metric %s missing from the API answer", level, metric)
            result.event("retired_metric", f"{level}:{metric}")


def _posts(
    job: ExtractJob, client: HttpClient, writer: LandingWriter, result: Extraction, opts: dict
) -> list[tuple[str, datetime]]:
    hwm = _parse_ts(job.state.get("posts_high_water_mark"))
    refresh_from = job.days_before_end(int(opts["post_refresh_days"]))
    if hwm is None:
        since = job.days_before_end(int(opts["history_days"]))
    else:
        since = min(hwm - timedelta(days=int(opts["post_overlap_days"])), refresh_from)
    until = job.window_end
    org_urn = spec.ORG_URN.format(id=job.account_id)
    query = f"q=author&author={enc(org_urn)}&sortBy=CREATED"
    seen: dict[str, datetime] = {}
    for page in offset_pages(client, "/rest/posts", query, count=_page_size(opts)):
        fresh, older = [], False
        for item in page:
            urn = item.get("id") if isinstance(item, dict) else None
            created = from_ms(item.get("createdAt")) if isinstance(item, dict) else None
            if not urn or created is None:
                result.event("skipped_item", "post without id or createdAt at /rest/posts")
                continue
            if created < since:
                older = True  # newest first: everything after this is older still
                continue
            if created >= until or urn in seen:
                continue
            seen[urn] = created
            fresh.append(item)
        writer.write("posts", job.account_id, "/rest/posts", fresh)
        if older:
            break
    if seen:
        newest = max(seen.values()).isoformat()
        result.state["posts_high_water_mark"] = max(
            newest, job.state.get("posts_high_water_mark", "")
        )
    return list(seen.items())


def _post_statistics(
    job: ExtractJob,
    client: HttpClient,
    writer: LandingWriter,
    result: Extraction,
    opts: dict,
    urns: list[str],
) -> dict[str, int | None]:
    """Lifetime statistics of ``urns``; returns each post's ``commentCount`` (None if absent)."""
    writer.write("post_statistics", job.account_id, SHARE_STATISTICS, [])
    org_urn = spec.ORG_URN.format(id=job.account_id)
    size = max(1, int(opts["stats_batch_size"]))
    statistics: list[dict[str, Any]] = []
    comment_counts: dict[str, int | None] = {}
    for i in range(0, len(urns), size):
        batch = urns[i : i + size]
        query = f"q=organizationalEntity&organizationalEntity={enc(org_urn)}"
        for kind, param in (("share", "shares"), ("ugcPost", "ugcPosts")):
            of_kind = [u for u in batch if u.split(":")[2:3] == [kind]]
            if of_kind:
                query += f"&{param}={restli_list(of_kind)}"
        body = client.get_json(f"{SHARE_STATISTICS}?{query}")
        for element in (body or {}).get("elements") or []:
            urn = element.get("share") or element.get("ugcPost")
            if not urn:
                result.event("skipped_item", "post statistics without share or ugcPost URN")
                continue
            writer.write("post_statistics", urn, SHARE_STATISTICS, [element])
            totals = element.get("totalShareStatistics") or {}
            statistics.append(totals)
            count = totals.get("commentCount")
            comment_counts[urn] = count if isinstance(count, int) else None
    _check_metrics(result, "post", job.logical_date, statistics)
    return comment_counts


def _comments(
    client: HttpClient, writer: LandingWriter, post_urns: list[str], page_size: int
) -> None:
    if not post_urns:
        writer.write("comments", "", "/rest/socialActions", [])
    for post_urn in post_urns:
        seen: set[str] = set()
        targets = [post_urn]
        while targets:
            target = targets.pop(0)
            path = f"/rest/socialActions/{enc(target)}/comments"
            for page in offset_pages(client, path, "", count=page_size):
                fresh = []
                for comment in page:
                    urn = comment.get("commentUrn") if isinstance(comment, dict) else None
                    if not urn or urn in seen:
                        continue
                    seen.add(urn)
                    fresh.append(comment)
                    replies = (comment.get("commentsSummary") or {}).get("aggregatedTotalComments")
                    if isinstance(replies, int) and replies > 0 and target == post_urn:
                        targets.append(urn)
                writer.write("comments", post_urn, path, fresh)


def _parse_ts(value: str | None) -> datetime | None:
    if not value:
        return None
    ts = datetime.fromisoformat(value)
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)
