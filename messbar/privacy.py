"""Privacy jobs on the raw layer: comment-text retention and the erasure of one platform user.

Where personal data lives (see docs/privacy.md): commenter ids, names and comment texts are in
the landing files and the ``raw`` comment tables only. The staging comment models replace the
user id by ``commenter_key`` (HMAC-SHA256, ``insights.pseudonym``, through the dbt-duckdb plugin
``insights.dbt_plugin``) and keep no name, so every stored table outside raw (staging,
intermediate, marts) names a commenter only by that pseudonym.

Both jobs change a landing file and its raw rows alike (the raw ``_row`` is the landing line's
``_meta.seq``), update the manifest and ``raw._loaded_files`` so a reload from landing gives the
same rows, and finally copy the warehouse into a fresh file: DuckDB only marks deleted rows and
keeps old blocks, so without the copy the erased bytes would stay in the file.
"""

# Table names come from the network registry or the catalog; values are always bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from loader.publish import replace_durably

if TYPE_CHECKING:
    from messbar.config import Config

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 365
MIN_RETENTION_DAYS = 30  # below the extractors' lookback the same texts would come back nightly
MAX_RETENTION_DAYS = 3650
DEFAULT_KEY_REF = "env:MESSBAR_PSEUDONYM_KEY"

# The stream holding comments per network, and where a comment names its author. A network
# without comments (XING) has no entry; tests/reliability/test_privacy_erasure.py checks that
# every registry network with a comment stream is listed here.
COMMENT_STREAMS = {
    "facebook": "comments",
    "instagram": "comments",
    "linkedin": "comments",
    "x": "replies",
}
AUTHOR_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "facebook": (("from", "id"),),
    "instagram": (("from", "id"), ("user", "id")),
    "linkedin": (("actor",),),
    "x": (("author_id",),),
}
# Keys whose values are comment text (LinkedIn: an object with the text) or a person's name.
TEXT_KEYS = frozenset({"message", "text"})
NAME_KEYS = frozenset({"name", "username"})
# a text or name key anywhere in a payload with a value other than null (what retention blanks)
_STILL_HAS_TEXT = '"(' + "|".join(sorted(TEXT_KEYS | NAME_KEYS)) + r')"\s*:\s*[^n\s]'
ERASURES_DDL = """CREATE TABLE IF NOT EXISTS raw._erasures (
    platform VARCHAR NOT NULL, commenter_key VARCHAR NOT NULL, erased_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform, commenter_key))"""

_DROP = object()  # a transform's answer: remove the whole record


class PrivacyError(RuntimeError):
    """A privacy job could not run; the message says what to fix."""


@dataclass(frozen=True)
class PrivacySettings:
    """``privacy:`` in the config file."""

    comment_text_retention_days: int = DEFAULT_RETENTION_DAYS
    pseudonym_key: str = DEFAULT_KEY_REF  # env:NAME or conn:AIRFLOW_CONNECTION_ID


def parse_privacy(raw: Any, fail: Callable[[dict, str], Exception], root: dict) -> PrivacySettings:
    """Validate the ``privacy:`` mapping; ``fail(node, message)`` builds the config error."""
    if raw is None:
        return PrivacySettings()
    if not isinstance(raw, dict):
        raise fail(root, "'privacy' must be a mapping like {comment_text_retention_days: 365}.")
    unknown = sorted(k for k in raw if k not in {"__line__", *PrivacySettings.__annotations__})
    if unknown:
        raise fail(
            raw,
            f"unknown key(s) {', '.join(unknown)} under 'privacy'; allowed: "
            "comment_text_retention_days, pseudonym_key.",
        )
    days = raw.get("comment_text_retention_days", DEFAULT_RETENTION_DAYS)
    if isinstance(days, bool) or not isinstance(days, int):
        raise fail(
            raw,
            f"privacy.comment_text_retention_days must be a whole number of days, not {days!r}.",
        )
    if not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
        raise fail(
            raw,
            f"privacy.comment_text_retention_days is {days}: use {MIN_RETENTION_DAYS} to "
            f"{MAX_RETENTION_DAYS} days (comment texts younger than the extraction lookback "
            "would be fetched again every night).",
        )
    ref = str(raw.get("pseudonym_key", DEFAULT_KEY_REF)).strip()
    kind, _, name = ref.partition(":")
    if kind not in {"env", "conn"} or not name.replace("_", "").isalnum():
        raise fail(
            raw,
            "privacy.pseudonym_key must reference the secret as env:VARIABLE or "
            "conn:AIRFLOW_CONNECTION_ID (the connection's password); never the key itself.",
        )
    return PrivacySettings(comment_text_retention_days=days, pseudonym_key=ref)


