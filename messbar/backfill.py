"""Backfill: run the extraction of every day in a date range, then build, gate and publish once.

Each date is planned exactly like the nightly run of that date: the window of every account
follows from the date's own bounds (its local midnight), never from ``now()``. Dates run oldest
first and each date's landing files are loaded before the next date is planned, so the state
(high-water marks) grows as it would over the same nights, and every date reads its lookback.

After the last date, one ``dbt build``, one quality gate and one publish cover the whole range
(the marts depend on all raw rows, not on a date, so a build per date would only repeat work).

Accounts of networks without an API (XING: the owner's CSV) have no date window: their file is
imported once, after the dates, as tonight's run would (a past date would refuse the file's
newer periods as "not over yet").

A date whose extraction fails does not stop the others (unless ``fail_fast``): every account of
every date is independent and a rerun is idempotent (new landing files; staging keeps the
latest fetch per key). The failed dates are reported with the command that reruns them, and
nothing is published while any date failed, so the published file only ever reflects a
complete backfill. What the good dates fetched is loaded and stays in the warehouse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from messbar import pipeline
from messbar.config import Config
from messbar.runlock import run_lock

log = logging.getLogger(__name__)

MAX_DAYS = 800  # Meta keeps two years of insights; a longer range is almost surely a typo


class BackfillError(ValueError):
    """The date range cannot be backfilled; the message says how to fix the command."""


@dataclass
class DateRun:
    """What one date of a backfill did."""

    day: date
    run_id: str
    summaries: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)  # network, account, message

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class Backfill:
    """The outcome of :func:`backfill`: one :class:`DateRun` per date, then the final steps
    (``None`` when they did not run because a date failed)."""

    start: date
    end: date
    dates: list[DateRun] = field(default_factory=list)
    files: DateRun | None = None  # the one import of the owners' CSV accounts
    transform: dict[str, Any] | None = None
    validate: dict[str, Any] | None = None
    publish: dict[str, Any] | None = None

    @property
    def failed(self) -> list[DateRun]:
        """Failed dates, and the CSV import if it failed."""
        runs = [*self.dates, *([self.files] if self.files else [])]
        return [d for d in runs if not d.ok]

    @property
    def skipped(self) -> list[date]:
        """Dates not attempted (``fail_fast`` stopped the loop)."""
        done = {d.day for d in self.dates}
        return [d for d in dates_between(self.start, self.end) if d not in done]

    def per_network(self) -> dict[str, dict[str, int]]:
        """Calls, rows and failed accounts per network over all dates."""
        out: dict[str, dict[str, int]] = {}
        for run in [*self.dates, *([self.files] if self.files else [])]:
            for s in run.summaries:
                entry = out.setdefault(s["network"], {"calls": 0, "rows": 0, "failed": 0})
                entry["calls"] += int(s.get("calls") or 0)
                entry["rows"] += sum((s.get("rows") or {}).values())
            for failure in run.failures:
                entry = out.setdefault(failure["network"], {"calls": 0, "rows": 0, "failed": 0})
                entry["failed"] += 1
        return dict(sorted(out.items()))

    def rerun_command(self) -> str | None:
        """The command that retries the failed and skipped dates (one range covering them)."""
        todo = sorted({d.day for d in self.failed if d in self.dates} | set(self.skipped))
        if not todo and self.failed:  # only the CSV import failed: any date reimports it
            todo = [self.end]
        if not todo:
            return None
        return f"messbar backfill --from {todo[0].isoformat()} --to {todo[-1].isoformat()}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "dates": [
                {"date": d.day.isoformat(), "run_id": d.run_id, "failures": d.failures}
                for d in self.dates
            ],
            "networks": self.per_network(),
            "failed_dates": [d.day.isoformat() for d in self.failed if d in self.dates],
            "files": None if self.files is None else {"failures": self.files.failures},
            "skipped_dates": [d.isoformat() for d in self.skipped],
            "rerun": self.rerun_command(),
            "transform": self.transform,
            "validate": self.validate,
            "publish": self.publish,
        }


def dates_between(start: date, end: date) -> list[date]:
    """Every date from ``start`` to ``end``, both included."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def check_range(start: date, end: date, today: date | None = None) -> list[date]:
    """The dates of a valid range, or :class:`BackfillError` saying what to change."""
    today = today or datetime.now(UTC).date()
    if end < start:
        raise BackfillError(
            f"--to {end.isoformat()} is before --from {start.isoformat()}: swap them."
        )
    if end > today + timedelta(days=1):
        raise BackfillError(
            f"--to {end.isoformat()} is in the future: a date's run reads the days before it, "
            f"so the latest useful date is today ({today.isoformat()})."
        )
    days = dates_between(start, end)
    if len(days) > MAX_DAYS:
        raise BackfillError(
            f"{len(days)} dates from {start.isoformat()} to {end.isoformat()}: more than "
            f"{MAX_DAYS}; the networks keep at most two years of history. Split the range."
        )
    return days


