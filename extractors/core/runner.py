"""Run one :class:`ExtractJob`: resolve its token, call the network's extractor, and land the
result. On any failure the attempt's unfinished files are removed and nothing is committed."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from extractors.core.errors import ExtractError
from extractors.core.job import ExtractJob
from extractors.core.landing import LandingWriter
from extractors.core.redact import Redactor
from extractors.core.secrets import resolve_secret
from extractors.registry import NETWORKS

log = logging.getLogger(__name__)


@dataclass
class Extraction:
    """What a network extractor hands back besides the landed rows."""

    state: dict[str, str] = field(default_factory=dict)
    events: list[dict[str, str]] = field(default_factory=list)

    def event(self, kind: str, detail: str) -> None:
        self.events.append({"kind": kind, "detail": detail})


def run_job(
    job: ExtractJob,
    *,
    sleep: Callable[[float], None] | None = None,
    session: requests.Session | None = None,
) -> dict[str, Any]:
    """Extract one account and return a small summary (safe for XCom and logs)."""
    spec = NETWORKS[job.network]
    module = importlib.import_module(spec.module)
    # A manual network (XING: a CSV the owner fills) has no API and so no token to resolve.
    token = "" if spec.provenance == "manual" else resolve_secret(job.token_ref, what=job.label())
    redactor = Redactor([token])
    client = module.build_client(job, token, redactor=redactor, sleep=sleep, session=session)
    writer = LandingWriter(
        Path(job.landing_dir),
        network=job.network,
        business=job.business,
        account_id=job.account_id,
        run_id=job.run_id,
        logical_date=job.logical_date,
        clock=client.server_clock.now if hasattr(client, "server_clock") else None,
    )
    result = Extraction(state=dict(job.state))
    try:
        module.extract(job, client, writer, result)
        manifest = writer.finish(state=result.state, events=result.events, calls=client.stats.calls)
    except ExtractError as exc:
        writer.abort()
        raise type(exc)(
            redactor(str(exc)),
            network=exc.network,
            endpoint=exc.endpoint,
            status=exc.status,
            code=exc.code,
        ) from None
    except Exception as exc:
        writer.abort()
        raise ExtractError(
            redactor(f"{job.label()}: extraction failed: {type(exc).__name__}: {exc}"),
            network=job.network,
        ) from None
    summary = {
        "network": job.network,
        "business": job.business,
        "account_id": job.account_id,
        "manifest": str(manifest),
        "rows": writer.rows(),
        "calls": client.stats.calls,
        "retries": client.stats.retries,
        "events": result.events,
    }
    log.info(
        "%s: %d calls, rows %s, events %s",
        job.label(),
        client.stats.calls,
        summary["rows"],
        [e["detail"] for e in result.events],
    )
    return summary
