"""The two owner CSV contracts: costs per month and network, outcomes per day or ISO week."""

from __future__ import annotations

import re
from pathlib import Path

from extractors.registry import NETWORKS

TEMPLATES = Path(__file__).with_name("templates")
KINDS = ("costs", "outcomes")

# -- costs.csv: what social media cost the business, per month and network -----------------------
COSTS_COLUMNS = (
    "month",  # YYYY-MM
    "business",  # the business slug from the config
    "platform",  # a network slug, or "all" for costs that cannot be split by network
    "hours_spent",  # hours the owner and staff spent on it that month
    "hourly_rate_eur",  # what an hour of that time is worth (EUR)
    "ad_spend_eur",  # paid ads / boosted posts (EUR)
    "agency_tool_cost_eur",  # agency fees and tools (scheduling, design) (EUR)
)
COST_AMOUNTS = COSTS_COLUMNS[3:]
PLATFORMS = (*NETWORKS, "all")

# -- outcomes.csv: business figures per day or ISO week -----------------------------------------
OUTCOMES_COLUMNS = ("period_start", "period", "business", "metric", "value")
PERIODS = ("day", "week")
COUNT_METRICS = ("website_sessions", "enquiries", "new_customers", "orders")
AMOUNT_METRICS = ("revenue_eur",)
METRICS = COUNT_METRICS + AMOUNT_METRICS
# The owner's own figures: custom_ + lower-case letters, digits and underscores, e.g.
# custom_table_reservations. Like the built-in metrics they must add up over days (a count or
# an amount, not an average or a rate): weeks are the sum of their days.
CUSTOM_METRIC = re.compile(r"^custom_[a-z0-9][a-z0-9_]{0,39}$")

MAX_VALUE = 10**9  # larger is a typo (a pasted phone number or date), not a small-business figure
MAX_REPORTED_PROBLEMS = 50


def template(kind: str) -> Path:
    return TEMPLATES / f"{kind}.csv"
