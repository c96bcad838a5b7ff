"""The landing inbox: a nightly load reads the manifests announced since its last load instead
of listing years of them, and never misses one (rebuilt, restored or second warehouses)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import loader.load as loader_load
from extractors.core.landing import INBOX, LandingWriter, announce
from loader.load import listing_mark_path, load


def land(landing: Path, account: str, day: date = date(2026, 11, 27)) -> Path:
    writer = LandingWriter(
        landing, network="facebook", business="b", account_id=account, run_id="r", logical_date=day
    )
    writer.write("page", account, f"/v25.0/{account}", [{"id": account, "followers_count": 1}])
    return writer.finish(state={}, events=[], calls=1)


def loaded_accounts(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute("select account_id from raw.facebook__page").fetchall()}


@pytest.fixture
def no_full_listing(monkeypatch: pytest.MonkeyPatch):
    """Fail the test if the loader lists the manifest folder."""

    def refuse(*args, **kwargs):
        raise AssertionError("the manifest folder was listed")

    def arm() -> None:
        monkeypatch.setattr(loader_load, "_json_files", refuse)

    return arm


def test_the_writer_announces_each_manifest_before_writing_it(tmp_path: Path) -> None:
    manifest = land(tmp_path, "1")
    today = datetime.now(UTC).date().isoformat()
    entries = list((tmp_path / INBOX / today).glob("*.txt"))
    assert len(entries) == 1
    named = entries[0].read_text(encoding="utf-8").strip()
    assert tmp_path / named == manifest
    assert not list((tmp_path / INBOX).rglob("*.partial"))


def test_a_nightly_load_reads_the_inbox_not_the_manifest_folder(tmp_path, no_full_listing):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, "1")
    load(db, landing)  # first load of this warehouse: lists every manifest
    mark = json.loads(listing_mark_path(db).read_text(encoding="utf-8"))
    assert mark["landing_dir"] == str(landing.resolve())
    assert mark["loaded_files"][0] == 1

    land(landing, "2")
    no_full_listing()
    summary = load(db, landing)
    assert summary.manifests == 1
    assert loaded_accounts(db) == {"1", "2"}
    assert load(db, landing).manifests == 0  # announced and loaded: read, found done


def test_an_entry_written_late_into_an_earlier_day_is_still_found(tmp_path, no_full_listing):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, "1")
    load(db, landing)
    # a worker whose clock is a day behind (or a run that started before midnight)
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    manifest = land(landing, "2")
    for entry in (landing / INBOX).rglob("*.txt"):
        if (landing / entry.read_text(encoding="utf-8").strip()) == manifest:
            entry.unlink()
    announce(landing, manifest.relative_to(landing).as_posix(), today=yesterday)
    no_full_listing()
    load(db, landing)
    assert loaded_accounts(db) == {"1", "2"}


def test_an_announced_manifest_that_never_came_is_skipped(tmp_path: Path) -> None:
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, "1")
    load(db, landing)
    announce(landing, "_manifests/facebook/account=9/logical_date=2026-11-27/died.json")
    assert load(db, landing).manifests == 0
    assert loaded_accounts(db) == {"1"}


def test_a_second_warehouse_on_the_same_landing_folder_misses_nothing(tmp_path, no_full_listing):
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, "1")
    land(landing, "2")
    load(db, landing)
    land(landing, "3")

    # a rebuild from the landing folder into a new warehouse: no mark, everything
    rebuilt = tmp_path / "rebuilt.duckdb"
    load(rebuilt, landing)
    assert loaded_accounts(rebuilt) == {"1", "2", "3"}
    # the entries are still there for the first warehouse
    no_full_listing()
    load(db, landing)
    assert loaded_accounts(db) == {"1", "2", "3"}


def test_a_warehouse_restored_from_a_backup_is_listed_whole(tmp_path: Path) -> None:
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    land(landing, "1")
    load(db, landing)
    backup = tmp_path / "backup.duckdb"
    shutil.copy(db, backup)
    land(landing, "2", day=date(2026, 11, 20))
    load(db, landing)
    # restore the older file; the mark beside it describes the newer state
    shutil.copy(backup, db)
    # entries older than the overlap no longer name manifest "2": only a full listing finds it
    shutil.rmtree(landing / INBOX)
    load(db, landing)
    assert loaded_accounts(db) == {"1", "2"}