def _config(config: Config | str | os.PathLike[str] | None) -> Config:
    from messbar.config import Config, load_config

    return config if isinstance(config, Config) else load_config(config)


def settings(cfg: Config) -> PrivacySettings:
    return getattr(cfg, "privacy", None) or PrivacySettings()


def pseudonym_key(cfg: Config) -> bytes:
    """The HMAC key the config points at (``env:`` or ``conn:``), validated."""
    from extractors.core.secrets import SecretNotFound, resolve_secret
    from insights.pseudonym import ENV_VAR
    from insights.pseudonym import pseudonym_key as checked

    ref = settings(cfg).pseudonym_key
    try:
        value = resolve_secret(ref, what="commenter pseudonym key")
    except SecretNotFound as exc:
        if ref == DEFAULT_KEY_REF:
            return checked()  # its message explains how to create the key
        raise PrivacyError(str(exc)) from None
    return checked({ENV_VAR: value})


def pseudonym_env(cfg: Config) -> dict[str, str]:
    """Environment for dbt when the key is not the default variable (dbt's Python model reads
    ``MESSBAR_PSEUDONYM_KEY``); empty when it is, so nothing is resolved needlessly."""
    if settings(cfg).pseudonym_key == DEFAULT_KEY_REF:
        return {}
    from insights.pseudonym import ENV_VAR

    return {ENV_VAR: pseudonym_key(cfg).decode()}


# --- payload transforms ------------------------------------------------------------------------


def _dig(obj: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def authors(platform: str, obj: Any) -> set[str]:
    """Platform user ids of the comment ``obj`` and of comments nested in it (IG replies)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for path in AUTHOR_PATHS[platform]:
                value = _dig(node, path)
                if isinstance(value, str | int) and str(value):
                    found.add(str(value))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(obj)
    return found


def user_ids(platform: str, user_id: str) -> set[str]:
    """The forms a user id takes in payloads (LinkedIn: the person URN, or the bare id)."""
    user_id = str(user_id).strip()
    if platform == "linkedin" and not user_id.startswith("urn:"):
        return {user_id, f"urn:li:person:{user_id}"}
    return {user_id}


def canonical_id(platform: str, user_id: str) -> str:
    """The id the pseudonym is computed from (what staging reads from the payload)."""
    user_id = str(user_id).strip()
    if platform == "linkedin" and not user_id.startswith("urn:"):
        return f"urn:li:person:{user_id}"
    return user_id


def without_user(platform: str, ids: set[str]) -> Callable[[Any, datetime], Any]:
    """Transform: drop a comment written by the user, drop the user's nested replies, and blank
    any other mention of the user's id (e.g. X ``in_reply_to_user_id`` of an answer)."""

    def by_user(node: Any) -> bool:
        return isinstance(node, dict) and any(
            str(_dig(node, p)) in ids for p in AUTHOR_PATHS[platform] if _dig(node, p) is not None
        )

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip_value(v) for k, v in node.items()}
        if isinstance(node, list):
            return [strip(v) for v in node if not by_user(v)]
        if isinstance(node, str) and node in ids:
            return None
        return node

    def strip_value(value: Any) -> Any:
        if by_user(value):  # the user's comment quoted in another (Facebook `parent`):
            return {"id": value["id"]} if "id" in value else None  # keep only the thread link
        if isinstance(value, dict) and str(value.get("id")) in ids:
            return None  # the user as a person object ({"name": ..., "id": ...})
        return strip(value)

    def transform(payload: Any, fetched_at: datetime) -> Any:
        return _DROP if by_user(payload) else strip(payload)

    return transform


