"""The X API v2 endpoints an own-account nightly pull uses, answered from the X demo world:
``GET /2/users/:id``, ``GET /2/users/:id/tweets`` and ``GET /2/tweets/search/recent``."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.auth import TokenStatus
from sandbox.networks.x import problems
from sandbox.networks.x.problems import XProblem, invalid_request
from sandbox.networks.x.world import XPost, XUser, XWorld, snowflake_time, x_time, x_world
from sandbox.protocol import Context, Request, Response

APP_ONLY_PREFIX = "AAAAAAAAAAAAAAAAAAAAA"  # X app-only bearer tokens start like this
TIMELINE_CAP = 3200  # the user timeline serves only the most recent 3,200 posts ...
TIMELINE_CAP_NO_REPLIES = 800  # ... or 800 with exclude=replies
SEARCH_DAYS = 7  # recent search covers the last 7 days
MIN_TIME = datetime(2010, 11, 6, tzinfo=UTC)

# (app-only, user context) requests per 15 minutes, from docs.x.com/x-api/fundamentals/rate-limits
LIMITS = {
    "user": (300, 900),
    "timeline": (10000, 900),
    "search": (450, 300),
}

USER_FIELDS = frozenset(
    [
        "affiliation",
        "connection_status",
        "created_at",
        "description",
        "entities",
        "id",
        "is_identity_verified",
        "location",
        "most_recent_tweet_id",
        "name",
        "parody",
        "pinned_tweet_id",
        "profile_banner_url",
        "profile_image_url",
        "protected",
        "public_metrics",
        "receives_your_dm",
        "subscription",
        "subscription_type",
        "url",
        "username",
        "verified",
        "verified_followers_count",
        "verified_type",
        "withheld",
    ]
)
TWEET_FIELDS = frozenset(
    [
        "article",
        "attachments",
        "author_id",
        "card_uri",
        "community_id",
        "context_annotations",
        "conversation_id",
        "created_at",
        "display_text_range",
        "edit_controls",
        "edit_history_tweet_ids",
        "entities",
        "geo",
        "id",
        "in_reply_to_user_id",
        "lang",
        "media_metadata",
        "non_public_metrics",
        "note_tweet",
        "organic_metrics",
        "possibly_sensitive",
        "promoted_metrics",
        "public_metrics",
        "referenced_tweets",
        "reply_settings",
        "scopes",
        "source",
        "text",
        "withheld",
    ]
)
PRIVATE_FIELDS = frozenset({"non_public_metrics", "organic_metrics", "promoted_metrics"})
EXPANSION_PARAMS = frozenset({"expansions", "media.fields", "place.fields", "poll.fields"})
TIMELINE_PARAMS = frozenset(
    {
        "max_results",
        "pagination_token",
        "start_time",
        "end_time",
        "since_id",
        "until_id",
        "exclude",
        "tweet.fields",
        "user.fields",
        *EXPANSION_PARAMS,
    }
)
SEARCH_PARAMS = frozenset(
    {
        "query",
        "max_results",
        "next_token",
        "pagination_token",
        "start_time",
        "end_time",
        "since_id",
        "until_id",
        "sort_order",
        "tweet.fields",
        "user.fields",
        *EXPANSION_PARAMS,
    }
)
_EXCLUDED_KIND = {"retweets": "retweet", "replies": "reply"}
_CONVERSATION = re.compile(r"^\s*conversation_id:(\d{1,19})\s*$")


@dataclass(frozen=True)
class Caller:
    token: str
    app_only: bool


def handle(request: Request, ctx: Context) -> Response:
    parts = [p for p in request.path.split("/") if p]
    kind, handler = _route(parts)
    limit_app, limit_user = LIMITS.get(kind, (300, 900))
    caller: Caller | None = None
    try:
        caller = _authenticate(request, ctx)
        limit = limit_app if caller.app_only else limit_user
        usage = ctx.usage.record(f"x:{kind}:{'app' if caller.app_only else caller.token}")
        headers = problems.rate_limit_headers(
            limit, limit - usage.calls, problems.window_reset(ctx.now)
        )
        if ctx.usage.enforce and usage.calls > limit:
            raise XProblem(429, problems.too_many_requests_body())
        if handler is None:
            raise problems.not_found_route(request.path)
        if request.method != "GET":
            raise XProblem(
                405,
                {"title": "Method Not Allowed", "type": "about:blank", "status": 405},
            )
        payload, resources = handler(request, ctx, caller, parts)
        return problems.response(200, payload, headers, {"resources": resources})
    except XProblem as problem:
        limit = limit_app if caller is None or caller.app_only else limit_user
        headers = problems.rate_limit_headers(limit, 0, problems.window_reset(ctx.now))
        return problems.response(problem.status, problem.payload, headers, {"resources": 0})


Handler = Callable[[Request, Context, Caller, list[str]], tuple[dict[str, Any], int]]


def _route(parts: list[str]) -> tuple[str, Handler | None]:
    if len(parts) == 3 and parts[:2] == ["2", "users"] and parts[2].isdigit():
        return "user", user_lookup
    if len(parts) == 4 and parts[:2] == ["2", "users"] and parts[3] == "tweets":
        return "timeline", user_timeline
    if parts == ["2", "tweets", "search", "recent"]:
        return "search", search_recent
    return "other", None


def _authenticate(request: Request, ctx: Context) -> Caller:
    """X reads the token from ``Authorization: Bearer``; a missing, unknown or expired token
    is a 401 problem."""
    scheme, _, value = request.headers.get("authorization", "").strip().partition(" ")
    token = value.strip()
    if scheme.lower() != "bearer" or not token:
        raise problems.unauthorized()
    if ctx.tokens.check(token, ctx.now).status is not TokenStatus.VALID:
        raise problems.unauthorized()
    return Caller(token=token, app_only=token.startswith(APP_ONLY_PREFIX))


# -- parameters -------------------------------------------------------------------------------
def _check_params(request: Request, allowed: frozenset[str]) -> None:
    for name, _ in request.query:
        if name not in allowed:
            raise invalid_request(
                f"The query parameter [{name}] is not one of [{','.join(sorted(allowed))}]",
                {name: [request.param(name) or ""]},
            )


def _fields(request: Request, name: str, allowed: frozenset[str]) -> set[str]:
    raw = request.param(name)
    if raw is None:
        return set()
    fields = {f.strip() for f in raw.split(",") if f.strip()}
    unknown = sorted(fields - allowed)
    if unknown:
        raise invalid_request(
            f"The `{name}` query parameter value [{unknown[0]}] is not one of "
            f"[{','.join(sorted(allowed))}]",
            {name: [raw]},
        )
    return fields


def _int_param(request: Request, name: str, low: int, high: int, default: int) -> int:
    raw = request.param(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise invalid_request(
            f"The `{name}` query parameter value [{raw}] is not between {low} and {high}",
            {name: [raw]},
        )
    return int(raw)


def _time_param(request: Request, name: str) -> datetime | None:
    raw = request.param(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or moment < MIN_TIME:
        raise invalid_request(
            f"Invalid '{name}':'{raw}'. '{name}' must be an RFC 3339 timestamp "
            "(YYYY-MM-DDTHH:mm:ssZ) on or after 2010-11-06T00:00:00Z",
            {name: [raw]},
        )
    return moment.astimezone(UTC)


def _id_param(request: Request, name: str) -> int | None:
    raw = request.param(name)
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 19:
        raise invalid_request(
            f"The `{name}` query parameter value [{raw}] does not match ^[0-9]{{1,19}}$",
            {name: [raw]},
        )
    return int(raw)


def _page_token(request: Request, names: tuple[str, ...], fingerprint: str) -> int:
    """Offset encoded in an opaque token: 12 hex digits of the query's fingerprint + offset."""
    for name in names:
        raw = request.param(name)
        if raw is None:
            continue
        if len(raw) > 12 and raw[:12] == fingerprint and raw[12:].isalnum():
            return int(raw[12:], 36)
        raise invalid_request(
            f"The `{name}` query parameter value [{raw}] is not a valid token for this request",
            {name: [raw]},
        )
    return 0


