"""Link-following pagination shared by every network that hands out a ``next`` link."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from extractors.core.errors import InvalidCursor, PaginationError
from extractors.core.http import HttpClient
from extractors.core.redact import endpoint_of

log = logging.getLogger(__name__)

MAX_PAGES = 10_000
MAX_RESTARTS = 2  # listings restarted from their first page after a refused cursor


def follow_next(
    client: HttpClient,
    path: str,
    params: Mapping[str, Any],
    *,
    next_link: Callable[[Any], str | None],
    items: Callable[[Any], list[Any]],
    max_pages: int = MAX_PAGES,
    first_body: Any = None,
    max_restarts: int = MAX_RESTARTS,
) -> Iterator[list[Any]]:
    """Yield the items of every page. Stops only when a page has no ``next`` link: an empty or
    short page that still links onward is followed. A ``next`` seen before (a loop) or more than
    ``max_pages`` pages fail with a clear error instead of running forever. ``first_body``
    continues from a page already fetched (e.g. inside a batch call); ``path``/``params`` must
    still name that first page, since a cursor the API refuses mid-way (:class:`InvalidCursor`)
    restarts the listing there, at most ``max_restarts`` times. The caller drops the items it
    sees twice (it dedupes by key, and so does staging)."""
    body = first_body if first_body is not None else client.get_json(path, params)
    seen: set[str] = set()
    pages = 1
    restarts = 0
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
        try:
            body = client.get_json(link)
        except InvalidCursor as exc:
            restarts += 1
            restart_or_fail(client, exc, restarts, max_restarts, pages)
            seen.clear()
            body = client.get_json(path, params)


def restart_or_fail(
    client: HttpClient, exc: InvalidCursor, restarts: int, max_restarts: int, pages: int
) -> None:
    """Log a listing restart after a refused cursor, or fail clearly once restarts run out."""
    if restarts > max_restarts:
        raise PaginationError(
            f"{client.network} account {client.account}: the API kept refusing the paging "
            f"cursor of {exc.endpoint} ({max_restarts} restarts from the first page, "
            f"{pages} pages read); stopping. Nothing was committed for this account: rerun "
            "later; it starts again from the last committed state.",
            network=client.network,
            endpoint=exc.endpoint,
        ) from None
    log.warning(
        "%s account %s: %s refused a paging cursor after %d pages; restarting the listing "
        "from its first page (restart %d of %d)",
        client.network,
        client.account,
        exc.endpoint,
        pages,
        restarts,
        max_restarts,
    )
