"""Read-only access to the published DuckDB file: which marts exist, and rows as dicts.

The report reads nothing else: not the working warehouse, not the landing files. A mart that
is missing (an older published file) or has no rows for the business makes its section say
"not available yet" instead of failing the report.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb

log = logging.getLogger(__name__)


class ReportError(RuntimeError):
    """The report cannot be written; the message says what to do."""


class Marts:
    """One read-only connection to the published file."""

    def __init__(self, published: Path) -> None:
        if not published.is_file():
            raise ReportError(
                f"No published file at {published} yet: the report reads only the published "
                "marts. Run the nightly pipeline first (`messbar run`, or `make demo`)."
            )
        try:
            self.con = duckdb.connect(str(published), read_only=True)
        except duckdb.Error as exc:
            raise ReportError(
                f"Cannot open the published file {published} read-only ({exc}); "
                "check that it is a messbar DuckDB file and readable."
            ) from None
        self.tables = {
            name
            for (name,) in self.con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        self._has: dict[tuple[str, str], bool] = {}

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Marts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, table: str, business: str) -> bool:
        """True when ``marts.<table>`` exists and holds rows of ``business``."""
        if table not in self.tables:
            return False
        if (table, business) not in self._has:
            found = self.con.execute(
                f"select exists (select 1 from marts.{table} where business = ?)",  # noqa: S608
                [business],
            ).fetchone()
            self._has[(table, business)] = bool(found and found[0])
        return self._has[(table, business)]

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def one(self, sql: str, params: list[Any] | None = None) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None
