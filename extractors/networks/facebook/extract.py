"""Nightly plan for one Facebook Page.

1. Page snapshot (followers).
2. Daily Page insights over ``[min(last covered day, end) - lookback, end)``, ≤ 90 days per call.
3. Posts created since the high-water mark minus an overlap, and every post younger than the
   refresh window (one listing, newest first).
4. Lifetime insights for those posts, 50 per Graph batch call.
5. Comments of new posts and of posts younger than the comment window (first pages batched).

The token travels in the ``Authorization`` header, so Graph's ``paging.next`` links never carry
it; any ``access_token`` found in a link is stripped before the link is followed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests

from extractors.core.errors import InvalidMetric
from extractors.core.http import (
    HttpClient,
    Outcome,
    RetryPolicy,
    Verdict,
    classify_http,
    parse_retry_after,
)
from extractors.core.job import ExtractJob
from extractors.core.landing import LandingWriter
from extractors.core.paging import follow_next
from extractors.core.redact import Redactor
from extractors.core.runner import Extraction
from extractors.networks.facebook import spec

log = logging.getLogger(__name__)


# -- client ------------------------------------------------------------------------------------
def classify(status: int, headers: Any, body: Any) -> Verdict:
    """Graph errors come as JSON bodies; throttling is a code in the body, not only a status."""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        if 200 <= status < 300 and body is None:
            return Verdict(Outcome.RETRY, f"HTTP {status} with empty body")
        return classify_http(status, headers, body)
    code = err.get("code")
    subcode = err.get("error_subcode")
    message = f"Graph error {code}" + (f"/{subcode}" if subcode else "")
    message += f": {err.get('message', '')}".rstrip(": ")
    if err.get("fbtrace_id"):
        message += f" (fbtrace_id {err['fbtrace_id']})"
    if code in spec.TOKEN_CODES:
        return Verdict(Outcome.TOKEN, message, code)
    if code in spec.THROTTLE_CODES:
        return Verdict(Outcome.RETRY, message, code, _throttle_wait(headers))
    if code in spec.TRANSIENT_CODES or err.get("is_transient"):
        return Verdict(
            Outcome.RETRY, message, code, parse_retry_after(_get(headers, "Retry-After"))
        )
    if code in spec.PERMISSION_CODES:
        return Verdict(Outcome.PERMISSION, message, code)
    if code == 100 and "insights metric" in str(err.get("message", "")):
        return Verdict(Outcome.INVALID_METRIC, message, code)
    generic = classify_http(status, headers, body)
    if generic.outcome is Outcome.RETRY:
        return Verdict(Outcome.RETRY, message, code, generic.wait_seconds)
    return Verdict(Outcome.REJECTED, message, code)


def _get(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    if isinstance(headers, list):  # batch entries: [{"name": ..., "value": ...}]
        for h in headers:
            if str(h.get("name", "")).lower() == name.lower():
                return h.get("value")
        return None
    return headers.get(name)


def _throttle_wait(headers: Any) -> float | None:
    """Seconds until access is regained, from ``Retry-After`` or the BUC usage header."""
    wait = parse_retry_after(_get(headers, "Retry-After"))
    raw = _get(headers, "X-Business-Use-Case-Usage")
    if raw:
        try:
            usage = json.loads(raw)
            minutes = max(
                (e.get("estimated_time_to_regain_access") or 0)
                for entries in usage.values()
                for e in entries
            )
            if minutes:
                wait = max(wait or 0.0, minutes * 60.0)
        except (ValueError, AttributeError, TypeError):
            pass
    return wait


def build_client(
    job: ExtractJob,
    token: str,
    *,
    redactor: Redactor,
    sleep: Callable[[float], None] | None = None,
    session: requests.Session | None = None,
) -> HttpClient:
    policy = RetryPolicy(**job.option("retry", {}))
    kwargs: dict[str, Any] = {}
    if sleep is not None:
        kwargs["sleep"] = sleep
    return HttpClient(
        network="facebook",
        account=job.account_id,
        base_url=job.base_url,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        classify=classify,
        policy=policy,
        redactor=redactor,
        session=session,
        **kwargs,
    )


# -- plan ----------------------------------------------------------------------------------------
def extract(job: ExtractJob, client: HttpClient, writer: LandingWriter, result: Extraction) -> None:
    opts = {**spec.DEFAULTS, **job.options}
    version = opts.get("api_version", spec.API_VERSION)
    graph = _Graph(client, version, result, opts)
    page_id = job.account_id

    snapshot = client.get_json(f"{version}/{page_id}", {"fields": spec.PAGE_FIELDS})
    writer.write("page", page_id, f"/{version}/{page_id}", [snapshot])

    _page_insights(job, graph, writer, result, opts)
    posts = _posts(job, graph, writer, result, opts)

    refresh_from = job.days_before_end(int(opts["post_refresh_days"]))
    comment_from = job.days_before_end(int(opts["comment_days"]))
    previous_hwm = _parse_ts(job.state.get("posts_high_water_mark"))
    is_new = (lambda p: True) if previous_hwm is None else (lambda p: p[1] > previous_hwm)
    metric_posts = [
        pid for pid, created in posts if created >= refresh_from or is_new((pid, created))
    ]
    comment_posts = [
        pid for pid, created in posts if created >= comment_from or is_new((pid, created))
    ]

    post_metrics = list(opts.get("post_metrics") or spec.POST_METRICS)
    graph.post_insights(writer, metric_posts, post_metrics)
    graph.comments(writer, comment_posts)


def _page_insights(
    job: ExtractJob, graph: _Graph, writer: LandingWriter, result: Extraction, opts: dict
) -> None:
    end = job.logical_date  # exclusive: values for Meta days up to end - 1
    covered = _parse_date(job.state.get("page_insights_through"))
    lookback = int(opts["lookback_days"])
    if covered is None:
        start = end - timedelta(days=int(opts["history_days"]))
    else:
        start = min(covered, end) - timedelta(days=lookback)
    metrics = list(opts.get("page_metrics") or spec.PAGE_METRICS)
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
    job: ExtractJob, graph: _Graph, writer: LandingWriter, result: Extraction, opts: dict
) -> list[tuple[str, datetime]]:
    hwm = _parse_ts(job.state.get("posts_high_water_mark"))
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
    for items in graph.pages(path, params):
        fresh = []
        for item in items:
            pid = item.get("id")
            created = _parse_ts(item.get("created_time"))
            if not pid or created is None:
                result.event("skipped_item", f"post without id or created_time at {path}")
                continue
            if created >= until or pid in seen:  # beyond the window, or repeated across pages
                continue
            seen[pid] = created
            fresh.append(item)
        writer.write("posts", job.account_id, f"/{path}", fresh)
    if seen:
        newest = max(seen.values()).astimezone(UTC).isoformat()
        result.state["posts_high_water_mark"] = max(
            newest, job.state.get("posts_high_water_mark", "")
        )
    return list(seen.items())


# -- Graph helpers ---------------------------------------------------------------------------
class _Graph:
    def __init__(self, client: HttpClient, version: str, result: Extraction, opts: dict) -> None:
        self.client = client
        self.version = version
        self.result = result
        self.opts = opts

    def pages(self, path: str, params: dict, first_body: Any = None):
        return follow_next(
            self.client,
            path,
            params,
            next_link=lambda b: (b or {}).get("paging", {}).get("next"),
            items=lambda b: list((b or {}).get("data", [])),
            first_body=first_body,
        )

    def insights_call(
        self, path: str, metrics: list[str], params: dict, *, level: str
    ) -> tuple[Any, list[str]]:
        """One insights call; a refused metric is found, dropped and recorded, not fatal."""
        try:
            return self.client.get_json(path, {**params, "metric": ",".join(metrics)}), metrics
        except InvalidMetric:
            valid = self._valid_metrics(path, metrics, params, level)
            if not valid:
                return None, []
            return self.client.get_json(path, {**params, "metric": ",".join(valid)}), valid

    def _valid_metrics(
        self, path: str, metrics: Sequence[str], params: dict, level: str
    ) -> list[str]:
        valid = []
        for metric in metrics:
            try:
                self.client.get_json(path, {**params, "metric": metric})
                valid.append(metric)
            except InvalidMetric:
                log.warning("facebook: %s metric %s refused by the API; dropped", level, metric)
                self.result.event("retired_metric", f"{level}:{metric}")
        return valid

    def batch(self, relative_urls: list[str]) -> list[Any]:
        """GET many relative URLs through the Graph batch endpoint (≤ 50 per call). Entries that
        failed transiently are retried with the client's backoff; other errors raise."""
        results: list[Any] = [None] * len(relative_urls)
        pending = list(range(len(relative_urls)))
        attempt = 0
        last: Verdict | None = None
        size = int(self.opts["batch_size"])
        while pending:
            if attempt:
                if attempt >= self.client.policy.max_attempts:
                    raise self.client.error(
                        Verdict(Outcome.REJECTED, f"batch entries kept failing: {last.message}"),
                        f"/{self.version}/",
                        200,
                    )
                delay = self.client.policy.backoff(
                    attempt - 1, self.client.rng, last.wait_seconds if last else None
                )
                self.client.stats.retries += 1
                self.client.sleep(delay)
            retry: list[int] = []
            for i in range(0, len(pending), size):
                chunk = pending[i : i + size]
                batch = [{"method": "GET", "relative_url": relative_urls[j]} for j in chunk]
                answers = self.client.post_form_json(
                    f"{self.version}/",
                    {"batch": json.dumps(batch), "include_headers": "false"},
                )
                for j, answer in zip(chunk, answers or [], strict=False):
                    if answer is None:
                        last = Verdict(Outcome.RETRY, "batch entry timed out")
                        retry.append(j)
                        continue
                    body = _loads(answer.get("body"))
                    verdict = classify(int(answer.get("code", 0)), answer.get("headers"), body)
                    if verdict.outcome is Outcome.OK:
                        results[j] = body
                    elif verdict.outcome is Outcome.RETRY:
                        last = verdict
                        retry.append(j)
                    elif verdict.outcome is Outcome.INVALID_METRIC:
                        results[j] = InvalidMetric(verdict.message)
                    else:
                        endpoint = "/" + relative_urls[j].split("?", 1)[0]
                        raise self.client.error(verdict, endpoint, int(answer.get("code", 0)))
                if answers is None or len(answers) < len(chunk):
                    retry.extend(chunk[len(answers or []) :])
            pending = retry
            attempt += 1
        return results

    def post_insights(self, writer: LandingWriter, post_ids: list[str], metrics: list[str]) -> None:
        if not post_ids or not metrics:
            return
        urls = [f"{pid}/insights?{urlencode({'metric': ','.join(metrics)})}" for pid in post_ids]
        bodies = self.batch(urls)
        if any(isinstance(b, InvalidMetric) for b in bodies):
            probe = f"{self.version}/{post_ids[0]}/insights"
            metrics = self._valid_metrics(probe, metrics, {}, "post")
            if not metrics:
                return
            urls = [
                f"{pid}/insights?{urlencode({'metric': ','.join(metrics)})}" for pid in post_ids
            ]
            bodies = self.batch(urls)
        for pid, body in zip(post_ids, bodies, strict=True):
            if isinstance(body, InvalidMetric):
                self.result.event("retired_metric", f"post:{pid}")
                continue
            writer.write(
                "post_insights",
                pid,
                f"/{self.version}/{pid}/insights",
                (body or {}).get("data", []),
            )

    def comments(self, writer: LandingWriter, post_ids: list[str]) -> None:
        if not post_ids:
            return
        query = urlencode(
            {
                "fields": spec.COMMENT_FIELDS,
                "filter": "stream",
                "order": "chronological",
                "limit": int(self.opts["page_size"]),
            }
        )
        bodies = self.batch([f"{pid}/comments?{query}" for pid in post_ids])
        for pid, body in zip(post_ids, bodies, strict=True):
            path = f"{self.version}/{pid}/comments"
            seen: set[str] = set()
            for items in self.pages(path, {}, first_body=body or {"data": []}):
                fresh = [c for c in items if c.get("id") and c["id"] not in seen]
                seen.update(c["id"] for c in fresh)
                writer.write("comments", pid, f"/{path}", fresh)


def _loads(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return None


def _parse_ts(value: str | None) -> datetime | None:
    if not value:
        return None
    v = value.replace("Z", "+00:00")
    if len(v) >= 5 and v[-5] in "+-" and v[-3] != ":":  # Graph's +0000
        v = v[:-2] + ":" + v[-2:]
    try:
        ts = datetime.fromisoformat(v)
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
