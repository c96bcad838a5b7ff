"""Token pagination: the response names an opaque token (e.g. X's ``meta.next_token``) that
the next request sends back as a query parameter (``pagination_token`` or ``next_token``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from extractors.core.errors import InvalidCursor, PaginationError
from extractors.core.http import HttpClient
from extractors.core.paging import MAX_RESTARTS, restart_or_fail

MAX_PAGES = 10_000


def follow_token(
    client: HttpClient,
    path: str,
    params: Mapping[str, Any],
    *,
    next_token: Callable[[Any], str | None],
    next_param: str,
    max_pages: int = MAX_PAGES,
    max_restarts: int = MAX_RESTARTS,
) -> Iterator[Any]:
    """Yield every page body. Stops only when a page has no token: an empty page that still
    hands out a token is followed. A token seen before (a loop) or more than ``max_pages``
    pages fail with a clear error instead of running forever. A token the API refuses mid-way
    (:class:`InvalidCursor`) restarts the listing from its first page, at most
    ``max_restarts`` times (the caller drops items seen twice). Tokens are never logged."""
    body = client.get_json(path, params)
    seen: set[str] = set()
    pages = 1
    restarts = 0
    while True:
        yield body
        token = next_token(body)
        if not token:
            return
        if token in seen:
            raise PaginationError(
                f"{client.network} account {client.account}: paging of /{path.lstrip('/')} "
                f"loops back to a page already read (after {pages} pages); stopping.",
                network=client.network,
                endpoint="/" + path.lstrip("/"),
            )
        seen.add(token)
        pages += 1
        if pages > max_pages:
            raise PaginationError(
                f"{client.network} account {client.account}: more than {max_pages} pages from "
                f"/{path.lstrip('/')}; stopping (raise max_pages if this is expected).",
                network=client.network,
                endpoint="/" + path.lstrip("/"),
            )
        try:
            body = client.get_json(path, {**params, next_param: token})
        except InvalidCursor as exc:
            restarts += 1
            restart_or_fail(client, exc, restarts, max_restarts, pages)
            seen.clear()
            body = client.get_json(path, params)
