"""Answer one Graph GET (top-level or inside a batch): version, usage, token, route."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sandbox.graph.auth import check_token
from sandbox.graph.errors import GRAPH_METHOD, GraphError, trace_id, unknown_path
from sandbox.graph.usage import app_usage_header, buc_usage_header
from sandbox.networks.facebook.call import Call
from sandbox.networks.facebook.routes import page_of, route
from sandbox.protocol import JSON_CONTENT_TYPE, Context, Headers, Response
from sandbox.usage import APP_KEY, Usage

VERSIONS = ("v22.0", "v23.0", "v24.0", "v25.0", "v26.0")
DEFAULT_VERSION = "v25.0"
_VERSION = re.compile(r"^v(\d+)\.(\d+)$")


def graph_json(payload: Any) -> bytes:
    """JSON as graph.facebook.com writes it: compact, ASCII-only, ``/`` escaped."""
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()


def split_version(path: str) -> tuple[str, tuple[str, ...]]:
    parts = tuple(p for p in path.split("/") if p)
    match = _VERSION.match(parts[0]) if parts else None
    if match is None:
        return DEFAULT_VERSION, parts
    if parts[0] in VERSIONS:
        return parts[0], parts[1:]
    if int(match.group(1)) < int(VERSIONS[0][1:].split(".")[0]):
        raise GraphError(
            f"(#2635) You are calling a deprecated version of the Graph API ({parts[0]}). "
            f"Please update to the latest version: {VERSIONS[-1]}.",
            2635,
        )
    raise unknown_path(f"/{parts[0]}")


def usage_headers(app: Usage, pages: dict[str, Usage]) -> Headers:
    return [
        ("X-App-Usage", app_usage_header(app)),
        ("X-Business-Use-Case-Usage", buc_usage_header(pages)),
    ]


def base_headers(version: str, trace: str) -> Headers:
    return [
        ("Content-Type", JSON_CONTENT_TYPE),
        ("facebook-api-version", version),
        ("x-fb-trace-id", trace),
        ("Cache-Control", "private, no-cache, no-store, must-revalidate"),
        ("Pragma", "no-cache"),
        ("Expires", "Sat, 01 Jan 2000 00:00:00 GMT"),
        ("Access-Control-Allow-Origin", "*"),
    ]


@dataclass
class Outcome:
    status: int
    payload: Any
    headers: Headers
    page_id: str | None

    def response(self) -> Response:
        return Response(self.status, self.headers, graph_json(self.payload))


def _record_usage(ctx: Context, page_id: str | None) -> tuple[Usage, dict[str, Usage]]:
    app = ctx.usage.record(APP_KEY)
    pages = {page_id: ctx.usage.record(page_id)} if page_id else {}
    if ctx.usage.enforce and app.exhausted:
        raise GraphError("(#4) Application request limit reached", 4, is_transient=True)
    if ctx.usage.enforce and page_id and pages[page_id].exhausted:
        raise GraphError(
            "(#80001) There have been too many calls to this Page account. Wait a bit and try "
            "again. For more info, please refer to "
            "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
            80001,
            is_transient=True,
        )
    return app, pages


def execute(
    ctx: Context, method: str, path: str, query: list[tuple[str, str]], token: str | None
) -> Outcome:
    trace = trace_id(ctx.world.seed, ctx.now.isoformat(), method, path, urlencode(query))
    parts = [p for p in path.split("/") if p and not _VERSION.match(p)]
    page_id = page_of(ctx.world, parts[0]) if parts else None
    version, extra = DEFAULT_VERSION, ()
    app, pages = ctx.usage.peek(APP_KEY), {}
    try:
        app, pages = _record_usage(ctx, page_id)
        version, rest = split_version(path)
        check_token(token, ctx.tokens, ctx.now)
        if method != "GET":
            raise GraphError(
                f"Unsupported {method.lower()} request. Please read the Graph API documentation "
                "at https://developers.facebook.com/docs/graph-api",
                100,
                type=GRAPH_METHOD,
            )
        status, payload = 200, route(Call(ctx, version, rest, list(query)))
    except GraphError as err:
        status, payload, extra = err.status, err.payload(trace), err.headers
    headers = [*base_headers(version, trace), *usage_headers(app, pages), *extra]
    return Outcome(status, payload, headers, page_id)
