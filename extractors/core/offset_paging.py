"""Offset pagination (``start``/``count``) shared by APIs that page by position, such as
LinkedIn's Rest.li collections: ``{"paging": {"start", "count", "links", "total"}, "elements"}``.

The next page starts at ``start + count`` (positions, not the number of items returned: an API may
filter items out of a page). Paging stops when ``total`` says everything was read; without
``total``, when a page is empty or shorter than ``count`` and links to no ``next`` page. A page
that repeats the previous one item for item means the API ignores ``start`` (a loop): that
fails clearly. A refused position (:class:`InvalidCursor`) restarts the listing at its first
page, at most ``MAX_RESTARTS`` times.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from extractors.core.errors import InvalidCursor, PaginationError
from extractors.core.http import HttpClient
from extractors.core.paging import MAX_RESTARTS, restart_or_fail
from extractors.core.redact import endpoint_of

MAX_PAGES = 10_000


def restli_paging(body: Any) -> dict[str, Any]:
    paging = (body or {}).get("paging") if isinstance(body, dict) else None
    return paging if isinstance(paging, dict) else {}


def restli_elements(body: Any) -> list[Any]:
    elements = (body or {}).get("elements") if isinstance(body, dict) else None
    return list(elements or [])


def _has_next_link(paging: dict[str, Any]) -> bool:
    return any(
        isinstance(link, dict) and link.get("rel") == "next" for link in paging.get("links") or []
    )


def offset_pages(
    client: HttpClient,
    path: str,
    query: str,
    *,
    count: int,
    start: int = 0,
    items: Callable[[Any], list[Any]] = restli_elements,
    paging: Callable[[Any], dict[str, Any]] = restli_paging,
    max_pages: int = MAX_PAGES,
    max_restarts: int = MAX_RESTARTS,
) -> Iterator[list[Any]]:
    """Yield the items of every page of ``path?query&start=..&count=..``.

    ``query`` is an already encoded query string (Rest.li 2.0 values such as ``List(...)`` must
    reach the server unencoded, so they cannot go through ``requests``' ``params``). Callers may
    stop early by leaving the loop."""
    pages = 0
    restarts = 0
    first = start
    previous: list[Any] | None = None
    while True:
        pages += 1
        if pages > max_pages:
            raise PaginationError(
                f"{client.network} account {client.account}: more than {max_pages} pages from "
                f"{endpoint_of(path)}; stopping (raise max_pages if this is expected).",
                network=client.network,
                endpoint=endpoint_of(client.url(path)),
            )
        separator = "&" if query else ""
        try:
            body = client.get_json(f"{path}?{query}{separator}start={start}&count={count}")
        except InvalidCursor as exc:
            if start == first:
                raise
            restarts += 1
            restart_or_fail(client, exc, restarts, max_restarts, pages)
            start, previous = first, None
            continue
        page = items(body)
        if page and page == previous:
            raise PaginationError(
                f"{client.network} account {client.account}: {endpoint_of(client.url(path))} "
                f"served the same {len(page)} items again at start={start} (after {pages} pages): "
                "the API ignores the paging position; stopping.",
                network=client.network,
                endpoint=endpoint_of(client.url(path)),
            )
        previous = page
        yield page
        meta = paging(body)
        total = meta.get("total")
        if isinstance(total, int):
            if start + count >= total:
                return
        elif not page or (len(page) < count and not _has_next_link(meta)):
            return
        start += count
