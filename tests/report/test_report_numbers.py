"""Issue 6 item 1: the owner report. Every number it shows equals the published marts, a
missing or empty mart reads "not available yet", hostile comment and post texts stay text,
German by default and English on request (argument or config)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from report_markers import check_markers, parse
from report_world import write_config

from messbar import pipeline
from messbar.config import load_config
from report import ReportError, latest_path, write_reports
from report.i18n import month_name

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("report")]

CHARTS = {"awareness", "acquisition", "relationship", "networks", "costs", "sentiment"}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&'


@pytest.fixture(scope="module")
def german(german_reports) -> list[Path]:
    return german_reports


def bakery(cfg):
    """The config with its first business only (the bakery): one report is enough here."""
    return dataclasses.replace(cfg, businesses=cfg.businesses[:1])


def publication_day(cfg) -> dt.date:
    """The day of the publication in Berlin (marts._publication: the wall clock of publish)."""
    with duckdb.connect(str(cfg.published_path), read_only=True) as con:
        (at,) = con.execute("select max(published_at) from marts._publication").fetchone()
    return at.astimezone(ZoneInfo("Europe/Berlin")).date()


def last_day_of_month(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_one_report_per_business_latest_and_dated(published_config, german):
    slugs = [b.slug for b in published_config.businesses]
    assert german == [latest_path(published_config.published_path, s) for s in slugs]
    for path in german:
        dated = sorted(p.name for p in path.parent.glob("????-??-??.html"))
        assert dated == [f"{publication_day(published_config)}.html"]  # the day in Berlin
        assert read(path.parent / dated[0]) == read(path)


def test_every_number_equals_the_marts(published_config, german):
    con = duckdb.connect(str(published_config.published_path), read_only=True)
    try:
        for path in german:
            found = parse(read(path))
            assert found.lang == "de"
            assert len(found.markers) > 300, path
            families = {m["attrs"]["data-metric"].split(".")[0] for m in found.markers}
            assert {
                "kpi_monthly",
                "rel_change:kpi_monthly",
                "fct_posts",
                "fct_comments",
            } <= families
            assert check_markers(con, found.markers, "de") == [], path
            assert set(found.charts) == CHARTS, path
    finally:
        con.close()


def test_the_answer_comes_first_and_every_section_is_there(german):
    html = read(german[0])  # the bakery: planted effect, costs, outcomes
    order = [
        "summary",
        "goals",
        "networks",
        "posts",
        "costs",
        "comments",
        "alerts",
        "linkage",
        "freshness",
    ]
    positions = [html.index(f'<section id="{s}"') for s in order]
    assert positions == sorted(positions)
    assert "Oktober 2026: was ist passiert, und lohnt es sich?" in html
    assert "Ja, es gibt einen messbaren Zusammenhang" in html
    assert 'data-verdict="effect detected"' in html
    assert "kein Beweis" in html  # the uncertainty is said in words
    # self-contained: nothing is fetched from anywhere
    for outside in ("<script", "http://cdn", '<link rel="stylesheet', "@import", "url(http"):
        assert outside not in html
    assert html.count('role="img"') == len(CHARTS)


def test_no_outcomes_says_what_to_do(german):
    html = read(german[2])  # the hair salon has no outcomes CSV
    assert 'data-na="marts.outcome_linkage"' in html
    assert "Ergebnis-CSV" in html


def test_english_by_argument_and_by_config(published_config, tmp_path):
    english = write_reports(bakery(published_config), language="en")
    con = duckdb.connect(str(published_config.published_path), read_only=True)
    try:
        found = parse(read(english[0]))
        assert found.lang == "en"
        assert check_markers(con, found.markers, "en") == []
    finally:
        con.close()
    assert "The three goals" in read(english[0])
    # the config's language key (top level), read by the nightly step
    cfg_path = write_config(tmp_path, "http://127.0.0.1:9", extra="language: en\n")
    cfg = bakery(load_config(cfg_path))
    copy = tmp_path / "published" / "messbar.duckdb"
    copy.parent.mkdir(parents=True)
    shutil.copy(published_config.published_path, copy)
    out = pipeline.report(cfg, copy)["reports"]
    assert [Path(p).parent.name for p in out] == [b.slug for b in cfg.businesses]
    assert parse(read(Path(out[0]))).lang == "en"


def test_checker_catches_a_wrong_number_and_a_missing_chart(published_config, german):
    html = read(german[0])
    found = parse(html)
    target = next(m for m in found.markers if m["attrs"]["data-metric"] == "kpi_monthly.views")
    raw = target["attrs"]["data-value"]
    tampered = parse(html.replace(f'data-value="{raw}"', f'data-value="{int(raw) + 1}"', 1))
    con = duckdb.connect(str(published_config.published_path), read_only=True)
    try:
        assert check_markers(con, tampered.markers, "de") != []
    finally:
        con.close()
    assert set(parse(html.replace('data-chart="costs"', "", 1)).charts) != CHARTS


def _mutated(published_config, tmp_path: Path, sql: list[str]) -> Path:
    copy = tmp_path / "published" / "messbar.duckdb"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(published_config.published_path, copy)
    con = duckdb.connect(str(copy))
    try:
        for statement in sql:
            con.execute(statement)
    finally:
        con.close()
    return copy


def test_missing_or_empty_marts_read_not_available(published_config, tmp_path):
    copy = _mutated(
        published_config,
        tmp_path,
        [
            "drop table marts.outcome_linkage",
            "drop table marts.fct_comments",
            "drop table marts.reputation_alerts",
            "delete from marts.fct_posts",
        ],
    )
    paths = write_reports(bakery(published_config), copy)
    assert all(p.is_relative_to(copy.parent) for p in paths)
    html = read(paths[0])
    found = parse(html)
    assert set(found.not_available) == {
        "marts.outcome_linkage",
        "marts.fct_comments",
        "marts.reputation_alerts",
        "marts.fct_posts",
    }
    assert html.count("Noch nicht verfügbar") == 4
    assert "sentiment" not in found.charts and "awareness" in found.charts
    con = duckdb.connect(str(copy), read_only=True)
    try:
        assert check_markers(con, found.markers, "de") == []
    finally:
        con.close()
    english = read(write_reports(bakery(published_config), copy, language="en")[0])
    assert english.count("Not available yet") == 4


def test_a_published_file_without_any_kpi_still_gives_a_report(published_config, tmp_path):
    copy = _mutated(
        published_config, tmp_path, ["drop table marts.kpi_monthly", "drop table marts.kpi_weekly"]
    )
    html = read(write_reports(bakery(published_config), copy)[0])
    assert 'data-na="marts.kpi_monthly"' in html
    assert parse(html).charts == ["sentiment"]


def test_hostile_texts_are_escaped_and_links_limited_to_the_web(published_config, tmp_path):
    copy = _mutated(
        published_config,
        tmp_path,
        [
            f"update marts.fct_comments set message = '{HOSTILE.replace(chr(39), chr(39) * 2)}' "
            "where is_unanswered_question",
            f"update marts.fct_posts set message = '{HOSTILE.replace(chr(39), chr(39) * 2)}', "
            "permalink_url = 'javascript:alert(2)'",
        ],
    )
    html = read(write_reports(bakery(published_config), copy)[0])
    assert "<script>" not in html and "<img" not in html
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    )
    assert "javascript:" not in html


def test_no_published_file_is_a_clear_error(published_config, tmp_path):
    with pytest.raises(ReportError, match="messbar run"):
        write_reports(published_config, tmp_path / "nothing.duckdb")


def test_a_business_without_data_yet_gets_a_report_of_not_available(published_config):
    newcomer = dataclasses.replace(
        published_config.businesses[0], slug="neu-eroeffnet", name="Neu <eröffnet> & Co"
    )
    cfg = dataclasses.replace(published_config, businesses=(newcomer,))
    path = write_reports(cfg)[0]
    try:
        html = read(path)
        found = parse(html)
        assert "marts.kpi_monthly" in found.not_available and found.charts == []
        assert "Neu &lt;eröffnet&gt; &amp; Co" in html
        # the report month follows from the publication day: the month before it (or its own
        # month when published on the last day)
        day = publication_day(published_config)
        month = day.month - 1 or 12 if day != last_day_of_month(day) else day.month
        year = day.year - (month == 12 and day.month == 1)
        assert f"{month_name(month, 'de')} {year}: was ist passiert" in html
    finally:
        shutil.rmtree(path.parent)  # the session's published dir is shared with other tests
