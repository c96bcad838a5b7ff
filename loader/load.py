"""Load finished landing files into the DuckDB ``raw`` schema.

Only files listed in a manifest are loaded (a manifest is written after its files, so an aborted
extraction is never half-loaded). All pending manifests are loaded in ONE transaction together
with their bookkeeping (``raw._loaded_files``) and state (``raw._state``): a crash leaves all or
nothing, loading a file twice adds nothing, and state never runs ahead of the data it covers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from extractors.core.landing import INBOX
from extractors.registry import NETWORKS, raw_table
from loader import drift
from loader.publish import write_json_durably

log = logging.getLogger(__name__)

META_TYPE = (
    "STRUCT(network VARCHAR, stream VARCHAR, business VARCHAR, account_id VARCHAR, "
    "object_id VARCHAR, run_id VARCHAR, logical_date DATE, fetched_at TIMESTAMPTZ, "
    "endpoint VARCHAR, seq BIGINT)"
)

RAW_COLUMNS = """
    _file VARCHAR NOT NULL,
    _row BIGINT NOT NULL,
    _run_id VARCHAR NOT NULL,
    _fetched_at TIMESTAMPTZ NOT NULL,
    _logical_date DATE NOT NULL,
    _loaded_at TIMESTAMPTZ NOT NULL,
    business VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    object_id VARCHAR,
    endpoint VARCHAR,
    payload JSON
