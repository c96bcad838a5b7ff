"""List edges with cursor paging: ``/{page-id}/posts`` and ``/{post-id}/comments``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.graph.paging import paginate, paging_block
from sandbox.graph.timewindow import parse_time
from sandbox.networks.facebook.call import Call
from sandbox.networks.facebook.nodes import (
    COMMENT_DEFAULT_FIELDS,
    COMMENT_FILTERS,
    COMMENT_ORDERS,
    POST_DEFAULT_FIELDS,
    comment_node,
    comment_summary,
    comments_of,
    post_node,
)
from sandbox.world import Business, Comment, Post


def _time_bounds(call: Call) -> tuple[datetime | None, datetime | None]:
    since, until = call.param("since"), call.param("until")
    return (
        parse_time(since, "since") if since else None,
        parse_time(until, "until") if until else None,
    )


def _within(moment: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or moment >= since) and (until is None or moment <= until)


def posts_edge(call: Call, biz: Business) -> dict[str, Any]:
    """Posts of the Page, newest first, optionally within ``since``/``until``."""
    specs = call.fields(POST_DEFAULT_FIELDS)
    since, until = _time_bounds(call)
    posts = [
        post
        for post in call.world.posts_at(biz.page_id, call.now)
        if _within(post.created_time, since, until)
    ]
    limit = call.limit()
    window = paginate(posts, lambda p: p.id, limit=limit, **_cursors(call))
    body: dict[str, Any] = {"data": [post_node(call, post, specs) for post in window.items]}
    paging = paging_block(window, call.url(*call.parts), call.query, limit)
    if paging:
        body["paging"] = paging
    return body


def comments_edge(call: Call, post: Post, parent: Comment | None = None) -> dict[str, Any]:
    """Comments of a post (or replies to ``parent``), with the optional ``summary``."""
    specs = call.fields(COMMENT_DEFAULT_FIELDS)
    filter_ = call.choice("filter", COMMENT_FILTERS, "toplevel")
    order = call.choice("order", COMMENT_ORDERS, "chronological")
    reverse = order == "reverse_chronological"
    if parent is None:
        listed = comments_of(call, post, stream=filter_ == "stream", reverse=reverse)
    else:
        replies = [c for c in call.world.comments_at(post.id, call.now) if c.parent_id == parent.id]
        listed = replies[::-1] if reverse else replies
    since, until = _time_bounds(call)
    listed = [c for c in listed if _within(c.created_time, since, until)]
    limit = call.limit()
    window = paginate(listed, lambda c: c.id, limit=limit, **_cursors(call))
    body: dict[str, Any] = {"data": [comment_node(call, c, specs) for c in window.items]}
    paging = paging_block(window, call.url(*call.parts), call.query, limit)
    if paging:
        body["paging"] = paging
    if (call.param("summary") or "").lower() not in ("", "false", "0"):
        body["summary"] = comment_summary(order, len(listed))
    return body


def _cursors(call: Call) -> dict[str, str | None]:
    return {"after": call.param("after"), "before": call.param("before")}
