"""Scripted faults: responses matched by method, path regex (and optionally query regex),
consumed in order; plus the per-network fault vocabulary the generic reliability tests use.

A fault has a ``kind``:

- ``respond`` (default): answer with ``status``/``headers``/``body`` instead of the API;
- transport faults, acted out by the HTTP handler: ``stall`` (say nothing for
  ``stall_seconds``, then close: longer than the client's read timeout), ``truncate`` (the API's
  real status and headers with the full ``Content-Length``, half the body, then close) and
  ``drop`` (close the connection without any response);
- paging faults, applied to the API's real answer of a paged endpoint using the network's
  :class:`FaultVocabulary`: ``duplicate`` (page k's last item again at the top of page k+1),
  ``reorder`` (page k's items in reverse order), ``empty_page`` (page k served empty but still
  linking onward; its items arrive on page k+1), ``short_page`` (half of page k, the rest on
  page k+1) and ``loop`` (page k links back to its own cursor; for offset paging, page k+1
  repeats page k).
"""

from __future__ import annotations

import importlib
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.protocol import JSON_CONTENT_TYPE, Response

RESPOND = "respond"
TRANSPORT_KINDS = frozenset({"stall", "truncate", "drop"})
PAGING_KINDS = frozenset({"duplicate", "reorder", "empty_page", "short_page", "loop"})
KINDS = frozenset({RESPOND, *TRANSPORT_KINDS, *PAGING_KINDS})
# paging faults that hold items of page k back and hand them out on page k+1
_CARRY_KINDS = frozenset({"duplicate", "empty_page", "short_page"})


@dataclass
class Fault:
    """Answer (or disturb) the matching requests instead of the plain API answer.

    ``path`` is a regex searched in the request path (network prefix included, no query
    string), e.g. ``r"/facebook/.*/insights"``; ``query`` (optional) a regex searched in the
    raw query string, e.g. ``r"(^|&)after="`` for requests that carry a cursor. The first
    ``skip`` matching requests pass through untouched; the next ``times`` matching requests get
    the fault. ``body`` may be a JSON value or a ready string. See the module docstring for
    ``kind``.
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
    kind: str = RESPOND
    query: str | None = None
    stall_seconds: float = 5.0
    carry: list[Any] | None = field(default=None, repr=False)
    delivered: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {sorted(KINDS)}")
        self._pattern = re.compile(self.path)
        self._query = re.compile(self.query) if self.query else None

    def matches(self, method: str, path: str, query: str = "") -> bool:
        if self.method not in ("*", method.upper()) or not self._pattern.search(path):
            return False
        return self._query is None or bool(self._query.search(query))

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
        out = {key: getattr(self, key) for key in keys}
        if self.kind != RESPOND:
            out |= {"kind": self.kind, "query": self.query}
        return out


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

    def claim(
        self, method: str, path: str, query: str = "", *, respond_only: bool = False
    ) -> tuple[Fault, str] | None:
        """``(fault, phase)`` for this request if a pending fault owns it, else ``None``.

        ``phase`` is ``"fire"`` (the fault acts on this request) or, for paging faults that
        carry items from page k to the next page, ``"deliver"`` (this is that next page).
        Paging faults stay pending until :func:`apply_paging` has acted them out."""
        with self._lock:
            for fault in self._faults:
                if respond_only and fault.kind != RESPOND:
                    continue
                if not fault.matches(method, path, query):
                    continue
                fault.seen += 1
                if fault.carry is not None:
                    fault.delivered += 1
                    if fault.delivered >= (fault.times if fault.kind == "loop" else 1):
                        self._faults.remove(fault)
                    return fault, "deliver"
                if fault.seen <= fault.skip:
                    return None
                fault.fired += 1
                if fault.fired >= fault.times and fault.kind not in PAGING_KINDS:
                    self._faults.remove(fault)
                return fault, "fire"
        return None

    def take(self, method: str, path: str) -> Response | None:
        """The scripted response for this request, if a pending ``respond`` fault claims it
        (used for sub-requests such as Graph batch entries)."""
        claimed = self.claim(method, path, respond_only=True)
        return claimed[0].response() if claimed else None

    def finish(self, fault: Fault) -> None:
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)


def fault_from_json(spec: dict[str, Any]) -> Fault:
    """A Fault from the JSON accepted by ``POST /__faults``."""
    allowed = {
        "method",
        "path",
        "status",
        "headers",
        "body",
        "times",
        "skip",
        "kind",
        "query",
        "stall_seconds",
    }
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError(f"unknown fault keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    if "path" not in spec:
        raise ValueError("a fault needs 'path' (a regex searched in the request path)")
    return Fault(**{"method": "GET", **spec})


# -- per-network fault vocabulary -------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    """A canned API answer, and the least wait (seconds) it asks a client for, if any."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    wait_seconds: float | None = None

    def fault(self) -> dict[str, Any]:
        """Keyword arguments for ``Sandbox.add_fault``."""
        return {"status": self.status, "headers": dict(self.headers), "body": self.body}


