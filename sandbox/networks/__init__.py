"""The networks the sandbox speaks: URL prefix -> handler. Adding a network is one module
(``handle(request, ctx) -> Response``) and one line here."""

from __future__ import annotations

from collections.abc import Callable

from sandbox.networks import facebook
from sandbox.protocol import Context, Request, Response

Handler = Callable[[Request, Context], Response]

NETWORKS: dict[str, Handler] = {
    "facebook": facebook.handle,
}
