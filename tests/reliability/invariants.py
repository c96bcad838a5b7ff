"""The shared invariants of reliability plan 11.1, checked after every fault scenario.

- no loss: the natural keys a scenario expects are all in the marts;
- no duplicates: every mart is unique on the keys its quality suite declares;
- state consistent: ``raw._state`` never ahead of the committed raw rows;
- published file untouched on failure: compare ``sha256_of`` before and after;
- no secret anywhere: a canary string in no file under the given roots.

Mart keys come from ``expectations/suites/marts.*.json`` (the gate's own uniqueness
expectations), so a new mart is covered as soon as its suite declares its key.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import duckdb

ROOT = Path(__file__).parents[2]
SUITES = ROOT / "expectations" / "suites"
VOLATILE_SUFFIXES = ("fetched_at", "published_at", "loaded_at", "built_at")


def mart_keys() -> dict[str, list[str]]:
    """Mart name -> key columns, from the first uniqueness expectation of its suite."""
    keys: dict[str, list[str]] = {}
    for path in sorted(SUITES.glob("marts.*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        table = path.stem.split(".", 1)[1]
        for exp in suite["expectations"]:
            kwargs = exp["kwargs"]
            if exp["type"] == "expect_column_values_to_be_unique":
                keys.setdefault(table, [kwargs["column"]])
            elif exp["type"] == "expect_compound_columns_to_be_unique":
                keys.setdefault(table, list(kwargs["column_list"]))
    return keys


def _connect(db: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db), read_only=True)


def marts_in(db: Path) -> list[str]:
    with _connect(db) as con:
        rows = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' and not starts_with(table_name, '_') order by 1"
        ).fetchall()
    return [r[0] for r in rows]


def mart_digest(db: Path, tables: Iterable[str] | None = None) -> dict[str, tuple[int, str]]:
    """Row count and sha256 of the sorted rows of each mart, timestamps of the run left out."""
    out: dict[str, tuple[int, str]] = {}
    with _connect(db) as con:
        for table in tables or marts_in(db):
            cols = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if not r[0].endswith(VOLATILE_SUFFIXES)
            ]
            quoted = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f"select {quoted} from marts.{table} order by all").fetchall()
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def assert_no_duplicate_keys(db: Path) -> None:
    """Every mart present is unique on its declared key (no NULL keys either)."""
    keys = mart_keys()
    with _connect(db) as con:
        present = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        for table, cols in keys.items():
            if table not in present:
                continue
            key = ", ".join(f'"{c}"' for c in cols)
            total, distinct, null_keys = con.execute(
                f"select count(*), count(distinct ({key})), "
                f"count(*) filter (where ({' or '.join(f'{c} is null' for c in cols)})) "
                f"from marts.{table}"
            ).fetchone()
            assert total == distinct, f"marts.{table}: {total - distinct} duplicate keys ({key})"
            assert null_keys == 0, f"marts.{table}: {null_keys} rows with a NULL key ({key})"


def assert_state_not_ahead(db: Path) -> None:
    """Each stream's stored state is no later than the newest committed raw row it covers."""
    with _connect(db) as con:
        has_state = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = '_state'"
        ).fetchone()[0]
        if not has_state:
            return
        # state moves only in the transaction that commits the rows of its manifest: every
        # state value must name a run whose files for that account are committed
        orphans = con.execute(
            "select s.network, s.account_id, s.key, s.run_id from raw._state s "
            "where not exists (select 1 from raw._loaded_files f where f.network = s.network "
            "and f.account_id = s.account_id and f.run_id = s.run_id)"
        ).fetchall()
        assert not orphans, f"state ahead of committed raw data: {orphans[:5]}"


def sha256_of(path: Path) -> str | None:
    """Checksum of a file, or None if it does not exist."""
    if not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_containing(secret: str, roots: Iterable[Path]) -> list[Path]:
    """Files under the roots whose bytes (or gunzipped bytes) contain the secret."""
    needle = secret.encode()
    hits = []
    for root in roots:
        root = Path(root)
        paths = [root] if root.is_file() else (p for p in root.rglob("*") if p.is_file())
        for path in paths:
            data = path.read_bytes()
            if path.suffix == ".gz":
                with contextlib.suppress(OSError):
                    data += gzip.decompress(data)
            if needle in data:
                hits.append(path)
    return hits


def assert_invariants(
    db: Path,
    *,
    published: Path | None = None,
    published_before: str | None = None,
    must_be_unchanged: bool = False,
    secret: str | None = None,
    secret_roots: Iterable[Path] = (),
) -> None:
    """All shared invariants in one call (the ones that apply to what the caller passes)."""
    if db.exists():
        marts = marts_in(db)
        if marts:
            assert_no_duplicate_keys(db)
        assert_state_not_ahead(db)
    if must_be_unchanged:
        # published_before: the sha256 taken before the run (None: there was no file)
        assert published is not None, "must_be_unchanged needs the published path"
        assert sha256_of(published) == published_before, "published file changed"
    if published is not None and published.exists():
        assert_no_duplicate_keys(published)
    if secret:
        hits = files_containing(secret, secret_roots)
        assert not hits, f"secret found in {hits}"
