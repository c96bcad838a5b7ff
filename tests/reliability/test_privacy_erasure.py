"""Reliability plan 11.2 #24: pseudonymisation, comment-text retention and erasure of one user.

One nightly run (real sandbox over loopback, real loader, real dbt for the comment marts, real
publish) for one business on every network with comments; then, per network, the commenter
with the most comments asks for erasure. Checked with SQL and with a byte search of the
landing files and of the DuckDB files after CHECKPOINT (the control: the same search finds the
bytes before the erasure).
"""

import gzip
import hashlib
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import sandbox
from extractors.registry import NETWORKS
from insights.pseudonym import commenter_key, pseudonym_key
from messbar import pipeline, privacy
from messbar.config import ConfigError, load_config

sys.path.insert(0, str(Path(__file__).parent))
from invariants import assert_invariants, files_containing, sha256_of

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability_privacy")]

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
# what the comment marts need; with DBT_INDIRECT_SELECTION=cautious (set in the fixture) only
# tests whose parents are all built run (a relationship test to an unbuilt mart would fail)
COMMENT_MARTS = ["+fct_comments"]
TOKEN = "sandbox-demo-token"
RETENTION_DAYS = 30
ACCOUNTS = {
    "facebook": "1000000001",
    "instagram": "17841400000000001",
    "linkedin": "90000001",
    "x": "1500000000000000001",
}
# where the sandbox's payloads name a commenter (the erasure itself uses privacy.AUTHOR_PATHS)
NAME_PATH = {"facebook": "$.from.name", "instagram": "$.from.username"}


def write_config(tmp: Path, url: str, extra: str = "") -> Path:
    accounts = "\n".join(
        f'      {net}:\n        - account_id: "{acc}"\n          token: env:MESSBAR_PRIVACY_TOKEN'
        for net, acc in ACCOUNTS.items()
    )
    comments_window = {"x": "reply_days"}  # how far back each extractor re-reads comments
    networks = "\n".join(
        f"  {net}:\n    base_url: {url}/{net}\n    history_days: 30\n"
        f"    {comments_window.get(net, 'comment_days')}: 30"
        for net in ACCOUNTS
    )
    path = tmp / "messbar.yml"
    path.write_text(
        f"""
data_dir: {tmp / "data"}
networks:
{networks}
privacy:
  comment_text_retention_days: {RETENTION_DAYS}
{extra}
businesses:
  - slug: baeckerei-sonnenschein
    name: Bäckerei Sonnenschein
    accounts:
{accounts}
""",
        encoding="utf-8",
    )
    return path


def nightly(cfg, run_id: str, *, build: bool = True) -> dict:
    """The nightly steps; dbt builds only what the comment marts need (budget)."""
    summaries = [pipeline.extract(job) for job in pipeline.plan(cfg, NOW, run_id)]
    loaded = pipeline.load(cfg)
    if build:
        pipeline.transform(cfg, select=COMMENT_MARTS)
        pipeline.publish(cfg, run_id)
    return {"extract": summaries, "load": loaded}


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def checkpoint(db: Path) -> None:
    con = duckdb.connect(str(db))
    con.execute("CHECKPOINT")
    con.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("privacy")
    os.environ["MESSBAR_PRIVACY_TOKEN"] = TOKEN
    saved = os.environ.get("DBT_INDIRECT_SELECTION")
    os.environ["DBT_INDIRECT_SELECTION"] = "cautious"
    try:
        with sandbox.serve(now=NOW) as sb:
            cfg = load_config(write_config(tmp, sb.url))
            nightly(cfg, "scheduled__first")
            first_keys = {
                k
                for (k,) in query(
                    cfg.published_path, "select commenter_key from marts.fct_comments"
                )
            }
            yield {"cfg": cfg, "sb": sb, "users": top_commenters(cfg), "first_keys": first_keys}
    finally:
        if saved is None:
            os.environ.pop("DBT_INDIRECT_SELECTION", None)
        else:
            os.environ["DBT_INDIRECT_SELECTION"] = saved


