"""X API v2 error bodies: RFC 7807-style problem JSON (``title``, ``detail``, ``type``,
``status``), invalid-request bodies with ``errors[]``, and the rate-limit headers that come with
every response."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sandbox.protocol import Headers, Response

CONTENT_TYPE = "application/json; charset=utf-8"
PROBLEMS = "https://api.twitter.com/2/problems"
RATE_WINDOW_SECONDS = 900  # X counts most limits per 15-minute window


class XProblem(Exception):
    """An error answer of the X API."""

    def __init__(self, status: int, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("detail") or payload.get("title") or str(status))
        self.status = status
        self.payload = payload


def x_json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def response(
    status: int, payload: Any, headers: Headers, log: dict[str, Any] | None = None
) -> Response:
    return Response(status, [("content-type", CONTENT_TYPE), *headers], x_json(payload), log or {})


def rate_limit_headers(limit: int, remaining: int, reset_epoch: int) -> Headers:
    return [
        ("x-rate-limit-limit", str(limit)),
        ("x-rate-limit-remaining", str(max(0, remaining))),
        ("x-rate-limit-reset", str(reset_epoch)),
    ]


def window_reset(now: datetime) -> int:
    """Epoch seconds at which the current 15-minute window ends (sandbox clock)."""
    epoch = int(now.timestamp())
    return epoch - epoch % RATE_WINDOW_SECONDS + RATE_WINDOW_SECONDS


def unauthorized() -> XProblem:
    return XProblem(
        401,
        {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
    )


def too_many_requests_body() -> dict[str, Any]:
    return {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
    }


def too_many_requests(limit: int, reset_epoch: int) -> dict[str, Any]:
    """A scripted 429 for ``Sandbox.add_fault(..., **too_many_requests(...))``: the problem
    body and the headers X sends with it (``x-rate-limit-reset`` in epoch seconds)."""
    return {
        "status": 429,
        "headers": dict(rate_limit_headers(limit, 0, reset_epoch)) | {"content-type": CONTENT_TYPE},
        "body": too_many_requests_body(),
    }


def usage_capped() -> dict[str, Any]:
    """The monthly Post cap answer (not a rate limit: waiting 15 minutes does not help)."""
    return {
        "status": 429,
        "headers": {"content-type": CONTENT_TYPE},
        "body": {
            "title": "UsageCapExceeded",
            "detail": "Usage cap exceeded: Monthly product cap",
            "type": f"{PROBLEMS}/usage-capped",
            "period": "Monthly",
            "scope": "Product",
        },
    }


def invalid_request(message: str, parameters: dict[str, list[str]]) -> XProblem:
    return XProblem(
        400,
        {
            "errors": [{"parameters": parameters, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": f"{PROBLEMS}/invalid-request",
        },
    )


def unsupported_authentication() -> XProblem:
    return XProblem(
        403,
        {
            "title": "Unsupported Authentication",
            "detail": (
                "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  "
                "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User "
                "Context]."
            ),
            "type": f"{PROBLEMS}/unsupported-authentication",
            "status": 403,
        },
    )


def not_found_route(path: str) -> XProblem:
    return XProblem(
        404,
        {
            "title": "Not Found Error",
            "detail": f"Sorry, that page does not exist: {path}",
            "type": f"{PROBLEMS}/resource-not-found",
            "status": 404,
        },
    )


def resource_not_found(kind: str, parameter: str, value: str) -> dict[str, Any]:
    """A partial error inside a 200 body (``errors[]``), e.g. an unknown user id."""
    return {
        "value": value,
        "detail": f"Could not find {kind} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": kind,
        "parameter": parameter,
        "resource_id": value,
        "type": f"{PROBLEMS}/resource-not-found",
    }
