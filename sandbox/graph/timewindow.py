"""Graph time parameters (``since``/``until``) and the Meta-day rules of daily insights.

A day value covers one Meta day (America/Los_Angeles) and is stamped with ``end_time`` = the
next Pacific midnight in UTC (``...T08:00:00+0000``, ``T07:00:00+0000`` in summer).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from sandbox.graph.errors import invalid_param
from sandbox.world import META_TZ

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_INSIGHTS_DAYS = 90


def graph_time(moment: datetime) -> str:
    """Graph's timestamp format: ``2026-03-02T08:00:00+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_time(value: str, param: str) -> datetime:
    """A ``since``/``until`` value: unix seconds, ``YYYY-MM-DD`` (Pacific midnight, as Graph's
    strtotime reads it) or an ISO-8601 date-time (naive = Pacific)."""
    text = value.strip()
    try:
        if re.fullmatch(r"-?\d+", text):
            return datetime.fromtimestamp(int(text), UTC)
        if _DATE.match(text):
            return datetime.combine(date.fromisoformat(text), time(0), META_TZ).astimezone(UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise invalid_param(
            f"The parameter {param} must be a unix timestamp or a strtotime date"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=META_TZ)
    return moment.astimezone(UTC)


def day_boundary(moment: datetime) -> date:
    """The Meta day that starts at the first Pacific midnight at or after ``moment``."""
    local = moment.astimezone(META_TZ)
    return local.date() if local.time() == time(0) else local.date() + timedelta(days=1)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), META_TZ).astimezone(UTC)


def unix(moment: datetime) -> int:
    return int(moment.timestamp())