def top_commenters(cfg) -> dict[str, tuple[str, str | None, int]]:
    """Per network: (user id, name or None, comments) of the most active non-owner commenter."""
    users = {}
    for platform, account in ACCOUNTS.items():
        table = privacy._comment_table(platform)
        comments: dict[str, set[str]] = {}
        names: dict[str, str] = {}
        for (payload,) in query(cfg.warehouse_path, f'select payload from raw."{table}"'):
            obj = json.loads(payload)
            for node in walk(obj):
                author = own_author(platform, node)
                if not author or author == account or author.endswith(f":{account}"):
                    continue  # the account itself (LinkedIn: its organization URN)
                comments.setdefault(author, set()).add(str(node.get("commentUrn") or node["id"]))
            if platform in NAME_PATH:
                from_ = obj.get("from") or {}
                if from_.get("id") and (from_.get("name") or from_.get("username")):
                    names[from_["id"]] = from_.get("name") or from_.get("username")
        user = max(sorted(comments), key=lambda u: len(comments[u]))
        users[platform] = (user, names.get(user), len(comments[user]))
    return users


def own_author(platform: str, node: dict) -> str | None:
    """The author a comment object names itself (not the authors of comments inside it)."""
    for path in privacy.AUTHOR_PATHS[platform]:
        value = node
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if value:
            return str(value)
    return None


