"""Numbers shown in the report: the raw value from the marts, where it comes from, and how it
reads in German or English.

Every number the owner sees is a :class:`Num`; the template renders it with its machine-checkable
marker (``data-metric``, ``data-business``, ``data-platform``, ``data-period``, ``data-value``
...), so a test can compare each one with the marts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from report.i18n import month_name, text

# How a value reads: the kinds the template and the tests know.
KINDS = {
    "int",  # 56.556
    "signed_int",  # +139
    "pct",  # 6,4 %   (value is a ratio)
    "rel",  # +12 %   (relative change, value is a ratio)
    "pp",  # +1,2 Pp. (difference of two ratios, in percentage points)
    "eur",  # 423,90 €
    "minutes",  # 45 Min.
    "sig",  # 3 significant digits of value x scale
    "p",  # < 0,001 or 0,017
    "date",  # 17.01.2026
    "datetime",  # 27.11.2026, 16:58 MEZ
    "bool",  # ja / nein
}


@dataclass(frozen=True)
class Num:
    """One number from the marts and the coordinates that locate it there."""

    metric: str
    value: float | int | date | datetime | bool | None
    kind: str
    business: str
    platform: str | None = None
    period: date | None = None
    period_end: date | None = None
    base_period: date | None = None
    key: str | None = None
    scale: float = 1

    def raw(self) -> str:
        """The value as the marts hold it, for ``data-value`` (empty for NULL)."""
        v = self.value
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, datetime | date):
            return v.isoformat()
        return repr(v) if isinstance(v, float) else str(v)

    def attrs(self) -> dict[str, str]:
        """The marker attributes (the template escapes them)."""
        out = {"data-metric": self.metric, "data-business": self.business}
        if self.platform is not None:
            out["data-platform"] = self.platform
        if self.period is not None:
            out["data-period"] = self.period.isoformat()
        if self.period_end is not None:
            out["data-period-end"] = self.period_end.isoformat()
        if self.base_period is not None:
            out["data-base-period"] = self.base_period.isoformat()
        if self.key is not None:
            out["data-key"] = self.key
        if self.scale != 1:
            out["data-scale"] = repr(self.scale)
        out["data-kind"] = self.kind
        out["data-value"] = self.raw()
        return out


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def decimal(value: float, places: int, lang: str, *, signed: bool = False) -> str:
    """``value`` rounded half-up to ``places`` decimals with the language's separators."""
    q = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if q < 0 else ("+" if signed and q > 0 else "")
    whole, _, frac = f"{abs(q):f}".partition(".")
    thousands, point = (".", ",") if lang == "de" else (",", ".")
    body = _group(whole, thousands) + (point + frac if frac else "")
    return sign + body


def _significant(value: float, lang: str) -> str:
    if value == 0:
        return "0"
    places = max(0, 2 - math.floor(math.log10(abs(value))))
    return decimal(value, places, lang)


def format_value(num: Num, lang: str, timezone: str = "Europe/Berlin") -> str:
    """How ``num`` reads in the report (``–`` for a value the marts do not have)."""
    v, kind = num.value, num.kind
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    de = lang == "de"
    if kind == "int":
        return decimal(v, 0, lang)
    if kind == "signed_int":
        return decimal(v, 0, lang, signed=True)
    if kind == "pct":
        return decimal(100 * v, 1, lang) + (" %" if de else "%")
    if kind == "rel":
        return decimal(100 * v, 0, lang, signed=True) + (" %" if de else "%")
    if kind == "pp":
        return decimal(100 * v, 1, lang, signed=True) + (" Pp." if de else " pp")
    if kind == "eur":
        return decimal(v, 2, lang) + " €" if de else "€" + decimal(v, 2, lang)
    if kind == "minutes":
        return decimal(v, 0, lang) + (" Min." if de else " min")
    if kind == "sig":
        return _significant(v * num.scale, lang)
    if kind == "p":
        return ("< " + decimal(0.001, 3, lang)) if v < 0.001 else decimal(v, 3, lang)
    if kind == "date":
        return format_date(v, lang)
    if kind == "datetime":
        local = v.astimezone(ZoneInfo(timezone))
        return f"{format_date(local.date(), lang)}, {local:%H:%M} {local.tzname()}"
    if kind == "bool":
        return text(lang, "yes" if v else "no")
    raise ValueError(f"unknown number kind {kind!r}")


def format_date(day: date, lang: str) -> str:
    if lang == "de":
        return f"{day:%d.%m.%Y}"
    return f"{day.day} {month_name(day.month, lang)[:3]} {day.year}"
