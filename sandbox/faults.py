"""Scripted faults: responses matched by method and path regex, consumed in order."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox.protocol import JSON_CONTENT_TYPE, Response


@dataclass
class Fault:
    """Answer the matching requests with ``status``/``headers``/``body`` instead of the API.

    ``path`` is a regex searched in the request path (network prefix included, no query
    string), e.g. ``r"/facebook/.*/insights"``. The first ``skip`` matching requests pass
    through untouched; the next ``times`` matching requests get the fault. ``body`` may be a
    JSON value or a ready string.
    """

    method: str
    path: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    times: int = 1
    skip: int = 0
    seen: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path)

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method.upper()) and bool(self._pattern.search(path))

    def response(self) -> Response:
        if isinstance(self.body, str | bytes):
            body = self.body.encode() if isinstance(self.body, str) else self.body
        else:
            body = json.dumps(self.body, separators=(",", ":")).encode()
        headers = dict(self.headers)
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = JSON_CONTENT_TYPE
        return Response(self.status, list(headers.items()), body, log={"fault": True})

    def describe(self) -> dict[str, Any]:
        keys = ("method", "path", "status", "headers", "body", "times", "skip", "seen", "fired")
        return {key: getattr(self, key) for key in keys}


class FaultScript:
    """The ordered list of pending faults; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        fault.method = fault.method.upper()
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.describe() for fault in self._faults]

    def take(self, method: str, path: str) -> Response | None:
        """The scripted response for this request, if a pending fault claims it."""
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, path):
                    continue
                fault.seen += 1
                if fault.seen <= fault.skip:
                    return None
                fault.fired += 1
                if fault.fired >= fault.times:
                    self._faults.remove(fault)
                return fault.response()
        return None


def fault_from_json(spec: dict[str, Any]) -> Fault:
    """A Fault from the JSON accepted by ``POST /__faults``."""
    allowed = {"method", "path", "status", "headers", "body", "times", "skip"}
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError(f"unknown fault keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    if "path" not in spec:
        raise ValueError("a fault needs 'path' (a regex searched in the request path)")
    return Fault(**{"method": "GET", **spec})
