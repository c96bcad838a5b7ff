"""Building blocks for reading a CSV an owner fills by hand (XING statistics, costs, outcomes).

Every reader collects *all* problems of a file as ``(line, message)`` pairs and refuses the file
as a whole while any remains; the helpers here add to that list instead of raising, except
:class:`Fatal`, raised after a problem that makes the rest of the file unreadable.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

Problems = list[tuple[int, str]]

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class CsvProblems(Exception):
    """Every problem found in a file, as (line, message) pairs sorted by line."""

    def __init__(self, problems: Problems, limit: int = 50) -> None:
        self.problems = sorted(problems, key=lambda p: p[0])
        self.limit = limit
        super().__init__(self.render())

    def render(self, limit: int | None = None) -> str:
        limit = self.limit if limit is None else limit
        lines = [f"  line {line}: {message}" for line, message in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(lines)


class Fatal(Exception):
    """A problem after which the rest of the file cannot be read meaningfully."""


def decode(data: bytes, problems: Problems) -> str:
    """The file as text. Excel workbooks and UTF-16 are fatal; a Latin-1/Windows-1252 export is
    reported and read as Windows-1252 so that the rest of the file is still checked."""
    if data.startswith(b"PK\x03\x04"):
        problems.append(
            (1, "this is an Excel workbook (.xlsx), not a CSV: in Excel use File > Save As > "
                "'CSV UTF-8 (comma delimited) (*.csv)'.")
        )  # fmt: skip
        raise Fatal
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        problems.append(
            (1, "the file is UTF-16 ('Unicode Text') or binary, not UTF-8 text: save it as "
                "'CSV UTF-8 (comma delimited) (*.csv)'.")
        )  # fmt: skip
        raise Fatal
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


def delimiter(text: str, columns: Sequence[str], problems: Problems) -> str:
    """The delimiter that splits the header into the most known column names; anything but a
    comma is reported (and the rows are still checked with it, to report everything at once)."""
    first = next((line for line in text.splitlines() if line.strip()), "")

    def known(candidate: str) -> int:
        return sum(name.strip().strip('"') in columns for name in first.split(candidate))

    best = max(DELIMITERS, key=lambda d: (known(d), d == ","))
    if best != "," and known(best) > known(","):
        problems.append(
            (
                1,
                f"the columns are separated by {DELIMITERS[best]}s, not commas (German Excel "
                "writes ';'): save the file as 'CSV UTF-8 (comma delimited)' or replace the "
                f"separators with commas. The rows below were checked as {DELIMITERS[best]}-"
                "separated.",
            )
        )
        return best
    return ","


def first_record(reader: Any) -> tuple[int, list[str]]:
    """The first non-blank record (the header) and its line number."""
    previous = 0
    for record in reader:
        if any(cell.strip() for cell in record):
            return previous + 1, [cell.strip() for cell in record]
        previous = reader.line_num
    return 1, []


def check_header(
    header: list[str], line: int, columns: Sequence[str], hint: str, problems: Problems
) -> set[str]:
    """The known columns present; reports a missing header (fatal), unknown, duplicate and
    missing columns. ``hint`` says where the right header comes from (the template)."""
    if header and looks_like_date(header[0]):
        problems.append((line, f"the header row is missing: the first line must be {hint}."))
        raise Fatal
    present: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(
                (line, f"column {position} has no name: remove the trailing or doubled delimiter.")
            )
        elif name in present:
            problems.append((line, f"column '{name}' appears twice: keep one."))
        elif name not in columns:
            close = difflib.get_close_matches(name.lower(), columns, n=1)
            fix = f"did you mean '{close[0]}'?" if close else f"the columns are {hint}."
            problems.append((line, f"unknown column '{name}': {fix}"))
        else:
            present.add(name)
    missing = [c for c in columns if c not in present]
    if missing:
        problems.append(
            (
                line,
                f"missing column(s) {', '.join(missing)}: every template column must be in the "
                "header (leave cells empty when a figure is unknown).",
            )
        )
    return present


def records(
    text: str,
    columns: Sequence[str],
    problems: Problems,
    *,
    template: str,
    field_hint: str,
) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, {known column: stripped cell})`` for every non-blank data row, after checking
    encoding-independent structure: delimiter, header and the number of fields per row.

    An empty file or a file without header is fatal; ``template`` names the file to start from,
    ``field_hint`` ends the message for a row with the wrong number of fields (what usually
    causes it in this file)."""
    hint = ",".join(columns)
    if not text.strip():
        problems.append((1, f"the file is empty: start from {template} ({hint})."))
        raise Fatal
    sep = delimiter(text, columns, problems)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    header_line, header = first_record(reader)
    present = check_header(header, header_line, columns, hint, problems)
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
                    f"{DELIMITERS[sep]} or {field_hint}",
                )
            )
            continue
        yield (
            line,
            {
                name: cell.strip()
                for name, cell in zip(header, record, strict=True)
                if name in present
            },
        )


def iso_date(line: int, name: str, value: str | None, problems: Problems) -> date | None:
    """A YYYY-MM-DD cell as a date; an empty, German (DD.MM.YYYY) or impossible date is
    reported. ``None`` as value means the column is missing (reported once for the header)."""
    if value is None:
        return None
    if not value:
        problems.append((line, f"{name} is empty: give the period's first day (YYYY-MM-DD)."))
        return None
    german = GERMAN_DATE.match(value)
    if german:
        d, m, y = german.groups()
        problems.append(
            (line, f"{name} '{value}': write dates as YYYY-MM-DD ({y}-{int(m):02d}-"
                   f"{int(d):02d}), not DD.MM.YYYY.")
        )  # fmt: skip
        return None
    if ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            problems.append((line, f"{name} '{value}' is not a calendar date."))
            return None
    problems.append((line, f"{name} '{value}' is not a date: use YYYY-MM-DD (2026-03-01)."))
    return None


def looks_like_date(value: str) -> bool:
    return bool(ISO_DATE.match(value) or GERMAN_DATE.match(value))
