"""LinkedIn's versioned REST (Rest.li 2.0) conventions: error bodies, the ``LinkedIn-Version``
header with its one-year support window, and the 2.0 query syntax (``List(...)``,
``(timeRange:(start:..,end:..),timeGranularityType:DAY)``, URL-encoded URNs)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote

from sandbox.protocol import JSON_CONTENT_TYPE, Headers, Response

PROTOCOL_VERSION = "2.0.0"
_VERSION = re.compile(r"^(\d{4})(\d{2})$")
# Rest.li 2.0 syntax that a client without ``X-Restli-Protocol-Version: 2.0.0`` cannot send.
_RESTLI2 = re.compile(r"List\(|\(timeRange:")


class RestliError(Exception):
    """An error LinkedIn answers with: ``{"status", "serviceErrorCode"?, "code", "message"}``."""

    def __init__(
        self, status: int, code: str, message: str, service_error_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.service_error_code = service_error_code

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status}
        if self.service_error_code is not None:
            body["serviceErrorCode"] = self.service_error_code
        return body | {"code": self.code, "message": self.message}


def error_body(status: int, code: str, message: str, service_error_code: int | None = None):
    """A LinkedIn error body for scripting faults, e.g. ``error_body(429, "TOO_MANY_REQUESTS",
    ...)``."""
    return RestliError(status, code, message, service_error_code).body()


def illegal_argument(message: str) -> RestliError:
    return RestliError(400, "ILLEGAL_ARGUMENT", message)


def access_denied(what: str) -> RestliError:
    return RestliError(403, "ACCESS_DENIED", f"Not enough permissions to access: {what}", 100)


def not_found(path: str) -> RestliError:
    return RestliError(404, "NOT_FOUND", f"No virtual resource found for {path}")


def response(status: int, payload: Any, *, trace: str) -> Response:
    headers: Headers = [
        ("Content-Type", JSON_CONTENT_TYPE),
        ("X-RestLi-Protocol-Version", PROTOCOL_VERSION),
        ("x-li-uuid", trace),
        ("x-li-fabric", "prod-lva1"),
    ]
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, headers, body)


def trace_id(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]


# -- versions ---------------------------------------------------------------------------------
def version_release(version: str) -> date:
    """Monthly versions are released mid-month."""
    match = _VERSION.match(version)
    if not match:
        raise ValueError(version)
    return date(int(match.group(1)), int(match.group(2)), 15)


def version_sunset(version: str) -> date:
    """Each version is served for one year after its release."""
    release = version_release(version)
    return release.replace(year=release.year + 1)


def active_versions(now: datetime) -> list[str]:
    today = now.date()
    versions = []
    year, month = today.year - 1, today.month
    for _ in range(14):
        v = f"{year}{month:02d}"
        if version_release(v) <= today < version_sunset(v):
            versions.append(v)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return versions


def check_version(header: str | None, now: datetime) -> str:
    """The requested version, or the error LinkedIn answers for a missing, malformed, sunset or
    not yet released one (426 ``NONEXISTENT_VERSION`` echoes the version as ``YYYYMM01``)."""
    if header is None or not header.strip():
        raise RestliError(
            400,
            "VERSION_MISSING",
            "A version must be present. Please specify a version by adding the LinkedIn-Version "
            "header.",
        )
    version = header.strip()
    if not _VERSION.match(version) or not 1 <= int(version[4:]) <= 12:
        raise RestliError(
            400,
            "INVALID_VERSION",
            f"Invalid version format {version!r}: the LinkedIn-Version header must be YYYYMM.",
        )
    if version not in active_versions(now):
        raise RestliError(
            426, "NONEXISTENT_VERSION", f"Requested version {version}01 is not active"
        )
    return version


def check_protocol(headers: dict[str, str], query: list[tuple[str, str]]) -> None:
    """Rest.li 2.0 syntax in the query needs ``X-Restli-Protocol-Version: 2.0.0``."""
    if headers.get("x-restli-protocol-version", "").strip() == PROTOCOL_VERSION:
        return
    if any(_RESTLI2.search(value) for _, value in query):
        raise illegal_argument(
            "Cannot parse the query: Rest.li 2.0 syntax requires the header "
            "X-Restli-Protocol-Version: 2.0.0"
        )


# -- query syntax -----------------------------------------------------------------------------
def decode_key(segment: str) -> str:
    """A path key such as ``urn%3Ali%3Aorganization%3A123`` decoded."""
    return unquote(segment)


def split_top(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current:
        parts.append(current)
    return parts


def parse_list(value: str) -> list[str]:
    """``List(a,b)`` -> ``["a", "b"]``; a bare value is a list of one."""
    value = value.strip()
    if value.startswith("List(") and value.endswith(")"):
        return [decode_key(v) for v in split_top(value[5:-1]) if v]
    raise illegal_argument(f"Invalid list parameter {value!r}: expected List(...)")


def parse_record(value: str) -> dict[str, Any]:
    """A Rest.li 2.0 record ``(a:1,b:(c:2))`` as nested dicts of strings."""
    value = value.strip()
    if not (value.startswith("(") and value.endswith(")")):
        raise illegal_argument(f"Invalid record parameter {value!r}")
    record: dict[str, Any] = {}
    for part in split_top(value[1:-1]):
        key, sep, rest = part.partition(":")
        if not sep:
            raise illegal_argument(f"Invalid record field {part!r}")
        record[key] = parse_record(rest) if rest.startswith("(") else decode_key(rest)
    return record


def time_intervals(query: list[tuple[str, str]]) -> tuple[int, int, str] | None:
    """``(start_ms, end_ms, granularity)`` from ``timeIntervals=(...)`` or its dotted form;
    None when the call is a lifetime one."""
    params = dict(query)
    if "timeIntervals" in params:
        record = parse_record(params["timeIntervals"])
        time_range = record.get("timeRange")
        if not isinstance(time_range, dict):
            raise illegal_argument("Invalid timeIntervals parameter")
        start, end = time_range.get("start"), time_range.get("end")
        granularity = record.get("timeGranularityType", "DAY")
    elif "timeIntervals.timeRange.start" in params:
        start = params.get("timeIntervals.timeRange.start")
        end = params.get("timeIntervals.timeRange.end")
        granularity = params.get("timeIntervals.timeGranularityType", "DAY")
    else:
        return None
    try:
        return int(str(start)), int(str(end)), str(granularity)
    except (TypeError, ValueError):
        raise illegal_argument("Invalid timeIntervals parameter") from None
