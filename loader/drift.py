"""Schema drift of raw payloads: learn each raw table's payload fields, report what changes.

Raw keeps every payload whole, so a new field costs nothing; the loader only has to say so. A
field whose JSON type changes (``like_count`` 17 becomes ``"1.2K"``) or an object that lost the
``id`` every earlier row of its table had would break or poison staging, so such rows are held
back in ``raw._quarantine`` (still in raw, never in staging) and the quality gate blocks the
publish until someone looks. Runs inside the loader's transaction: bookkeeping, events and
quarantine commit or roll back together with the rows.

What is learned lives in ``raw._schema`` (one row per table, field path and JSON type). The first
load of a table only learns. Field paths are the object keys of the payload down to any depth,
not entering arrays (insight value lists change shape by design). Numbers are one type, whatever
their width; ``null`` fits any type.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb

from extractors.core.shapes import field_path

DDL = [
    """CREATE TABLE IF NOT EXISTS raw._schema (
        table_name VARCHAR NOT NULL, field VARCHAR NOT NULL, json_type VARCHAR NOT NULL,
        first_run_id VARCHAR NOT NULL, first_seen_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (table_name, field, json_type))""",
]
QUARANTINE_DDL = """CREATE TABLE IF NOT EXISTS raw._quarantine (
    table_name VARCHAR NOT NULL, reason VARCHAR NOT NULL, quarantined_at TIMESTAMPTZ NOT NULL,
    {columns})"""

ABSENT = "absent"  # pseudo type: some row of the table had no such key (only tracked for ids)
ID_FIELD = "$.id"
EXAMPLE_CHARS = 80

# distinct payload shapes (a few per batch), flattened in Python: 5x faster than json_tree
_SHAPES_SQL = """
SELECT json_structure(payload) AS shape, count(*) AS n, min(_run_id) AS run_id
FROM raw."{table}" WHERE {rows} AND payload IS NOT NULL GROUP BY ALL
"""
_NUMBERS = {"BIGINT", "UBIGINT", "DOUBLE", "HUGEINT", "UHUGEINT"}


@dataclass(frozen=True)
class DriftEvent:
    """One ``raw._events`` row: ``kind`` is ``schema_change`` (a new field, rows loaded),
    ``type_change`` or ``missing_id`` (rows held in ``raw._quarantine``)."""

    network: str
    account_id: str
    run_id: str
    kind: str
    detail: str


def ensure_tables(con: duckdb.DuckDBPyConnection, raw_columns: str) -> None:
    for stmt in DDL:
        con.execute(stmt)
    con.execute(QUARANTINE_DDL.format(columns=raw_columns))


@dataclass(frozen=True)
class Declared:
    """What the landing writer counted for one table's batch (the manifests' ``fields``):
    (field path, JSON type, rows, first run id) and the rows without an ``id``."""

    fields: list[tuple[str, str, int, str]]
    without_id: int


def declared_fields(entries: Iterable[tuple[dict, str]]) -> Declared | None:
    """Merge the manifest file entries (entry, run id) of one table's batch; None when any
    entry has no counts (written before the counts existed, or rewritten by an erasure)."""
    seen: dict[tuple[str, str], list[Any]] = {}
    without_id = 0
    for entry, run_id in entries:
        if "fields" not in entry:
            return None
        without_id += int(entry.get("without_id", 0))
        for path, json_type, n in entry["fields"]:
            slot = seen.setdefault((path, json_type), [0, run_id])
            slot[0] += n
            slot[1] = min(slot[1], run_id)
    return Declared([(f, t, n, r) for (f, t), (n, r) in seen.items()], without_id)


def check_batch(
    con: duckdb.DuckDBPyConnection,
    network: str,
    table: str,
    loaded_at: Any,
    declared: Declared | None = None,
) -> tuple[list[DriftEvent], int]:
    """Compare the rows just inserted (those with ``_loaded_at = loaded_at``: one load stamps
    all its rows with its transaction's time) with what ``table`` held before.

    ``declared``: the landing writer's field counts of the batch; without them the payloads are
    parsed here (one pass over the batch). Either way the rows to hold back are found by SQL.
    Returns the events to record and how many rows were moved to ``raw._quarantine``.
    """
    batch, params = "_loaded_at = ?", [loaded_at]
    known = _known(con, table, batch, params)
    observed = declared.fields if declared else _observe(con, table, batch, params)
    if not known:  # first load of this table: learn only
        without_id = (
            declared.without_id if declared else _rows_without_id(con, table, batch, params)
        )
        _learn(con, table, observed, absent_id=without_id > 0)
        return [], 0

    known_types: dict[str, set[str]] = {}
    for field, json_type in known:
        known_types.setdefault(field, set()).add(json_type)
    events: list[DriftEvent] = []
    held = 0

    if _id_required(known_types) and (declared is None or declared.without_id):
        condition = f"{batch} AND json_extract_string(payload, '$.id') IS NULL"
        moved, found = _quarantine(con, table, condition, params, "missing id")
        held += moved
        for account, run_id, count, where in found:
            detail = (
                f"raw.{table}: {count} row(s) without the id every earlier row had, held in "
                f"raw._quarantine (first at {where}); they never reach staging or the marts"
            )
            events.append(DriftEvent(network, account, run_id, "missing_id", detail))

    changed = [
        (field, json_type)
        for field, json_type, _, _ in observed
        if field in known_types
        and json_type != "null"
        and json_type not in known_types[field]
        and known_types[field] - {"null", ABSENT}
    ]
    for field, json_type in changed:
        was = "/".join(sorted(known_types[field] - {"null", ABSENT}))
        condition = (
            f"{batch} AND _drift_type(json_type(payload, '{_sql_text(field)}')) = "
            f"'{_sql_text(json_type)}'"
        )
        example = _example(con, table, condition, field, params)
        moved, found = _quarantine(con, table, condition, params, f"type change {field}")
        held += moved
        for account, run_id, count, where in found:
            detail = (
                f"raw.{table}: field {_name(field)} was {was}, now {json_type} "
                f"(example value {example}); {count} row(s) held in raw._quarantine (first at "
                f"{where}). Fix the staging model's parsing for the new format, then release "
                "the rows (loader.drift.release)"
            )
            events.append(DriftEvent(network, account, run_id, "type_change", detail))

    # learn from what stayed in raw (quarantined rows keep failing until released)
    remaining = observed
    if held:
        remaining = _observe(con, table, batch, params)
    new_fields = sorted({field for field, *_ in remaining} - set(known_types))
    for field in new_fields:
        types = sorted({t for f, t, _, _ in remaining if f == field})
        rows = [(f, r) for f, _, _, r in remaining if f == field]
        example = _example(
            con, table, f"{batch} AND json_exists(payload, '{_sql_text(field)}')", field, params
        )
        detail = (
            f"raw.{table}: new field {_name(field)} ({'/'.join(types)}, example value "
            f"{example}); kept in the raw payload, not used by staging until a model reads it"
        )
        account = _first_account(con, table, batch, params)
        events.append(DriftEvent(network, account, rows[0][1], "schema_change", detail))
    _learn(con, table, remaining, absent_id=False)
    return events, held


def release(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Move ``table``'s quarantined rows back into raw and accept their types (after fixing
    staging for a new format). Returns the number of rows released. Run inside a transaction."""
    rows = con.execute(
        "SELECT count(*) FROM raw._quarantine WHERE table_name = ?", [table]
    ).fetchone()[0]
    con.execute(
        # a fresh _loaded_at: incremental staging picks up rows loaded since its last build
        f'INSERT INTO raw."{table}" SELECT * EXCLUDE (table_name, reason, quarantined_at) '
        "REPLACE (now() AS _loaded_at) FROM raw._quarantine WHERE table_name = ?",
        [table],
    )
    con.execute("DELETE FROM raw._quarantine WHERE table_name = ?", [table])
    observed = _observe(con, table, "true", [])
    _learn(con, table, observed, absent_id=_rows_without_id(con, table, "true", []) > 0)
    return rows


def _observe(con, table: str, rows: str, params: list[Any]) -> list[tuple[str, str, int, str]]:
    """(field path, JSON type, rows, first run id) of the payloads selected by ``rows``."""
    seen: dict[tuple[str, str], list[Any]] = {}
    query = _SHAPES_SQL.format(table=table, rows=rows)
    for shape, n, run_id in con.execute(query, params).fetchall():
        for field, json_type in _flatten(json.loads(shape), "$"):
            slot = seen.setdefault((field, json_type), [0, run_id])
            slot[0] += n
            slot[1] = min(slot[1], run_id)
    return [(field, json_type, n, run_id) for (field, json_type), (n, run_id) in seen.items()]


def _flatten(shape: Any, path: str) -> Iterator[tuple[str, str]]:
    """Object keys down to any depth, not into arrays; the path syntax of DuckDB's JSON
    functions (``$.a.b``, ``$."a b"``)."""
    if not isinstance(shape, dict):
        return
    for key, sub in shape.items():
        field = field_path(path, key)
        if isinstance(sub, dict) or sub == "JSON":  # "JSON": json_structure of an empty object
            yield field, "object"
            yield from _flatten(sub, field)
        elif isinstance(sub, list):
            yield field, "array"
        elif sub in _NUMBERS:
            yield field, "number"
        elif sub == "VARCHAR":
            yield field, "string"
        else:
            yield field, str(sub).lower()


def known_fields(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """The (field, JSON type) pairs learned for ``table``; learned now from every row it holds
    when nothing was learned yet (a warehouse from before drift tracking)."""
    return _known(con, table, "false", [])


def _known(con, table: str, batch: str, params: list[Any]) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT field, json_type FROM raw._schema WHERE table_name = ?", [table]
    ).fetchall()
    if rows:
        return rows
    # a warehouse from before drift tracking: learn from the rows it already holds
    earlier = f"NOT ({batch})"
    has_rows = con.execute(
        f'SELECT count(*) FROM raw."{table}" WHERE {earlier}', params
    ).fetchone()[0]
    if not has_rows:
        return []
    observed = _observe(con, table, earlier, params)
    without_id = _rows_without_id(con, table, earlier, params)
    _learn(con, table, observed, absent_id=without_id > 0)
    return [(field, json_type) for field, json_type, _, _ in observed] + (
        [(ID_FIELD, ABSENT)] if without_id else []
    )


def _learn(con, table: str, observed, *, absent_id: bool) -> None:
    rows = [(table, field, json_type, run_id) for field, json_type, _, run_id in observed]
    if absent_id:
        rows.append((table, ID_FIELD, ABSENT, observed[0][3] if observed else "unknown"))
    from loader.load import insert_columns  # here: loader.load imports this module

    insert_columns(con, "raw._schema", ["VARCHAR"] * 4, rows, "ON CONFLICT DO NOTHING")


def _id_required(known_types: dict[str, set[str]]) -> bool:
    types = known_types.get(ID_FIELD, set())
    return bool(types - {"null"}) and ABSENT not in types and "null" not in types


def _rows_without_id(con, table: str, rows: str, params: list[Any]) -> int:
    return con.execute(
        f'SELECT count(*) FROM raw."{table}" WHERE {rows} '
        "AND json_extract_string(payload, '$.id') IS NULL",
        params,
    ).fetchone()[0]


def _quarantine(con, table: str, condition: str, params: list[Any], reason: str):
    found = con.execute(
        f"SELECT account_id, _run_id, count(*), min(_file || ' line ' || _row) "
        f'FROM raw."{table}" WHERE {condition} GROUP BY ALL ORDER BY ALL',
        params,
    ).fetchall()
    if not found:
        return 0, []
    con.execute(
        f'INSERT INTO raw._quarantine SELECT ?, ?, now(), * FROM raw."{table}" WHERE {condition}',
        [table, reason, *params],
    )
    con.execute(f'DELETE FROM raw."{table}" WHERE {condition}', params)
    return sum(row[2] for row in found), found


def _example(con, table: str, condition: str, field: str, params: list[Any]) -> str:
    row = con.execute(
        f"SELECT json_extract(payload, '{_sql_text(field)}')::VARCHAR FROM raw.\"{table}\" "
        f"WHERE {condition} ORDER BY _file, _row LIMIT 1",
        params,
    ).fetchone()
    text = row[0] if row and row[0] is not None else "null"
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 3] + "..."


def _first_account(con, table: str, batch: str, params: list[Any]) -> str:
    return con.execute(
        f'SELECT min(account_id) FROM raw."{table}" WHERE {batch}', params
    ).fetchone()[0]


def _name(field: str) -> str:
    """``$.public_metrics.like_count`` -> ``public_metrics.like_count``."""
    return field.removeprefix("$.")


def _sql_text(value: str) -> str:
    return value.replace("'", "''")


def register_macros(con: duckdb.DuckDBPyConnection) -> None:
    """``_drift_type(json_type)``: JSON type names as the schema stores them (number, string,
    boolean, object, array, null)."""
    con.execute(
        "CREATE OR REPLACE TEMP MACRO _drift_type(t) AS CASE "
        "WHEN t IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT', 'UHUGEINT') THEN 'number' "
        "WHEN t = 'VARCHAR' THEN 'string' ELSE lower(t) END"
    )