@dataclass(frozen=True)
class FaultVocabulary:
    """How one API network says the things fault tests script, and where its pages keep their
    items, so that one generic test covers every network (``sandbox/networks/<slug>/faults.py``
    defines ``VOCABULARY``).

    ``paged_path``/``paged_query`` are regexes (with ``{account}``) for the requests of one
    paged data endpoint of the nightly run; ``stream``/``key`` name the landing stream it feeds
    and the payload key of its rows. ``paging`` is ``link`` (a ``next`` URL), ``token`` (an
    opaque token sent back as ``cursor_param``) or ``offset`` (``start``/``count``).
    ``job_options`` make the endpoint span at least three pages over a short history.
    ``throttled(now)`` lists every throttling answer of the network, ``rate_limited(now)`` is
    its HTTP 429 with the wait it asks for (answers that name a reset time depend on the
    clock); ``server_errors`` is a burst of 5xx answers.
    """

    network: str
    accounts: tuple[str, str]
    paged_path: str
    stream: str
    paging: str
    items: tuple[str, ...]
    cursor_param: str
    job_options: Mapping[str, Any]
    throttled: Callable[[datetime], tuple[Answer, ...]]
    rate_limited: Callable[[datetime], Answer]
    expired_token: Answer
    invalid_cursor: Answer
    server_errors: tuple[Answer, ...]
    paged_query: str = ""
    key: str = "id"
    next: tuple[str, ...] = ()
    count: tuple[str, ...] = ()

    def paged(self, account: str | None = None) -> dict[str, Any]:
        """``path``/``query`` regexes (for ``add_fault``) of the paged endpoint's requests."""
        account = re.escape(account or self.accounts[0])
        out: dict[str, Any] = {"path": self.paged_path.format(account=account)}
        if self.paged_query:
            out["query"] = self.paged_query.format(account=account)
        return out

    def with_cursor(self, account: str | None = None) -> dict[str, Any]:
        """Like :meth:`paged`, limited to requests that carry a cursor (page 2 onwards)."""
        out = self.paged(account)
        cursor = rf"(^|&){re.escape(self.cursor_param)}="
        if self.paging == "offset":
            cursor = rf"(^|&){re.escape(self.cursor_param)}=[1-9]"
        query = out.get("query")
        out["query"] = f"(?=.*{query})(?=.*{cursor})" if query else cursor
        return out


def vocabulary(network: str) -> FaultVocabulary:
    """The fault vocabulary of an API network (``sandbox.networks.<slug>.faults.VOCABULARY``)."""
    module = importlib.import_module(f"sandbox.networks.{network}.faults")
    return module.VOCABULARY


# -- applying paging faults to a real answer --------------------------------------------------
def _dig(body: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        body = body.get(key) if isinstance(body, dict) else None
    return body


def _put(body: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        body = body.setdefault(key, {})
    body[path[-1]] = value


def apply_paging(
    fault: Fault,
    phase: str,
    response: Response,
    vocab: FaultVocabulary,
    *,
    request_url: str,
    query: list[tuple[str, str]],
    done: Callable[[Fault], None],
) -> Response:
    """The API's answer with the paging fault acted out. A non-JSON or error answer is left
    alone (the fault then waits for the next matching page); ``done`` retires a fault that has
    acted ``times`` times without carrying items to a next page."""
    try:
        body = json.loads(response.body)
    except ValueError:
        return response
    if response.status != 200 or not isinstance(body, dict):
        return response
    items = list(_dig(body, vocab.items) or [])
    kind = fault.kind
    carries = kind in _CARRY_KINDS or (kind == "loop" and vocab.paging == "offset")
    if phase == "deliver":
        carried = list(fault.carry or [])
        items = carried if kind == "loop" else [*carried, *items]
        note = f"{kind}: {len(carried)} item(s) from the page before"
    elif kind == "reorder":
        items.reverse()
        note = "reorder: items in reverse order"
    elif kind == "duplicate":
        fault.carry = items[-1:]
        note = "duplicate: the last item comes again on the next page"
    elif kind == "empty_page":
        fault.carry, items = items, []
        note = "empty_page: the items come on the next page"
    elif kind == "short_page":
        half = len(items) // 2
        fault.carry, items = items[half:], items[:half]
        note = "short_page: the second half comes on the next page"
    elif kind == "loop" and vocab.paging == "offset":
        fault.carry = list(items)
        note = "loop: the next page repeats this one"
    elif kind == "loop":
        cursor = [v for k, v in query if k == vocab.cursor_param]
        if vocab.paging == "link":
            _put(body, vocab.next, request_url)
        elif cursor:
            _put(body, vocab.next, cursor[-1])
        note = "loop: next points at this page again"
    else:
        return response
    if phase == "fire" and not carries and fault.fired >= fault.times:
        done(fault)
    _put(body, vocab.items, items)
    if vocab.count:
        _put(body, vocab.count, len(items))
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    log = {**response.log, "fault": True, "fault_kind": note}
    return Response(response.status, response.headers, payload, log)


# -- request hooks -----------------------------------------------------------------------------
@dataclass
class RequestHook:
    """Call ``callback(request_info)`` when the ``nth`` request matching ``method``/``path``/
    ``query`` (regexes, as for faults) arrives, before it is answered; fires once. The info is
    ``{"network", "method", "path", "query", "n"}`` with secrets redacted."""

    callback: Callable[[dict[str, Any]], None]
    method: str = "*"
    path: str = ".*"
    query: str | None = None
    nth: int = 1
    seen: int = 0
    fired: bool = False

    def __post_init__(self) -> None:
        self._match = Fault(self.method.upper(), self.path, query=self.query)

    def due(self, method: str, path: str, query: str) -> bool:
        """Count a matching request; True exactly once, on the ``nth``."""
        if self.fired or not self._match.matches(method, path, query):
            return False
        self.seen += 1
        self.fired = self.seen >= self.nth
        return self.fired