def without_text_before(cutoff: datetime) -> Callable[[Any, datetime], Any]:
    """Transform: blank comment texts and names of records fetched before ``cutoff``."""

    def scrub(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: None if k in TEXT_KEYS or k in NAME_KEYS else scrub(v) for k, v in node.items()
            }
        if isinstance(node, list):
            return [scrub(v) for v in node]
        return node

    def transform(payload: Any, fetched_at: datetime) -> Any:
        return scrub(payload) if fetched_at < cutoff else payload

    return transform


# --- the jobs ----------------------------------------------------------------------------------


def erase(config: Config | str | os.PathLike[str] | None, platform: str, user_id: str) -> dict:
    """Remove one platform user's comments everywhere messbar keeps them: landing files (the
    batches are rewritten without them, manifests updated), raw tables, every table with a
    ``commenter_key`` (intermediate and marts) and the published file; the user's pseudonym is
    recorded in ``raw._erasures`` so a later fetch of the same comments is removed on load."""
    from messbar.runlock import run_lock

    cfg = _config(config)
    if platform not in COMMENT_STREAMS:
        raise PrivacyError(
            f"Unknown platform '{platform}' for erasure; messbar keeps commenter data for: "
            f"{', '.join(sorted(COMMENT_STREAMS))}."
        )
    if not str(user_id).strip():
        raise PrivacyError("Erasure needs the user's platform id (--user-id).")
    own = {a.account_id for a in cfg.accounts() if a.network == platform}
    if user_ids(platform, user_id) & own or canonical_id(platform, user_id).split(":")[-1] in own:
        raise PrivacyError(
            f"{platform} id {user_id} is one of the business's own accounts in the config; "
            "erasure is for the people who comment. Remove the account from the config instead."
        )
    key = _commenter_key(cfg, platform, user_id)
    with run_lock(cfg, "erase"):
        summary = _erase_ids(cfg, platform, user_ids(platform, user_id), {key}, record=True)
        summary["published_rows_removed"] = _rewrite_published(cfg, key)
    summary.update(platform=platform, commenter_key=key)
    log.info("erasure of one %s user: %s", platform, summary)
    return summary


def enforce_retention(
    config: Config | str | os.PathLike[str] | None, today: date | None = None
) -> dict:
    """Blank comment texts and commenter names fetched more than the retention period before
    ``today`` (UTC day, default the real today) in raw tables and landing files."""
    from messbar.runlock import run_lock

    cfg = _config(config)
    with run_lock(cfg, "retention"):
        return _retention(cfg, today)


def enforce_privacy(cfg: Config, today: date | None = None) -> dict:
    """The nightly privacy step after load (caller holds the run lock): retention, and the
    removal of comments by erased users that a later fetch brought back."""
    return {"retention": _retention(cfg, today), "erasures": _reapply_erasures(cfg)}


def _retention(cfg: Config, today: date | None) -> dict:
    days = settings(cfg).comment_text_retention_days
    today = today or datetime.now(UTC).date()
    cutoff = datetime.combine(today - timedelta(days=days), datetime.min.time(), tzinfo=UTC)
    transform = without_text_before(cutoff)
    summary = {"retention_days": days, "cutoff": cutoff.date().isoformat(), "rows_blanked": 0}
    if not cfg.warehouse_path.exists():
        return summary
    # only rows that still hold a text or a name: blanked rows are not read again each night
    condition = "_fetched_at < ? AND regexp_matches(CAST(payload AS VARCHAR), ?)"
    changed = _change_raw(
        cfg,
        {p: (condition, [cutoff, _STILL_HAS_TEXT]) for p in COMMENT_STREAMS},
        {p: transform for p in COMMENT_STREAMS},
    )
    con = _writer(cfg)
    try:
        stored = _blank_stored_text(con, cutoff)
    finally:
        con.close()
    summary["rows_blanked"] = changed["rows_changed"]
    summary["stored_rows_blanked"] = stored
    summary["files_rewritten"] = changed["files_rewritten"]
    if changed["rows_changed"] or stored:
        compact(cfg.warehouse_path)
    return summary