def backfill(
    config: Config | str | None,
    start: date,
    end: date,
    *,
    fail_fast: bool = False,
    publish: bool = True,
    on_date: Callable[[DateRun], None] | None = None,
    today: date | None = None,
    **extract_kwargs: Any,
) -> Backfill:
    """Extract and load every date from ``start`` to ``end`` (oldest first), then one dbt
    build, gate and publish. ``on_date`` is called after each date (progress bars).

    Raises :class:`BackfillError` for a bad range, and the step's own error when loading,
    building, the gate or publishing fails (nothing is published then)."""
    cfg = pipeline._config(config)
    days = check_range(start, end, today)
    # one writer per data directory: a nightly run that starts meanwhile is refused, and a
    # backfill does not start while a run is active
    with run_lock(cfg, f"backfill {start.isoformat()}..{end.isoformat()}"):
        return _backfill(cfg, days, fail_fast, publish, on_date, today, extract_kwargs)


def _backfill(
    cfg: Config,
    days: list[date],
    fail_fast: bool,
    publish: bool,
    on_date: Callable[[DateRun], None] | None,
    today: date | None,
    extract_kwargs: dict[str, Any],
) -> Backfill:
    from extractors.core.errors import ExtractError
    from extractors.core.secrets import SecretNotFound
    from extractors.registry import NETWORKS

    start, end = days[0], days[-1]
    today = today or datetime.now(UTC).date()
    result = Backfill(start=start, end=end)

    def run_jobs(run: DateRun, day: date, manual: bool) -> None:
        for job in pipeline.plan(cfg, day, run.run_id):
            if (NETWORKS[job["network"]].provenance == "manual") != manual:
                continue
            try:
                run.summaries.append(pipeline.extract(job, **extract_kwargs))
            except (ExtractError, SecretNotFound) as exc:
                # already redacted by the runner; the one line of the failure is enough here
                run.failures.append(
                    {
                        "network": job["network"],
                        "account_id": job["account_id"],
                        "business": job["business"],
                        "message": str(exc),
                    }
                )
                log.warning("backfill %s: %s", day, exc)

    for day in days:
        run = DateRun(day=day, run_id=f"backfill__{day.isoformat()}")
        run_jobs(run, day, manual=False)
        # commit this date's manifests (and their state) before the next date is planned
        pipeline.load(cfg)
        result.dates.append(run)
        if on_date is not None:
            on_date(run)
        if run.failures and fail_fast:
            break
    if any(NETWORKS[a.network].provenance == "manual" for a in cfg.accounts()):
        result.files = DateRun(day=today, run_id=f"backfill__files__{today.isoformat()}")
        run_jobs(result.files, today, manual=True)
        pipeline.load(cfg)
    if result.failed or not publish:
        return result
    result.transform = pipeline.transform(cfg)
    result.validate = pipeline.validate(cfg, end)
    result.publish = pipeline.publish(cfg, f"backfill__{start.isoformat()}__{end.isoformat()}")
    return result
