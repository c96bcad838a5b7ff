"""Nodes and edges of the sandbox's Instagram Graph: IG user, media, comments, insights."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sandbox.graph.errors import invalid_param, nonexisting_field, unknown_path, unsupported_get
from sandbox.graph.fields import FieldSpec, Resolver, parse_fields, render
from sandbox.graph.paging import echo_url, paginate, paging_block
from sandbox.graph.timewindow import day_boundary, day_start, graph_time, parse_time, unix
from sandbox.networks.facebook.call import DEFAULT_LIMIT, Call, parse_limit
from sandbox.networks.facebook.insights import metric_values
from sandbox.networks.instagram.metrics import TITLES, account_metrics, media_metrics
from sandbox.networks.instagram.world import (
    ACCOUNT_RETENTION_DAYS,
    FOLLOWER_COUNT_DAYS,
    IgAccount,
    IgComment,
    IgMedia,
    IgWorld,
    insights_available,
)
from sandbox.world import meta_day, meta_day_end

USER_DEFAULT_FIELDS = "id"
MEDIA_DEFAULT_FIELDS = "id"
COMMENT_DEFAULT_FIELDS = "timestamp,text,id"
MAX_ACCOUNT_INSIGHTS_DAYS = 30


def owner_of(ig: IgWorld, node_id: str) -> str | None:
    """The IG user a node belongs to (for the usage header), if the node exists at all."""
    if ig.has_account(node_id):
        return node_id
    found = ig.media(node_id) or ig.comment(node_id)
    if isinstance(found, IgComment):
        found = ig.media(found.media_id)
    return found.ig_user_id if found else None


def route(call: Call, ig: IgWorld) -> dict[str, Any]:
    if not call.parts:
        raise unknown_path("/")
    node = _resolve(call, ig, call.parts[0])
    edge, tail = (call.parts[1], call.parts[2:]) if len(call.parts) > 1 else (None, ())
    if tail:
        raise unknown_path("/" + "/".join(call.parts))
    if isinstance(node, IgAccount):
        if edge is None:
            return user_node(call, ig, node, call.fields(USER_DEFAULT_FIELDS))
        if edge == "media":
            return media_edge(call, ig, node)
        if edge == "stories":
            return {"data": []}  # no story is live in the demo world
        if edge == "insights":
            return account_insights(call, ig, node)
        node_type = "User"
    elif isinstance(node, IgMedia):
        if edge is None:
            return media_node(call, ig, node, call.fields(MEDIA_DEFAULT_FIELDS))
        if edge == "insights":
            return media_insights(call, ig, node)
        if edge == "comments":
            top = [c for c in ig.comments_at(node.id, call.now) if c.parent_id is None]
            return comment_list(call, ig, top)
        node_type = "IGMedia"
    else:
        if edge is None:
            return comment_node(call, ig, node, call.fields(COMMENT_DEFAULT_FIELDS))
        if edge == "replies":
            return comment_list(call, ig, _replies(call, ig, node))
        node_type = "IGComment"
    raise nonexisting_field(edge, node_type)


def _resolve(call: Call, ig: IgWorld, node_id: str) -> IgAccount | IgMedia | IgComment:
    if ig.has_account(node_id):
        return ig.account(node_id)
    media = ig.media(node_id)
    if media is not None and media.timestamp <= call.now:
        return media
    comment = ig.comment(node_id)
    if comment is not None and comment.timestamp <= call.now:
        return comment
    raise unsupported_get(node_id)


# -- nodes -----------------------------------------------------------------------------------
def user_node(
    call: Call, ig: IgWorld, account: IgAccount, specs: tuple[FieldSpec, ...]
) -> dict[str, Any]:
    biz = account.business
    resolvers: dict[str, Resolver] = {
        "id": lambda _s: account.ig_user_id,
        "ig_id": lambda _s: int(account.ig_user_id[-6:]) + 4_000_000_000,
        "username": lambda _s: account.username,
        "name": lambda _s: account.name,
        "biography": lambda _s: biz.about,
        "website": lambda _s: biz.website,
        "profile_picture_url": lambda _s: (
            f"https://scontent.cdninstagram.com/v/t51.2885-19/{account.ig_user_id}_n.jpg"
        ),
        "followers_count": lambda _s: ig.followers_at(account.ig_user_id, call.now),
        "follows_count": lambda _s: account.follows_count,
        "media_count": lambda _s: len(ig.media_at(account.ig_user_id, call.now)),
    }
    return render(specs, resolvers, "User")


def media_node(call: Call, ig: IgWorld, media: IgMedia, specs: tuple[FieldSpec, ...]) -> dict:
    account = ig.account(media.ig_user_id)
    picture = f"https://scontent.cdninstagram.com/v/t51.29350-15/{media.id}_n.jpg"
    resolvers: dict[str, Resolver] = {
        "id": lambda _s: media.id,
        "caption": lambda _s: media.caption,
        "media_type": lambda _s: media.media_type,
        "media_product_type": lambda _s: media.media_product_type,
        "permalink": lambda _s: media.permalink,
        "shortcode": lambda _s: media.shortcode,
        "timestamp": lambda _s: graph_time(media.timestamp),
        "username": lambda _s: account.username,
        "like_count": lambda _s: ig.like_count(media.id, call.now),
        "comments_count": lambda _s: ig.comments_count(media.id, call.now),
        "is_comment_enabled": lambda _s: True,
        "media_url": lambda _s: picture,
        "thumbnail_url": lambda _s: picture if media.media_type == "VIDEO" else None,
        "owner": lambda _s: {"id": media.ig_user_id},
    }
    return render(specs, resolvers, "IGMedia")


def comment_node(call: Call, ig: IgWorld, comment: IgComment, specs: tuple[FieldSpec, ...]) -> dict:
    def replies(spec: FieldSpec) -> dict[str, Any] | None:
        if comment.parent_id is not None:
            return None
        listed = _replies(call, ig, comment)
        if not listed:
            return None
        limit = parse_limit(spec.modifier("limit"), DEFAULT_LIMIT)
        window = paginate(listed, lambda c: c.id, limit=limit)
        sub = spec.subfields or parse_fields(COMMENT_DEFAULT_FIELDS)
        body: dict[str, Any] = {"data": [comment_node(call, ig, c, sub) for c in window.items]}
        query = [*call.token_query(), ("fields", _unparse(sub)), ("limit", str(limit))]
        paging = paging_block(window, call.url(comment.id, "replies"), query, limit)
        if paging:
            body["paging"] = paging
        return body

    resolvers: dict[str, Resolver] = {
        "id": lambda _s: comment.id,
        "text": lambda _s: comment.text,
        "timestamp": lambda _s: graph_time(comment.timestamp),
        "username": lambda _s: comment.username,
        "like_count": lambda _s: ig.comment_likes(comment, call.now),
        "hidden": lambda _s: False,
        "from": lambda s: render(
            s.subfields or (FieldSpec("id"), FieldSpec("username")),
            {"id": lambda _s: comment.author_id, "username": lambda _s: comment.username},
            "IGCommentFromUser",
        ),
        "parent_id": lambda _s: comment.parent_id,
        "media": lambda _s: {"id": comment.media_id},
        "replies": replies,
    }
    return render(specs, resolvers, "IGComment")


def _unparse(specs: tuple[FieldSpec, ...]) -> str:
    parts = []
    for spec in specs:
        text = spec.name + "".join(f".{k}({v})" for k, v in spec.modifiers)
        if spec.subfields is not None:
            text += "{" + _unparse(spec.subfields) + "}"
        parts.append(text)
    return ",".join(parts)


def _replies(call: Call, ig: IgWorld, comment: IgComment) -> list[IgComment]:
    return [c for c in ig.comments_at(comment.media_id, call.now) if c.parent_id == comment.id]


# -- edges -----------------------------------------------------------------------------------
def _cursors(call: Call) -> dict[str, str | None]:
    return {"after": call.param("after"), "before": call.param("before")}


def media_edge(call: Call, ig: IgWorld, account: IgAccount) -> dict[str, Any]:
    """Media of the account, newest first, optionally within ``since``/``until`` (unix)."""
    specs = call.fields(MEDIA_DEFAULT_FIELDS)
    since, until = call.param("since"), call.param("until")
    low = parse_time(since, "since") if since else None
    high = parse_time(until, "until") if until else None
    listed = [
        m
        for m in ig.media_at(account.ig_user_id, call.now)
        if (low is None or m.timestamp >= low) and (high is None or m.timestamp <= high)
    ]
    limit = call.limit()
    window = paginate(listed, lambda m: m.id, limit=limit, **_cursors(call))
    body: dict[str, Any] = {"data": [media_node(call, ig, m, specs) for m in window.items]}
    paging = paging_block(window, call.url(*call.parts), call.query, limit)
    if paging:
        body["paging"] = paging
    return body


def comment_list(call: Call, ig: IgWorld, listed: list[IgComment]) -> dict[str, Any]:
    specs = call.fields(COMMENT_DEFAULT_FIELDS)
    limit = call.limit()
    window = paginate(listed, lambda c: c.id, limit=limit, **_cursors(call))
    body: dict[str, Any] = {"data": [comment_node(call, ig, c, specs) for c in window.items]}
    paging = paging_block(window, call.url(*call.parts), call.query, limit)
    if paging:
        body["paging"] = paging
    return body


# -- insights --------------------------------------------------------------------------------
def _metric_object(name: str, period: str) -> dict[str, Any]:
    return {"name": name, "period": period, "title": TITLES.get(name, name)}


def media_insights(call: Call, ig: IgWorld, media: IgMedia) -> dict[str, Any]:
    names = media_metrics(metric_values(call.params("metric")), media.media_product_type)
    state = ig.insights_state(media, call.now)
    if state == "too_new":
        return {"data": []}  # not computed yet: an empty data set, never zeros
    data = []
    for name in names:
        values = (
            []
            if state == "unavailable"
            else [{"value": ig.media_lifetime(media.id, name, call.now)}]
        )
        data.append(
            _metric_object(name, "lifetime")
            | {"values": values, "id": f"{media.id}/insights/{name}/lifetime"}
        )
    return {"data": data}


def _account_window(call: Call) -> tuple[date, date]:
    """``[first day, end day)`` in Meta days; without since/until the last 24 hours."""
    since, until = call.param("since"), call.param("until")
    today = meta_day(call.now)
    end = day_boundary(parse_time(until, "until")) if until else today
    start = day_boundary(parse_time(since, "since")) if since else end - timedelta(days=1)
    if (end - start).days > MAX_ACCOUNT_INSIGHTS_DAYS:
        raise invalid_param("There cannot be more than 30 days (2592000 s) between since and until")
    return start, end


def account_insights(call: Call, ig: IgWorld, account: IgAccount) -> dict[str, Any]:
    names, metric_type = account_metrics(
        metric_values(call.params("metric")), call.param("metric_type")
    )
    period = call.param("period") or "day"
    if period != "day":
        raise invalid_param("period must be one of the following values: day")
    start, end = _account_window(call)
    today = meta_day(call.now)
    if "follower_count" in names and start < today - timedelta(days=FOLLOWER_COUNT_DAYS):
        raise invalid_param(
            "The follower_count metric is only available for the last 30 days; since must not "
            "be earlier than 30 days ago"
        )
    oldest = today - timedelta(days=ACCOUNT_RETENTION_DAYS)
    days = [start + timedelta(days=i) for i in range(max(0, (end - start).days))]
    days = [d for d in days if d >= oldest and insights_available(d, call.now)]
    uid = account.ig_user_id
    data = []
    if metric_type == "time_series":
        for name in names:
            values = [
                {"value": ig.daily_value(uid, name, d), "end_time": graph_time(meta_day_end(d))}
                for d in days
            ]
            data.append(
                _metric_object(name, period)
                | {"values": values, "id": f"{uid}/insights/{name}/{period}"}
            )
    elif days:  # total_value: the sum over the window; no published day -> empty data set
        for name in names:
            total = sum(ig.daily_value(uid, name, d) for d in days)
            data.append(
                _metric_object(name, period)
                | {"total_value": {"value": total}, "id": f"{uid}/insights/{name}/{period}"}
            )
    span = timedelta(days=max(1, (end - start).days))
    base = call.url(*call.parts)

    def link(first: date, last: date) -> str:
        window = {"since": str(unix(day_start(first))), "until": str(unix(day_start(last)))}
        return echo_url(base, call.query, window)

    return {
        "data": data,
        "paging": {"previous": link(start - span, start), "next": link(end, end + span)},
    }
