"""What the server hands a network module, and what the module hands back."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.auth import TokenStore
from sandbox.usage import UsageMeter
from sandbox.world import World

Headers = list[tuple[str, str]]
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # below the network prefix, e.g. "/v25.0/1000000001/posts"
    query: list[tuple[str, str]]  # in the order sent; repeated keys kept
    headers: dict[str, str]  # lower-case names
    form: list[tuple[str, str]] = field(default_factory=list)  # url-encoded POST body
    body: bytes = b""

    def param(self, name: str) -> str | None:
        """Last value of a query parameter (then of a form field), like Graph reads them."""
        for pairs in (self.query, self.form):
            values = [v for k, v in pairs if k == name]
            if values:
                return values[-1]
        return None


@dataclass
class Response:
    status: int
    headers: Headers
    body: bytes
    log: dict[str, Any] = field(default_factory=dict)  # extra fields for the request log

    @classmethod
    def json(cls, status: int, payload: Any, headers: Headers | None = None) -> Response:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return cls(status, [("Content-Type", JSON_CONTENT_TYPE), *(headers or [])], body)


FaultLookup = Callable[[str, str], "Response | None"]


@dataclass(frozen=True)
class Context:
    """Shared sandbox state as seen by one request."""

    world: World
    now: datetime
    tokens: TokenStore
    usage: UsageMeter
    network_url: str  # absolute base URL of the network, e.g. http://127.0.0.1:8000/facebook
    take_fault: FaultLookup  # (method, full path) -> scripted response or None
