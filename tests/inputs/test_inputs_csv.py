"""The owner's costs and outcomes CSVs: templates pass, every kind of mistake is reported with
its line and the fix, all at once, and a bad file yields no rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.core.owner_csv import CsvProblems
from loader.inputs import csv_files, spec

BUSINESSES = {"meine-baeckerei", "holzwerk"}


def costs(text: str | bytes, business: str = "meine-baeckerei"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return csv_files.parse_costs(data, business=business, businesses=BUSINESSES)


def outcomes(text: str | bytes, business: str = "meine-baeckerei"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return csv_files.parse_outcomes(data, business=business, businesses=BUSINESSES)


def refused(parse, text: str | bytes) -> str:
    with pytest.raises(CsvProblems) as info:
        parse(text)
    return str(info.value)


COSTS_HEADER = ",".join(spec.COSTS_COLUMNS)
OUTCOMES_HEADER = ",".join(spec.OUTCOMES_COLUMNS)


def test_the_templates_are_valid_and_empty_cells_stay_unknown() -> None:
    rows = costs(spec.template("costs").read_bytes())
    assert [(r.month.isoformat(), r.platform) for r in rows] == [
        ("2026-10-01", "all"),
        ("2026-10-01", "facebook"),
        ("2026-10-01", "instagram"),
    ]
    assert rows[0].amounts == {
        "hours_spent": None,
        "hourly_rate_eur": None,
        "ad_spend_eur": None,
        "agency_tool_cost_eur": Decimal("29.90"),
    }
    assert rows[1].amounts["ad_spend_eur"] == Decimal("0")  # a written 0 stays 0
    found = outcomes(spec.template("outcomes").read_bytes())
    assert {(r.metric, r.period, r.value) for r in found} == {
        ("custom_table_reservations", "day", Decimal("3")),
        ("enquiries", "week", Decimal("14")),
        ("revenue_eur", "week", Decimal("5830.50")),
        ("website_sessions", "week", Decimal("412")),
    }


def test_every_costs_problem_is_reported_with_its_line() -> None:
    message = refused(
        costs,
        f"{COSTS_HEADER}\n"
        "2026-3,meine-baeckerei,facebook,1,2,3,4\n"  # 2: one-digit month
        "2026-03-01,meine-baeckerei,facebook,1,2,3,4\n"  # 3: a date, not a month
        "03.2026,meine-baeckerei,Facebook,1,2,3,4\n"  # 4: German month, upper case
        "2026-04,holzwerk,tiktok,1,2,3,4\n"  # 5: other business's row, unknown platform
        "2026-05,baeckerei,x,-2,abc,12.345,1 €\n"  # 6: unknown business, bad numbers
        "2026-06,meine-baeckerei,x,1,2,3\n"  # 7: field missing
        "2026-07,meine-baeckerei,all,,,,9.90\n"
        "2026-07,meine-baeckerei,all,,,,9.90\n",  # 9: duplicate
    )
    for fragment in (
        "line 2: month '2026-3': write two digits for the month (2026-03)",
        "line 3: month '2026-03-01': write the month as YYYY-MM (2026-03)",
        "line 4: month '03.2026': write the month as YYYY-MM (2026-03)",
        "line 4: platform 'Facebook': write it in lower case ('facebook')",
        "line 5: business 'holzwerk' in the file of 'meine-baeckerei'",
        "line 5: platform is 'tiktok': write one of 'facebook', 'instagram', 'linkedin', 'x', "
        "'xing', 'all'",
        "line 6: business 'baeckerei' is not a business slug in the config: did you mean "
        "'meine-baeckerei'?",
        "line 6: hours_spent '-2' is negative",
        "line 6: hourly_rate_eur 'abc' is not a number",
        "line 6: ad_spend_eur '12.345' has more than 2 decimals",
        "line 6: agency_tool_cost_eur '1 €': write the number only (1)",
        "line 7: 6 fields but the header has 7",
        "line 9: all 2026-07 is already on line 8",
    ):
        assert fragment in message, f"{fragment!r} missing from:\n{message}"


def test_every_outcomes_problem_is_reported_with_its_line() -> None:
    message = refused(
        outcomes,
        f"{OUTCOMES_HEADER}\n"
        "2026-10-07,week,meine-baeckerei,enquiries,3\n"  # 2: a Wednesday
        "07.10.2026,day,meine-baeckerei,enquiries,3\n"  # 3: German date
        "2026-02-30,day,meine-baeckerei,enquiries,3\n"  # 4: no such day
        "2026-10-05,month,meine-baeckerei,enquiry,2.5\n"  # 5: period, metric
        "2026-10-05,week,meine-baeckerei,orders,2.5\n"  # 6: a count with decimals
        "2026-10-05,week,meine-baeckerei,Custom Thing,1\n"  # 7: bad custom name
        "2026-10-05,week,meine-baeckerei,revenue_eur,1.234,50\n"  # 8: decimal comma splits
        "2026-10-12,week,meine-baeckerei,enquiries,4\n"
        "2026-10-12,week,meine-baeckerei,enquiries,5\n"  # 10: duplicate
        "2026-10-14,day,meine-baeckerei,enquiries,1\n",  # 11: inside the week of line 9
    )
    for fragment in (
        "line 2: period_start 2026-10-07 is a Wednesday: a week period starts on its Monday "
        "(2026-10-05)",
        "line 3: period_start '07.10.2026': write dates as YYYY-MM-DD (2026-10-07)",
        "line 4: period_start '2026-02-30' is not a calendar date",
        "line 5: period is 'month': write one of 'day', 'week'",
        "line 5: metric is 'enquiry': did you mean 'enquiries'?",
        "line 6: orders '2.5' is not a whole number",
        "line 7: metric is 'Custom Thing'",
        "line 8: 6 fields but the header has 5: a stray comma or a decimal comma?",
        "line 10: enquiries for week 2026-10-12 is already on line 9",
        "line 11: enquiries day rows in the week of 2026-10-12 overlap the week row on line 9",
    ):
        assert fragment in message, f"{fragment!r} missing from:\n{message}"


def test_a_german_excel_export_is_refused_with_both_fixes() -> None:
    text = (
        "period_start;period;business;metric;value\r\n"
        "2026-10-05;week;meine-baeckerei;revenue_eur;1.234,50\r\n"
        "2026-10-05;week;meine-baeckerei;custom_größe;1\r\n"
    )
    message = refused(outcomes, text.encode("cp1252"))
    assert "line 1: the columns are separated by semicolons, not commas" in message
    assert "line 3: the file is not UTF-8 (byte 0xF6, 'ö' in Windows-1252)" in message
    assert "line 2: revenue_eur '1.234,50': write decimals with a point and no thousands " in (
        message
    )


def test_unknown_and_missing_columns_and_broken_files() -> None:
    message = refused(costs, "month,business,platform,hours,ad_spend_eur\n2026-01,x,all,1,2\n")
    assert "line 1: unknown column 'hours': did you mean 'hours_spent'?" in message
    assert "line 1: missing column(s) hours_spent, hourly_rate_eur, agency_tool_cost_eur" in (
        message
    )
    assert "line 1: the file is empty" in refused(costs, b"")
    assert "Excel workbook" in refused(outcomes, b"PK\x03\x04rest")
    assert "header row is missing" in refused(outcomes, "2026-10-05,week,a,enquiries,1\n")


def test_a_day_row_and_an_empty_value_load_as_unknown() -> None:
    (row,) = outcomes(f"{OUTCOMES_HEADER}\n2026-10-07,day,meine-baeckerei,enquiries,\n")
    assert row.period == "day" and row.value is None
