"""Facebook Pages (Graph API): version, fields, metric sets and error codes.

Metric lists are defaults; the config may override them (``networks.facebook.page_metrics`` /
``post_metrics``). Meta retires metrics across all API versions with little notice, so a refused
metric is dropped for the run and recorded, never fatal (see extract.py).
"""

from __future__ import annotations

API_VERSION = "v25.0"

PAGE_FIELDS = "id,name,username,link,category,fan_count,followers_count"
POST_FIELDS = (
    "id,created_time,updated_time,message,permalink_url,status_type,is_published,shares,"
    "reactions.summary(total_count).limit(0),comments.summary(true).limit(0)"
)
COMMENT_FIELDS = "id,message,created_time,from,like_count,comment_count,parent"

PAGE_METRICS = (
    "page_media_view",
    "page_total_media_view_unique",
    "page_post_engagements",
    "page_total_actions",
    "page_views_total",
    "page_follows",
    "page_daily_follows_unique",
)
POST_METRICS = (
    "post_media_view",
    "post_total_media_view_unique",
    "post_clicks",
    "post_reactions_like_total",
)

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

TOKEN_CODES = frozenset({190, 102})
THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, 80001})
TRANSIENT_CODES = frozenset({1, 2})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
