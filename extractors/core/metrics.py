"""The metric registry: which platform metric feeds which conformed measure, since when and
until when. One CSV per network in ``dbt_project/seeds/metric_registry__<slug>.csv`` is read
here (to decide what to request) and by dbt (to map metric names to measures)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


@dataclass(frozen=True)
class MetricEntry:
    platform_metric: str
    level: str  # account_daily | post
    measure_name: str | None
    available_from: date
    retired_on: date | None
    note: str

    def active_on(self, day: date) -> bool:
        return self.available_from <= day and (self.retired_on is None or day < self.retired_on)


@cache
def registry(slug: str) -> tuple[MetricEntry, ...]:
    path = SEEDS / f"metric_registry__{slug}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(
            MetricEntry(
                platform_metric=row["platform_metric"],
                level=row["level"],
                measure_name=row["measure_name"] or None,
                available_from=date.fromisoformat(row["available_from"]),
                retired_on=date.fromisoformat(row["retired_on"]) if row["retired_on"] else None,
                note=row["note"],
            )
            for row in csv.DictReader(fh)
        )


def requested_metrics(slug: str, level: str, on: date) -> list[str]:
    """The metrics to request for ``level`` on day ``on``: active ones, in registry order."""
    return [e.platform_metric for e in registry(slug) if e.level == level and e.active_on(on)]
