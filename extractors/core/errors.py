"""Extraction errors. Every message names the network, account and endpoint path, never a token
or a query string, and says what to do next."""

from __future__ import annotations


class ExtractError(Exception):
    """Base class: a failed extraction with a message that is safe to log."""

    def __init__(
        self,
        message: str,
        *,
        network: str = "",
        endpoint: str = "",
        status: int | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.network = network
        self.endpoint = endpoint
        self.status = status
        self.code = code


class TokenError(ExtractError):
    """The token is expired, revoked or invalid: retrying cannot help; re-authorise."""


class PermissionDenied(ExtractError):
    """The token lacks a permission or role: fix scopes or roles, retrying cannot help."""


class InvalidMetric(ExtractError):
    """The API refused a metric (retired or unknown)."""


class RetriesExhausted(ExtractError):
    """A transient failure persisted beyond the retry budget."""


class PaginationError(ExtractError):
    """Paging misbehaved: a loop, a foreign host in ``next``, or too many pages."""


class RequestRejected(ExtractError):
    """A non-retryable API error that is neither auth nor permission (bad parameter, ...)."""


class InvalidCursor(RequestRejected):
    """The API refused a paging cursor (expired, or its item was deleted): the pagers restart
    the listing from its first page instead of failing (see extractors/core/README.md)."""