def _reapply_erasures(cfg: Config) -> dict:
    if not cfg.warehouse_path.exists():
        return {"rows_removed": 0}
    con = duckdb.connect(str(cfg.warehouse_path), read_only=True)
    try:
        if not _table_exists(con, "raw", "_erasures"):
            return {"rows_removed": 0}
        erased = con.execute("SELECT platform, commenter_key, erased_at FROM raw._erasures")
        erased = erased.fetchall()
        if not erased:
            return {"rows_removed": 0}
        key = pseudonym_key(cfg)
        from insights.pseudonym import commenter_key

        found: dict[str, tuple[set[str], set[str]]] = {}
        for platform in {p for p, _, _ in erased}:
            keys = {k for p, k, _ in erased if p == platform}
            since = min(at for p, _, at in erased if p == platform)
            table = _comment_table(platform)
            rows = con.execute(
                f'SELECT payload FROM raw."{table}" WHERE _loaded_at >= ?', [since]
            ).fetchall()
            ids = {a for (payload,) in rows for a in authors(platform, json.loads(payload))}
            hits = {i for i in ids if commenter_key(platform, i, key) in keys}
            if hits:
                found[platform] = (hits, keys)
    finally:
        con.close()
    removed = 0
    for platform, (hits, keys) in found.items():
        removed += _erase_ids(cfg, platform, hits, keys, record=False)["raw_rows_removed"]
    return {"rows_removed": removed}


def _commenter_key(cfg: Config, platform: str, user_id: str) -> str:
    from insights.pseudonym import commenter_key

    return commenter_key(platform, canonical_id(platform, user_id), pseudonym_key(cfg))


def _comment_table(platform: str) -> str:
    from extractors.registry import raw_table

    return raw_table(platform, COMMENT_STREAMS[platform])


def _erase_ids(cfg: Config, platform: str, ids: set[str], keys: set[str], *, record: bool) -> dict:
    like = " OR ".join(["CAST(payload AS VARCHAR) LIKE ?"] * len(ids))
    params = [f"%{json.dumps(i)[1:-1]}%" for i in sorted(ids)]
    transform = without_user(platform, ids)
    changed = _change_raw(cfg, {platform: (like, params)}, {platform: transform})
    extra = _rewrite_unloaded_landing(cfg, platform, transform)
    con = _writer(cfg)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(ERASURES_DDL)
        if record:
            con.executemany(
                "INSERT INTO raw._erasures VALUES (?, ?, now()) ON CONFLICT DO NOTHING",
                [(platform, k) for k in keys],
            )
        keyed = _delete_keyed(con, keys)
        con.execute("COMMIT")
    finally:
        con.close()
    compact(cfg.warehouse_path)
    return {
        "raw_rows_removed": changed["rows_dropped"],
        "raw_rows_changed": changed["rows_changed"],
        "landing_files_rewritten": changed["files_rewritten"] + extra,
        "keyed_rows_removed": keyed,
    }


