"""Read and validate the XING CSV the owner fills (template.csv, rules in README.md).

Validation is strict and complete: every problem of the file is collected with its line number
and what to change, and the file is refused as a whole (nothing is landed) while any remains.
An empty cell means "unknown" and stays NULL; it never becomes 0.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import difflib
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from extractors.networks.xing import spec

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DIGITS = re.compile(r"^\d+$")
_NEGATIVE = re.compile(r"^-\s*\d+([.,]\d+)?$")
_THOUSANDS = re.compile(r"^\d{1,3}([.,']\d{3})+$")
_DECIMAL = re.compile(r"^\d+[.,]\d+$")
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


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


class CsvProblems(Exception):
    """Every problem found in a file, as (line, message) pairs sorted by line."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = sorted(problems, key=lambda p: p[0])
        super().__init__(self.render())

    def render(self, limit: int = spec.MAX_REPORTED_PROBLEMS) -> str:
        lines = [f"  line {line}: {message}" for line, message in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(lines)


class _Fatal(Exception):
    """A problem after which the rest of the file cannot be read meaningfully."""


def parse(data: bytes, *, last_complete_day: date) -> list[Row]:
    """The file's rows in period order, or :class:`CsvProblems` listing everything to fix.

    ``last_complete_day`` is the last day the run covers (the day before its logical date): a
    period ending after it is not over yet and is refused."""
    problems: list[tuple[int, str]] = []
    try:
        text = _decode(data, problems)
        rows = _rows(text, problems, last_complete_day)
    except _Fatal:
        raise CsvProblems(problems) from None
    _check_overlaps(rows, problems)
    if problems:
        raise CsvProblems(problems)
    return sorted(rows, key=lambda r: (r.period_start, r.period))


# -- bytes -> text -------------------------------------------------------------------------------
def _decode(data: bytes, problems: list[tuple[int, str]]) -> str:
    if data.startswith(b"PK\x03\x04"):
        problems.append(
            (1, "this is an Excel workbook (.xlsx), not a CSV: in Excel use File > Save As > "
                "'CSV UTF-8 (comma delimited) (*.csv)'.")
        )  # fmt: skip
        raise _Fatal
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        problems.append(
            (1, "the file is UTF-16 ('Unicode Text') or binary, not UTF-8 text: save it as "
                "'CSV UTF-8 (comma delimited) (*.csv)'.")
        )  # fmt: skip
        raise _Fatal
    if data.startswith(codecs.BOM_UTF8):  # Excel's "CSV UTF-8" writes a BOM: fine
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        char = bytes([byte]).decode("cp1252", errors="replace")
        problems.append(
            (
                line,
                f"the file is not UTF-8 (byte 0x{byte:02X}, '{char}' in Windows-1252): it looks "
                "like a Latin-1/Windows-1252 export such as Excel's 'CSV (Trennzeichen-getrennt)'. "
                "Save it as 'CSV UTF-8 (durch Trennzeichen getrennt)' / 'CSV UTF-8 (comma "
                "delimited)'. The rest of the file was checked as Windows-1252.",
            )
        )
        return data.decode("cp1252", errors="replace")


# -- text -> rows --------------------------------------------------------------------------------
def _rows(text: str, problems: list[tuple[int, str]], last_complete_day: date) -> list[Row]:
    if not text.strip():
        problems.append((1, f"the file is empty: start from template.csv ({_header_hint()})."))
        raise _Fatal
    delimiter = _delimiter(text, problems)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    header_line, header = _first_record(reader)
    columns = _header(header, header_line, problems)
    rows: list[Row] = []
    seen: dict[tuple[str, date], int] = {}
    previous_end = reader.line_num
    for record in reader:
        line, previous_end = previous_end + 1, reader.line_num
        if all(not cell.strip() for cell in record):  # blank line or Excel's ",,,,,," row
            continue
        if len(record) != len(header):
            problems.append(
                (
                    line,
                    f"{len(record)} fields but the header has {len(header)}: a stray "
                    f"{_DELIMITERS[delimiter]} or a decimal comma? Numbers "
                    "are whole numbers without separators.",
                )
            )
            continue
        cells = {
            name: cell.strip() for name, cell in zip(header, record, strict=True) if name in columns
        }
        row = _row(line, cells, columns, problems, last_complete_day)
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


def _delimiter(text: str, problems: list[tuple[int, str]]) -> str:
    """The delimiter that splits the header into the most known column names; anything but a
    comma is reported (and the rows are still checked with it, to report everything at once)."""
    first = next((line for line in text.splitlines() if line.strip()), "")

    def known(delimiter: str) -> int:
        return sum(name.strip().strip('"') in spec.COLUMNS for name in first.split(delimiter))

    best = max(_DELIMITERS, key=lambda d: (known(d), d == ","))
    if best != "," and known(best) > known(","):
        problems.append(
            (
                1,
                f"the columns are separated by {_DELIMITERS[best]}s, not commas (German Excel "
                "writes ';'): save the file as 'CSV UTF-8 (comma delimited)' or replace the "
                f"separators with commas. The rows below were checked as {_DELIMITERS[best]}-"
                "separated.",
            )
        )
        return best
    return ","


def _first_record(reader: Any) -> tuple[int, list[str]]:
    previous = 0
    for record in reader:
        if any(cell.strip() for cell in record):
            return previous + 1, [cell.strip() for cell in record]
        previous = reader.line_num
    return 1, []


def _header(header: list[str], line: int, problems: list[tuple[int, str]]) -> set[str]:
    """The known columns present; reports a missing header, unknown, duplicate and missing
    columns."""
    if header and _looks_like_date(header[0]):
        problems.append(
            (line, f"the header row is missing: the first line must be {_header_hint()}.")
        )
        raise _Fatal
    present: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(
                (line, f"column {position} has no name: remove the trailing or doubled delimiter.")
            )
        elif name in present:
            problems.append((line, f"column '{name}' appears twice: keep one."))
        elif name not in spec.COLUMNS:
            hint = difflib.get_close_matches(name.lower(), spec.COLUMNS, n=1)
            fix = f"did you mean '{hint[0]}'?" if hint else f"the columns are {_header_hint()}."
            problems.append((line, f"unknown column '{name}': {fix}"))
        else:
            present.add(name)
    missing = [c for c in spec.COLUMNS if c not in present]
    if missing:
        problems.append(
            (
                line,
                f"missing column(s) {', '.join(missing)}: every template column must be in the "
                "header (leave cells empty when a figure is unknown).",
            )
        )
    return present


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
    if value is None:  # column missing: reported once for the header
        return None
    if not value:
        problems.append((line, "period_start is empty: give the period's first day (YYYY-MM-DD)."))
        return None
    german = _GERMAN_DATE.match(value)
    if german:
        d, m, y = german.groups()
        problems.append(
            (line, f"period_start '{value}': write dates as YYYY-MM-DD ({y}-{int(m):02d}-"
                   f"{int(d):02d}), not DD.MM.YYYY.")
        )  # fmt: skip
        return None
    if _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            problems.append((line, f"period_start '{value}' is not a calendar date."))
            return None
    problems.append((line, f"period_start '{value}' is not a date: use YYYY-MM-DD (2026-03-01)."))
    return None


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


def _looks_like_date(value: str) -> bool:
    return bool(_ISO_DATE.match(value) or _GERMAN_DATE.match(value))


def _header_hint() -> str:
    return ",".join(spec.COLUMNS)


def last_complete_day(logical_date: date) -> date:
    """The last day a run for ``logical_date`` covers: the run's window ends at its midnight."""
    return logical_date - timedelta(days=1)
