"""The Meta Graph API dialect shared by Facebook Pages and Instagram: error classification
(throttling arrives as codes in the JSON body), cursor paging, insights calls that survive a
retired metric, and the batch endpoint."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from extractors.core.errors import InvalidMetric
from extractors.core.http import (
    HttpClient,
    Outcome,
    Verdict,
    bearer_client,
    classify_http,
    parse_retry_after,
)
from extractors.core.paging import follow_next

log = logging.getLogger(__name__)

TOKEN_CODES = frozenset({190, 102})
THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, 80001, 80002})
TRANSIENT_CODES = frozenset({1, 2})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
CURSOR_CODES = frozenset({2642})  # "Invalid cursors values"; code 100 says "cursor" in words
BATCH_LIMIT = 50


class Events(Protocol):
    """Where refused metrics are recorded (the extraction result)."""

    def event(self, kind: str, detail: str) -> None: ...


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
    if code in TOKEN_CODES:
        return Verdict(Outcome.TOKEN, message, code)
    if code in THROTTLE_CODES:
        return Verdict(Outcome.RETRY, message, code, throttle_wait(headers))
    if code in TRANSIENT_CODES or err.get("is_transient"):
        return Verdict(
            Outcome.RETRY, message, code, parse_retry_after(_get(headers, "Retry-After"))
        )
    if code in PERMISSION_CODES:
        return Verdict(Outcome.PERMISSION, message, code)
    if code == 100 and is_refused_metric(str(err.get("message", ""))):
        return Verdict(Outcome.INVALID_METRIC, message, code)
    if code in CURSOR_CODES or (code == 100 and "cursor" in str(err.get("message", "")).lower()):
        return Verdict(Outcome.INVALID_CURSOR, message, code)
    generic = classify_http(status, headers, body)
    if generic.outcome is Outcome.RETRY:
        return Verdict(Outcome.RETRY, message, code, generic.wait_seconds)
    return Verdict(Outcome.REJECTED, message, code)


# How Graph words a refused insights metric (code 100): Facebook's "valid insights metric",
# Instagram's v22 removals, its metric enum and its per-media-product-type refusals.
_REFUSED_METRIC = re.compile(
    r"insights metric|metric is no longer supported|metric\[\d+\] must be one of"
    r"|does not support the \w+ metric|metric \w+ is not supported",
    re.IGNORECASE,
)


def is_refused_metric(message: str) -> bool:
    return bool(_REFUSED_METRIC.search(message))


def _get(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    if isinstance(headers, list):  # batch entries: [{"name": ..., "value": ...}]
        for h in headers:
            if str(h.get("name", "")).lower() == name.lower():
                return h.get("value")
        return None
    return headers.get(name)


def throttle_wait(headers: Any) -> float | None:
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


class GraphApi:
    """Graph calls for one account: paging, insights with retired-metric fallback, batch."""

    def __init__(
        self, client: HttpClient, version: str, result: Events, *, batch_size: int = BATCH_LIMIT
    ) -> None:
        self.client = client
        self.version = version
        self.result = result
        self.batch_size = min(batch_size, BATCH_LIMIT)

    def pages(self, path: str, params: dict, first_body: Any = None) -> Iterator[list[Any]]:
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
            valid = self.valid_metrics(path, metrics, params, level)
            if not valid:
                return None, []
            return self.client.get_json(path, {**params, "metric": ",".join(valid)}), valid

    def valid_metrics(
        self, path: str, metrics: Sequence[str], params: dict, level: str
    ) -> list[str]:
        valid = []
        for metric in metrics:
            try:
                self.client.get_json(path, {**params, "metric": metric})
                valid.append(metric)
            except InvalidMetric:
                log.warning(
                    "%s: %s metric %s refused by the API; dropped",
                    self.client.network,
                    level,
                    metric,
                )
                self.result.event("retired_metric", f"{level}:{metric}")
        return valid

    def batch_groups(self, groups: Sequence[list[str]]) -> list[list[Any]]:
        """Several lists of relative URLs through as few batch calls as possible (entries of
        different lists share a call, ≤ 50 each); the answers come back per list, in order."""
        answers = self.batch([url for group in groups for url in group])
        split, at = [], 0
        for group in groups:
            split.append(answers[at : at + len(group)])
            at += len(group)
        return split

    def batch(self, relative_urls: list[str]) -> list[Any]:
        """GET many relative URLs through the Graph batch endpoint (≤ 50 per call). Entries that
        failed transiently are retried with the client's backoff; other errors raise."""
        results: list[Any] = [None] * len(relative_urls)
        pending = list(range(len(relative_urls)))
        attempt = 0
        last: Verdict | None = None
        size = self.batch_size
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
                    body = loads(answer.get("body"))
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


def loads(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return None


def parse_ts(value: str | None) -> datetime | None:
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


def build_client(
    job: Any,
    token: str,
    *,
    redactor: Any,
    sleep: Any = None,
    session: Any = None,
) -> HttpClient:
    """The client of every Graph network (Facebook, Instagram): Bearer token, Graph errors."""
    return bearer_client(
        job, token, classify=classify, redactor=redactor, sleep=sleep, session=session
    )
