"""Graph API answers for the fault vocabularies of the Graph networks (Facebook, Instagram)."""

from __future__ import annotations

from datetime import datetime

from sandbox.faults import Answer
from sandbox.graph.errors import GraphError, graph_error, invalid_param, trace_id

THROTTLE_CODES = (4, 17, 32, 613, 80001)


def throttled(codes: tuple[int, ...] = THROTTLE_CODES) -> tuple[Answer, ...]:
    """Throttling as Graph sends it: a code in the JSON body of a 400/403, not a 429."""
    return tuple(Answer(403 if code == 32 else 400, graph_error(code)) for code in codes)


def rate_limited(now: datetime) -> Answer:
    """HTTP 429 with ``Retry-After: 2`` (as a proxy or the edge answers)."""
    return Answer(429, graph_error(4), {"Retry-After": "2"}, wait_seconds=2.0)


def expired_token() -> Answer:
    message = "Error validating access token: Session has expired. The current time is later."
    error = GraphError(message, 190, subcode=463)
    header = f'OAuth "Facebook Platform" "invalid_token" "{message}"'
    return Answer(400, error.payload(trace_id("expired")), {"WWW-Authenticate": header})


def invalid_cursor() -> Answer:
    """What the sandbox (and Graph) answer for a cursor that no longer points anywhere."""
    return Answer(400, invalid_param("The after cursor is invalid").payload(trace_id("cursor")))


SERVER_ERRORS = (
    Answer(503, graph_error(2)),
    Answer(502, "<html><body>502 Bad Gateway</body></html>", {"Content-Type": "text/html"}),
    Answer(500, graph_error(1)),
)
