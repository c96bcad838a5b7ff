"""Graph API error bodies: ``{"error": {"message", "type", "code", ..., "fbtrace_id"}}``."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

OAUTH = "OAuthException"
GRAPH_METHOD = "GraphMethodException"

KNOWN_ERRORS: dict[int, tuple[str, str, bool | None]] = {
    1: ("An unknown error has occurred.", OAUTH, True),
    2: ("An unexpected error has occurred. Please retry your request later.", OAUTH, True),
    4: ("(#4) Application request limit reached", OAUTH, True),
    10: ("(#10) Application does not have permission for this action", OAUTH, None),
    17: ("(#17) User request limit reached", OAUTH, True),
    32: ("(#32) Page request limit reached", OAUTH, True),
    100: ("(#100) The value must be a valid insights metric", OAUTH, None),
    190: ("Invalid OAuth access token - Cannot parse access token", OAUTH, None),
    200: ("(#200) Permissions error", OAUTH, None),
    368: (
        "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
        OAUTH,
        None,
    ),
    613: ("(#613) Calls to this api have exceeded the rate limit.", OAUTH, True),
    80001: (
        "(#80001) There have been too many calls to this Page account. Wait a bit and try "
        "again. For more info, please refer to "
        "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
        OAUTH,
        True,
    ),
}


def trace_id(*parts: object) -> str:
    """An fbtrace_id-like token (11 characters), deterministic in its inputs."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:11]


class GraphError(Exception):
    """An error the Graph API answers with; ``status`` is the HTTP status (400 by default)."""

    def __init__(
        self,
        message: str,
        code: int,
        *,
        type: str = OAUTH,
        subcode: int | None = None,
        status: int = 400,
        is_transient: bool | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.type = type
        self.subcode = subcode
        self.status = status
        self.is_transient = is_transient
        self.user_title = user_title
        self.user_msg = user_msg
        self.headers = headers

    def payload(self, fbtrace_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        if self.user_title is not None:
            error["error_user_title"] = self.user_title
        if self.user_msg is not None:
            error["error_user_msg"] = self.user_msg
        error["fbtrace_id"] = fbtrace_id
        return {"error": error}


def graph_error(
    code: int,
    subcode: int | None = None,
    message: str | None = None,
    *,
    fbtrace_id: str | None = None,
) -> dict[str, Any]:
    """A Graph error body for scripting faults, e.g. ``graph_error(17)`` or ``graph_error(80001)``
    (known codes get Graph's message; pass ``message`` for others)."""
    known_message, kind, transient = KNOWN_ERRORS.get(code, (f"(#{code}) Error", OAUTH, None))
    error = GraphError(message or known_message, code, type=kind, subcode=subcode)
    error.is_transient = transient
    return error.payload(fbtrace_id or trace_id("fault", code, subcode, message))


def unsupported_get(node: str) -> GraphError:
    return GraphError(
        f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due "
        "to missing permissions, or does not support this operation. Please read the Graph API "
        "documentation at https://developers.facebook.com/docs/graph-api",
        100,
        type=GRAPH_METHOD,
        subcode=33,
    )


def unknown_path(path: str) -> GraphError:
    return GraphError(f"Unknown path components: {path}", 2500)


def invalid_param(message: str) -> GraphError:
    return GraphError(f"(#100) {message}", 100)


def nonexisting_field(field: str, node_type: str) -> GraphError:
    return invalid_param(f"Tried accessing nonexisting field ({field}) on node type ({node_type})")


INVALID_METRIC = "The value must be a valid insights metric"
