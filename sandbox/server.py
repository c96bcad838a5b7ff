"""The loopback HTTP server: routes ``/<network>/...`` to a network module, serves the control
endpoints (``/__clock``, ``/__requests``, ``/__faults``, ``/__tokens``, ``/__world``) and
keeps the request log. ``serve()`` runs it in a thread for tests."""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sandbox.auth import DEMO_TOKEN, TokenStore
from sandbox.faults import (
    PAGING_KINDS,
    RESPOND,
    Fault,
    FaultScript,
    RequestHook,
    apply_paging,
    fault_from_json,
    vocabulary,
)
from sandbox.networks import NETWORKS
from sandbox.protocol import Context, Request, Response
from sandbox.requestlog import RequestLog, auth_presence, redact_pairs
from sandbox.usage import UsageMeter
from sandbox.world import BUSINESSES, DEFAULT_NOW, DEFAULT_SEED, NEGATIVE_BURST, World


def parse_now(value: str | datetime) -> datetime:
    """A clock value: an aware datetime, ISO-8601 text (naive = UTC), or ``today``/``now``
    (the current wall time, whole seconds)."""
    if isinstance(value, datetime):
        moment = value
    elif value.strip().lower() in ("today", "now"):
        moment = datetime.now(UTC).replace(microsecond=0)
    else:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Sandbox:
    """A sandbox server; use as a context manager or ``start()``/``stop()``."""

    def __init__(
        self,
        *,
        now: datetime | str | None = None,
        seed: int = DEFAULT_SEED,
        tokens: Iterable[str] = (),
        expired_tokens: Iterable[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        app_budget: int = 2000,
        page_budget: int = 4800,
        usage_window_seconds: float = 3600.0,
        enforce_budget: bool = False,
        latency: float = 0.0,
    ) -> None:
        self.seed = seed
        # Seconds slept before answering each network call (not the control endpoints), so
        # benchmarks see a real API's round trip; concurrent calls wait concurrently.
        self.latency = latency
        self._violations = 0
        self._violations_lock = threading.Lock()
        self.world = World(seed)
        self._now = parse_now(now if now is not None else DEFAULT_NOW)
        self._clock_lock = threading.Lock()
        self.tokens = TokenStore([DEMO_TOKEN, *tokens])
        for token in expired_tokens:
            self.tokens.add(token, expires_at=self._now - timedelta(days=1))
        self.fault_script = FaultScript()
        self._hooks: list[RequestHook] = []
        self._hooks_lock = threading.Lock()
        self.log = RequestLog()
        self.usage = UsageMeter(
            app_budget=app_budget,
            page_budget=page_budget,
            window_seconds=usage_window_seconds,
            enforce=enforce_budget,
        )
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.sandbox = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    # -- addresses ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def facebook_url(self) -> str:
        return self.network_url("facebook")

    def network_url(self, network: str) -> str:
        if network not in NETWORKS:
            raise KeyError(f"the sandbox has no network {network!r}; known: {sorted(NETWORKS)}")
        return f"{self.url}/{network}"

    # -- clock --------------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        with self._clock_lock:
            return self._now

    def set_now(self, now: datetime | str) -> datetime:
        with self._clock_lock:
            self._now = parse_now(now)
            return self._now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward, e.g. ``advance(days=1, hours=3)``."""
        with self._clock_lock:
            self._now += timedelta(**delta)
            return self._now

    # -- tokens, faults, log ------------------------------------------------------------------
    def add_token(self, token: str, *, expires_at: datetime | None = None) -> None:
        self.tokens.add(token, expires_at)

    def remove_token(self, token: str) -> None:
        self.tokens.remove(token)

    def add_fault(
        self,
        method: str,
        path: str,
        *,
        status: int = 500,
        headers: dict[str, str] | None = None,
        body: Any = None,
        times: int = 1,
        skip: int = 0,
        kind: str = RESPOND,
        query: str | None = None,
        stall_seconds: float = 5.0,
    ) -> Fault:
        """Script a response for requests whose method matches (``*`` = any) and whose path
        (network prefix included, no query) matches the regex ``path`` (and, if given, whose
        raw query string matches the regex ``query``). The first ``skip`` matches pass through;
        the next ``times`` get the fault. Use ``sandbox.graph_error(code)`` for Graph error
        bodies. ``kind`` other than ``respond`` disturbs the transport (``stall`` for
        ``stall_seconds``, ``truncate``, ``drop``) or the paging of the real answer
        (``duplicate``, ``reorder``, ``empty_page``, ``short_page``, ``loop``); see
        :mod:`sandbox.faults`."""
        fault = Fault(
            method,
            path,
            status,
            dict(headers or {}),
            body,
            times,
            skip,
            kind=kind,
            query=query,
            stall_seconds=stall_seconds,
        )
        return self.fault_script.add(fault)

    def on_request(
        self,
        callback: Any,
        *,
        method: str = "*",
        path: str = ".*",
        query: str | None = None,
        nth: int = 1,
    ) -> RequestHook:
        """Call ``callback(info)`` once, when the ``nth`` matching request arrives and before it
        is answered (e.g. to kill the client process at a known point)."""
        hook = RequestHook(callback, method, path, query, nth)
        with self._hooks_lock:
            self._hooks.append(hook)
        return hook

    def clear_faults(self) -> None:
        self.fault_script.clear()

    def faults(self) -> list[dict[str, Any]]:
        return self.fault_script.pending()

    def requests(self) -> list[dict[str, Any]]:
        """The request log (oldest first); token and secret values are redacted."""
        return self.log.entries()

    def clear_requests(self) -> None:
        self.log.clear()

    @property
    def rate_limit_violations(self) -> int:
        """Network calls answered with a throttling error (HTTP 429, Graph codes 4, 17, 32, 613,
        80001) that were not a scripted fault on the whole request: calls a client sent beyond a
        rate limit (run with ``enforce_budget=True`` so over-budget calls are answered so)."""
        with self._violations_lock:
            return self._violations

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> Sandbox:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-http",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def shutdown(self) -> None:
        """Stop ``serve_forever`` (from another thread or a signal handler's thread)."""
        self._httpd.shutdown()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling ---------------------------------------------------------------------
    def context(self, network: str) -> Context:
        return Context(
            world=self.world,
            now=self.now,
            tokens=self.tokens,
            usage=self.usage,
            network_url=f"{self.url}/{network}",
            take_fault=self.fault_script.take,
        )

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        split = urlsplit(target)
        path, query = split.path, parse_qsl(split.query, keep_blank_values=True)
        if path.startswith("/__"):
            return _control(self, method, path, query, body)
        network, _, rest = path.lstrip("/").partition("/")
        if network not in NETWORKS:
            return Response.json(
                404, {"error": f"no network at /{network}; known: {sorted(NETWORKS)}"}
            )
        form: list[tuple[str, str]] = []
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        request = Request(method, "/" + rest, query, headers, form, body)
        if self.latency > 0:
            time.sleep(self.latency)
        ctx = self.context(network)
        self._fire_hooks(network, request, path, split.query)
        claimed = self.fault_script.claim(method, path, split.query)
        fault, phase = claimed if claimed else (None, "")
        if fault is not None and fault.kind == RESPOND:
            response = fault.response()
        elif fault is not None and fault.kind in ("stall", "drop"):
            response = Response(0, [], b"", log={"fault": True, "transport": fault.kind})
            response.log["stall_seconds"] = fault.stall_seconds
        else:
            try:
                response = NETWORKS[network](request, ctx)
            except Exception as exc:  # a sandbox bug must not look like an API answer
                traceback.print_exc(file=sys.stderr)
                response = Response.json(500, {"sandbox_error": f"{type(exc).__name__}: {exc}"})
            if fault is not None and fault.kind == "truncate":
                response.log |= {"fault": True, "transport": "truncate"}
            elif fault is not None and fault.kind in PAGING_KINDS:
                response = apply_paging(
                    fault,
                    phase,
                    response,
                    vocabulary(network),
                    request_url=f"{self.url}{target}",
                    query=query,
                    done=self.fault_script.finish,
                )
        self._log(network, request, ctx.now, path, response)
        if not response.log.get("fault") and _is_throttled(response):
            with self._violations_lock:
                self._violations += 1
        return response

    def _fire_hooks(self, network: str, request: Request, path: str, raw_query: str) -> None:
        with self._hooks_lock:
            due = [h for h in self._hooks if h.due(request.method, path, raw_query)]
            self._hooks = [h for h in self._hooks if not h.fired]
        for hook in due:
            info = {"network": network, "method": request.method, "path": path}
            hook.callback(info | {"query": redact_pairs(request.query), "n": hook.seen})

    def _log(
        self, network: str, request: Request, clock: datetime, path: str, response: Response
    ) -> None:
        secrets = set(self.tokens.known())
        secrets.update(v for k, v in [*request.query, *request.form] if k == "access_token")
        _, _, header_token = request.headers.get("authorization", "").partition(" ")
        secrets.add(header_token.strip())
        form = [(k, "<batch>" if k == "batch" else v) for k, v in request.form]
        entry = {
            "clock": clock.isoformat(),
            "network": network,
            "method": request.method,
            "path": path,
            "query": redact_pairs(request.query),
            "form": redact_pairs(form),
            "auth": auth_presence(request.headers, request.query, request.form),
            "status": response.status,
            "fault": bool(response.log.get("fault")),
        }
        entry |= {k: v for k, v in response.log.items() if k != "fault"}
        self.log.append(entry, secrets)


_THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001})


