"""Instagram professional accounts on the Graph API, mounted at ``/instagram`` (plays
``https://graph.facebook.com`` for the Instagram API with Facebook Login).

Routes, each optionally below a version prefix ``/v22.0`` ... ``/v26.0``:
``GET /{ig-user-id}?fields=``, ``/{ig-user-id}/media``, ``/{ig-user-id}/stories``,
``/{ig-user-id}/insights?metric=&period=day&metric_type=&since=&until=``, ``/{ig-media-id}``,
``/{ig-media-id}/insights?metric=``, ``/{ig-media-id}/comments``, ``/{ig-comment-id}``,
``/{ig-comment-id}/replies`` and the batch endpoint ``POST /``.
"""

from __future__ import annotations

import threading
from urllib.parse import urlencode

from sandbox.graph.auth import check_token, find_token
from sandbox.graph.errors import GRAPH_METHOD, GraphError, trace_id
from sandbox.graph.usage import app_usage_header, buc_usage_header
from sandbox.networks.facebook.batch import run_batch
from sandbox.networks.facebook.call import Call
from sandbox.networks.facebook.graphcall import (
    DEFAULT_VERSION,
    VERSIONS,
    Outcome,
    base_headers,
    split_version,
)
from sandbox.networks.instagram.metrics import RETIRED_ACCOUNT_METRICS, RETIRED_MEDIA_METRICS
from sandbox.networks.instagram.routes import owner_of, route
from sandbox.networks.instagram.world import ACCOUNTS, IgWorld, ig_user_id
from sandbox.protocol import Context, Headers, Request, Response
from sandbox.usage import APP_KEY, Usage

__all__ = [
    "ACCOUNTS",
    "RETIRED_ACCOUNT_METRICS",
    "RETIRED_MEDIA_METRICS",
    "VERSIONS",
    "handle",
    "ig_user_id",
    "ig_world",
]

_WORLDS: dict[int, IgWorld] = {}
_WORLDS_LOCK = threading.Lock()


def ig_world(seed: int) -> IgWorld:
    """The (cached) Instagram ground truth for a seed: the same one the server answers from."""
    with _WORLDS_LOCK:
        if seed not in _WORLDS:
            _WORLDS[seed] = IgWorld(seed)
        return _WORLDS[seed]


def handle(request: Request, ctx: Context) -> Response:
    parts = [p for p in request.path.split("/") if p]
    if request.method == "POST" and (not parts or (len(parts) == 1 and parts[0][:1] == "v")):
        return _batch(request, ctx)
    token, _ = find_token(request)
    return _execute(ctx, request.method, request.path, request.query, token).response()


def _usage_headers(app: Usage, owners: dict[str, Usage]) -> Headers:
    return [
        ("X-App-Usage", app_usage_header(app)),
        ("X-Business-Use-Case-Usage", buc_usage_header(owners, kind="instagram")),
    ]


def _record_usage(ctx: Context, owner: str | None) -> tuple[Usage, dict[str, Usage]]:
    app = ctx.usage.record(APP_KEY)
    owners = {owner: ctx.usage.record(owner)} if owner else {}
    if ctx.usage.enforce and app.exhausted:
        raise GraphError("(#4) Application request limit reached", 4, is_transient=True)
    if ctx.usage.enforce and owner and owners[owner].exhausted:
        raise GraphError(
            "(#80002) There have been too many calls to this Instagram account. Wait a bit and "
            "try again. For more info, please refer to "
            "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
            80002,
            is_transient=True,
        )
    return app, owners


def _execute(
    ctx: Context, method: str, path: str, query: list[tuple[str, str]], token: str | None
) -> Outcome:
    ig = ig_world(ctx.world.seed)
    trace = trace_id(ctx.world.seed, ctx.now.isoformat(), "ig", method, path, urlencode(query))
    parts = [p for p in path.split("/") if p and not (p[:1] == "v" and "." in p)]
    owner = owner_of(ig, parts[0]) if parts else None
    version, extra = DEFAULT_VERSION, ()
    app, owners = ctx.usage.peek(APP_KEY), {}
    try:
        app, owners = _record_usage(ctx, owner)
        version, rest = split_version(path)
        check_token(token, ctx.tokens, ctx.now)
        if method != "GET":
            raise GraphError(
                f"Unsupported {method.lower()} request. Please read the Graph API documentation "
                "at https://developers.facebook.com/docs/graph-api",
                100,
                type=GRAPH_METHOD,
            )
        status, payload = 200, route(Call(ctx, version, rest, list(query)), ig)
    except GraphError as err:
        status, payload, extra = err.status, err.payload(trace), err.headers
    headers = [*base_headers(version, trace), *_usage_headers(app, owners), *extra]
    return Outcome(status, payload, headers, owner)


def _batch(request: Request, ctx: Context) -> Response:
    """``POST /`` with ``batch=[{"method", "relative_url"}, ...]`` (<= 50), Graph's batch API."""
    trace = trace_id(ctx.world.seed, ctx.now.isoformat(), "ig-batch", request.form)
    return run_batch(request, ctx, trace=trace, execute=_execute, usage_headers=_usage_headers)
