"""A read-only DuckDB SQLAlchemy dialect that Great Expectations can compute metrics through.

Why it exists (details in expectations/README.md): duckdb-engine's DB-API cursor is the
connection itself, so a DuckDB connection holds one pending result for all its cursors.
Great Expectations executes a metric query inside ``with engine.connect()`` and fetches the
rows after the block; closing the SQLAlchemy connection rolls back its transaction, the
ROLLBACK replaces the pending result, and every metric comes back empty. This dialect gives
each cursor its own DuckDB cursor (its own result set, as PEP 249 expects), so a result
survives whatever runs on the connection afterwards. It also reflects columns from DuckDB's
own catalog: duckdb-engine 0.17 reflects them with the PostgreSQL catalog query of
SQLAlchemy 2.1, which reads ``pg_catalog.pg_collation`` (absent in DuckDB).

Engines use one DuckDB connection opened read-only (StaticPool): the gate never writes and
never copies a table out of DuckDB.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import duckdb_engine
from sqlalchemy import exc, pool
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects import registry
from sqlalchemy.engine import reflection

DRIVER = "messbar_ro"
URL_SCHEME = f"duckdb+{DRIVER}"

_DECIMAL = re.compile(r"(?:decimal|numeric)\((\d+),\s*(\d+)\)")
_EXTRA_TYPES: dict[str, Any] = {
    "double": sqltypes.DOUBLE_PRECISION,
    "blob": sqltypes.LargeBinary,
    "timestamp with time zone": lambda: sqltypes.TIMESTAMP(timezone=True),
    "timestamptz": lambda: sqltypes.TIMESTAMP(timezone=True),
}


def register() -> None:
    """Make ``duckdb+messbar_ro://`` URLs resolve to this module's dialect (idempotent)."""
    registry.register(f"duckdb.{DRIVER}", __name__, "ReadOnlyDuckDBDialect")


def url_for(database: str) -> str:
    """SQLAlchemy URL for a DuckDB file opened read-only through this dialect."""
    return f"{URL_SCHEME}:///{database}"


class _Cursor(duckdb_engine.CursorWrapper):
    """A cursor with its own DuckDB result set, closed with the cursor."""

    def __init__(self, child: duckdb.DuckDBPyConnection, connection: _Connection) -> None:
        super().__init__(child, connection)
        self._child = child

    def close(self) -> None:
        self._child.close()


class _Connection(duckdb_engine.ConnectionWrapper):
    """duckdb-engine's connection wrapper, but ``cursor()`` returns an independent cursor."""

    def __init__(self, database: duckdb.DuckDBPyConnection) -> None:
        super().__init__(database)
        self._database = database

    def cursor(self) -> _Cursor:
        return _Cursor(self._database.cursor(), self)


def _column_type(data_type: str, ischema_names: dict[str, Any]) -> sqltypes.TypeEngine:
    name = data_type.lower()
    decimal = _DECIMAL.fullmatch(name)
    if decimal:
        return sqltypes.Numeric(int(decimal.group(1)), int(decimal.group(2)))
    factory = _EXTRA_TYPES.get(name) or ischema_names.get(name)
    return factory() if factory is not None else sqltypes.NullType()


class ReadOnlyDuckDBDialect(duckdb_engine.Dialect):
    driver = DRIVER
    supports_statement_cache = False  # duckdb-engine leaves caching off too

    @classmethod
    def get_pool_class(cls, url: Any) -> type[pool.Pool]:
        return pool.StaticPool

    def connect(self, *cargs: Any, **cparams: Any) -> _Connection:
        config = {**cparams.pop("config", {}), **cparams.pop("url_config", {})}
        database = cparams.pop("database", None)
        if not database or database == ":memory:":
            raise ValueError(f"{URL_SCHEME} needs a DuckDB file path, got {database!r}")
        return _Connection(duckdb.connect(database, read_only=True, config=config, **cparams))

    @reflection.cache
    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[dict[str, Any]]:
        rows = connection.exec_driver_sql(
            "select column_name, data_type, is_nullable, column_default from duckdb_columns()"
            " where database_name = current_database()"
            " and schema_name = coalesce(?, current_schema()) and table_name = ?"
            " order by column_index",
            (schema, str(table_name)),
        ).fetchall()
        if not rows:
            raise exc.NoSuchTableError(f"{schema}.{table_name}" if schema else table_name)
        return [
            {
                "name": name,
                "type": _column_type(data_type, self.ischema_names),
                "nullable": bool(nullable),
                "default": default,
                "autoincrement": False,
            }
            for name, data_type, nullable, default in rows
        ]