def _token_for(fingerprint: str, offset: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        offset, rem = divmod(offset, 36)
        out = digits[rem] + out
        if not offset:
            return fingerprint + out


def _fingerprint(request: Request, skip: tuple[str, ...]) -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(request.query) if k not in skip)
    return hashlib.sha1(f"{request.path}?{query}".encode(), usedforsecurity=False).hexdigest()[:12]


# -- rendering --------------------------------------------------------------------------------
def render_user(world: XWorld, user: XUser, fields: set[str], now: datetime) -> dict[str, Any]:
    out: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
    optional: dict[str, Callable[[], Any]] = {
        "created_at": lambda: x_time(user.created_at),
        "description": lambda: user.description,
        "location": lambda: user.location,
        "url": lambda: user.url,
        "verified": lambda: False,
        "verified_type": lambda: "none",
        "protected": lambda: False,
        "profile_image_url": lambda: f"https://pbs.twimg.com/profile_images/{user.id}/a_normal.jpg",
        "public_metrics": lambda: world.user_public_metrics(user.id, now),
    }
    for name in sorted(fields & optional.keys()):
        out[name] = optional[name]()
    return out


def render_post(
    world: XWorld, post: XPost, fields: set[str], now: datetime, *, private: bool
) -> dict[str, Any]:
    """A post with the default fields plus the requested ones; private metrics only when
    ``private`` (user context, own post, younger than 30 days)."""
    out: dict[str, Any] = {"id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]}
    optional: dict[str, Callable[[], Any]] = {
        "created_at": lambda: x_time(post.created_at),
        "author_id": lambda: post.author_id,
        "conversation_id": lambda: post.conversation_id,
        "lang": lambda: "de",
        "possibly_sensitive": lambda: False,
        "reply_settings": lambda: "everyone",
        "edit_controls": lambda: {
            "edits_remaining": 5,
            "is_edit_eligible": post.kind in ("post", "quote"),
            "editable_until": x_time(post.created_at + timedelta(hours=1)),
        },
        "public_metrics": lambda: world.public_metrics(post, now),
    }
    if post.in_reply_to_user_id:
        optional["in_reply_to_user_id"] = lambda: post.in_reply_to_user_id
    if post.references:
        optional["referenced_tweets"] = lambda: [
            {"type": ref.type, "id": ref.id} for ref in post.references
        ]
    if private:
        optional["non_public_metrics"] = lambda: world.non_public_metrics(post, now)
        optional["organic_metrics"] = lambda: world.organic_metrics(post, now)
    for name in sorted(fields & optional.keys()):
        out[name] = optional[name]()
    return out


def _page_body(
    items: list[dict[str, Any]],
    offset: int,
    size: int,
    total: int,
    fingerprint: str,
    *,
    previous: bool = True,
) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if items:
        meta["newest_id"] = items[0]["id"]
        meta["oldest_id"] = items[-1]["id"]
    meta["result_count"] = len(items)
    if offset + size < total:
        meta["next_token"] = _token_for(fingerprint, offset + size)
    if previous and offset > 0:  # timelines have previous_token, search does not
        meta["previous_token"] = _token_for(fingerprint, max(0, offset - size))
    body: dict[str, Any] = {"data": items} if items else {}
    body["meta"] = meta
    return body


# -- endpoints --------------------------------------------------------------------------------
def user_lookup(
    request: Request, ctx: Context, caller: Caller, parts: list[str]
) -> tuple[dict[str, Any], int]:
    _check_params(request, frozenset({"user.fields", *EXPANSION_PARAMS, "tweet.fields"}))
    fields = _fields(request, "user.fields", USER_FIELDS)
    world = x_world(ctx.world.seed)
    user = world.user(parts[2])
    if user is None:
        return {"errors": [problems.resource_not_found("user", "id", parts[2])]}, 0
    return {"data": render_user(world, user, fields, ctx.now)}, 1


def user_timeline(
    request: Request, ctx: Context, caller: Caller, parts: list[str]
) -> tuple[dict[str, Any], int]:
    _check_params(request, TIMELINE_PARAMS)
    fields = _fields(request, "tweet.fields", TWEET_FIELDS)
    _fields(request, "user.fields", USER_FIELDS)
    size = _int_param(request, "max_results", 5, 100, 10)
    start, end = _time_param(request, "start_time"), _time_param(request, "end_time")
    if start and end and end <= start:
        raise invalid_request(
            f"Invalid 'end_time':'{request.param('end_time')}'. 'end_time' must be after "
            "'start_time'",
            {"end_time": [request.param("end_time") or ""]},
        )
    since_id, until_id = _id_param(request, "since_id"), _id_param(request, "until_id")
    exclude = {e.strip() for e in (request.param("exclude") or "").split(",") if e.strip()}
    if exclude - {"retweets", "replies"}:
        raise invalid_request(
            f"The `exclude` query parameter value [{request.param('exclude')}] is not one of "
            "[replies,retweets]",
            {"exclude": [request.param("exclude") or ""]},
        )
    private = bool(fields & PRIVATE_FIELDS)
    if private and caller.app_only:
        raise problems.unsupported_authentication()
    world = x_world(ctx.world.seed)
    user = world.user(parts[2])
    if user is None:
        return {"errors": [problems.resource_not_found("user", "id", parts[2])]}, 0
    fingerprint = _fingerprint(request, ("pagination_token",))
    offset = _page_token(request, ("pagination_token",), fingerprint)
    cap = TIMELINE_CAP_NO_REPLIES if "replies" in exclude else TIMELINE_CAP
    kinds = {"post", "quote", "retweet", "reply"} - {_EXCLUDED_KIND[e] for e in exclude}
    posts = [
        p
        for p in world.timeline_at(user.id, ctx.now)[:cap]
        if p.kind in kinds
        and (since_id is None or int(p.id) > since_id)
        and (until_id is None or int(p.id) < until_id)
        and (start is None or p.created_at >= start)
        and (end is None or p.created_at < end + timedelta(seconds=1))
    ]
    page = posts[offset : offset + size]
    if private:  # asking for private metrics silently drops posts older than 30 days
        page = [p for p in page if world.private_metrics_available(p, ctx.now)]
    items = [render_post(world, p, fields, ctx.now, private=private) for p in page]
    return _page_body(items, offset, size, len(posts), fingerprint), len(items)


def search_recent(
    request: Request, ctx: Context, caller: Caller, parts: list[str]
) -> tuple[dict[str, Any], int]:
    _check_params(request, SEARCH_PARAMS)
    fields = _fields(request, "tweet.fields", TWEET_FIELDS)
    _fields(request, "user.fields", USER_FIELDS)
    query = request.param("query")
    match = _CONVERSATION.match(query or "")
    if match is None:
        raise invalid_request(
            "The sandbox answers only the query `conversation_id:<post id>`"
            if query
            else "The `query` query parameter can not be empty",
            {"query": [query or ""]},
        )
    size = _int_param(request, "max_results", 10, 100, 10)
    earliest = ctx.now - timedelta(days=SEARCH_DAYS)
    start, end = _time_param(request, "start_time"), _time_param(request, "end_time")
    since_id, until_id = _id_param(request, "since_id"), _id_param(request, "until_id")
    if start is not None and since_id is not None:
        raise invalid_request(
            "The `since_id` query parameter can not be used with the `start_time` query parameter",
            {"since_id": [str(since_id)], "start_time": [request.param("start_time") or ""]},
        )
    if start is not None and start < earliest:
        raise invalid_request(
            f"Invalid 'start_time':'{request.param('start_time')}'. 'start_time' must be on or "
            f"after {earliest.strftime('%Y-%m-%dT%H:%MZ')}",
            {"start_time": [request.param("start_time") or ""]},
        )
    if end is not None and end > ctx.now - timedelta(seconds=10):
        raise invalid_request(
            f"Invalid 'end_time':'{request.param('end_time')}'. 'end_time' must be a minimum "
            "of 10 seconds prior to the request time.",
            {"end_time": [request.param("end_time") or ""]},
        )
    if since_id is not None and snowflake_time(since_id) < earliest:
        raise invalid_request(
            f"Invalid 'since_id':'{since_id}'. 'since_id' must be a post id created after "
            f"{earliest.strftime('%Y-%m-%dT%H:%MZ')}",
            {"since_id": [str(since_id)]},
        )
    if start is not None and end is not None and end <= start:
        raise invalid_request(
            f"Invalid 'end_time':'{request.param('end_time')}'. 'end_time' must be after "
            "'start_time'",
            {"end_time": [request.param("end_time") or ""]},
        )
    world = x_world(ctx.world.seed)
    lower = start or earliest
    replies = [
        r
        for r in world.replies_at(match.group(1), ctx.now)
        if r.created_at >= lower
        and (end is None or r.created_at < end + timedelta(seconds=1))
        and (since_id is None or int(r.id) > since_id)
        and (until_id is None or int(r.id) < until_id)
    ]
    fingerprint = _fingerprint(request, ("next_token", "pagination_token"))
    offset = _page_token(request, ("next_token", "pagination_token"), fingerprint)
    page = replies[offset : offset + size]
    private = bool(fields & PRIVATE_FIELDS)
    if private and caller.app_only:
        raise problems.unsupported_authentication()
    items = [
        render_post(
            world,
            r,
            fields,
            ctx.now,
            private=private
            and world.user(r.author_id) is not None
            and world.private_metrics_available(r, ctx.now),
        )
        for r in page
    ]
    body = _page_body(items, offset, size, len(replies), fingerprint, previous=False)
    return body, len(items)
