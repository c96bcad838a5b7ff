"""Which node or edge a Graph GET path names, and who answers it."""

from __future__ import annotations

from typing import Any

from sandbox.graph.errors import nonexisting_field, unknown_path, unsupported_get
from sandbox.networks.facebook.call import Call
from sandbox.networks.facebook.edges import comments_edge, posts_edge
from sandbox.networks.facebook.insights import page_insights, post_insights
from sandbox.networks.facebook.nodes import (
    COMMENT_DEFAULT_FIELDS,
    PAGE_DEFAULT_FIELDS,
    POST_DEFAULT_FIELDS,
    comment_node,
    page_node,
    post_node,
)
from sandbox.world import Business, Comment, Post, World

POST_EDGES = ("posts", "published_posts", "feed")


def page_of(world: World, node_id: str) -> str | None:
    """The Page a node belongs to (for the usage header), if the node exists at all."""
    if world.has_page(node_id):
        return node_id
    post = world.post(node_id) or world.post_for_story(node_id.split("_", 1)[0])
    return post.page_id if post else None


def resolve(call: Call, node_id: str) -> Business | Post | Comment:
    world, now = call.world, call.now
    if world.has_page(node_id):
        return world.business(node_id)
    post = world.post(node_id)
    if post is not None and post.created_time <= now:
        return post
    comment = world.comment(node_id)
    if comment is not None and comment.created_time <= now:
        return comment
    raise unsupported_get(node_id)


def route(call: Call) -> dict[str, Any]:
    if not call.parts:
        raise unknown_path("/")
    node = resolve(call, call.parts[0])
    edge, tail = (call.parts[1], call.parts[2:]) if len(call.parts) > 1 else (None, ())
    if isinstance(node, Business):
        if edge is None:
            return page_node(call, node, call.fields(PAGE_DEFAULT_FIELDS))
        if edge in POST_EDGES and not tail:
            return posts_edge(call, node)
        if edge == "insights" and len(tail) <= 1:
            return page_insights(call, node, tail[0] if tail else None)
        node_type = "Page"
    elif isinstance(node, Post):
        if edge is None:
            return post_node(call, node, call.fields(POST_DEFAULT_FIELDS))
        if edge == "insights" and len(tail) <= 1:
            return post_insights(call, node, tail[0] if tail else None)
        if edge == "comments" and not tail:
            return comments_edge(call, node)
        node_type = "PagePost"
    else:
        if edge is None:
            return comment_node(call, node, call.fields(COMMENT_DEFAULT_FIELDS))
        post = call.world.post(node.post_id)
        if edge == "comments" and not tail and post is not None:
            return comments_edge(call, post, parent=node)
        node_type = "Comment"
    if tail:
        raise unknown_path("/" + "/".join(call.parts))
    raise nonexisting_field(edge, node_type)
