"""Cursor paging (``paging.cursors.before/after``, ``previous``, ``next``) and echo URLs."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from sandbox.graph.errors import invalid_param

T = TypeVar("T")
_PREFIX = "sbx1:"


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode((_PREFIX + key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, param: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    if not raw.startswith(_PREFIX):
        raise invalid_param(f"The {param} cursor is invalid")
    return raw[len(_PREFIX) :]


@dataclass(frozen=True)
class Window(Generic[T]):
    items: list[T]
    before: str | None
    after: str | None
    has_previous: bool
    has_next: bool


def paginate(
    items: Sequence[T],
    key: Callable[[T], str],
    *,
    limit: int,
    after: str | None = None,
    before: str | None = None,
) -> Window[T]:
    """The slice of ``items`` (already in response order) after/before a cursor."""
    keys = [key(item) for item in items]

    def position(cursor: str, param: str) -> int:
        wanted = decode_cursor(cursor, param)
        if wanted not in keys:
            raise invalid_param(f"The {param} cursor is invalid")
        return keys.index(wanted)

    if after is not None:
        start = position(after, "after") + 1
        end = start + limit
    elif before is not None:
        end = position(before, "before")
        start = max(0, end - limit)
    else:
        start, end = 0, limit
    page = list(items[start:end])
    return Window(
        items=page,
        before=encode_cursor(key(page[0])) if page else None,
        after=encode_cursor(key(page[-1])) if page else None,
        has_previous=bool(page) and start > 0,
        has_next=bool(page) and end < len(items),
    )


def echo_url(base: str, query: Sequence[tuple[str, str]], replace: dict[str, str]) -> str:
    """``base`` with the request's query, the keys in ``replace`` set to new values
    (and ``after``/``before`` dropped, since a new cursor replaces them)."""
    dropped = {"after", "before", *replace}
    kept = [(k, v) for k, v in query if k not in dropped]
    return f"{base}?{urlencode([*kept, *replace.items()])}"


def paging_block(
    window: Window[Any], base: str, query: Sequence[tuple[str, str]], limit: int
) -> dict[str, Any] | None:
    """``paging`` for a cursor window: ``previous``/``next`` only when there is more data."""
    if not window.items:
        return None
    with_limit = list(query) if any(k == "limit" for k, _ in query) else [*query, ("limit", "")]
    with_limit = [(k, str(limit) if k == "limit" else v) for k, v in with_limit]
    paging: dict[str, Any] = {"cursors": {"before": window.before, "after": window.after}}
    if window.has_previous and window.before:
        paging["previous"] = echo_url(base, with_limit, {"before": window.before})
    if window.has_next and window.after:
        paging["next"] = echo_url(base, with_limit, {"after": window.after})
    return paging