def _is_throttled(response: Response) -> bool:
    """Whether an answer says "rate limited": HTTP 429, or a Graph error with a throttling code
    (top level or inside a batch answer)."""
    if response.status == 429:
        return True
    if b'"code"' not in response.body:
        return False
    try:
        payload = json.loads(response.body)
    except ValueError:
        return False
    answers = payload if isinstance(payload, list) else [payload]
    for answer in answers:
        if isinstance(answer, dict) and isinstance(answer.get("body"), str):
            if answer.get("code") == 429:
                return True
            try:
                answer = json.loads(answer["body"])
            except ValueError:
                continue
        error = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(error, dict) and error.get("code") in _THROTTLE_CODES:
            return True
    return False


def _control(
    sb: Sandbox, method: str, path: str, query: list[tuple[str, str]], body: bytes
) -> Response:
    try:
        data: Any = json.loads(body) if body.strip() else {}
    except ValueError:
        return Response.json(400, {"error": "the body must be JSON"})
    try:
        return _control_route(sb, method, path, data)
    except (ValueError, TypeError, KeyError) as exc:
        return Response.json(400, {"error": str(exc)})


def _control_route(sb: Sandbox, method: str, path: str, data: Any) -> Response:
    route = (method, path.rstrip("/"))
    if route == ("GET", "/__clock"):
        return Response.json(200, {"now": sb.now.isoformat()})
    if route == ("POST", "/__clock"):
        if "advance_seconds" in data:
            moment = sb.advance(seconds=float(data["advance_seconds"]))
        else:
            moment = sb.set_now(data["now"])
        return Response.json(200, {"now": moment.isoformat()})
    if route == ("GET", "/__requests"):
        return Response.json(200, {"requests": sb.requests()})
    if route == ("DELETE", "/__requests"):
        sb.clear_requests()
        return Response.json(200, {"requests": []})
    if route == ("GET", "/__faults"):
        return Response.json(200, {"faults": sb.faults()})
    if route == ("DELETE", "/__faults") or (route == ("POST", "/__faults") and data == {}):
        sb.clear_faults()
        return Response.json(200, {"faults": []})
    if route == ("POST", "/__faults"):
        if isinstance(data, dict) and data.get("clear"):
            sb.clear_faults()
        specs = data if isinstance(data, list) else data.get("faults", [data])
        specs = [s for s in specs if set(s) - {"clear"}]
        for spec in [fault_from_json(s) for s in specs]:
            sb.fault_script.add(spec)
        return Response.json(200, {"faults": sb.faults()})
    if route == ("POST", "/__tokens"):
        expires = data.get("expires_at")
        sb.add_token(str(data["token"]), expires_at=parse_now(expires) if expires else None)
        return Response.json(200, {"tokens": len(sb.tokens.known())})
    if route == ("GET", "/__world"):
        return Response.json(200, _world_summary(sb))
    return Response.json(404, {"error": f"no control endpoint {method} {path}"})


