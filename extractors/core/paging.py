"""Link-following pagination shared by every network that hands out a ``next`` link."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from extractors.core.errors import PaginationError
from extractors.core.http import HttpClient
from extractors.core.redact import endpoint_of

MAX_PAGES = 10_000


def follow_next(
    client: HttpClient,
    path: str,
    params: Mapping[str, Any],
    *,
    next_link: Callable[[Any], str | None],
    items: Callable[[Any], list[Any]],
    max_pages: int = MAX_PAGES,
    first_body: Any = None,
) -> Iterator[list[Any]]:
    """Yield the items of every page. Stops only when a page has no ``next`` link: an empty or
    short page that still links onward is followed. A ``next`` seen before (a loop) or more than
    ``max_pages`` pages fail with a clear error instead of running forever. ``first_body``
    continues from a page already fetched (e.g. inside a batch call)."""
    body = first_body if first_body is not None else client.get_json(path, params)
    seen: set[str] = set()
    pages = 1
    while True:
        yield items(body)
        link = next_link(body)
        if not link:
            return
        link = client.check_same_origin(link)
        if link in seen:
            raise PaginationError(
                f"{client.network} account {client.account}: paging of {endpoint_of(link)} "
                f"loops back to a page already read (after {pages} pages); stopping.",
                network=client.network,
                endpoint=endpoint_of(link),
            )
        seen.add(link)
        pages += 1
        if pages > max_pages:
            raise PaginationError(
                f"{client.network} account {client.account}: more than {max_pages} pages from "
                f"{endpoint_of(link)}; stopping (raise max_pages if this is expected).",
                network=client.network,
                endpoint=endpoint_of(link),
            )
        body = client.get_json(link)
