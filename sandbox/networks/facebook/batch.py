"""Graph batch requests: ``POST /`` with ``batch=[{"method","relative_url"}, ...]`` (<= 50)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sandbox.graph.auth import check_token, find_token
from sandbox.graph.errors import GraphError, invalid_param, trace_id
from sandbox.networks.facebook.graphcall import (
    DEFAULT_VERSION,
    Outcome,
    base_headers,
    execute,
    graph_json,
    split_version,
    usage_headers,
)
from sandbox.protocol import Context, Request, Response
from sandbox.requestlog import redact_pairs
from sandbox.usage import APP_KEY

MAX_BATCH = 50


def _requests_of(request: Request) -> list[Any]:
    raw: Any = request.param("batch")
    if raw is None and request.headers.get("content-type", "").startswith("application/json"):
        try:
            raw = json.loads(request.body or b"{}").get("batch")
        except (ValueError, AttributeError):
            raw = None
    if raw is None:
        raise invalid_param("The parameter batch is required")
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        items = None
    if not isinstance(items, list):
        raise invalid_param("The parameter batch must be a JSON array of requests")
    if len(items) > MAX_BATCH:
        raise GraphError(
            f"(#1) Too many requests in batch message. Maximum batch size is {MAX_BATCH}", 1
        )
    return items


def _entry(outcome: Outcome, include_headers: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"code": outcome.status}
    if include_headers:
        entry["headers"] = [{"name": name, "value": value} for name, value in outcome.headers]
    entry["body"] = graph_json(outcome.payload).decode()
    return entry


def _fault_outcome(response: Response) -> Outcome:
    payload = json.loads(response.body or b"null") if response.body else None
    return Outcome(response.status, payload, response.headers, None)


def handle_batch(request: Request, ctx: Context) -> Response:
    """Facebook's batch endpoint."""
    trace = trace_id(ctx.world.seed, ctx.now.isoformat(), "batch", request.form, request.query)
    return run_batch(request, ctx, trace=trace, execute=execute, usage_headers=usage_headers)


def run_batch(
    request: Request,
    ctx: Context,
    *,
    trace: str,
    execute: Callable[[Context, str, str, list[tuple[str, str]], str | None], Outcome],
    usage_headers: Callable[[Any, dict[str, Any]], list[tuple[str, str]]],
) -> Response:
    """Graph's batch API for any Graph network: each entry runs through that network's
    ``execute``; usage headers cover the app and every page/account the entries touched."""
    version, pages_touched, log = DEFAULT_VERSION, [], []
    try:
        version, _ = split_version(request.path)
        token, _ = find_token(request)
        if token is not None:
            check_token(token, ctx.tokens, ctx.now)
        items = _requests_of(request)
        include_headers = (request.param("include_headers") or "true").lower() != "false"
        prefix = urlsplit(ctx.network_url).path
        entries = []
        for item in items:
            item = item if isinstance(item, dict) else {}
            method = str(item.get("method", "GET")).upper()
            parts = urlsplit("/" + str(item.get("relative_url", "")).lstrip("/"))
            query = parse_qsl(parts.query, keep_blank_values=True)
            if not item.get("relative_url"):
                error = invalid_param("Missing relative_url in batch request")
                outcome = Outcome(400, error.payload(trace), base_headers(version, trace), None)
            elif (fault := ctx.take_fault(method, prefix + parts.path)) is not None:
                outcome = _fault_outcome(fault)
            else:
                own = [v for k, v in query if k == "access_token"]
                outcome = execute(ctx, method, parts.path, query, own[-1] if own else token)
            if outcome.page_id and outcome.page_id not in pages_touched:
                pages_touched.append(outcome.page_id)
            entries.append(_entry(outcome, include_headers))
            log.append(
                {"method": method, "path": parts.path, "query": redact_pairs(query)}
                | {"status": outcome.status}
            )
        status, payload, extra = 200, entries, ()
    except GraphError as err:
        status, payload, extra = err.status, err.payload(trace), err.headers
    pages = {page_id: ctx.usage.peek(page_id) for page_id in pages_touched}
    headers = [*base_headers(version, trace), *usage_headers(ctx.usage.peek(APP_KEY), pages)]
    response = Response(status, [*headers, *extra], graph_json(payload))
    response.log["batch"] = log
    return response
