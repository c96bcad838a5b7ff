"""Read and validate the XING CSV the owner fills (template.csv, rules in README.md).

Validation is strict and complete: every problem of the file is collected with its line number
and what to change, and the file is refused as a whole (nothing is landed) while any remains.
An empty cell means "unknown" and stays NULL; it never becomes 0.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from extractors.core import owner_csv
from extractors.networks.xing import spec

_DIGITS = re.compile(r"^\d+$")
_NEGATIVE = re.compile(r"^-\s*\d+([.,]\d+)?$")
_THOUSANDS = re.compile(r"^\d{1,3}([.,']\d{3})+$")
_DECIMAL = re.compile(r"^\d+[.,]\d+$")


@dataclass(frozen=True)
class Row:
    """One valid CSV row: a period and its figures (None = unknown)."""

    line: int
    period_start: date
    period: str
    values: dict[str, int | None]

    @property
    def period_end(self) -> date:
        """Last day the row covers (inclusive)."""
        if self.period == "day":
            return self.period_start
        days = calendar.monthrange(self.period_start.year, self.period_start.month)[1]
        return self.period_start.replace(day=days)

    def payload(self) -> dict[str, Any]:
        """The landed record: the row's cells typed, plus the line it came from."""
        return {
            "period_start": self.period_start.isoformat(),
            "period": self.period,
            **self.values,
            "csv_line": self.line,
        }


class CsvProblems(owner_csv.CsvProblems):
    """Every problem found in a file, as (line, message) pairs sorted by line."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(problems, limit=spec.MAX_REPORTED_PROBLEMS)


def parse(data: bytes, *, last_complete_day: date) -> list[Row]:
    """The file's rows in period order, or :class:`CsvProblems` listing everything to fix.

    ``last_complete_day`` is the last day the run covers (the day before its logical date): a
    period ending after it is not over yet and is refused."""
    problems: list[tuple[int, str]] = []
    try:
        text = owner_csv.decode(data, problems)
        rows = _rows(text, problems, last_complete_day)
    except owner_csv.Fatal:
        raise CsvProblems(problems) from None
    _check_overlaps(rows, problems)
    if problems:
        raise CsvProblems(problems)
    return sorted(rows, key=lambda r: (r.period_start, r.period))


# -- text -> rows --------------------------------------------------------------------------------
def _rows(text: str, problems: list[tuple[int, str]], last_complete_day: date) -> list[Row]:
    rows: list[Row] = []
    seen: dict[tuple[str, date], int] = {}
    for line, cells in owner_csv.records(
        text,
        spec.COLUMNS,
        problems,
        template="template.csv",
        field_hint="a decimal comma? Numbers are whole numbers without separators.",
    ):
        row = _row(line, cells, set(cells), problems, last_complete_day)
        if row is None:
            continue
        key = (row.period, row.period_start)
        if key in seen:
            problems.append(
                (
                    line,
                    f"{row.period} {row.period_start.isoformat()} is already on line "
                    f"{seen[key]}: keep one row per period (correct the values in place).",
                )
            )
            continue
        seen[key] = line
        rows.append(row)
    return rows


def _row(
    line: int,
    cells: dict[str, str],
    columns: set[str],
    problems: list[tuple[int, str]],
    last_complete_day: date,
) -> Row | None:
    before = len(problems)
    start = _period_start(line, cells.get("period_start"), problems)
    period = _period(line, cells.get("period"), problems)
    values = {
        name: _count(line, name, cells.get(name, ""), problems)
        for name in spec.METRIC_COLUMNS
        if name in columns
    }
    if start is not None and period == "month" and start.day != 1:
        problems.append(
            (
                line,
                f"a month period must start on the 1st: use {start.replace(day=1).isoformat()} "
                f"for {start:%B %Y} (period_start {start.isoformat()}).",
            )
        )
    if len(problems) > before or start is None or period is None:
        return None
    row = Row(line=line, period_start=start, period=period, values=values)
    if row.period_end > last_complete_day:
        problems.append(
            (
                line,
                f"{period} {start.isoformat()} ends on {row.period_end.isoformat()}, after the "
                f"last complete day of this run ({last_complete_day.isoformat()}): add a period "
                "only once it is over.",
            )
        )
        return None
    return row


def _period_start(line: int, value: str | None, problems: list[tuple[int, str]]) -> date | None:
    return owner_csv.iso_date(line, "period_start", value, problems)


def _period(line: int, value: str | None, problems: list[tuple[int, str]]) -> str | None:
    if value is None:
        return None
    if value in spec.PERIODS:
        return value
    shown = f"'{value}'" if value else "empty"
    problems.append((line, f"period is {shown}: write 'day' or 'month'."))
    return None


def _count(line: int, name: str, value: str, problems: list[tuple[int, str]]) -> int | None:
    if not value:
        return None
    if _DIGITS.match(value):
        number = int(value)
        if number <= spec.MAX_VALUE:
            return number
        problems.append((line, f"{name} '{value}' is implausibly large: check for a typo."))
    elif _NEGATIVE.match(value):
        problems.append((line, f"{name} '{value}' is negative: counts cannot be below 0."))
    elif _THOUSANDS.match(value):
        digits = re.sub(r"\D", "", value)
        problems.append(
            (line, f"{name} '{value}': write whole numbers without thousands separators "
                   f"({digits}).")
        )  # fmt: skip
    elif _DECIMAL.match(value):
        problems.append((line, f"{name} '{value}' is not a whole number: counts have no decimals."))
    else:
        problems.append(
            (line, f"{name} '{value}' is not a whole number: write digits only, or leave the "
                   "cell empty when the figure is unknown (empty means unknown, not 0).")
        )  # fmt: skip
    return None


def _check_overlaps(rows: list[Row], problems: list[tuple[int, str]]) -> None:
    """A month given as a month row must not also have day rows (the values would count twice)."""
    months = {
        (r.period_start.year, r.period_start.month): r.line for r in rows if r.period == "month"
    }
    day_lines: dict[tuple[int, int], list[int]] = {}
    for r in rows:
        key = (r.period_start.year, r.period_start.month)
        if r.period == "day" and key in months:
            day_lines.setdefault(key, []).append(r.line)
    for (year, month), lines in sorted(day_lines.items()):
        more = f" (and {len(lines) - 1} more day rows)" if len(lines) > 1 else ""
        problems.append(
            (
                min(lines),
                f"day rows for {year}-{month:02d}{more} overlap the month row on line "
                f"{months[(year, month)]}: give a month either as one month row or as day rows.",
            )
        )


def last_complete_day(logical_date: date) -> date:
    """The last day a run for ``logical_date`` covers: the run's window ends at its midnight."""
    return logical_date - timedelta(days=1)
