"""The networks the sandbox speaks: URL prefix -> handler. Adding a network is one subpackage
``sandbox/networks/<slug>/`` with ``handle(request, ctx) -> Response``; it is found here by name
(the slugs come from ``extractors.registry``, so a registered network without a sandbox module
fails loudly)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from extractors.registry import NETWORKS as REGISTRY
from sandbox.protocol import Context, Request, Response

Handler = Callable[[Request, Context], Response]


def _handlers() -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for slug, spec in REGISTRY.items():
        if spec.provenance != "api":  # e.g. XING: a CSV import, nothing to serve
            continue
        handlers[slug] = importlib.import_module(f"sandbox.networks.{slug}").handle
    return handlers


NETWORKS: dict[str, Handler] = _handlers()
