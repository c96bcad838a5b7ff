"""Page, post and comment nodes as Graph renders them, field expansion included."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox.graph.errors import invalid_param
from sandbox.graph.fields import FieldSpec, Resolver, parse_fields, render
from sandbox.graph.paging import paginate, paging_block
from sandbox.graph.timewindow import graph_time
from sandbox.networks.facebook.call import DEFAULT_LIMIT, Call, parse_limit
from sandbox.networks.facebook.insights import post_metric_objects
from sandbox.world import Business, Comment, Person, Post, last_complete_meta_day

PAGE_DEFAULT_FIELDS = "name,id"
POST_DEFAULT_FIELDS = "created_time,message,id"
COMMENT_DEFAULT_FIELDS = "created_time,from,message,id"
COMMENT_FILTERS = ("toplevel", "stream")
COMMENT_ORDERS = ("chronological", "reverse_chronological")


def _person(person: Person | None, spec: FieldSpec) -> dict[str, Any] | None:
    if person is None:
        return None
    full = {"name": person.name, "id": person.id}
    return render(
        spec.subfields or (FieldSpec("name"), FieldSpec("id")),
        {key: (lambda _s, v=value: v) for key, value in full.items()},
        "User",
    )


def page_node(call: Call, biz: Business, specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
    world, now, page_id = call.world, call.now, biz.page_id
    last_day = last_complete_meta_day(now)
    week = [last_day - timedelta(days=i) for i in range(7)]
    resolvers: dict[str, Resolver] = {
        "id": lambda _s: page_id,
        "name": lambda _s: biz.name,
        "username": lambda _s: biz.username,
        "about": lambda _s: biz.about,
        "category": lambda _s: biz.category,
        "category_list": lambda _s: [{"id": f"20{biz.index:02d}", "name": biz.category}],
        "fan_count": lambda _s: world.fan_count_at(page_id, now),
        "followers_count": lambda _s: world.followers_at(page_id, now),
        "new_like_count": lambda _s: sum(
            world.page_daily_value(page_id, "page_daily_follows_unique", d) for d in week
        ),
        "talking_about_count": lambda _s: world.talking_about_at(page_id, now),
        "were_here_count": lambda _s: biz.were_here_count,
        "link": lambda _s: f"https://www.facebook.com/{biz.username}",
        "website": lambda _s: biz.website,
        "phone": lambda _s: biz.phone,
        "single_line_address": lambda _s: biz.address,
        "is_published": lambda _s: True,
        "verification_status": lambda _s: "not_verified",
    }
    return render(specs, resolvers, "Page")


def _summary_keys(spec: FieldSpec) -> set[str] | None:
    value = spec.modifier("summary")
    if value is None or value.lower() == "false":
        return None
    return {"all"} if value.lower() == "true" else {v.strip() for v in value.split(",")}


def _reactions(call: Call, post: Post, spec: FieldSpec) -> dict[str, Any]:
    counts = call.world.reactions_at(post.id, call.now)
    kind = (spec.modifier("type") or "").lower()
    total = counts.get(kind, 0) if kind else sum(counts.values())
    result: dict[str, Any] = {"data": []}
    keys = _summary_keys(spec)
    if keys is not None:
        summary: dict[str, Any] = {}
        if "all" in keys or "total_count" in keys:
            summary["total_count"] = total
        if "all" in keys or "viewer_reaction" in keys:
            summary["viewer_reaction"] = "NONE"
        result["summary"] = summary
    return result


def comments_of(call: Call, post: Post, *, stream: bool, reverse: bool) -> list[Comment]:
    """Visible comments of a post, top-level only unless ``stream``, in the requested order."""
    comments = call.world.comments_at(post.id, call.now)
    listed = [c for c in comments if stream or c.parent_id is None]
    return listed[::-1] if reverse else listed


def comment_summary(order: str, total: int) -> dict[str, Any]:
    return {"order": order, "total_count": total, "can_comment": True}


def _comments_field(call: Call, post: Post, spec: FieldSpec) -> dict[str, Any]:
    filter_ = spec.modifier("filter") or "toplevel"
    order = spec.modifier("order") or "chronological"
    if filter_ not in COMMENT_FILTERS or order not in COMMENT_ORDERS:
        raise invalid_param("Invalid filter or order for comments")
    listed = comments_of(
        call, post, stream=filter_ == "stream", reverse=order == "reverse_chronological"
    )
    limit = parse_limit(spec.modifier("limit"), DEFAULT_LIMIT)
    window = paginate(listed, lambda c: c.id, limit=limit)
    sub = spec.subfields or parse_fields(COMMENT_DEFAULT_FIELDS)
    result: dict[str, Any] = {"data": [comment_node(call, c, sub) for c in window.items]}
    query = [*call.token_query(), ("limit", str(limit))]
    paging = paging_block(window, call.url(post.id, "comments"), query, limit)
    if paging:
        result["paging"] = paging
    if _summary_keys(spec) is not None:
        result["summary"] = comment_summary(spec.modifier("order") or "ranked", len(listed))
    return result


def post_node(call: Call, post: Post, specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
    world, now = call.world, call.now
    biz = world.business(post.page_id)
    visible = world.comments_at(post.id, now)
    updated = max([post.created_time, *(c.created_time for c in visible)])
    resolvers: dict[str, Resolver] = {
        "id": lambda _s: post.id,
        "created_time": lambda _s: graph_time(post.created_time),
        "updated_time": lambda _s: graph_time(updated),
        "message": lambda _s: post.message,
        "permalink_url": lambda _s: post.permalink_url,
        "status_type": lambda _s: post.status_type,
        "is_published": lambda _s: True,
        "is_hidden": lambda _s: False,
        "full_picture": lambda _s: post.full_picture,
        "from": lambda s: _person(Person(biz.name, biz.page_id), s),
        "shares": lambda _s: (
            {"count": n} if (n := world.post_lifetime(post.id, "shares", now)) else None
        ),
        "reactions": lambda s: _reactions(call, post, s),
        "comments": lambda s: _comments_field(call, post, s),
        "insights": lambda s: {
            "data": post_metric_objects(
                call, post, [s.modifier("metric") or ""], s.modifier("period")
            )
        },
    }
    return render(specs, resolvers, "PagePost")


def comment_node(call: Call, comment: Comment, specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
    world, now = call.world, call.now
    post = world.post(comment.post_id)
    assert post is not None
    biz = world.business(post.page_id)
    story, number = comment.id.split("_", 1)

    def parent(spec: FieldSpec) -> dict[str, Any] | None:
        found = world.comment(comment.parent_id) if comment.parent_id else None
        if found is None:
            return None
        return comment_node(call, found, spec.subfields or parse_fields(COMMENT_DEFAULT_FIELDS))

    resolvers: dict[str, Resolver] = {
        "id": lambda _s: comment.id,
        "created_time": lambda _s: graph_time(comment.created_time),
        "from": lambda s: _person(comment.author, s),
        "message": lambda _s: comment.message,
        "like_count": lambda _s: world.comment_likes(comment, now),
        "comment_count": lambda _s: sum(
            1 for c in world.comments_at(comment.post_id, now) if c.parent_id == comment.id
        ),
        "parent": parent,
        "permalink_url": lambda _s: (
            f"https://www.facebook.com/{biz.username}/posts/{story}?comment_id={number}"
        ),
        "is_hidden": lambda _s: False,
        "can_comment": lambda _s: comment.parent_id is None,
        "user_likes": lambda _s: False,
    }
    return render(specs, resolvers, "Comment")
