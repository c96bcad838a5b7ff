"""Facebook Pages on the Graph API, mounted at ``/facebook`` (plays ``https://graph.facebook.com``).

Routes: ``GET /{page-id}``, ``/{page-id}/insights[/{metric}]``, ``/{page-id}/posts`` (also
``published_posts``, ``feed``), ``/{post-id}``, ``/{post-id}/insights[/{metric}]``,
``/{post-id}/comments``, ``/{comment-id}``, ``/{comment-id}/comments``, and the batch endpoint
``POST /``; each optionally below a version prefix ``/v22.0`` ... ``/v26.0``.
"""

from __future__ import annotations

from sandbox.graph.auth import find_token
from sandbox.networks.facebook.batch import handle_batch
from sandbox.networks.facebook.graphcall import DEFAULT_VERSION, VERSIONS, execute
from sandbox.networks.facebook.metrics import PAGE_METRICS, POST_METRICS, RETIRED_METRICS
from sandbox.protocol import Context, Request, Response

__all__ = [
    "DEFAULT_VERSION",
    "PAGE_METRICS",
    "POST_METRICS",
    "RETIRED_METRICS",
    "VERSIONS",
    "handle",
]


def handle(request: Request, ctx: Context) -> Response:
    parts = [p for p in request.path.split("/") if p]
    if request.method == "POST" and (not parts or (len(parts) == 1 and parts[0][:1] == "v")):
        return handle_batch(request, ctx)
    token, _ = find_token(request)
    return execute(ctx, request.method, request.path, request.query, token).response()
