"""The XING CSV import through the real runner: a good file lands and loads, an unchanged file
lands nothing, a corrected one lands again, and every kind of bad file is refused whole, with
every problem named by line and nothing landed."""

from __future__ import annotations

import codecs
import gzip
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from extractors.core.errors import ExtractError
from extractors.core.job import ExtractJob
from extractors.core.manual import ManualInputError
from extractors.core.runner import run_job
from extractors.networks.xing import spec
from loader.load import load, read_state

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "config" / "demo_inputs" / "xing"
BUSINESSES = ("baeckerei-sonnenschein", "schreinerei-holzwerk", "friseur-schnittpunkt")
LOGICAL = date(2026, 11, 27)  # the run covers days up to 2026-11-26
HEADER = ",".join(spec.COLUMNS)
GOOD = (
    f"{HEADER}\n"
    "2026-09-01,month,118,640,21,14,2,1\n"
    "2026-10-01,month,121,,19,11,1,\n"
    "2026-11-02,day,122,35,1,1,0,0\n"
)


def write_csv(tmp_path: Path, text: str | bytes, name: str = "xing.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def make_job(tmp_path: Path, csv: Path, state=None, **options) -> ExtractJob:
    return ExtractJob(
        network="xing",
        business="baeckerei-sonnenschein",
        account_id="baeckerei-sonnenschein",
        token_ref="",  # a manual network has no token: the runner must not look for one
        base_url="",
        timezone="Europe/Berlin",
        logical_date=LOGICAL,
        run_id="test__run",
        landing_dir=str(tmp_path / "landing"),
        state=state or {},
        options={"csv": str(csv), **options},
    )


def landed(summary) -> tuple[dict, dict[str, list]]:
    manifest_path = Path(summary["manifest"])
    manifest = json.loads(manifest_path.read_text())
    landing = manifest_path.parents[4]
    streams = {}
    for f in manifest["files"]:
        lines = gzip.decompress((landing / f["path"]).read_bytes()).splitlines()
        streams[f["stream"]] = [json.loads(line) for line in lines]
    return manifest, streams


def refused(tmp_path: Path, text: str | bytes) -> str:
    """Run the import on a bad file; assert nothing was landed and return the message."""
    csv = write_csv(tmp_path, text)
    with pytest.raises(ManualInputError) as err:
        run_job(make_job(tmp_path, csv))
    landing = tmp_path / "landing"
    assert not landing.exists() or not [p for p in landing.rglob("*") if p.is_file()]
    message = str(err.value)
    assert f"{csv}" in message and "nothing was imported" in message
    return message


# -- good files ----------------------------------------------------------------------------------
def test_good_file_lands_one_record_per_row_and_a_page_snapshot(tmp_path):
    summary = run_job(make_job(tmp_path, write_csv(tmp_path, GOOD)))
    manifest, streams = landed(summary)
    assert summary["calls"] == 0 and summary["rows"] == {"page": 1, "page_insights": 3}
    rows = [r["payload"] for r in streams["page_insights"]]
    assert rows == [
        {"period_start": "2026-09-01", "period": "month", "followers": 118,
         "post_impressions": 640, "clicks": 21, "interactions": 14, "comments": 2,
         "new_contacts": 1, "csv_line": 2},
        # empty cells are unknown: null, never 0
        {"period_start": "2026-10-01", "period": "month", "followers": 121,
         "post_impressions": None, "clicks": 19, "interactions": 11, "comments": 1,
         "new_contacts": None, "csv_line": 3},
        {"period_start": "2026-11-02", "period": "day", "followers": 122,
         "post_impressions": 35, "clicks": 1, "interactions": 1, "comments": 0,
         "new_contacts": 0, "csv_line": 4},
    ]  # fmt: skip
    (page,) = [r["payload"] for r in streams["page"]]
    assert page["followers"] == 122 and page["followers_as_of"] == "2026-11-02"
    assert page["csv_rows"] == 3 and page["last_period_end"] == "2026-11-02"
    meta = streams["page_insights"][0]["_meta"]
    assert meta["endpoint"] == "csv:xing.csv" and meta["object_id"] == "baeckerei-sonnenschein"
    assert manifest["state"]["csv_imported"].endswith(f" sha256:{page['csv_sha256']}")
    assert manifest["state"]["csv_periods_through"] == "2026-11-02"
    assert manifest["events"] == [
        {"kind": "csv_imported", "detail": f"xing.csv: 3 rows, sha256 {page['csv_sha256'][:12]}"}
    ]


@pytest.mark.parametrize("business", BUSINESSES)
def test_demo_csvs_are_valid_and_cover_fourteen_months(tmp_path, business):
    summary = run_job(make_job(tmp_path, DEMO / f"{business}.csv"))
    _, streams = landed(summary)
    months = [r["payload"] for r in streams["page_insights"] if r["payload"]["period"] == "month"]
    assert len(months) == 14
    assert len({r["payload"]["period_start"] for r in streams["page_insights"]}) == len(
        streams["page_insights"]
    )


def test_utf8_bom_crlf_blank_lines_and_column_order_are_accepted(tmp_path):
    text = (
        "period,period_start,new_contacts,comments,interactions,clicks,post_impressions,followers"
        "\r\nmonth,2026-10-01,1,2,3,4,5,6\r\n\r\n,,,,,,,\r\n"
    )
    summary = run_job(make_job(tmp_path, write_csv(tmp_path, codecs.BOM_UTF8 + text.encode())))
    _, streams = landed(summary)
    (row,) = [r["payload"] for r in streams["page_insights"]]
    assert row["followers"] == 6 and row["new_contacts"] == 1 and row["csv_line"] == 2


def test_rerun_with_unchanged_file_lands_nothing_and_a_corrected_file_lands_again(tmp_path):
    csv = write_csv(tmp_path, GOOD)
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    first = run_job(make_job(tmp_path, csv))
    assert load(db, landing).rows == {"xing__page": 1, "xing__page_insights": 3}
    state = read_state(db)[("xing", "baeckerei-sonnenschein")]
    assert state == json.loads(Path(first["manifest"]).read_text())["state"]

    again = run_job(make_job(tmp_path, csv, state=state))
    manifest, streams = landed(again)
    assert again["rows"] == {"page": 0, "page_insights": 0} and not any(streams.values())
    assert manifest["state"] == state and manifest["events"] == []
    second_load = load(db, landing)
    assert second_load.rows == {} and second_load.manifests == 1
    assert load(db, landing).manifests == 0  # the empty run is recorded once, not reloaded

    csv.write_text(GOOD.replace("2026-10-01,month,121,,19", "2026-10-01,month,120,700,19"))
    corrected = run_job(make_job(tmp_path, csv, state=state))
    assert corrected["rows"] == {"page": 1, "page_insights": 3}
    assert load(db, landing).rows == {"xing__page": 1, "xing__page_insights": 3}
    new_state = read_state(db)[("xing", "baeckerei-sonnenschein")]
    assert new_state["csv_imported"] > state["csv_imported"]  # moved forward, new hash
    assert new_state["csv_imported"].split(" sha256:")[1] != state["csv_imported"].split(" ")[1]
    with duckdb.connect(str(db), read_only=True) as con:
        values = con.execute(
            "select payload->>'post_impressions' from raw.xing__page_insights "
            "where payload->>'period_start' = '2026-10-01' order by _fetched_at"
        ).fetchall()
    assert values == [(None,), ("700",)]  # both imports kept in raw; staging picks the latest


def test_no_token_is_resolved_for_a_manual_network(tmp_path, monkeypatch):
    monkeypatch.delenv("MESSBAR_XING_TOKEN", raising=False)
    job = make_job(tmp_path, write_csv(tmp_path, GOOD))
    job = ExtractJob.from_dict({**job.to_dict(), "token_ref": "env:MESSBAR_XING_TOKEN"})
    assert run_job(job)["rows"]["page_insights"] == 3


def test_a_job_without_a_csv_option_says_what_to_add(tmp_path):
    from extractors.core.manual import ManualInputError

    job = make_job(tmp_path, write_csv(tmp_path, GOOD))
    job = ExtractJob.from_dict({**job.to_dict(), "options": {}})
    with pytest.raises(ManualInputError, match=r"add `csv: path/to/xing\.csv`"):
        run_job(job)


# -- refused files -------------------------------------------------------------------------------
def test_every_problem_of_a_file_is_reported_by_line_and_nothing_lands(tmp_path):
    text = (
        f"{HEADER}\n"
        "2026-13-01,month,1,2,3,4,5,6\n"  # 2: not a calendar date
        "01.03.2026,month,1,2,3,4,5,6\n"  # 3: German date
        "2026-03-15,month,1,2,3,4,5,6\n"  # 4: month not on the 1st
        "2026-04-01,Monat,1,2,3,4,5,6\n"  # 5: unknown period
        "2026-05-01,month,-3,1.234,12.5,abc,,\n"  # 6: negative, thousands, decimal, text
        "2026-06-01,month,1,2,3,4,5\n"  # 7: field missing
        "2026-07-01,month,1,2,3,4,5,6\n"
        "2026-07-01,month,1,2,3,4,5,6\n"  # 9: duplicate of line 8
        "2026-07-10,day,1,2,3,4,5,6\n"  # 10: day inside a month given as a month row
        "2026-11-01,month,1,2,3,4,5,6\n"  # 11: month not over yet
        "2026-11-26,day,1,2,3,4,5,6\n"  # fine: the last complete day
        "2026-11-27,day,1,2,3,4,5,6\n"  # 13: the run's own day is not over
        "2031-01-01,month,1,2,3,4,5,6\n"  # 14: future
        ",month,1,2,3,4,5,6\n"  # 15: period_start missing
    )
    message = refused(tmp_path, text)
    expected = [
        "line 2: period_start '2026-13-01' is not a calendar date",
        "line 3: period_start '01.03.2026': write dates as YYYY-MM-DD (2026-03-01)",
        "line 4: a month period must start on the 1st: use 2026-03-01",
        "line 5: period is 'Monat': write 'day' or 'month'",
        "line 6: followers '-3' is negative",
        "line 6: post_impressions '1.234': write whole numbers without thousands separators (1234)",
        "line 6: clicks '12.5' is not a whole number",
        "line 6: interactions 'abc' is not a whole number",
        "line 7: 7 fields but the header has 8",
        "line 9: month 2026-07-01 is already on line 8",
        "line 10: day rows for 2026-07 overlap the month row on line 8",
        "line 11: month 2026-11-01 ends on 2026-11-30, after the last complete day of this run "
        "(2026-11-26)",
        "line 13: day 2026-11-27 ends on 2026-11-27",
        "line 14: month 2031-01-01 ends on 2031-01-31",
        "line 15: period_start is empty",
    ]
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from:\n{message}"
    assert "has 15 problems" in message
    assert "line 12" not in message
    lines = [int(m.split(":")[0].split()[1]) for m in message.splitlines()[1:]]
    assert lines == sorted(lines)


def test_semicolon_excel_export_is_detected_and_its_rows_still_checked(tmp_path):
    text = (
        "period_start;period;followers;post_impressions;clicks;interactions;comments;new_contacts"
        "\r\n01.10.2026;month;118;640;21;14;2;1\r\n"
    )
    message = refused(tmp_path, text)
    assert "line 1: the columns are separated by semicolons, not commas" in message
    assert "line 2: period_start '01.10.2026': write dates as YYYY-MM-DD (2026-10-01)" in message


def test_latin1_file_is_detected_with_the_line_of_the_first_bad_byte(tmp_path):
    text = f"{HEADER}\n2026-09-01,month,1,2,3,4,5,6\n2026-10-01,month,1,2,3,4,5,k.A. für\n"
    message = refused(tmp_path, text.encode("cp1252"))
    assert "line 3: the file is not UTF-8 (byte 0xFC, 'ü' in Windows-1252)" in message
    assert "CSV UTF-8" in message
    assert "line 3: new_contacts 'k.A. für' is not a whole number" in message


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "line 1: this is an Excel workbook (.xlsx), not a CSV"),
        (f"{HEADER}\n".encode("utf-16"), "line 1: the file is UTF-16"),
        (b"", "line 1: the file is empty"),
        (b"2026-10-01,month,1,2,3,4,5,6\n", "line 1: the header row is missing"),
    ],
    ids=["xlsx", "utf16", "empty", "no-header"],
)
def test_files_that_are_not_a_csv_with_header_are_refused(tmp_path, data, fragment):
    assert fragment in refused(tmp_path, data)


