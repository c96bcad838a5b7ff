"""X (Twitter) API v2, mounted at ``/x`` (plays ``https://api.x.com``).

Routes: ``GET /2/users/:id``, ``GET /2/users/:id/tweets`` (user timeline) and
``GET /2/tweets/search/recent`` (``query=conversation_id:<id>`` only). Tokens come from
``Authorization: Bearer``; a token starting with ``AAAAAAAAAAAAAAAAAAAAA`` is an app-only bearer
(no private metrics), any other accepted token is a user-context token of the account owner.
Every response carries ``x-rate-limit-limit/-remaining/-reset``; errors are problem JSON.
"""

from __future__ import annotations

from sandbox.networks.x.api import (
    APP_ONLY_PREFIX,
    LIMITS,
    SEARCH_DAYS,
    TIMELINE_CAP,
    TIMELINE_CAP_NO_REPLIES,
    handle,
)
from sandbox.networks.x.problems import too_many_requests, usage_capped
from sandbox.networks.x.world import USERS, XPost, XUser, XWorld, snowflake, x_world

__all__ = [
    "APP_ONLY_PREFIX",
    "LIMITS",
    "SEARCH_DAYS",
    "TIMELINE_CAP",
    "TIMELINE_CAP_NO_REPLIES",
    "USERS",
    "XPost",
    "XUser",
    "XWorld",
    "handle",
    "snowflake",
    "too_many_requests",
    "usage_capped",
    "x_world",
]
