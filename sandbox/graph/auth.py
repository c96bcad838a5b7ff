"""Where Graph reads the access token from, and the errors for missing/bad/expired tokens."""

from __future__ import annotations

from datetime import datetime

from sandbox.auth import TokenStatus, TokenStore
from sandbox.graph.errors import GraphError
from sandbox.protocol import Request
from sandbox.world import META_TZ

QUERY, FORM, HEADER = "query", "form", "header"


def find_token(request: Request) -> tuple[str | None, str | None]:
    """``(token, where)`` from ``access_token`` (query, then form) or an ``Authorization:
    Bearer``/``OAuth`` header."""
    for where, pairs in ((QUERY, request.query), (FORM, request.form)):
        values = [v for k, v in pairs if k == "access_token"]
        if values:
            return values[-1], where
    scheme, _, value = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip(), HEADER
    return None, None


def _www_authenticate(message: str) -> tuple[tuple[str, str], ...]:
    return (("WWW-Authenticate", f'OAuth "Facebook Platform" "invalid_token" "{message}"'),)


def _pacific(moment: datetime) -> str:
    return moment.astimezone(META_TZ).strftime("%A, %d-%b-%y %H:%M:%S %Z")


def check_token(token: str | None, tokens: TokenStore, now: datetime) -> None:
    """Raise the Graph error for a missing, unknown or expired token."""
    if not token:
        raise GraphError(
            "An active access token must be used to query information about the current user.",
            2500,
        )
    result = tokens.check(token, now)
    if result.status is TokenStatus.UNKNOWN:
        message = "Invalid OAuth access token - Cannot parse access token"
        raise GraphError(
            message,
            190,
            headers=(
                ("WWW-Authenticate", f'OAuth "Facebook Platform" "invalid_token" "{message}"'),
            ),
        )
    if result.status is TokenStatus.EXPIRED and result.expired_at is not None:
        message = (
            f"Error validating access token: Session has expired on {_pacific(result.expired_at)}."
            f" The current time is {_pacific(now)}."
        )
        raise GraphError(
            message,
            190,
            subcode=463,
            headers=(
                ("WWW-Authenticate", f'OAuth "Facebook Platform" "invalid_token" "{message}"'),
            ),
        )
