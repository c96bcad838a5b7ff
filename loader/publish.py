"""Publish (the P of write-audit-publish): copy the audited marts into a fresh DuckDB file and
swap it in atomically with ``os.replace``. BI readers that hold the old file open keep their
snapshot; new connections see the complete new file, never a partial one. A failure at any
point leaves the published file byte-identical."""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

log = logging.getLogger(__name__)


class PublishError(RuntimeError):
    pass


def publish(
    warehouse: Path,
    published: Path,
    *,
    run_id: str,
    schemas: tuple[str, ...] = ("marts",),
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.stem}.{uuid.uuid4().hex[:8]}.tmp.duckdb")
    try:
        tables = _build(warehouse, tmp, schemas, run_id, meta or {})
        if os.environ.get("MESSBAR_FAULT_POINT") == "during_publish_rename":
            os.kill(os.getpid(), 9)
        _keep_previous(published)
        replace_durably(tmp, published)
    except duckdb.Error as exc:
        raise PublishError(
            f"Publishing failed; {published} is unchanged: {exc}. Check disk space and "
            f"permissions on {published.parent}."
        ) from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    log.info("published %s (%d tables)", published, len(tables))
    return {"published": str(published), "tables": tables}


def _build(
    warehouse: Path, target: Path, schemas: tuple[str, ...], run_id: str, meta: dict[str, Any]
) -> dict[str, int]:
    con = duckdb.connect(str(target))
    tables: dict[str, int] = {}
    try:
        con.execute("ATTACH ? AS work (READ_ONLY)", [str(warehouse)])
        for schema in schemas:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            names = [
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM duckdb_tables() "
                    "WHERE database_name = 'work' AND schema_name = ? ORDER BY table_name",
                    [schema],
                ).fetchall()
            ]
            for name in names:
                con.execute(
                    f'CREATE TABLE "{schema}"."{name}" AS SELECT * FROM work."{schema}"."{name}"'
                )
                comment = con.execute(
                    "SELECT comment FROM duckdb_tables() WHERE database_name = 'work' "
                    "AND schema_name = ? AND table_name = ?",
                    [schema, name],
                ).fetchone()
                if comment and comment[0]:
                    con.execute(f'COMMENT ON TABLE "{schema}"."{name}" IS ?', [comment[0]])
                tables[f"{schema}.{name}"] = con.execute(
                    f'SELECT count(*) FROM "{schema}"."{name}"'
                ).fetchone()[0]
        con.execute(
            "CREATE TABLE marts._publication AS SELECT ?::TIMESTAMPTZ AS published_at, "
            "?::VARCHAR AS run_id, ?::JSON AS details",
            [datetime.now(UTC), run_id, _json(meta)],
        )
        con.execute("DETACH work")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return tables


def _keep_previous(published: Path) -> None:
    """Hard-link the current file as ``*.previous.duckdb`` for a manual rollback."""
    if not published.exists():
        return
    previous = published.with_name(published.stem + ".previous.duckdb")
    previous.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # e.g. a filesystem without hard links
        os.link(published, previous)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, default=str, sort_keys=True)


def write_json_durably(path: Path, document: Any) -> None:
    """Write a small JSON document (a run's marks) whole or not at all (``replace_durably``)."""
    import json

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        replace_durably(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def replace_durably(tmp: Path, dest: Path) -> None:
    """Swap a finished temp file in: its bytes on disk first, then the rename, then the rename
    itself on disk (a crash leaves the old or the new file, never a torn one)."""
    fsync_file(tmp)
    os.replace(tmp, dest)
    fsync_dir(dest.parent)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
