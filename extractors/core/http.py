"""The shared HTTP engine: one ``requests`` session per account, timeouts, classified retries with
full-jitter exponential backoff honouring ``Retry-After``, call counting and redaction.

Each network supplies a ``classify`` function that turns a response into a :class:`Verdict`; the
engine owns everything else, so retry behaviour is the same for every network.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import requests

from extractors.core.clock import ServerClock
from extractors.core.errors import (
    ExtractError,
    InvalidCursor,
    InvalidMetric,
    PermissionDenied,
    RequestRejected,
    RetriesExhausted,
    TokenError,
)
from extractors.core.redact import Redactor, endpoint_of, strip_secret_params

log = logging.getLogger(__name__)


class Outcome(Enum):
    OK = "ok"
    RETRY = "retry"
    TOKEN = "token"
    PERMISSION = "permission"
    INVALID_METRIC = "invalid_metric"
    INVALID_CURSOR = "invalid_cursor"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    message: str = ""
    code: int | None = None
    wait_seconds: float | None = None  # a server-requested wait (Retry-After, regain-access)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: ``max_attempts`` tries in all, each wait drawn uniformly from
    ``[0, min(max_delay, base_delay * 2**n)]`` (full jitter) but never below a server-requested
    wait; the sum of waits never exceeds ``max_total_wait`` (keep it below the task timeout)."""

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_total_wait: float = 900.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0

    def backoff(self, attempt: int, rng: random.Random, server_wait: float | None) -> float:
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        delay = rng.uniform(0, ceiling)
        if server_wait is not None:
            delay = max(delay, server_wait)
        return delay


@dataclass
class CallStats:
    calls: int = 0
    retries: int = 0
    waited: float = 0.0
    by_endpoint: dict[str, int] = field(default_factory=dict)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date); None when absent or garbled."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def classify_http(status: int, headers: Mapping[str, str], body: Any) -> Verdict:
    """Generic status-code classification shared by every network."""
    if 200 <= status < 300:
        return Verdict(Outcome.OK)
    retry_after = parse_retry_after(headers.get("Retry-After"))
    if status == 429 or status >= 500 or status == 408:
        return Verdict(Outcome.RETRY, f"HTTP {status}", wait_seconds=retry_after)
    if status == 401:
        return Verdict(Outcome.TOKEN, "HTTP 401 Unauthorized")
    if status == 403:
        return Verdict(Outcome.PERMISSION, "HTTP 403 Forbidden")
    return Verdict(Outcome.REJECTED, f"HTTP {status}")


Classifier = Callable[[int, Mapping[str, str], Any], Verdict]


