"""Nightly import of one XING company page's CSV.

XING has no API (closed 2019; company-page statistics were never exposed), so the "client" is
the owner's file (:class:`~extractors.core.manual.FileSource`, no calls, no token) and the plan is:

1. Read the configured CSV and validate all of it (csv_import.py). Any problem fails the job
   with every problem listed by line; nothing is landed and no manifest is written.
2. If the file's SHA-256 equals the one of the last committed import (state ``csv_imported``),
   land nothing: the run writes empty stream files, so reruns and unchanged nights add no rows.
3. Otherwise land one ``page_insights`` record per row and one ``page`` record (the latest
   followers and the file's fingerprint). A corrected file is simply landed again; staging keeps
   the latest fetch per (account, period), so corrected values replace earlier ones.

State ``csv_imported`` is ``"<UTC import time> sha256:<hex>"``: it starts with the time, so the
loader's "only forward" rule keeps the newest import, and the hash says what it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import requests

from extractors.core.job import ExtractJob
from extractors.core.landing import LandingWriter
from extractors.core.manual import FileSource, ManualInputError, configured_file, sha256_hex
from extractors.core.redact import Redactor
from extractors.core.runner import Extraction
from extractors.networks.xing import csv_import, spec

log = logging.getLogger(__name__)

STATE_IMPORTED = "csv_imported"
STATE_THROUGH = "csv_periods_through"


def build_client(
    job: ExtractJob,
    token: str,
    *,
    redactor: Redactor,
    sleep: Callable[[float], None] | None = None,
    session: requests.Session | None = None,
) -> FileSource:
    """The owner's CSV for this account. ``token`` is always empty (the runner resolves none
    for manual networks); ``sleep`` and ``session`` have nothing to do without HTTP."""
    return FileSource(network="xing", account=job.account_id, path=configured_file(job))


def extract(job: ExtractJob, client: FileSource, writer: LandingWriter, result: Extraction) -> None:
    data = client.read()
    try:
        rows = csv_import.parse(
            data, last_complete_day=csv_import.last_complete_day(job.logical_date)
        )
    except csv_import.CsvProblems as exc:
        count = len(exc.problems)
        raise ManualInputError(
            f"{job.label()}: {client.path} has {count} problem{'s' if count != 1 else ''}; "
            f"nothing was imported. Fix {'them' if count != 1 else 'it'} and the next run "
            f"imports the file (rules: extractors/networks/xing/README.md):\n{exc.render()}",
            network="xing",
        ) from None

    endpoint = f"csv:{client.name}"
    fingerprint = sha256_hex(data)
    if _imported_hash(job.state.get(STATE_IMPORTED)) == fingerprint:
        log.info("%s: %s unchanged since the last import; nothing to land", job.label(), endpoint)
        for stream in spec.STREAMS:
            writer.write(stream, job.account_id, endpoint, [])
        return

    imported_at = datetime.now(UTC).isoformat(timespec="microseconds")
    writer.write("page", job.account_id, endpoint, [_page_record(job, client, fingerprint, rows)])
    writer.write("page_insights", job.account_id, endpoint, [r.payload() for r in rows])
    result.state[STATE_IMPORTED] = f"{imported_at} sha256:{fingerprint}"
    if rows:
        through = max(r.period_end for r in rows).isoformat()
        result.state[STATE_THROUGH] = max(through, job.state.get(STATE_THROUGH, ""))
    result.event("csv_imported", f"{client.name}: {len(rows)} rows, sha256 {fingerprint[:12]}")


def _page_record(
    job: ExtractJob, client: FileSource, fingerprint: str, rows: list[csv_import.Row]
) -> dict:
    """The account snapshot an import yields: the latest known followers and the file it came
    from (the import's receipt)."""
    with_followers = [r for r in rows if r.values.get("followers") is not None]
    latest = max(with_followers, key=lambda r: r.period_end, default=None)
    return {
        "account_id": job.account_id,
        "followers": latest.values["followers"] if latest else None,
        "followers_as_of": latest.period_end.isoformat() if latest else None,
        "csv_file": client.name,
        "csv_sha256": fingerprint,
        "csv_rows": len(rows),
        "first_period_start": rows[0].period_start.isoformat() if rows else None,
        "last_period_end": max(r.period_end for r in rows).isoformat() if rows else None,
    }


def _imported_hash(value: str | None) -> str | None:
    if not value or " sha256:" not in value:
        return None
    return value.rsplit(" sha256:", 1)[1]
