"""Loopback servers that speak the documented subset of each network's API over a seeded,
deterministic demo world, with a settable clock, scripted faults and a redacted request log.

    with sandbox.serve(now=datetime(2026, 3, 16, 6, tzinfo=UTC), seed=42) as sb:
        requests.get(f"{sb.facebook_url}/v25.0/1000000001/posts",
                     headers={"Authorization": f"Bearer {sandbox.DEMO_TOKEN}"})
"""

from sandbox.auth import DEMO_TOKEN
from sandbox.graph.errors import graph_error
from sandbox.server import Sandbox, serve
from sandbox.world import (
    BUSINESSES,
    DEFAULT_NOW,
    DEFAULT_SEED,
    EPOCH,
    NEGATIVE_BURST,
    Business,
    Comment,
    NegativeBurst,
    Post,
    World,
)

__all__ = [
    "BUSINESSES",
    "DEFAULT_NOW",
    "DEFAULT_SEED",
    "DEMO_TOKEN",
    "EPOCH",
    "NEGATIVE_BURST",
    "Business",
    "Comment",
    "NegativeBurst",
    "Post",
    "Sandbox",
    "World",
    "graph_error",
    "serve",
]
