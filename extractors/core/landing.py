"""Immutable landing files: gzip NDJSON per (network, stream, account, logical date, run), and a
manifest written last. A data file without its manifest is an aborted extraction and is never
loaded, so state can only advance together with the data it covers."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from extractors.core.redact import strip_paging
from extractors.core.shapes import FieldCounter


def safe_run_name(run_id: str) -> str:
    """A filename-safe, unique name for one extraction attempt of a run."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", run_id).strip("_")[:80] or "run"
    return f"{stem}__{uuid.uuid4().hex[:8]}"


INBOX = "_inbox"


def announce(landing_dir: Path, manifest: str, *, today: date | None = None) -> Path:
    """Tell the loader a manifest is coming: an entry naming it (relative path) in the inbox
    folder of the writer's UTC day, written before the manifest itself, so the loader finds
    new manifests without listing years of them (loader.load.pending_manifests). Entries are
    never removed by the loader; several warehouses may read one landing folder."""
    day = (today or datetime.now(UTC).date()).isoformat()
    name = hashlib.sha256(manifest.encode("utf-8")).hexdigest()[:32]
    entry = Path(landing_dir) / INBOX / day / f"{name}.txt"
    entry.parent.mkdir(parents=True, exist_ok=True)
    tmp = entry.with_name(entry.name + ".partial")
    tmp.write_text(manifest + "\n", encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, entry)
    return entry


def account_partition(network: str, account_id: str, logical_date: date) -> Path:
    return Path(network) / f"account={account_id}" / f"logical_date={logical_date.isoformat()}"


@dataclass
class _OpenFile:
    rel_path: str
    tmp: Path
    final: Path
    handle: IO[bytes]
    rows: int = 0
    digest: Any = field(default_factory=hashlib.sha256)
    fields: FieldCounter = field(default_factory=FieldCounter)


class LandingWriter:
    def __init__(
        self,
        landing_dir: Path,
        *,
        network: str,
        business: str,
        account_id: str,
        run_id: str,
        logical_date: date,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.landing_dir = Path(landing_dir)
        # when a page was fetched: the API's time (extractors.core.clock), else the local clock
        self.clock = clock or (lambda: datetime.now(UTC))
        self.network = network
        self.business = business
        self.account_id = account_id
        self.run_id = run_id
        self.logical_date = logical_date
        self.run_name = safe_run_name(run_id)
        self._files: dict[str, _OpenFile] = {}
        self._seq = 0

    def write(self, stream: str, object_id: str, endpoint: str, payloads: list[Any]) -> int:
        """Append API objects to the stream's file; ``paging`` links are stripped first."""
        if not payloads:
            self._file(stream)
            return 0
        f = self._file(stream)
        fetched_at = self.clock().isoformat()
        for payload in payloads:
            self._seq += 1
            body = strip_paging(payload)
            f.fields.add(body)
            record = {
                "_meta": {
                    "network": self.network,
                    "stream": stream,
                    "business": self.business,
                    "account_id": self.account_id,
                    "object_id": str(object_id),
                    "run_id": self.run_id,
                    "logical_date": self.logical_date.isoformat(),
                    "fetched_at": fetched_at,
                    "endpoint": endpoint,
                    "seq": self._seq,
                },
                "payload": body,
            }
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            f.handle.write(line)
            f.digest.update(line)
            f.rows += 1
        return len(payloads)

    def _file(self, stream: str) -> _OpenFile:
        if stream not in self._files:
            rel = (
                Path(self.network)
                / stream
                / account_partition("", self.account_id, self.logical_date)
                / f"{self.run_name}.ndjson.gz"
            )
            final = self.landing_dir / rel
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.with_name(final.name + ".partial")
            handle = gzip.open(tmp, "wb", compresslevel=5)  # noqa: SIM115 - closed in finish()
            self._files[stream] = _OpenFile(rel.as_posix(), tmp, final, handle)
        return self._files[stream]

    def rows(self) -> dict[str, int]:
        return {s: f.rows for s, f in self._files.items()}

    def finish(self, *, state: dict[str, str], events: list[dict[str, str]], calls: int) -> Path:
        """Close and publish every file, then write the manifest atomically (last)."""
        entries = []
        for stream, f in sorted(self._files.items()):
            f.handle.close()
            _fsync(f.tmp)
            os.replace(f.tmp, f.final)
            entries.append(
                {
                    "stream": stream,
                    "path": f.rel_path,
                    "rows": f.rows,
                    "sha256": f.digest.hexdigest(),
                    # what the loader's drift check would otherwise parse every payload for
                    **f.fields.as_manifest(),
                }
            )
        manifest = {
            "network": self.network,
            "business": self.business,
            "account_id": self.account_id,
            "run_id": self.run_id,
            "run_name": self.run_name,
            "logical_date": self.logical_date.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "files": entries,
            "state": state,
            "events": events,
            "calls": calls,
        }
        path = (
            self.landing_dir
            / "_manifests"
            / account_partition(self.network, self.account_id, self.logical_date)
            / f"{self.run_name}.json"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        announce(self.landing_dir, path.relative_to(self.landing_dir).as_posix())
        tmp = path.with_name(path.name + ".partial")
        tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        _fsync(tmp)
        os.replace(tmp, path)
        return path

    def abort(self) -> None:
        """Remove unfinished files of this attempt (a later attempt starts clean)."""
        for f in self._files.values():
            try:
                f.handle.close()
            finally:
                f.tmp.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
