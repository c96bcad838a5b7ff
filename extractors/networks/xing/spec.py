"""XING company pages: the CSV contract.

XING closed its public API in 2019 and never exposed company-page statistics, so the owner
copies the numbers from the XING admin screens into a CSV (``template.csv``); the extractor
validates it and lands one record per row. Which column feeds which conformed measure is the
metric registry's business (dbt_project/seeds/metric_registry__xing.csv).
"""

from __future__ import annotations

from pathlib import Path

TEMPLATE = Path(__file__).with_name("template.csv")

# The header of the CSV, in template order. Every column must be present; a cell may be empty
# (unknown -> NULL, never 0).
KEY_COLUMNS = ("period_start", "period")
METRIC_COLUMNS = (
    "followers",  # followers of the company page at the END of the period (a count, not a change)
    "post_impressions",  # how often the page's posts were shown during the period
    "clicks",  # clicks on the page's posts and links during the period
    "interactions",  # likes, comments and shares of the page's posts during the period
    "comments",  # comments on the page's posts during the period
    "new_contacts",  # contact requests / leads that came through the page during the period
)
COLUMNS = KEY_COLUMNS + METRIC_COLUMNS
PERIODS = ("day", "month")

# Landing: one `page` record per imported file (latest followers and the file's fingerprint)
# and one `page_insights` record per CSV row.
STREAMS = ("page", "page_insights")

MAX_VALUE = 10**12  # larger is a typo (a pasted date or phone number), not a company page figure
MAX_REPORTED_PROBLEMS = 50