def _writer(cfg: Config) -> duckdb.DuckDBPyConnection:
    from loader.load import connect_writer, ensure_raw_tables

    con = connect_writer(cfg.warehouse_path)
    ensure_raw_tables(con)
    return con


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
            "AND table_name = ? AND table_catalog = current_database()",
            [schema, name],
        ).fetchone()[0]
    )


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _delete_keyed(con: duckdb.DuckDBPyConnection, keys: set[str]) -> int:
    """Delete the user's rows from every stored table outside raw by ``commenter_key`` (staging
    tables of incremental models, intermediate, marts): no table there holds the raw user id.
    The key is HMAC over platform and id, so it names one user on one platform."""
    if not keys:
        return 0
    tables = con.execute(
        "SELECT DISTINCT c.schema_name, c.table_name FROM duckdb_columns() c "
        "JOIN duckdb_tables() t USING (database_name, schema_name, table_name) "
        "WHERE c.schema_name <> 'raw' AND c.database_name = current_database() "
        "AND c.column_name = 'commenter_key'"
    ).fetchall()
    removed = 0
    for schema, table in tables:
        removed += con.execute(
            f'DELETE FROM "{schema}"."{table}" WHERE commenter_key IN (SELECT unnest(?))',
            [sorted(keys)],
        ).fetchone()[0]
    return removed


def _blank_stored_text(con: duckdb.DuckDBPyConnection, cutoff: datetime) -> int:
    """Blank old comment texts in stored tables outside raw: by fetch time where a table has
    it (incremental staging, the classified comments); in the comment marts, which only the
    next transform rebuilds, through their ``comment_key`` (dbt's surrogate_key macro: md5 of
    platform ':' comment_id) and the conformed comments' latest fetch time. Views follow raw
    by themselves. Blanking the marts too keeps the texts out of the blocks DuckDB frees when
    the next transform replaces them."""
    tables = con.execute(
        "SELECT c.schema_name, c.table_name, list(c.column_name) FROM duckdb_columns() c "
        "JOIN duckdb_tables() t USING (database_name, schema_name, table_name) "
        "WHERE c.schema_name <> 'raw' AND c.database_name = current_database() GROUP BY ALL"
    ).fetchall()
    blanked = 0
    for schema, table, cols in tables:
        if "message" not in cols:
            continue
        if {"comment_id", "fetched_at"} <= set(cols):
            where = "fetched_at < ? AND message IS NOT NULL"
        elif {"comment_key", "commenter_key"} <= set(cols) and _relation_exists(
            con, "intermediate", "int_comments__unioned"
        ):
            where = (
                "comment_key IN (SELECT md5(platform || ':' || comment_id) "
                "FROM intermediate.int_comments__unioned WHERE fetched_at < ?) "
                "AND message IS NOT NULL"
            )
        else:
            continue  # not comments (e.g. the business's own posts)
        blanked += con.execute(
            f'SELECT count(*) FROM "{schema}"."{table}" WHERE {where}', [cutoff]
        ).fetchone()[0]
        con.execute(f'UPDATE "{schema}"."{table}" SET message = NULL WHERE {where}', [cutoff])
    return blanked