def walk(obj):
    """Every dict in a payload that has an id: the comment, its replies, a quoted parent."""
    if isinstance(obj, dict):
        if "id" in obj or "commentUrn" in obj:
            yield obj
        for value in obj.values():
            yield from walk(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from walk(value)


def key_of(platform: str, user_id: str) -> str:
    return commenter_key(platform, user_id, pseudonym_key())


def test_every_network_with_comments_is_covered():
    with_comments = {
        slug
        for slug, spec in NETWORKS.items()
        if {"comments", "replies"} & set(spec.streams) and spec.provenance == "api"
    }
    assert with_comments == set(privacy.COMMENT_STREAMS) == set(privacy.AUTHOR_PATHS)


def test_retention_setting_is_validated(tmp_path):
    for bad, words in [("7", "30 to 3650"), ("'a year'", "whole number"), ("-1", "30 to")]:
        path = write_config(tmp_path, "http://127.0.0.1:9", "")
        text = path.read_text().replace(
            f"retention_days: {RETENTION_DAYS}", f"retention_days: {bad}"
        )
        path.write_text(text)
        with pytest.raises(ConfigError, match=words):
            load_config(path)
    path = write_config(tmp_path, "http://127.0.0.1:9")
    path.write_text(
        path.read_text().replace("comment_text_retention_days: 30", "pseudonym_key: abc")
    )
    with pytest.raises(ConfigError, match="env:VARIABLE or conn:"):
        load_config(path)
    path.write_text(path.read_text().replace("privacy:\n  pseudonym_key: abc\n", ""))
    assert load_config(path).privacy.comment_text_retention_days == 365  # the default


def test_marts_and_published_file_hold_only_the_keyed_pseudonym(world):
    cfg, users = world["cfg"], world["users"]
    published = cfg.published_path
    columns = {
        r[0]
        for r in query(
            published, "select column_name from duckdb_columns() where schema_name = 'marts'"
        )
    }
    assert "commenter_key" in columns
    assert not columns & {"commenter_id", "author_id", "actor", "from", "username", "name"}
    for platform, (user, _name, count) in users.items():
        assert count >= 1, platform
        keys = query(
            published,
            "select count(*) from marts.fct_comments where platform = ? and commenter_key = ?",
            [platform, key_of(platform, user)],
        )
        # HMAC(key, platform:user id) computed here equals the run's: stable across runs,
        # so repeat commenters can be counted; it needs the secret key
        assert keys == [(count,)], platform
        plain = hashlib.sha256(f"{platform}:{user}".encode()).hexdigest()
        assert not query(
            published, "select 1 from marts.fct_comments where commenter_key = ?", [plain]
        )
    checkpoint(published)
    needles = [u for u, _, _ in users.values()] + [n for _, n, _ in users.values() if n]
    for needle in needles:
        assert files_containing(needle, [published]) == [], needle
    # the key itself is in no file messbar writes
    assert files_containing(os.environ["MESSBAR_PSEUDONYM_KEY"], [cfg.data_dir]) == []


def raw_commenter_ids(db: Path) -> dict[str, set[str]]:
    """Per network: every commenter id the raw comment payloads name, the business's own
    accounts left out (their ids are the account_id of every row, not personal data)."""
    found = {}
    for platform, account in ACCOUNTS.items():
        table = privacy._comment_table(platform)
        ids = set()
        for (payload,) in query(db, f'select payload from raw."{table}"'):
            ids |= privacy.authors(platform, json.loads(payload))
        found[platform] = ids - {account, f"urn:li:organization:{account}"}
    return found


def test_no_stored_relation_outside_raw_holds_commenter_ids(world):
    """Issue 5 item 4: ids are replaced by the keyed pseudonym before anything reaches staging
    (insights/dbt_plugin.py). Every text column of every table and view outside raw, in the
    working and the published file, is compared with the ids the raw payloads name."""
    cfg = world["cfg"]
    by_platform = raw_commenter_ids(cfg.warehouse_path)
    assert all(by_platform.values()), by_platform  # control: raw does hold them
    ids = sorted(set().union(*by_platform.values()))
    for db in (cfg.warehouse_path, cfg.published_path):
        columns = query(
            db,
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns where table_schema <> 'raw' "
            "and table_catalog = current_database() and data_type in ('VARCHAR', 'VARCHAR[]')",
        )
        relations = {(schema, table) for schema, table, _, _ in columns}
        assert ("marts", "fct_comments") in relations
        if db == cfg.warehouse_path:
            assert ("staging", "stg_facebook__comments") in relations
        for schema, table, column, data_type in columns:
            match = (
                f'list_has_any("{column}", ?::varchar[])'
                if data_type.endswith("[]")
                else f'"{column}" in (select unnest(?::varchar[]))'
            )
            hits = query(db, f'select count(*) from "{schema}"."{table}" where {match}', [ids])
            assert hits == [(0,)], (db.name, f"{schema}.{table}.{column}")
    stored = {
        (schema, table, column)
        for schema, table, column in query(
            cfg.warehouse_path,
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where schema_name = 'staging' and table_name like 'stg_%__comments'",
        )
    }
    keyed = {table for _, table, column in stored if column == "commenter_key"}
    assert keyed == {f"stg_{p}__comments" for p in [*ACCOUNTS, "xing"]}
    assert not {column for _, _, column in stored} & {"commenter_id", "author_id", "actor"}


def test_retention_keeps_texts_younger_than_the_period(world):
    cfg = world["cfg"]
    before = sha256_of(cfg.warehouse_path)
    summary = privacy.enforce_retention(cfg, today=NOW.date() + timedelta(days=RETENTION_DAYS - 1))
    assert summary["rows_blanked"] == 0 and summary["stored_rows_blanked"] == 0
    assert sha256_of(cfg.warehouse_path) == before


def test_erasure_removes_the_user_everywhere(world):
    cfg, users = world["cfg"], world["users"]
    published_before = sha256_of(cfg.published_path)
    checkpoint(cfg.warehouse_path)
    # control: before the erasure the byte search finds the users in the landing files, and
    # in the DuckDB file where DuckDB stored the string uncompressed (best effort: a
    # compressed segment hides bytes, so at least one must be visible for the search to count)
    for user, _, _ in users.values():
        assert files_containing(user, [cfg.landing_dir]), user
    assert [u for u, _, _ in users.values() if files_containing(u, [cfg.warehouse_path])]
    for platform, (user, _name, count) in users.items():
        summary = privacy.erase(cfg, platform, user)
        assert summary["raw_rows_removed"] >= 1, (platform, summary)
        assert summary["published_rows_removed"] == count, (platform, summary)
        key = key_of(platform, user)
        for schema, table in query(
            cfg.warehouse_path,
            "select schema_name, table_name from duckdb_columns() "
            "where column_name = 'commenter_key' and schema_name <> 'raw' group by all",
        ):
            rows = query(
                cfg.warehouse_path,
                f'select count(*) from "{schema}"."{table}" where commenter_key = ?',
                [key],
            )
            assert rows == [(0,)], f"{schema}.{table}"
        assert query(
            cfg.published_path,
            "select count(*) from marts.fct_comments where commenter_key = ?",
            [key],
        ) == [(0,)]
        assert query(
            cfg.warehouse_path,
            "select count(*) from raw._erasures where platform = ? and commenter_key = ?",
            [platform, key],
        ) == [(1,)]
    assert sha256_of(cfg.published_path) != published_before
    assert not cfg.published_path.with_name("messbar.previous.duckdb").exists()
    for db in (cfg.warehouse_path, cfg.published_path):
        checkpoint(db)
    needles = [u for u, _, _ in users.values()] + [n for _, n, _ in users.values() if n]
    for needle in needles:
        hits = files_containing(needle, [cfg.landing_dir, cfg.warehouse_path, cfg.published_path])
        assert hits == [], (needle, hits)
    assert_manifests_match_landing(cfg)
    assert_invariants(cfg.warehouse_path, published=cfg.published_path)


def test_reload_from_landing_gives_the_same_raw_rows(world, tmp_path):
    """The rewritten batches and their manifests agree: a warehouse rebuilt from the landing
    files holds exactly the raw rows the erased warehouse holds (nothing removed comes back)."""
    from loader.load import load as load_raw

    cfg = world["cfg"]
    rebuilt = tmp_path / "rebuilt.duckdb"
    load_raw(rebuilt, cfg.landing_dir, cfg)
    for platform in privacy.COMMENT_STREAMS:
        table = privacy._comment_table(platform)
        sql = f'select _file, _row, payload::varchar from raw."{table}" order by 1, 2'
        assert query(rebuilt, sql) == query(cfg.warehouse_path, sql), platform


def test_erased_user_fetched_again_is_removed_on_load(world):
    cfg, users = world["cfg"], world["users"]
    summaries = [pipeline.extract(j) for j in pipeline.plan(cfg, NOW, "scheduled__second")]
    assert summaries
    # control: the networks serve the users' comments again and they land
    fresh = [u for u, _, _ in users.values() if files_containing(u, [cfg.landing_dir])]
    assert fresh, "the second fetch should bring back at least one erased user's comments"
    loaded = pipeline.load(cfg)
    assert loaded["privacy"]["erasures"]["rows_removed"] >= 1, loaded["privacy"]
    checkpoint(cfg.warehouse_path)
    for needle in [u for u, _, _ in users.values()] + [n for _, n, _ in users.values() if n]:
        assert files_containing(needle, [cfg.data_dir]) == [], needle
    assert_manifests_match_landing(cfg)
    assert_invariants(cfg.warehouse_path, published=cfg.published_path)


def test_retention_blanks_old_comment_texts_in_raw_landing_and_stored_tables(world):
    cfg = world["cfg"]
    sample = query(
        cfg.warehouse_path,
        "select message from staging.stg_facebook__comments where length(message) > 25 limit 1",
    )[0][0]
    assert files_containing(sample, [cfg.landing_dir])
    today = NOW.date() + timedelta(days=RETENTION_DAYS + 1)
    summary = privacy.enforce_retention(cfg, today=today)
    assert summary["rows_blanked"] > 0 and summary["files_rewritten"] > 0
    for platform in privacy.COMMENT_STREAMS:
        table = privacy._comment_table(platform)
        texts = query(
            cfg.warehouse_path,
            f"select count(*) from raw.\"{table}\" where coalesce(payload->>'$.message', "
            f"payload->>'$.text', payload->>'$.message.text') is not null",
        )
        assert texts == [(0,)], platform
    for schema, table in query(
        cfg.warehouse_path,
        "select schema_name, table_name from duckdb_tables() t join duckdb_columns() c "
        "using (database_name, schema_name, table_name) where c.column_name = 'message' "
        "and t.table_name like '%comments%' group by all",
    ):
        left = query(
            cfg.warehouse_path,
            f'select count(*) from "{schema}"."{table}" where message is not null',
        )
        assert left == [(0,)], f"{schema}.{table}"
    # the rest of the nightly run: the next published file has neither old texts nor the
    # erased users
    pipeline.transform(cfg, select=COMMENT_MARTS)
    pipeline.publish(cfg, "scheduled__third")
    published = cfg.published_path
    texts = query(published, "select count(*) from marts.fct_comments where message is not null")
    assert texts == [(0,)]
    keys = [key_of(p, u) for p, (u, _, _) in world["users"].items()]
    erased = "select count(*) from marts.fct_comments where list_contains(?, commenter_key)"
    assert query(published, erased, [keys]) == [(0,)]
    # the pseudonyms are stable across runs: everyone of the first run but the erased keeps
    # the same commenter_key
    now_keys = {k for (k,) in query(published, "select commenter_key from marts.fct_comments")}
    assert world["first_keys"] - set(keys) <= now_keys
    assert len(world["first_keys"] - set(keys)) > 10
    for db in (cfg.warehouse_path, published):
        checkpoint(db)
    # the rollback copy of the file published before this run still has them until the next
    # publish (docs/privacy.md); everything else is free of them
    previous = cfg.published_path.with_name("messbar.previous.duckdb")
    assert [p for p in files_containing(sample, [cfg.data_dir]) if p != previous] == []
    for user, name, _ in world["users"].values():
        assert files_containing(user, [cfg.data_dir]) == [], user
        assert not name or files_containing(name, [cfg.data_dir]) == [], name
    # the classification made while the text was there is kept
    labels = query(
        cfg.warehouse_path,
        "select count(*) filter (where sentiment_label <> 'neutral') "
        "from intermediate.int_comments__classified",
    )
    assert labels[0][0] > 0
    assert_manifests_match_landing(cfg)
    assert_invariants(cfg.warehouse_path, published=cfg.published_path)


def assert_manifests_match_landing(cfg) -> None:
    """Every manifest entry's rows and sha256 describe its landing file as it is now, and the
    loader's bookkeeping agrees (a reload neither fails nor brings back removed rows)."""
    loaded = dict(
        (
            (p, (r, s))
            for p, r, s in query(
                cfg.warehouse_path, "select path, rows, sha256 from raw._loaded_files"
            )
        )
    )
    for manifest_path in (cfg.landing_dir / "_manifests").rglob("*.json"):
        for entry in json.loads(manifest_path.read_text(encoding="utf-8"))["files"]:
            lines = gzip.decompress((cfg.landing_dir / entry["path"]).read_bytes()).splitlines(
                keepends=True
            )
            digest = hashlib.sha256(b"".join(lines)).hexdigest()
            assert (len(lines), digest) == (entry["rows"], entry["sha256"]), entry["path"]
            if entry["path"] in loaded:
                assert loaded[entry["path"]] == (entry["rows"], entry["sha256"]), entry["path"]


def test_pseudonym_key_by_reference(tmp_path, monkeypatch):
    """``privacy.pseudonym_key`` points at another variable: dbt gets it as the key variable."""
    from insights.pseudonym import ENV_VAR, MissingPseudonymKey

    path = write_config(tmp_path, "http://127.0.0.1:9")
    path.write_text(
        path.read_text().replace(
            "privacy:\n", "privacy:\n  pseudonym_key: env:MESSBAR_OTHER_PSEUDONYM_KEY\n"
        )
    )
    cfg = load_config(path)
    monkeypatch.delenv("MESSBAR_OTHER_PSEUDONYM_KEY", raising=False)
    with pytest.raises(privacy.PrivacyError, match="MESSBAR_OTHER_PSEUDONYM_KEY"):
        privacy.pseudonym_env(cfg)
    monkeypatch.setenv("MESSBAR_OTHER_PSEUDONYM_KEY", "short")
    with pytest.raises(MissingPseudonymKey, match="at least 16"):
        privacy.pseudonym_env(cfg)
    monkeypatch.setenv("MESSBAR_OTHER_PSEUDONYM_KEY", "x" * 40)
    assert privacy.pseudonym_env(cfg) == {ENV_VAR: "x" * 40}


def test_erasure_refuses_the_business_own_account_and_unknown_platforms(tmp_path):
    cfg = load_config(write_config(tmp_path, "http://127.0.0.1:9"))
    with pytest.raises(privacy.PrivacyError, match="own accounts"):
        privacy.erase(cfg, "facebook", ACCOUNTS["facebook"])
    with pytest.raises(privacy.PrivacyError, match="own accounts"):
        privacy.erase(cfg, "linkedin", ACCOUNTS["linkedin"])
    with pytest.raises(privacy.PrivacyError, match="facebook, instagram, linkedin, x"):
        privacy.erase(cfg, "xing", "someone")
    assert not cfg.data_dir.exists()  # refused before touching anything
