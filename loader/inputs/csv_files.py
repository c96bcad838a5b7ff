"""Validate the owner's costs and outcomes CSV files (contracts in ``spec``, rules in README.md).

Validation is strict and complete: every problem of a file is collected with its line number
and what to change, and the file is refused as a whole while any remains. An empty cell means
"unknown" and stays NULL; it never becomes 0.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from extractors.core import owner_csv
from loader.inputs import spec

Problems = owner_csv.Problems

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_AS_DATE = re.compile(r"^(\d{4})-(\d{2})-\d{2}$")
_GERMAN_MONTH = re.compile(r"^(\d{1,2})[./](\d{4})$")
_PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_NEGATIVE = re.compile(r"^-\s*\d")
_GERMAN_DECIMAL = re.compile(r"^\d{1,3}(\.\d{3})*,\d+$|^\d+,\d+$")
_THOUSANDS = re.compile(r"^\d{1,3}([,' ]\d{3})+(\.\d+)?$")
_CURRENCY = re.compile(r"[€$]|\bEUR\b", re.IGNORECASE)
_FIELD_HINT = "a decimal comma? Write decimals with a point (12.50) and no thousands separators."


@dataclass(frozen=True)
class CostRow:
    line: int
    month: date  # first day of the month
    business: str
    platform: str
    amounts: dict[str, Decimal | None]  # spec.COST_AMOUNTS -> value, None = unknown


@dataclass(frozen=True)
class OutcomeRow:
    line: int
    period_start: date
    period: str
    business: str
    metric: str
    value: Decimal | None  # None = unknown

    @property
    def period_end(self) -> date:
        return self.period_start + timedelta(days=6 if self.period == "week" else 0)


def parse_costs(data: bytes, *, business: str, businesses: set[str]) -> list[CostRow]:
    """The costs file of ``business`` (``businesses``: every slug in the config), or
    :class:`owner_csv.CsvProblems` listing everything to fix."""
    problems: Problems = []
    rows: list[CostRow] = []
    seen: dict[tuple[date, str], int] = {}
    try:
        text = owner_csv.decode(data, problems)
        for line, cells in _records(text, spec.COSTS_COLUMNS, "costs", problems):
            before = len(problems)
            month = _month(line, cells.get("month"), problems)
            owner = _business(line, cells.get("business"), business, businesses, problems)
            platform = _platform(line, cells.get("platform"), problems)
            amounts = {
                name: _number(line, name, cells.get(name), problems, decimals=2)
                for name in spec.COST_AMOUNTS
            }
            if len(problems) > before or month is None or owner is None or platform is None:
                continue
            key = (month, platform)
            if key in seen:
                problems.append(
                    (line, f"{platform} {month:%Y-%m} is already on line {seen[key]}: keep one "
                           "row per month and platform (correct the values in place).")
                )  # fmt: skip
                continue
            seen[key] = line
            rows.append(CostRow(line, month, owner, platform, amounts))
    except owner_csv.Fatal:
        pass
    if problems:
        raise owner_csv.CsvProblems(problems, limit=spec.MAX_REPORTED_PROBLEMS)
    return sorted(rows, key=lambda r: (r.month, r.platform))


def parse_outcomes(data: bytes, *, business: str, businesses: set[str]) -> list[OutcomeRow]:
    """The outcomes file of ``business``, or :class:`owner_csv.CsvProblems`."""
    problems: Problems = []
    rows: list[OutcomeRow] = []
    seen: dict[tuple[date, str, str], int] = {}
    try:
        text = owner_csv.decode(data, problems)
        for line, cells in _records(text, spec.OUTCOMES_COLUMNS, "outcomes", problems):
            before = len(problems)
            start = owner_csv.iso_date(line, "period_start", cells.get("period_start"), problems)
            period = _choice(line, "period", cells.get("period"), spec.PERIODS, problems)
            owner = _business(line, cells.get("business"), business, businesses, problems)
            metric = _metric(line, cells.get("metric"), problems)
            value = None
            if metric is not None:
                whole = metric in spec.COUNT_METRICS
                value = _number(line, metric, cells.get("value"), problems, whole=whole)
            if start is not None and period == "week" and start.weekday() != 0:
                monday = start - timedelta(days=start.weekday())
                problems.append(
                    (line, f"period_start {start.isoformat()} is a {start:%A}: a week period "
                           f"starts on its Monday ({monday.isoformat()}).")
                )  # fmt: skip
            if len(problems) > before or None in (start, period, owner, metric):
                continue
            row = OutcomeRow(line, start, period, owner, metric, value)  # type: ignore[arg-type]
            key = (row.period_start, row.period, row.metric)
            if key in seen:
                problems.append(
                    (line, f"{row.metric} for {row.period} {row.period_start.isoformat()} is "
                           f"already on line {seen[key]}: keep one row per period and metric "
                           "(correct the value in place).")
                )  # fmt: skip
                continue
            seen[key] = line
            rows.append(row)
    except owner_csv.Fatal:
        pass
    _check_overlaps(rows, problems)
    if problems:
        raise owner_csv.CsvProblems(problems, limit=spec.MAX_REPORTED_PROBLEMS)
    return sorted(rows, key=lambda r: (r.metric, r.period_start, r.period))


def _records(text: str, columns: tuple[str, ...], kind: str, problems: Problems):
    return owner_csv.records(
        text,
        columns,
        problems,
        template=f"loader/inputs/templates/{kind}.csv",
        field_hint=_FIELD_HINT,
    )


def _month(line: int, value: str | None, problems: Problems) -> date | None:
    if value is None:
        return None
    if not value:
        problems.append((line, "month is empty: give the month as YYYY-MM (2026-03)."))
        return None
    match = _MONTH.match(value)
    if match and len(match.group(2)) == 2 and 1 <= int(match.group(2)) <= 12:
        return date(int(match.group(1)), int(match.group(2)), 1)
    if match and 1 <= int(match.group(2)) <= 12:
        problems.append(
            (line, f"month '{value}': write two digits for the month "
                   f"({match.group(1)}-{int(match.group(2)):02d}).")
        )  # fmt: skip
        return None
    as_date, german = _MONTH_AS_DATE.match(value), _GERMAN_MONTH.match(value)
    if as_date:
        fix = f"{as_date.group(1)}-{as_date.group(2)}"
    elif german and 1 <= int(german.group(1)) <= 12:
        fix = f"{german.group(2)}-{int(german.group(1)):02d}"
    else:
        problems.append((line, f"month '{value}' is not a month: use YYYY-MM (2026-03)."))
        return None
    problems.append((line, f"month '{value}': write the month as YYYY-MM ({fix})."))
    return None


def _business(
    line: int, value: str | None, business: str, businesses: set[str], problems: Problems
) -> str | None:
    if value is None:
        return None
    if value == business:
        return value
    if value in businesses:
        problems.append(
            (line, f"business '{value}' in the file of '{business}': each business keeps its "
                   f"own file; move the row to the file configured for '{value}'.")
        )  # fmt: skip
        return None
    if not value:
        problems.append((line, f"business is empty: write '{business}'."))
        return None
    close = difflib.get_close_matches(value.lower(), sorted(businesses), n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"write '{business}'."
    problems.append(
        (line, f"business '{value}' is not a business slug in the config: {hint}")
    )  # fmt: skip
    return None


def _platform(line: int, value: str | None, problems: Problems) -> str | None:
    return _choice(line, "platform", value, spec.PLATFORMS, problems)


def _choice(
    line: int, name: str, value: str | None, allowed: tuple[str, ...], problems: Problems
) -> str | None:
    if value is None:
        return None
    if value in allowed:
        return value
    options = ", ".join(f"'{a}'" for a in allowed)
    if value.lower() in allowed:
        problems.append((line, f"{name} '{value}': write it in lower case ('{value.lower()}')."))
        return None
    shown = f"'{value}'" if value else "empty"
    problems.append((line, f"{name} is {shown}: write one of {options}."))
    return None


def _metric(line: int, value: str | None, problems: Problems) -> str | None:
    if value is None:
        return None
    if value in spec.METRICS or spec.CUSTOM_METRIC.match(value):
        return value
    close = difflib.get_close_matches(value.lower(), spec.METRICS, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    shown = f"'{value}'" if value else "empty"
    problems.append(
        (line, f"metric is {shown}: {hint}use one of {', '.join(spec.METRICS)}, or a figure of "
               "your own named custom_ + lower-case letters, digits, '_' (custom_reservations).")
    )  # fmt: skip
    return None


def _number(
    line: int,
    name: str,
    value: str | None,
    problems: Problems,
    *,
    whole: bool = False,
    decimals: int | None = None,
) -> Decimal | None:
    """A non-negative number; empty means unknown (None), never 0."""
    if not value:
        return None
    if _PLAIN_NUMBER.match(value):
        try:
            number = Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            number = None
        if number is not None and number > spec.MAX_VALUE:
            problems.append((line, f"{name} '{value}' is implausibly large: check for a typo."))
        elif number is not None and whole and number != number.to_integral_value():
            problems.append((line, f"{name} '{value}' is not a whole number: it is a count."))
        elif (
            number is not None
            and decimals is not None
            and "." in value
            and (len(value.split(".")[1]) > decimals)
        ):
            problems.append(
                (line, f"{name} '{value}' has more than {decimals} decimals: round it to cents.")
            )
        else:
            return number
        return None
    if _NEGATIVE.match(value):
        problems.append((line, f"{name} '{value}' is negative: it cannot be below 0."))
    elif _CURRENCY.search(value):
        digits = _CURRENCY.sub("", value).strip()
        problems.append(
            (line, f"{name} '{value}': write the number only ({digits}); the column name says "
                   "the unit.")
        )  # fmt: skip
    elif _GERMAN_DECIMAL.match(value):
        fixed = value.replace(".", "").replace(",", ".")
        problems.append(
            (line, f"{name} '{value}': write decimals with a point and no thousands "
                   f"separators ({fixed}).")
        )  # fmt: skip
    elif _THOUSANDS.match(value):
        fixed = re.sub(r"[,' ]", "", value)
        problems.append(
            (line, f"{name} '{value}': write numbers without thousands separators ({fixed}).")
        )
    else:
        problems.append(
            (line, f"{name} '{value}' is not a number: write digits (12 or 12.50), or leave the "
                   "cell empty when the figure is unknown (empty means unknown, not 0).")
        )  # fmt: skip
    return None


def _check_overlaps(rows: list[OutcomeRow], problems: Problems) -> None:
    """A week given as a week row must not also have day rows of the same metric (the values
    would count twice)."""
    weeks = {(r.metric, r.period_start): r.line for r in rows if r.period == "week"}
    overlaps: dict[tuple[str, date], list[int]] = {}
    for r in rows:
        monday = r.period_start - timedelta(days=r.period_start.weekday())
        if r.period == "day" and (r.metric, monday) in weeks:
            overlaps.setdefault((r.metric, monday), []).append(r.line)
    for (metric, monday), lines in sorted(overlaps.items()):
        more = f" (and {len(lines) - 1} more day rows)" if len(lines) > 1 else ""
        problems.append(
            (min(lines), f"{metric} day rows in the week of {monday.isoformat()}{more} overlap "
                         f"the week row on line {weeks[(metric, monday)]}: give a week either "
                         "as one week row or as day rows.")
        )  # fmt: skip
