"""The X API v2 dialect: problem-JSON errors, rate limits from ``x-rate-limit-*`` headers
(epoch-second resets, waited for on the client's clock), token paging and read counting.

X answers a rate limit with HTTP 429 and ``x-rate-limit-reset``; the wait is ``reset - now``
on the client's clock. A wait that does not fit the retry budget fails at once with the reset
time in the message instead of sleeping past the task timeout. The monthly usage cap is also a
429 (problem type ``usage-capped``) but waiting does not help, so it fails fast.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from extractors.core.clock import ServerClock
from extractors.core.errors import ExtractError, RetriesExhausted
from extractors.core.http import HttpClient, Outcome, Verdict, classify_http
from extractors.core.redact import endpoint_of
from extractors.core.token_paging import follow_token

log = logging.getLogger(__name__)

Clock = Callable[[], float]  # epoch seconds


def epoch_iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name) if headers is not None else None
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def problem_text(body: Any) -> str:
    """``title: detail`` of a problem body, plus the first ``errors[].message``."""
    if not isinstance(body, dict):
        return ""
    parts = [str(body[k]) for k in ("title", "detail") if body.get(k)]
    if parts[1:] and parts[0] == parts[1]:
        parts = parts[:1]
    text = ": ".join(parts)
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0].get("message") or errors[0].get("detail")
        if first:
            text = f"{text} ({first})" if text else str(first)
    return text


def make_classifier(clock: Clock, max_wait: float) -> Callable[..., Verdict]:
    """Classify X responses; ``clock`` is the client's notion of now, ``max_wait`` the retry
    budget (a rate-limit reset further away than that fails at once)."""

    def classify(status: int, headers: Mapping[str, str], body: Any) -> Verdict:
        if 200 <= status < 300:
            if body is None:
                return Verdict(Outcome.RETRY, f"HTTP {status} with empty body")
            return Verdict(Outcome.OK)
        text = problem_text(body) or f"HTTP {status}"
        kind = str(body.get("type", "")) if isinstance(body, dict) else ""
        if status == 429 and kind.endswith("/usage-capped"):
            return Verdict(
                Outcome.REJECTED,
                f"HTTP 429 {text}: the X usage cap for this billing period is used up; top up "
                "credits or raise the cap in the developer console, waiting does not help",
            )
        if status == 429:
            reset = _header_int(headers, "x-rate-limit-reset")
            if reset is None:
                generic = classify_http(status, headers, body)
                return Verdict(Outcome.RETRY, f"HTTP 429 {text}", 429, generic.wait_seconds)
            wait = max(0.0, reset - clock()) + 1.0
            message = (
                f"HTTP 429 {text}; the rate limit resets at {epoch_iso(reset)} (in {wait:.0f}s)"
            )
            if wait > max_wait:
                return Verdict(
                    Outcome.REJECTED,
                    f"{message}, beyond the retry budget of {max_wait:.0f}s: run it again after "
                    f"{epoch_iso(reset)}",
                    429,
                )
            return Verdict(Outcome.RETRY, message, 429, wait)
        if status == 401:
            return Verdict(Outcome.TOKEN, f"HTTP 401 {text}", 401)
        if status == 400 and _names_paging_token(body):
            return Verdict(Outcome.INVALID_CURSOR, f"HTTP 400 {text}", 400)
        if status == 403:
            hint = ""
            if "unsupported-authentication" in kind:
                hint = (
                    "; private metrics need a user-context token of the account: use one, or "
                    "set networks.x.metrics_access: public"
                )
            return Verdict(Outcome.PERMISSION, f"HTTP 403 {text}{hint}", 403)
        generic = classify_http(status, headers, body)
        return Verdict(generic.outcome, f"HTTP {status} {text}", status, generic.wait_seconds)

    return classify


def _names_paging_token(body: Any) -> bool:
    """An invalid-request problem about ``pagination_token``/``next_token``: a stale token."""
    errors = body.get("errors") if isinstance(body, dict) else None
    for err in errors if isinstance(errors, list) else []:
        parameters = err.get("parameters") if isinstance(err, dict) else None
        if isinstance(parameters, dict) and {"pagination_token", "next_token"} & set(parameters):
            return True
    return False


@dataclass
class RateWindow:
    limit: int
    remaining: int
    reset: int  # epoch seconds


class XClient(HttpClient):
    """The shared HTTP engine plus X's rate-limit headers: when a response says no calls are
    left in the window, the next call to that endpoint first waits for the reset."""

    def __init__(self, *, clock: ServerClock, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.server_clock = clock
        self.clock: Clock = clock.timestamp
        self.windows: dict[str, RateWindow] = {}
        self.on_response = self._note_rate_limit

    def _note_rate_limit(self, response: Any) -> None:
        headers = response.headers
        limit = _header_int(headers, "x-rate-limit-limit")
        remaining = _header_int(headers, "x-rate-limit-remaining")
        reset = _header_int(headers, "x-rate-limit-reset")
        if limit is None or remaining is None or reset is None:
            return
        self.windows[endpoint_of(response.url)] = RateWindow(limit, remaining, reset)

    def request(self, method: str, url_or_path: str, **kwargs: Any) -> Any:
        endpoint = endpoint_of(url_or_path if "://" in url_or_path else self.url(url_or_path))
        window = self.windows.get(endpoint)
        if window is not None and window.remaining <= 0:
            wait = window.reset - self.clock() + 1.0
            if wait > self.policy.max_total_wait:
                raise RetriesExhausted(
                    f"{self.network} account {self.account}: {endpoint}: no calls left in the "
                    f"rate-limit window until {epoch_iso(window.reset)} (in {wait:.0f}s), beyond "
                    f"the retry budget of {self.policy.max_total_wait:.0f}s: run it again after "
                    f"{epoch_iso(window.reset)}.",
                    network=self.network,
                    endpoint=endpoint,
                    status=429,
                    code=429,
                )
            if wait > 0:
                log.warning(
                    "%s %s: rate-limit window used up; waiting %.0fs for its reset at %s",
                    self.network,
                    endpoint,
                    wait,
                    epoch_iso(window.reset),
                )
                self.sleep(wait)
                self.stats.waited += wait
            del self.windows[endpoint]
        return super().request(method, url_or_path, **kwargs)

    def error(self, verdict: Verdict, endpoint: str, status: int) -> ExtractError:
        if verdict.outcome is Outcome.REJECTED and verdict.code == 429:
            detail = self.redact(verdict.message)
            return RetriesExhausted(
                f"{self.network} account {self.account}: {endpoint}: {detail}.",
                network=self.network,
                endpoint=endpoint,
                status=status,
                code=429,
            )
        return super().error(verdict, endpoint, status)


@dataclass
class Reads:
    """Billable resources a run read, per kind (X bills per object returned)."""

    users: int = 0
    posts: int = 0
    replies: int = 0
    partial_errors: list[str] = field(default_factory=list)

    def cost_usd(self, prices: Mapping[str, float], *, owned: bool) -> float:
        post_price = prices["owned_post_read"] if owned else prices["post_read"]
        total = (
            self.users * prices["user_read"]
            + self.posts * post_price
            + self.replies * prices["post_read"]
        )
        return round(total, 6)


def pages(
    client: XClient, path: str, params: Mapping[str, Any], *, next_param: str
) -> Iterator[dict[str, Any]]:
    """Every page body of an X list endpoint (``meta.next_token`` -> ``next_param``)."""
    return follow_token(
        client,
        path,
        params,
        next_token=lambda b: ((b or {}).get("meta") or {}).get("next_token"),
        next_param=next_param,
    )