"""

BOOKKEEPING = [
    "CREATE SCHEMA IF NOT EXISTS raw",
    """CREATE TABLE IF NOT EXISTS raw._loaded_files (
        path VARCHAR PRIMARY KEY, network VARCHAR NOT NULL, stream VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL, manifest VARCHAR NOT NULL,
        rows BIGINT NOT NULL, sha256 VARCHAR NOT NULL, loaded_at TIMESTAMPTZ NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS raw._state (
        network VARCHAR NOT NULL, account_id VARCHAR NOT NULL, key VARCHAR NOT NULL,
        value VARCHAR NOT NULL, run_id VARCHAR NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (network, account_id, key))""",
    """CREATE TABLE IF NOT EXISTS raw._events (
        network VARCHAR NOT NULL, account_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL, detail VARCHAR, logged_at TIMESTAMPTZ NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS raw.config__accounts (
        business VARCHAR NOT NULL, business_name VARCHAR NOT NULL, timezone VARCHAR NOT NULL,
        platform VARCHAR NOT NULL, account_id VARCHAR NOT NULL, account_name VARCHAR)""",
]


class LoadError(RuntimeError):
    """Loading failed and was rolled back; the message says what to fix."""


@dataclass
class LoadSummary:
    manifests: int = 0
    files: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    skipped_files: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "manifests": self.manifests,
            "files": self.files,
            "rows": self.rows,
            "skipped_files": self.skipped_files,
            "quarantined": self.quarantined,
        }


def duckdb_settings(memory_limit: str | None = None) -> dict[str, str]:
    """Memory limit and threads of the writer connection: ``MESSBAR_DUCKDB_MEMORY_LIMIT`` and
    ``MESSBAR_DUCKDB_THREADS`` (default: DuckDB's, one per core). Beyond the limit DuckDB spills
    to disk instead of growing. Default: 256 MB per thread, at least 1 GB. The load holds the
    rows of a table that have not yet filled a row group (``WRITER_ROW_GROUP_SIZE``) in memory
    until it commits; what the limit trades, as measured, is in docs/scaling.md ("Memory").
    Each JSON-reading thread needs about 32 MB of buffer."""
    threads = os.environ.get("MESSBAR_DUCKDB_THREADS") or ""
    default = f"{max(1024, 256 * int(threads or os.cpu_count() or 1))}MB"
    settings = {
        "memory_limit": memory_limit or os.environ.get("MESSBAR_DUCKDB_MEMORY_LIMIT") or default
    }
    if threads:
        settings["threads"] = threads
    return settings


# Row groups of the writer connection's appends. DuckDB writes a transaction's appended row
# groups straight into the database file as they fill ("optimistic writes"); rows that never
# fill a row group of its default 122,880 go to the WAL at commit and are written a second
# time, compressed, by the checkpoint. A load spreads its rows over a dozen tables of fewer
# rows than that each, so with the default nearly all of them took the double path
# (bench/RESULTS.md: the commit was 2.3-2.7 s of a 6 s load of a million records; with 16,384
# it is 0.05 s; a full row group also stops waiting in memory for the commit). A setting of
# the connection, not of the file: other connections append with DuckDB's default.
WRITER_ROW_GROUP_SIZE = 16_384


def connect_writer(path: Path, *, wait_seconds: float = 60.0, memory_limit: str | None = None):
    """Open the warehouse for writing. DuckDB allows one writer process; while another holds
    the file, retry with backoff for ``wait_seconds``, then fail with a clear message.

    The file is attached to an in-memory instance under its usual name (the file's stem, as
    ``duckdb.connect`` names it) and made the default catalog, so that the connection can set
    the row group size of its appends (``WRITER_ROW_GROUP_SIZE``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.2
    while True:
        try:
            return _attach(path, duckdb_settings(memory_limit))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise LoadError(
                    f"Cannot open the warehouse {path} for writing: {exc}. Another messbar "
                    "run (or a tool holding it read-write) is using it; wait for it to finish. "
                    "BI tools must open only the published file, read-only."
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def _attach(path: Path, settings: dict[str, str]) -> duckdb.DuckDBPyConnection:
    # spill beside the warehouse, as DuckDB does for a file it opens itself (not in the cwd)
    con = duckdb.connect(":memory:", config={"temp_directory": f"{path}.tmp", **settings})
    try:
        quoted = '"' + path.stem.replace('"', '""') + '"'
        location = str(path).replace("'", "''")
        con.execute(f"ATTACH '{location}' AS {quoted} (ROW_GROUP_SIZE {WRITER_ROW_GROUP_SIZE})")
        con.execute(f"USE {quoted}")
    except BaseException:
        con.close()
        raise
    return con


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Bookkeeping tables and one raw table per registered stream, even before its first data
    (dbt staging reads every network's tables)."""
    for stmt in BOOKKEEPING:
        con.execute(stmt)
    drift.ensure_tables(con, RAW_COLUMNS)
    for spec in NETWORKS.values():
        for stream in spec.streams:
            table = raw_table(spec.slug, stream)
            con.execute(f'CREATE TABLE IF NOT EXISTS raw."{table}" ({RAW_COLUMNS})')


INBOX_OVERLAP_DAYS = 2  # inbox days listed again: entries written late in a day, clock skew


@dataclass
class Listing:
    """The manifests a load has to read, and what the next load may skip."""

    manifests: list[dict]
    inbox_day: str | None  # the newest inbox day that was listed


def pending_manifests(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, *, since_day: str | None = None
) -> Listing:
    """Manifests with files not yet loaded, oldest logical date first. A manifest is committed
    whole, in one transaction with its files: one already recorded in ``raw._loaded_files``
    needs no reading.

    Which manifests are looked at: with ``since_day`` (the inbox day the previous load of this
    warehouse listed, see ``load``), those the landing writer announced in the inbox
    (``extractors.core.landing.announce``) from ``INBOX_OVERLAP_DAYS`` before that day on: a
    nightly load then reads a few hundred entries instead of listing years of manifests.
    Without it, every manifest below ``_manifests``."""
    inbox = _inbox_days(landing_dir)
    if since_day is None:
        root = str(landing_dir / "_manifests")
        candidates = sorted(_json_files(root, "_manifests"))
        done = {
            r[0] for r in con.execute("SELECT DISTINCT manifest FROM raw._loaded_files").fetchall()
        }
    else:
        first = (date.fromisoformat(since_day) - timedelta(days=INBOX_OVERLAP_DAYS)).isoformat()
        named = set()
        for day in (d for d in inbox if d >= first):
            for entry in os.scandir(landing_dir / INBOX / day):
                if entry.name.endswith(".txt"):
                    with open(entry.path, encoding="utf-8") as handle:
                        named.add(handle.read().strip())
        # an entry whose manifest never came is an extraction that died before finishing
        candidates = sorted(rel for rel in named if (landing_dir / rel).is_file())
        done = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT manifest FROM raw._loaded_files "
                "WHERE manifest IN (SELECT unnest(?))",
                [candidates],
            ).fetchall()
        }
    manifests = []
    for relative in (rel for rel in candidates if rel not in done):
        manifest = json.loads((landing_dir / relative).read_text(encoding="utf-8"))
        manifest["_path"] = relative
        manifests.append(manifest)
    # files of a new manifest may have been loaded before (a manifest rewritten by an
    # erasure, or listing a file another manifest listed): those are left out
    paths = [f["path"] for m in manifests for f in m["files"]]
    loaded = set()
    if paths:
        loaded = {
            r[0]
            for r in con.execute(
                "SELECT path FROM raw._loaded_files WHERE path IN (SELECT unnest(?))", [paths]
            ).fetchall()
        }
    pending = []
    for manifest in manifests:
        files = [f for f in manifest["files"] if f["path"] not in loaded]
        if not files and manifest["files"]:
            continue
        manifest["files"] = files
        pending.append(manifest)
    pending.sort(key=lambda m: (m["logical_date"], m["finished_at"]))
    return Listing(pending, inbox[-1] if inbox else since_day)


def _inbox_days(landing_dir: Path) -> list[str]:
    try:
        return sorted(e.name for e in os.scandir(landing_dir / INBOX) if e.is_dir())
    except FileNotFoundError:
        return []


def listing_mark_path(warehouse: Path) -> Path:
    """Beside the warehouse: which landing folder its loads read, the inbox day they listed,
    and the bookkeeping they left (count and newest ``loaded_at`` of ``raw._loaded_files``)."""
    return warehouse.with_name(warehouse.stem + ".landing.json")


def _bookkeeping(con: duckdb.DuckDBPyConnection) -> list[Any]:
    row = con.execute("SELECT count(*), max(loaded_at)::VARCHAR FROM raw._loaded_files")
    return list(row.fetchone())


def _listed_day(con: duckdb.DuckDBPyConnection, warehouse: Path, landing_dir: Path) -> str | None:
    """The inbox day to list from, or None (list every manifest): the mark must name this
    landing folder and the warehouse must still hold exactly the bookkeeping the last load
    left; a rebuilt, restored or replaced warehouse is listed whole once."""
    try:
        mark = json.loads(listing_mark_path(warehouse).read_text(encoding="utf-8"))
        day = mark["inbox_day"]
        if mark["landing_dir"] != str(landing_dir.resolve()) or mark["loaded_files"] != (
            _bookkeeping(con)
        ):
            return None
        return str(day) if day else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_listing_mark(
    con: duckdb.DuckDBPyConnection, warehouse: Path, landing_dir: Path, listing: Listing
) -> None:
    mark = {
        "landing_dir": str(landing_dir.resolve()),
        "inbox_day": listing.inbox_day,
        "loaded_files": _bookkeeping(con),
    }
    write_json_durably(listing_mark_path(warehouse), mark)


def _json_files(folder: str, relative: str) -> list[str]:
    """Paths (relative to the landing folder, with ``/``) of the ``*.json`` files below
    ``folder``; os.scandir, because a pathlib walk costs seconds over years of manifests."""
    found: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return found
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            found += _json_files(entry.path, f"{relative}/{entry.name}")
        elif entry.name.endswith(".json"):
            found.append(f"{relative}/{entry.name}")
    return found


def sync_accounts(con: duckdb.DuckDBPyConnection, config) -> None:
    """Replace ``raw.config__accounts`` from the config (source of names and time zones)."""
    con.execute("DELETE FROM raw.config__accounts")
    rows = [
        (b.slug, b.name, b.timezone, a.network, a.account_id, a.account_name)
        for b in config.businesses
        for a in b.accounts
    ]
    insert_columns(con, "raw.config__accounts", ["VARCHAR"] * 6, rows, stamp=False)


def load(warehouse: Path, landing_dir: Path, config=None) -> LoadSummary:
    """Load every pending manifest in one transaction; return what was loaded."""
    summary = LoadSummary()
    con = connect_writer(warehouse)
    try:
        ensure_raw_tables(con)
        listing = pending_manifests(
            con, landing_dir, since_day=_listed_day(con, warehouse, landing_dir)
        )
        manifests = listing.manifests
        con.execute("BEGIN TRANSACTION")
        try:
            if config is not None:
                sync_accounts(con, config)
            _load_manifests(con, landing_dir, manifests, summary)
            _fault_point("after_insert_before_commit")
            con.execute("COMMIT")
        except BaseException:
            # a failed COMMIT (e.g. a write error) has already ended the transaction: keep the
            # original error, not "cannot rollback - no transaction is active"
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        # after the commit: a crash before this line only costs the next load a full listing
        try:
            _write_listing_mark(con, warehouse, landing_dir, listing)
        except OSError as exc:  # loaded and committed; the next load lists every manifest
            log.warning("could not write %s: %s", listing_mark_path(warehouse), exc)
    except duckdb.Error as exc:
        raise LoadError(
            f"Loading into {warehouse} failed and was rolled back (nothing was loaded, state "
            f"unchanged): {exc}. Check free disk space and write permission on "
            f"{warehouse.parent}, then rerun the load."
        ) from None
    finally:
        con.close()
    log.info("loaded %s", summary.as_dict())
    return summary


def _load_manifests(con, landing_dir: Path, manifests: list[dict], summary: LoadSummary) -> None:
    by_table: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for m in manifests:
        for f in m["files"]:
            by_table[(m["network"], f["stream"])].append({**f, "_manifest": m})
    for (network, stream), files in sorted(by_table.items()):
        if network not in NETWORKS:
            raise LoadError(f"landing file of unknown network '{network}': {files[0]['path']}")
        table = raw_table(network, stream)
        con.execute(f'CREATE TABLE IF NOT EXISTS raw."{table}" ({RAW_COLUMNS})')
        non_empty = [f for f in files if f["rows"] > 0]
        if non_empty:
            paths = [str(landing_dir / f["path"]) for f in non_empty]
            missing = [p for p in paths if not os.path.exists(p)]
            if missing:
                raise LoadError(
                    f"landing file {missing[0]} is listed in a manifest but missing; restore it "
                    "or delete its manifest to re-extract that run."
                )
            before = con.execute(f'SELECT count(*) FROM raw."{table}"').fetchone()[0]
            con.execute(
                f"""
                INSERT INTO raw."{table}"
                SELECT
                    substr(filename, ?) AS _file,
                    _meta.seq, _meta.run_id, _meta.fetched_at, _meta.logical_date,
                    now(), _meta.business, _meta.account_id, _meta.object_id, _meta.endpoint,
                    payload
                FROM read_json(?, format = 'newline_delimited', filename = true,
                               columns = {{_meta: '{META_TYPE}', payload: 'JSON'}})
                """,
                [len(str(landing_dir)) + 2, paths],
            )
            added = con.execute(f'SELECT count(*) FROM raw."{table}"').fetchone()[0] - before
            expected = sum(f["rows"] for f in non_empty)
            if added != expected:
                raise LoadError(
                    f"raw.{table}: read {added} rows but the manifests list {expected}; a landing "
                    "file was changed after it was written. Re-extract that run."
                )
            summary.rows[table] = summary.rows.get(table, 0) + added
            declared = drift.declared_fields((f, f["_manifest"]["run_id"]) for f in non_empty)
            _check_drift(con, network, table, declared, summary)
        insert_columns(
            con,
            "raw._loaded_files",
            ["VARCHAR"] * 6 + ["BIGINT", "VARCHAR"],
            [
                (
                    f["path"],
                    network,
                    stream,
                    f["_manifest"]["account_id"],
                    f["_manifest"]["run_id"],
                    f["_manifest"]["_path"],
                    f["rows"],
                    f["sha256"],
                )
                for f in files
            ],
        )
        summary.files += len(files)
    _advance_state(con, manifests)
    for m in manifests:
        for e in m.get("events", []):
            con.execute(
                "INSERT INTO raw._events VALUES (?, ?, ?, ?, ?, now())",
                [m["network"], m["account_id"], m["run_id"], e["kind"], e.get("detail")],
            )
        summary.manifests += 1


def insert_columns(
    con, table: str, types: list[str], rows: list[tuple], suffix: str = "", *, stamp: bool = True
) -> None:
    """Insert many rows with one statement (one list per column, unnested side by side):
    a per-row ``executemany`` costs a round trip per row, which dominates large loads.
    ``stamp``: a last column ``now()`` (the table's load time) after the given ones."""
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    select = ", ".join(f"unnest(?::{t}[])" for t in types) + (", now()" if stamp else "")
    con.execute(f"INSERT INTO {table} SELECT {select} {suffix}", [list(c) for c in columns])


def _check_drift(
    con, network: str, table: str, declared: drift.Declared | None, summary: LoadSummary
) -> None:
    """New payload fields become events; rows with a changed field type or a missing id are
    held in ``raw._quarantine`` (see loader/drift.py). The rows just inserted are those stamped
    with this transaction's time; the manifests' field counts spare parsing them again."""
    drift.register_macros(con)
    loaded_at = con.execute("SELECT now()").fetchone()[0]
    events, held = drift.check_batch(con, network, table, loaded_at, declared)
    for event in events:
        log.warning("schema drift: %s", event.detail)
        con.execute(
            "INSERT INTO raw._events VALUES (?, ?, ?, ?, ?, now())",
            [event.network, event.account_id, event.run_id, event.kind, event.detail],
        )
    if held:
        summary.quarantined[table] = summary.quarantined.get(table, 0) + held


def _advance_state(con, manifests: list[dict]) -> None:
    """Upsert high-water marks; a value only ever moves forward (a backfill of an older date
    cannot rewind it). Values are ISO dates/timestamps, comparable as text in UTC. Manifests
    are reduced per key first (the highest value, from the first manifest that reached it):
    one statement may not update a row twice."""
    latest: dict[tuple[str, str, str], tuple[str, str]] = {}
    for m in manifests:
        for key, value in m.get("state", {}).items():
            slot = (m["network"], m["account_id"], key)
            if slot not in latest or value > latest[slot][0]:
                latest[slot] = (value, m["run_id"])
    insert_columns(
        con,
        "raw._state",
        ["VARCHAR"] * 5,
        [(*slot, value, run_id) for slot, (value, run_id) in latest.items()],
        suffix="""
        ON CONFLICT (network, account_id, key) DO UPDATE SET
            value = greatest(raw._state.value, excluded.value),
            run_id = CASE WHEN excluded.value > raw._state.value
                          THEN excluded.run_id ELSE raw._state.run_id END,
            updated_at = now()""",
    )


def read_state(warehouse: Path) -> dict[tuple[str, str], dict[str, str]]:
    """All committed state, read-only: {(network, account_id): {key: value}}."""
    if not warehouse.exists():
        return {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'raw' AND table_name = '_state'"
        ).fetchone()[0]
        if not exists:
            return {}
        state: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
        for network, account, key, value in con.execute(
            "SELECT network, account_id, key, value FROM raw._state"
        ).fetchall():
            state[(network, account)][key] = value
        return dict(state)
    finally:
        con.close()


def _fault_point(name: str) -> None:
    """Named crash points for the fault-injection tests (``MESSBAR_FAULT_POINT``)."""
    if os.environ.get("MESSBAR_FAULT_POINT") == name:
        os.kill(os.getpid(), 9)