class HttpClient:
    """Calls one network's API for one account; safe to log from, never logs a secret."""

    def __init__(
        self,
        *,
        network: str,
        account: str,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        classify: Classifier = classify_http,
        policy: RetryPolicy | None = None,
        redactor: Redactor | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.network = network
        self.account = account
        self.base_url = base_url.rstrip("/")
        self._base = urlsplit(self.base_url)
        self.classify = classify
        self.policy = policy or RetryPolicy()
        self.redact = redactor or Redactor()
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.session = session or requests.Session()
        self.session.headers.update(headers or {})
        self.stats = CallStats()
        self.server_clock = ServerClock()  # the API's time, from its Date headers
        self.on_response: Callable[[requests.Response], None] | None = None

    # -- URLs -------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def check_same_origin(self, url: str) -> str:
        """A ``next`` URL must point at the configured API host; secrets are stripped from it."""
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != (self._base.scheme, self._base.netloc):
            from extractors.core.errors import PaginationError

            raise PaginationError(
                f"{self.network} account {self.account}: paging link points at a foreign host "
                f"({parts.netloc}); refusing to follow it.",
                network=self.network,
                endpoint=endpoint_of(url),
            )
        return strip_secret_params(url)

    # -- requests ---------------------------------------------------------------------------
    def get_json(self, url_or_path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", url_or_path, params=params)

    def post_form_json(self, url_or_path: str, data: Mapping[str, Any]) -> Any:
        """POST a form and return JSON. Used only for read-only APIs (e.g. Graph batch of GETs),
        so retrying it is as safe as retrying a GET."""
        return self.request("POST", url_or_path, data=data)

    def request(
        self,
        method: str,
        url_or_path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Any:
        url = url_or_path if "://" in url_or_path else self.url(url_or_path)
        endpoint = endpoint_of(url)
        waited = 0.0
        last: Verdict | None = None
        status: int | None = None  # of the last answer, for the error message
        for attempt in range(self.policy.max_attempts):
            if attempt:
                delay = self.policy.backoff(
                    attempt - 1, self.rng, last.wait_seconds if last else None
                )
                if waited + delay > self.policy.max_total_wait:
                    break
                self.stats.retries += 1
                log.warning(
                    "%s %s: %s; retry %d/%d in %.1fs",
                    self.network,
                    endpoint,
                    last.message if last else "error",
                    attempt,
                    self.policy.max_attempts - 1,
                    delay,
                )
                self.sleep(delay)
                waited += delay
                self.stats.waited += delay
            self.stats.calls += 1
            self.stats.by_endpoint[endpoint] = self.stats.by_endpoint.get(endpoint, 0) + 1
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    timeout=(self.policy.connect_timeout, self.policy.read_timeout),
                    allow_redirects=False,
                )
                body = _json_or_none(response)
            except (requests.ConnectionError, requests.Timeout) as exc:
                status = None
                last = Verdict(Outcome.RETRY, f"network error ({type(exc).__name__})")
                continue
            except requests.RequestException as exc:  # chunked/truncated transfer and friends
                status = None
                last = Verdict(Outcome.RETRY, f"broken response ({type(exc).__name__})")
                continue
            status = response.status_code
            self.server_clock.note(response.headers)
            if self.on_response is not None:
                self.on_response(response)
            if body is _TRUNCATED:
                last = Verdict(Outcome.RETRY, f"HTTP {response.status_code} with unparseable body")
                continue
            verdict = self.classify(response.status_code, response.headers, body)
            if verdict.outcome is Outcome.OK:
                return body
            if verdict.outcome is Outcome.RETRY:
                last = verdict
                continue
            raise self.error(verdict, endpoint, response.status_code)
        msg = last.message if last else "unknown error"
        if status is not None and f"HTTP {status}" not in msg:
            msg = f"HTTP {status}, {msg}"
        raise RetriesExhausted(
            self.redact(
                f"{self.network} account {self.account}: {method} {endpoint} kept failing "
                f"({msg}) after {self.policy.max_attempts} attempts and {waited:.0f}s of backoff; "
                "the API may be down or rate-limited: the run can simply be retried later."
            ),
            network=self.network,
            endpoint=endpoint,
            code=last.code if last else None,
        )

    def error(self, verdict: Verdict, endpoint: str, status: int) -> ExtractError:
        """The exception for a non-retryable verdict, with a safe, actionable message."""
        where = f"{self.network} account {self.account}: {endpoint}"
        detail = self.redact(verdict.message)
        kwargs = {
            "network": self.network,
            "endpoint": endpoint,
            "status": status,
            "code": verdict.code,
        }
        if verdict.outcome is Outcome.TOKEN:
            return TokenError(
                f"{where}: the access token was rejected ({detail}). It is expired, revoked or "
                "invalid: re-authorize messbar for this account (obtain a new token) and update "
                "the secret it is read from, then rerun; retrying cannot help. Nothing of this "
                "account was committed: the rerun resumes from its last committed state.",
                **kwargs,
            )
        if verdict.outcome is Outcome.PERMISSION:
            return PermissionDenied(
                f"{where}: permission missing ({detail}). Grant the token the scopes/roles listed "
                f"in extractors/networks/{self.network}/README.md.",
                **kwargs,
            )
        if verdict.outcome is Outcome.INVALID_METRIC:
            return InvalidMetric(f"{where}: {detail}", **kwargs)
        if verdict.outcome is Outcome.INVALID_CURSOR:
            return InvalidCursor(f"{where}: the API refused a paging cursor ({detail}).", **kwargs)
        return RequestRejected(f"{where}: request rejected ({detail}).", **kwargs)


_TRUNCATED = object()


def _json_or_none(response: requests.Response) -> Any:
    text = response.content
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        ctype = response.headers.get("Content-Type", "")
        if "json" in ctype or response.status_code < 300:
            return _TRUNCATED
        return None


def bearer_client(
    job: Any,
    token: str,
    *,
    classify: Classifier,
    redactor: Redactor,
    sleep: Callable[[float], None] | None = None,
    session: requests.Session | None = None,
    headers: Mapping[str, str] | None = None,
    policy: RetryPolicy | None = None,
    client_class: type[HttpClient] | None = None,
    **extra: Any,
) -> HttpClient:
    """The client for one account (an ``ExtractJob``) that sends its token as a Bearer header,
    never in a URL; the retry policy comes from the network's ``retry`` option."""
    kwargs: dict[str, Any] = dict(extra)
    if sleep is not None:
        kwargs["sleep"] = sleep
    return (client_class or HttpClient)(
        network=job.network,
        account=job.account_id,
        base_url=job.base_url,
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            **(headers or {}),
        },
        classify=classify,
        policy=policy or RetryPolicy(**job.option("retry", {})),
        redactor=redactor,
        session=session,
        **kwargs,
    )