def _change_raw(
    cfg: Config,
    where: dict[str, tuple[str, list[Any]]],
    transforms: dict[str, Callable[[Any, datetime], Any]],
) -> dict:
    """Apply a transform to the selected raw comment rows (and to those the loader holds in
    ``raw._quarantine``) and to the same lines of their landing files, in one transaction with
    the bookkeeping (landing files are rewritten first: a crash in between leaves raw as
    before, and a rerun repeats the same, idempotent, change)."""
    con = _writer(cfg)
    stats = {"rows_changed": 0, "rows_dropped": 0, "files_rewritten": 0}
    try:
        quarantine = _table_exists(con, "raw", "_quarantine")
        edits: dict[str, dict[int, Any]] = {}
        for platform, (condition, params) in where.items():
            table = _comment_table(platform)
            columns = "_file, _row, payload, epoch(_fetched_at)"
            rows = con.execute(
                f'SELECT {columns} FROM raw."{table}" WHERE ({condition})', params
            ).fetchall()
            if quarantine:
                rows += con.execute(
                    f"SELECT {columns} FROM raw._quarantine WHERE table_name = ? AND ({condition})",
                    [table, *params],
                ).fetchall()
            for file, row, payload, fetched in rows:
                old = json.loads(payload)
                new = transforms[platform](old, datetime.fromtimestamp(fetched, UTC))
                if new is _DROP or new != old:
                    edits.setdefault(file, {})[row] = new
        if not edits:
            return stats
        manifests = dict(
            con.execute(
                "SELECT path, manifest FROM raw._loaded_files WHERE path IN (SELECT unnest(?))",
                [sorted(edits)],
            ).fetchall()
        )
        bookkeeping = []
        for file, rows in sorted(edits.items()):
            if not (cfg.landing_dir / file).exists():
                continue  # the owner removed old landing files: raw is all there is
            rows_left, sha = _rewrite_landing_file(
                cfg.landing_dir / file, lambda seq, p, f, r=rows: r.get(seq, p)
            )
            if file in manifests:
                _update_manifest(cfg.landing_dir / manifests[file], file, rows_left, sha)
            bookkeeping.append((rows_left, sha, file))
            stats["files_rewritten"] += 1
        flat = [(f, r, p) for f, rows in edits.items() for r, p in rows.items()]
        stats["rows_dropped"] = sum(p is _DROP for _, _, p in flat)
        stats["rows_changed"] = len(flat) - stats["rows_dropped"]
        con.execute("BEGIN TRANSACTION")
        # one set-based statement per table: (_file, _row) names a landing line, unique
        # across tables since a landing file belongs to one stream
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _privacy_edits "
            "(file VARCHAR, row BIGINT, payload VARCHAR, is_drop BOOLEAN)"
        )
        con.execute(
            "INSERT INTO _privacy_edits SELECT unnest(?), unnest(?), unnest(?), unnest(?)",
            [
                [f for f, _, _ in flat],
                [r for _, r, _ in flat],
                [None if p is _DROP else _dumps(p) for _, _, p in flat],
                [p is _DROP for _, _, p in flat],
            ],
        )
        targets = [(f'raw."{_comment_table(p)}"', "", []) for p in where]
        if quarantine:
            targets += [
                ("raw._quarantine", " AND t.table_name = ?", [_comment_table(p)]) for p in where
            ]
        for target, extra, params in targets:
            match = f"t._file = e.file AND t._row = e.row{extra}"
            con.execute(
                f"UPDATE {target} AS t SET payload = e.payload FROM _privacy_edits e "
                f"WHERE NOT e.is_drop AND {match}",
                params,
            )
            con.execute(
                f"DELETE FROM {target} AS t USING _privacy_edits e WHERE e.is_drop AND {match}",
                params,
            )
        if bookkeeping:
            con.executemany(
                "UPDATE raw._loaded_files SET rows = ?, sha256 = ? WHERE path = ?", bookkeeping
            )
        con.execute("DROP TABLE _privacy_edits")
        con.execute("COMMIT")
    finally:
        con.close()
    return stats


def _dumps(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _rewrite_landing_file(path: Path, change: Callable[[int, Any, str], Any]) -> tuple[int, str]:
    """Rewrite one gzip NDJSON landing file; ``change(seq, payload, fetched_at)`` returns the new
    payload or ``_DROP``. Unchanged lines keep their bytes. Returns (rows, sha256 of the lines),
    the values a manifest records."""
    if not path.exists():
        return 0, hashlib.sha256().hexdigest()
    digest = hashlib.sha256()
    lines: list[bytes] = []
    changed = False
    with gzip.open(path, "rb") as fh:
        for line in fh:
            record = json.loads(line)
            meta = record["_meta"]
            new = change(meta["seq"], record["payload"], meta["fetched_at"])
            if new is _DROP:
                changed = True
                continue
            if new != record["payload"]:
                record["payload"] = new
                line = _dumps(record).encode() + b"\n"
                changed = True
            lines.append(line)
            digest.update(line)
    if changed:
        tmp = path.with_name(path.name + f".{uuid.uuid4().hex[:8]}.partial")
        with gzip.GzipFile(tmp, "wb", compresslevel=5, mtime=0) as out:
            out.writelines(lines)
        replace_durably(tmp, path)
    return len(lines), digest.hexdigest()


def _update_manifest(path: Path, file: str, rows: int, sha: str) -> None:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] == file:
            entry.update(rows=rows, sha256=sha)
            # the writer's field counts no longer match the file: the loader counts them itself
            entry.pop("fields", None)
            entry.pop("without_id", None)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    replace_durably(tmp, path)


