"""One Graph GET call being answered: version, path parts, query, clock and world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sandbox.graph.errors import invalid_param
from sandbox.graph.fields import FieldSpec, parse_fields
from sandbox.protocol import Context
from sandbox.world import World

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


@dataclass(frozen=True)
class Call:
    ctx: Context
    version: str
    parts: tuple[str, ...]
    query: list[tuple[str, str]]

    @property
    def world(self) -> World:
        return self.ctx.world

    @property
    def now(self) -> datetime:
        return self.ctx.now

    def param(self, name: str) -> str | None:
        values = self.params(name)
        return values[-1] if values else None

    def params(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]

    def token_query(self) -> list[tuple[str, str]]:
        """The ``access_token`` pairs of the query: paging links carry the token only if the
        caller sent it as a query parameter."""
        return [(key, value) for key, value in self.query if key == "access_token"]

    def url(self, *parts: str) -> str:
        """Absolute URL on this server for a Graph path (used in ``paging`` links)."""
        return "/".join((self.ctx.network_url, self.version, *parts))

    def fields(self, default: str) -> tuple[FieldSpec, ...]:
        text = self.param("fields")
        return parse_fields(text if text and text.strip() else default)

    def limit(self) -> int:
        return parse_limit(self.param("limit"), DEFAULT_LIMIT)

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.param(name) or default
        if value not in allowed:
            raise invalid_param(f"{name} must be one of the following values: {', '.join(allowed)}")
        return value


def parse_limit(value: str | None, default: int) -> int:
    """``limit``: default 25, at most 100 (larger values are capped as Graph does)."""
    if value is None or value == "":
        return default
    try:
        limit = int(value)
    except ValueError:
        raise invalid_param("Param limit must be a number") from None
    if limit < 0:
        raise invalid_param("Param limit must be a non-negative number")
    return min(limit, MAX_LIMIT)
