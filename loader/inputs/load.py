"""Load the owner's costs and outcomes files into ``raw.input__costs`` and ``raw.input__outcomes``.

Every configured file is read and validated first; if any file has a problem, all problems of
all files are reported together and nothing is loaded. Otherwise one transaction replaces the
rows of every business (a business whose file is no longer configured loses its rows), so the
raw tables always hold exactly what the configured files say, with the file's sha256.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from extractors.core import owner_csv
from loader.inputs import csv_files, spec

log = logging.getLogger(__name__)

DDL = (
    "CREATE SCHEMA IF NOT EXISTS raw",
    """CREATE TABLE IF NOT EXISTS raw.input__costs (
        business VARCHAR NOT NULL, month DATE NOT NULL, platform VARCHAR NOT NULL,
        hours_spent DECIMAL(18, 2), hourly_rate_eur DECIMAL(18, 2), ad_spend_eur DECIMAL(18, 2),
        agency_tool_cost_eur DECIMAL(18, 2),
        _file VARCHAR NOT NULL, _line BIGINT NOT NULL, _sha256 VARCHAR NOT NULL,
        _loaded_at TIMESTAMPTZ NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS raw.input__outcomes (
        business VARCHAR NOT NULL, period_start DATE NOT NULL, period VARCHAR NOT NULL,
        metric VARCHAR NOT NULL, value DECIMAL(18, 2),
        _file VARCHAR NOT NULL, _line BIGINT NOT NULL, _sha256 VARCHAR NOT NULL,
        _loaded_at TIMESTAMPTZ NOT NULL)""",
)
TABLES = {"costs": "raw.input__costs", "outcomes": "raw.input__outcomes"}
MAX_BYTES = 5_000_000


class InputsError(RuntimeError):
    """An owner's input file is missing or invalid; nothing was loaded. The message lists every
    problem of every file with its line and what to change."""


@dataclass(frozen=True)
class InputFile:
    kind: str  # "costs" or "outcomes"
    business: str
    path: Path


@dataclass
class InputsSummary:
    rows: dict[str, int] = field(default_factory=dict)  # "costs/<business>" -> rows
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "files": self.files}


def ensure_input_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Both raw input tables, even before the first file (dbt staging reads them)."""
    for statement in DDL:
        con.execute(statement)


def configured_files(config) -> list[InputFile]:
    """The input files the config names (``inputs: {costs: path, outcomes: path}``)."""
    files = []
    for business in config.businesses:
        for kind in spec.KINDS:
            path = getattr(business, f"{kind}_csv", None)
            if path:
                files.append(InputFile(kind, business.slug, Path(path)))
    return files


def read_inputs(config) -> list[tuple[InputFile, str, list]]:
    """Every configured file validated: (file, sha256, rows); :class:`InputsError` names every
    problem of every file at once."""
    businesses = {b.slug for b in config.businesses}
    parsed, failures = [], []
    for item in configured_files(config):
        where = f"{item.kind} of '{item.business}' ({item.path})"
        try:
            data = _read(item)
        except InputsError as exc:
            failures.append(str(exc))
            continue
        parse = csv_files.parse_costs if item.kind == "costs" else csv_files.parse_outcomes
        try:
            rows = parse(data, business=item.business, businesses=businesses)
        except owner_csv.CsvProblems as exc:
            count = len(exc.problems)
            failures.append(
                f"{where} has {count} problem{'s' if count != 1 else ''}; correct the file "
                f"(template: {spec.template(item.kind)}) and rerun the load:\n{exc.render()}"
            )
            continue
        parsed.append((item, hashlib.sha256(data).hexdigest(), rows))
    if failures:
        raise InputsError(
            "Owner input files refused; nothing of them was loaded and the previous rows stay:\n"
            + "\n".join(failures)
        )
    return parsed


def load_inputs(warehouse: Path, config) -> InputsSummary:
    """Validate every configured input file, then replace the raw input rows in one
    transaction."""
    from loader.load import LoadError, connect_writer

    parsed = read_inputs(config)
    summary = InputsSummary()
    con = connect_writer(warehouse)
    try:
        ensure_input_tables(con)
        con.execute("BEGIN TRANSACTION")
        try:
            for table in TABLES.values():
                con.execute(f"DELETE FROM {table}")
            for item, sha256, rows in parsed:
                _insert(con, item, sha256, rows)
                summary.rows[f"{item.kind}/{item.business}"] = len(rows)
                summary.files[str(item.path)] = sha256
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    except duckdb.Error as exc:
        raise LoadError(
            f"Loading the owner input files into {warehouse} failed and was rolled back (the "
            f"previous rows stay): {exc}. Check free disk space and write permission on "
            f"{warehouse.parent}, then rerun the load."
        ) from None
    finally:
        con.close()
    log.info("loaded owner inputs %s", summary.as_dict())
    return summary


def _read(item: InputFile) -> bytes:
    where = f"{item.kind} of '{item.business}'"
    try:
        size = item.path.stat().st_size
        if size > MAX_BYTES:
            raise InputsError(
                f"{where}: {item.path} is {size} bytes, more than {MAX_BYTES} for a hand-filled "
                "CSV; is it the right file?"
            )
        return item.path.read_bytes()
    except FileNotFoundError:
        raise InputsError(
            f"{where}: the file {item.path} does not exist. Create it from "
            f"{spec.template(item.kind)} or fix `inputs: {{{item.kind}: ...}}` of the business "
            "in the config (relative to the config file)."
        ) from None
    except OSError as exc:
        raise InputsError(
            f"{where}: cannot read {item.path} ({exc.strerror}); check the path and its "
            "permissions."
        ) from None


def _insert(con: duckdb.DuckDBPyConnection, item: InputFile, sha256: str, rows: list) -> None:
    from loader.load import insert_columns

    path = str(item.path)
    money = "DECIMAL(18, 2)"
    if item.kind == "costs":
        values = [
            (r.business, r.month, r.platform, *(r.amounts[n] for n in spec.COST_AMOUNTS), path)
            for r in rows
        ]
        table, types = "raw.input__costs", ["VARCHAR", "DATE", "VARCHAR", *[money] * 4]
    else:
        values = [(r.business, r.period_start, r.period, r.metric, r.value, path) for r in rows]
        table, types = "raw.input__outcomes", ["VARCHAR", "DATE", "VARCHAR", "VARCHAR", money]
    # then _file, _line, _sha256 (and _loaded_at, added by insert_columns)
    rows_out = [(*v, r.line, sha256) for v, r in zip(values, rows, strict=True)]
    insert_columns(con, table, [*types, "VARCHAR", "BIGINT", "VARCHAR"], rows_out)