def _rewrite_unloaded_landing(cfg: Config, platform: str, transform: Callable) -> int:
    """Landing files of the platform's comment stream that no load has read yet."""
    if not cfg.landing_dir.exists():
        return 0
    con = duckdb.connect(str(cfg.warehouse_path), read_only=True)
    try:
        loaded = {r[0] for r in con.execute("SELECT path FROM raw._loaded_files").fetchall()}
    finally:
        con.close()
    rewritten = 0
    for manifest_path in sorted((cfg.landing_dir / "_manifests" / platform).rglob("*.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for entry in manifest["files"]:
            if entry["stream"] != COMMENT_STREAMS[platform] or entry["path"] in loaded:
                continue
            rows, sha = _rewrite_landing_file(
                cfg.landing_dir / entry["path"],
                lambda seq, p, f: transform(p, datetime.fromisoformat(f)),
            )
            if (rows, sha) != (entry["rows"], entry["sha256"]):
                _update_manifest(manifest_path, entry["path"], rows, sha)
                rewritten += 1
    return rewritten


def compact(db: Path) -> None:
    """Copy the database into a fresh file and swap it in: only a fresh file is sure not to
    keep the bytes of deleted or overwritten rows. Needs exclusive use (the run lock)."""
    if not db.exists():
        return
    tmp = db.with_name(f".{db.stem}.compact.{uuid.uuid4().hex[:8]}.duckdb")
    try:
        con = duckdb.connect(str(db))
        try:
            con.execute("CHECKPOINT")
            name = con.execute("SELECT current_database()").fetchone()[0]
            con.execute("ATTACH ? AS fresh", [str(tmp)])
            con.execute(f'COPY FROM DATABASE "{name}" TO fresh')
            con.execute("DETACH fresh")
        finally:
            con.close()
        if tmp.with_name(tmp.name + ".wal").exists() or db.with_name(db.name + ".wal").exists():
            raise PrivacyError(f"compacting {db} left a write-ahead log; the file was not swapped.")
        replace_durably(tmp, db)
    except duckdb.Error as exc:
        raise PrivacyError(
            f"Could not rewrite {db} without the removed data: {exc}. Check free disk space "
            f"(a second copy of the file is needed) and rerun."
        ) from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _rewrite_published(cfg: Config, key: str) -> int:
    """A new published file without the pseudonymised user's rows (BI readers holding the old
    file keep their snapshot); the previous file kept for rollback is removed, it has them."""
    published = cfg.published_path
    previous = published.with_name(published.stem + ".previous.duckdb")
    previous.unlink(missing_ok=True)
    if not published.exists():
        return 0
    scratch = published.with_name(f".{published.stem}.erase.{uuid.uuid4().hex[:8]}.duckdb")
    try:
        shutil.copyfile(published, scratch)
        con = duckdb.connect(str(scratch))
        try:
            removed = _delete_keyed(con, {key})
        finally:
            con.close()
        if removed:
            compact(scratch)
            replace_durably(scratch, published)
        return removed
    finally:
        for leftover in (scratch, scratch.with_name(scratch.name + ".wal")):
            leftover.unlink(missing_ok=True)


__all__ = [
    "PrivacyError",
    "PrivacySettings",
    "compact",
    "enforce_privacy",
    "enforce_retention",
    "erase",
    "parse_privacy",
]
