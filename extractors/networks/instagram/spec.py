"""Instagram professional accounts (Instagram API with Facebook Login on graph.facebook.com):
version, fields, metric kinds, windows and nightly plan defaults.

Which metrics are requested comes from the metric registry seed
(``dbt_project/seeds/metric_registry__instagram.csv``); the config may override the lists
(``networks.instagram.account_metrics`` / ``media_metrics``). Meta retires Instagram metrics
across all API versions (``impressions``, ``plays``, ``video_views`` ... on 21 Apr 2025), so a
refused metric is dropped for the run and recorded, never fatal (see extract.py).
"""

from __future__ import annotations

API_VERSION = "v25.0"

ACCOUNT_FIELDS = "id,username,name,followers_count,follows_count,media_count"
MEDIA_FIELDS = (
    "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count"
)
# No commenter usernames are requested (data minimisation); ``from{id}`` tells the owner's own
# replies apart (their id is the IG user id).
_COMMENT_CORE = "id,text,timestamp,like_count,from{id}"
COMMENT_FIELDS = f"{_COMMENT_CORE},replies.limit(100){{{_COMMENT_CORE}}}"

# Registry rows that are fields of the account snapshot, not insights metrics.
SNAPSHOT_METRICS = frozenset({"followers_count"})

# Account metrics that are read as daily ``time_series`` (values carry ``end_time``); every
# other account metric is ``total_value`` only and is read one Meta day per call.
TIME_SERIES_METRICS = frozenset({"reach", "follower_count"})
# Metrics that only reach back a short window (days before the run's end).
SHORT_WINDOW_DAYS = {"follower_count": 28}  # the API serves the last 30 days; keep a margin

# Media insights: which metrics exist for which media_product_type (Meta's 2025 set). Asking a
# Reel for a feed-only metric (or vice versa) fails the call, so media are grouped by type.
MEDIA_PRODUCT_METRICS: dict[str, frozenset[str]] = {
    "FEED": frozenset(
        {
            "views",
            "reach",
            "likes",
            "comments",
            "saved",
            "shares",
            "total_interactions",
            "follows",
            "profile_visits",
            "profile_activity",
            "reposts",
        }
    ),
    "REELS": frozenset(
        {
            "views",
            "reach",
            "likes",
            "comments",
            "saved",
            "shares",
            "total_interactions",
            "ig_reels_avg_watch_time",
            "ig_reels_video_view_total_time",
            "reels_skip_rate",
            "crossposted_views",
            "facebook_views",
            "reposts",
        }
    ),
    # Stories live 24 h and are not listed by /media; their metrics differ (no saved).
    "STORY": frozenset({"views", "reach", "shares", "replies", "follows", "profile_visits"}),
}

KNOWN_MEDIA_METRICS = frozenset().union(*MEDIA_PRODUCT_METRICS.values())

# Nightly plan defaults (days); all overridable in the config under networks.instagram.
DEFAULTS = {
    "history_days": 90,  # first run: account insights are kept 90 days (media: 2 years)
    "media_history_days": 730,  # first run: how far back the media list is read
    "lookback_days": 3,  # re-pull daily account insights: values lag and settle within 48 h
    "media_overlap_days": 1,  # re-list media this far before the high-water mark
    "media_refresh_days": 30,  # re-pull lifetime insights of media younger than this
    "comment_days": 14,  # re-read comments of media younger than this
    "page_size": 100,
    "batch_size": 50,  # Graph batch limit
}

ACCOUNT_RETENTION_DAYS = 90  # account-level insights older than this are gone
MAX_INSIGHTS_DAYS = 30  # since/until span per account insights call