def _world_summary(sb: Sandbox) -> dict[str, Any]:
    burst = NEGATIVE_BURST
    return {
        "seed": sb.seed,
        "now": sb.now.isoformat(),
        "networks": sorted(NETWORKS),
        "businesses": [
            {"slug": b.slug, "name": b.name, "facebook_page_id": b.page_id} for b in BUSINESSES
        ],
        "negative_burst": {
            "business": burst.business,
            "page_id": burst.page_id,
            "post_id": burst.post_id,
            "date": burst.date.isoformat(),
            "window_start": burst.window_start.isoformat(),
            "window_end": burst.window_end.isoformat(),
            "angry_comments": burst.angry_comments,
        },
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes

    def version_string(self) -> str:
        return "messbar-sandbox"

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header on the sandbox clock, as a real server's shows its own time."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        sandbox: Sandbox = self.server.sandbox  # type: ignore[attr-defined]
        return format_datetime(sandbox.now.astimezone(UTC), usegmt=True)

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        sandbox: Sandbox = self.server.sandbox  # type: ignore[attr-defined]
        response = sandbox.handle(self.command, self.path, headers, body)
        transport = response.log.get("transport")
        try:
            if transport in ("stall", "drop"):
                # no answer at all: a stall outlasts the client's read timeout, then both close
                self.close_connection = True
                if transport == "stall":
                    time.sleep(float(response.log.get("stall_seconds", 5.0)))
                return
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if transport == "truncate":  # the full length announced, half the body sent
                self.close_connection = True
                self.wfile.write(response.body[: len(response.body) // 2])
                self.wfile.flush()
                return
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):  # the client went away (or was killed)
            self.close_connection = True

    do_GET = do_POST = do_DELETE = do_PUT = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the record."""


@contextmanager
def serve(**options: Any) -> Iterator[Sandbox]:
    """Run a sandbox on a free loopback port for the duration of the block, e.g.
    ``with serve(now=datetime(2026, 3, 16, tzinfo=UTC), seed=42, tokens=["t"]) as sb:``."""
    sandbox = Sandbox(**options)
    with sandbox:
        yield sandbox
