"""LinkedIn organization pages on the Community Management API, mounted at ``/linkedin``
(plays ``https://api.linkedin.com``; resources below ``/rest``).

Routes: ``GET /rest/organizations/{id}``, ``/rest/networkSizes/{org-urn}?edgeType=
COMPANY_FOLLOWED_BY_MEMBER``, ``/rest/organizationalEntityFollowerStatistics`` and
``/rest/organizationalEntityShareStatistics`` (``q=organizationalEntity``; lifetime, time-bound
DAY via ``timeIntervals``, per post via ``shares=List(...)``/``ugcPosts=List(...)``),
``/rest/posts?q=author&author=...&start=&count=&sortBy=``, ``/rest/socialActions/{urn}/comments``.

Every call needs ``LinkedIn-Version: YYYYMM`` (missing -> 400 ``VERSION_MISSING``; malformed ->
400 ``INVALID_VERSION``; sunset or unreleased -> 426 ``NONEXISTENT_VERSION``) and a Bearer token
(401 otherwise); Rest.li 2.0 query syntax needs ``X-Restli-Protocol-Version: 2.0.0``. Throttling
is a bare HTTP 429 without headers (script it with ``sb.add_fault(..., status=429)``).
"""

from __future__ import annotations

from sandbox.auth import TokenStatus
from sandbox.networks.linkedin.restli import (
    RestliError,
    active_versions,
    check_protocol,
    check_version,
    error_body,
    response,
    trace_id,
)
from sandbox.networks.linkedin.routes import route
from sandbox.networks.linkedin.world import ORGANIZATIONS, LinkedInWorld, organization_for, world
from sandbox.protocol import Context, Request, Response

__all__ = [
    "ORGANIZATIONS",
    "LinkedInWorld",
    "active_versions",
    "error_body",
    "handle",
    "organization_for",
    "world",
]


def _check_token(request: Request, ctx: Context) -> None:
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise RestliError(401, "EMPTY_ACCESS_TOKEN", "Empty oauth2 access token", 65604)
    check = ctx.tokens.check(token.strip(), ctx.now)
    if check.status is TokenStatus.UNKNOWN:
        raise RestliError(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
    if check.status is TokenStatus.EXPIRED:
        raise RestliError(
            401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65602
        )


def handle(request: Request, ctx: Context) -> Response:
    trace = trace_id(ctx.world.seed, ctx.now.isoformat(), request.method, request.path)
    try:
        check_version(request.headers.get("linkedin-version"), ctx.now)
        _check_token(request, ctx)
        check_protocol(request.headers, request.query)
        if request.method != "GET":
            raise RestliError(405, "METHOD_NOT_ALLOWED", f"{request.method} is not served")
        payload = route(world(ctx.world.seed), ctx.now, request.path, request.query)
    except RestliError as err:
        return response(err.status, err.body(), trace=trace)
    return response(200, payload, trace=trace)
