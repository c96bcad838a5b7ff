"""Issue 6 item 2: each owner report in a real headless Chromium (Debian's chromium and
chromium-driver) over file://: no console error, every chart drawn with a size, every number
read from the DOM equal to the published marts, a screenshot; hostile texts run no script."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import duckdb
import pytest
from report_markers import check_markers

from report import write_reports

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("report")]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CHARTS = {"awareness", "acquisition", "relationship", "networks", "costs", "sentiment"}
HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'

# every marker with its text, read from the rendered DOM (not from the file)
MARKERS_JS = """
return Array.from(document.querySelectorAll('[data-metric]')).map(el => {
  const attrs = {};
  for (const a of el.attributes) attrs[a.name] = a.value;
  return {attrs: attrs, text: el.textContent};
});
"""
CHARTS_JS = """
return Array.from(document.querySelectorAll('figure.chart')).map(fig => {
  const svg = fig.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  return {id: fig.dataset.chart, width: box.width, height: box.height,
          shapes: svg ? svg.querySelectorAll('path, rect, use').length : 0,
          title: svg && svg.querySelector('title') ? svg.querySelector('title').textContent : '',
          role: svg ? svg.getAttribute('role') : null};
});
"""


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip(
            "headless Chromium needs Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver; `make test` tries this)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",  # the test may run as root in a container
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1200,1600",
        "--allow-file-access-from-files",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def reports(german_reports) -> list[Path]:
    return german_reports


def open_report(driver, path: Path) -> list[dict]:
    driver.get(path.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    return driver.get_log("browser")


def test_each_report_renders_with_charts_and_the_marts_numbers(
    browser, reports, published_config, tmp_path
):
    con = duckdb.connect(str(published_config.published_path), read_only=True)
    try:
        for path in reports:
            logs = open_report(browser, path)
            severe = [entry for entry in logs if entry["level"] == "SEVERE"]
            assert severe == [], f"{path}: console errors {severe}"
            charts = browser.execute_script(CHARTS_JS)
            assert {c["id"] for c in charts} == CHARTS, f"{path}: charts {charts}"
            for chart in charts:
                assert chart["width"] > 100 and chart["height"] > 50, chart
                assert chart["shapes"] > 10, chart  # axes, marks and glyphs were drawn
                assert chart["role"] == "img" and chart["title"], chart
            markers = browser.execute_script(MARKERS_JS)
            assert len(markers) > 300
            assert check_markers(con, markers, "de") == [], path
            shot = tmp_path / f"{path.parent.name}.png"
            assert browser.save_screenshot(str(shot))
            data = shot.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    finally:
        con.close()


def test_printable_layout(browser, reports):
    open_report(browser, reports[0])
    # the print stylesheet hides the hint and keeps sections whole on a page
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        hint = browser.find_element("css selector", ".print-hint")
        assert not hint.is_displayed()
        pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
        assert len(pdf["data"]) > 10_000  # base64 of a multi-page PDF
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_hostile_texts_do_not_run_in_the_browser(browser, published_config, tmp_path):
    copy = tmp_path / "published" / "messbar.duckdb"
    copy.parent.mkdir(parents=True)
    shutil.copy(published_config.published_path, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute(
            "update marts.fct_comments set message = ? where is_unanswered_question", [HOSTILE]
        )
        con.execute("update marts.fct_posts set message = ?", [HOSTILE])
    finally:
        con.close()
    cfg = dataclasses.replace(published_config, businesses=published_config.businesses[:1])
    path = write_reports(cfg, copy)[0]
    logs = open_report(browser, path)
    assert [e for e in logs if e["level"] == "SEVERE"] == []
    assert browser.execute_script("return window.__pwned === undefined")
    assert HOSTILE in browser.find_element("css selector", "#comments").text
