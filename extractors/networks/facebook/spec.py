"""Facebook Pages (Graph API): version, fields, metric sets and error codes.

Metric lists come from the metric registry seed; the config may override them
(``networks.facebook.page_metrics`` / ``post_metrics``). Meta retires metrics across all API
versions with little notice, so a refused metric is dropped for the run and recorded, never
fatal (see extract.py).
"""

from __future__ import annotations

API_VERSION = "v25.0"

PAGE_FIELDS = "id,name,username,link,category,fan_count,followers_count"
POST_FIELDS = (
    "id,created_time,updated_time,message,permalink_url,status_type,is_published,shares,"
    "reactions.summary(total_count).limit(0),comments.summary(true).limit(0)"
)
COMMENT_FIELDS = "id,message,created_time,from,like_count,comment_count,parent"

# Which metrics are requested comes from the metric registry
# (dbt_project/seeds/metric_registry__facebook.csv), active on the run's date.

# Nightly plan defaults (days); all overridable in the config under networks.facebook.
DEFAULTS = {
    "history_days": 365,  # first run: how far back (Page insights keep 2 years)
    "lookback_days": 7,  # re-pull daily insights this far back: Meta restates recent days
    "post_overlap_days": 1,  # re-list posts this far before the high-water mark
    "post_refresh_days": 28,  # re-pull lifetime metrics of posts younger than this
    "comment_days": 14,  # re-read comments of posts younger than this
    "page_size": 100,
    "batch_size": 50,  # Graph batch limit
}

MAX_INSIGHTS_DAYS = 90  # since/until span per insights call
