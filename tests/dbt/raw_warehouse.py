"""Helpers for the dbt project tests: a throwaway DuckDB warehouse with handcrafted raw rows.

Every test gets its own warehouse file, target path and log path under tmp, so parallel
pytest-xdist workers never share dbt state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")

RAW_COLUMNS = """
    _file VARCHAR, _row BIGINT, _run_id VARCHAR, _fetched_at TIMESTAMPTZ, _logical_date DATE,
    _loaded_at TIMESTAMPTZ, business VARCHAR, account_id VARCHAR, object_id VARCHAR,
    endpoint VARCHAR, payload JSON
"""
FACEBOOK_STREAMS = ("page", "page_insights", "posts", "post_insights", "comments")


@dataclass(frozen=True)
class RawRow:
    """One landed API object: which fetch it came from and the payload as served."""

    stream: str
    business: str
    account_id: str
    object_id: str
    fetched_at: str
    payload: dict[str, Any]
    file_suffix: str = ""


def create_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema raw with the Facebook stream tables and config__accounts (contracts.md)."""
    from loader.load import ensure_raw_tables

    ensure_raw_tables(con)  # the loader's own DDL: every registered network's raw tables


def insert_raw_rows(con: duckdb.DuckDBPyConnection, rows: Iterable[RawRow]) -> None:
    """Insert rows the way the loader would: one file per stream, account and fetch."""
    line_numbers: dict[str, int] = {}
    for row in rows:
        if row.stream not in FACEBOOK_STREAMS:
            raise ValueError(
                f"unknown Facebook stream {row.stream!r}; use one of {FACEBOOK_STREAMS}"
            )
        day = row.fetched_at[:10]
        file = (
            f"facebook/{row.stream}/account={row.account_id}/logical_date={day}/"
            f"run{row.file_suffix}.ndjson.gz"
        )
        line_numbers[file] = line_numbers.get(file, 0) + 1
        con.execute(
            f"INSERT INTO raw.facebook__{row.stream} VALUES "
            "(?, ?, ?, ?::TIMESTAMPTZ, ?::DATE, ?::TIMESTAMPTZ, ?, ?, ?, ?, ?::JSON)",
            [
                file,
                line_numbers[file],
                f"scheduled__{day}",
                row.fetched_at,
                day,
                row.fetched_at,
                row.business,
                row.account_id,
                row.object_id,
                f"/v25.0/{row.object_id}/{row.stream}",
                json.dumps(row.payload),
            ],
        )


def insert_config_accounts(con: duckdb.DuckDBPyConnection, rows: Iterable[tuple]) -> None:
    con.executemany("INSERT INTO raw.config__accounts VALUES (?, ?, ?, ?, ?, ?)", list(rows))


def run_dbt(
    args: list[str], warehouse: Path, workdir: Path, project: Path = DBT_PROJECT
) -> subprocess.CompletedProcess[str]:
    """Run the dbt CLI against `warehouse` with target and log paths inside `workdir` (on a
    copy of the project with `project`)."""
    env = {
        **os.environ,
        "MESSBAR_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
    ]
    return subprocess.run(
        command, env=env, cwd=workdir, capture_output=True, text=True, timeout=300, check=False
    )


def build_warehouse(path: Path, rows: Iterable[RawRow], accounts: Iterable[tuple]) -> Path:
    """Write a fresh DuckDB file at `path` holding the raw tables, `rows` and `accounts`."""
    with duckdb.connect(str(path)) as con:
        create_raw_schema(con)
        insert_raw_rows(con, rows)
        insert_config_accounts(con, accounts)
    return path