def test_unknown_duplicate_and_missing_columns_are_named(tmp_path):
    text = (
        "period_start,period,Followers,post_impressions,clicks,clicks,likes,\n"
        "2026-10-01,month,1,2,3,4,5,6\n"
    )
    message = refused(tmp_path, text)
    assert "line 1: unknown column 'Followers': did you mean 'followers'?" in message
    assert "line 1: column 'clicks' appears twice" in message
    assert "line 1: unknown column 'likes'" in message
    assert "line 1: column 8 has no name" in message
    assert "line 1: missing column(s) followers, interactions, comments, new_contacts" in message


def test_a_missing_file_says_where_it_was_looked_for(tmp_path):
    job = make_job(tmp_path, tmp_path / "absent.csv")
    with pytest.raises(ExtractError, match=r"absent\.csv does not exist.*template\.csv"):
        run_job(job)
    assert not (tmp_path / "landing").exists()


def test_an_account_without_a_csv_or_with_an_unsafe_id_is_refused(tmp_path):
    job = ExtractJob.from_dict({**make_job(tmp_path, tmp_path / "x.csv").to_dict(), "options": {}})
    with pytest.raises(ExtractError, match="no CSV file configured"):
        run_job(job)
    job = ExtractJob.from_dict({**job.to_dict(), "account_id": "../etc"})
    with pytest.raises(ExtractError, match="company page id or slug"):
        run_job(job)


def test_the_template_is_the_header_and_the_seed_maps_every_column():
    assert (REPO / "extractors/networks/xing/template.csv").read_text() == HEADER + "\n"
    seed = (REPO / "dbt_project/seeds/metric_registry__xing.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in seed[1:]] == list(spec.METRIC_COLUMNS)


def test_a_far_future_state_does_not_crash_and_a_changed_file_still_lands(tmp_path):
    state = {
        "csv_imported": "2099-01-01T00:00:00.000000+00:00 sha256:" + "0" * 64,
        "csv_periods_through": "2099-12-31",
    }
    summary = run_job(make_job(tmp_path, write_csv(tmp_path, GOOD), state=state))
    manifest, _ = landed(summary)
    assert summary["rows"] == {"page": 1, "page_insights": 3}
    assert manifest["state"]["csv_periods_through"] == "2099-12-31"  # never moves backwards
