"""X API v2: version, fields, nightly-plan defaults, limits and prices.

Which metric groups are requested (``public_metrics``, ``non_public_metrics``,
``organic_metrics``) follows from the metric registry
(dbt_project/seeds/metric_registry__x.csv, platform metrics named ``<group>.<key>``); the
private groups only with ``metrics_access: owned`` and only for posts younger than 30 days.
"""

from __future__ import annotations

API_VERSION = "2"

USER_FIELDS = "created_at,description,location,url,verified,protected"
POST_FIELDS = "created_at,author_id,conversation_id,referenced_tweets,lang,edit_history_tweet_ids"
REPLY_FIELDS = (
    "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics"
)
PRIVATE_GROUPS = frozenset({"non_public_metrics", "organic_metrics"})
METRICS_ACCESS = ("public", "owned")
EXCLUDABLE = frozenset({"retweets", "replies"})

# API windows (docs.x.com/x-api/fundamentals/metrics, .../posts/search/introduction)
PRIVATE_METRICS_DAYS = 30  # non_public/organic metrics only for posts created in the last 30 days
PRIVATE_MARGIN_HOURS = 24  # ask for them only up to 29 days back (clock skew, slow runs)
SEARCH_DAYS = 7  # recent search covers the last 7 days
SEARCH_END_LAG_SECONDS = 30  # recent search wants end_time >= 10 s before the request
SINCE_ID_MARGIN_HOURS = 1  # a since_id older than the search window is refused
MAX_PAGE_SIZE = 100

# Nightly plan defaults; all overridable in the config under networks.x.
DEFAULTS = {
    "api_version": API_VERSION,
    "history_days": 365,  # first run: how far back (the timeline serves the latest 3,200 posts)
    "post_refresh_days": 7,  # re-read posts younger than this (their metrics still move)
    "reply_days": 7,  # search replies of posts younger than this (at most the 7-day window)
    "page_size": 100,  # max_results, 5..100
    "exclude": "retweets,replies",  # timeline: only the business's own posts and quotes
    "metrics_access": "public",  # "owned": user-context token of the account, private metrics
    "prices": {},  # override of PRICES_USD, e.g. {"post_read": 0.005}
}

# Pay-per-use unit prices in USD per resource read, from docs.x.com/x-api/getting-started/pricing
# as of PRICES_AS_OF (xdevplatform/docs snapshot). "Owned Reads" (since 2026-04-21) apply when
# the id in /2/users/{id}/tweets is the authenticated user who owns the developer app.
PRICES_AS_OF = "2026-08-22"
PRICES_USD = {
    "user_read": 0.010,  # GET /2/users/:id, per user object
    "post_read": 0.005,  # posts read by any other way (recent search), per post
    "owned_post_read": 0.001,  # GET /2/users/:id/tweets of the app owner, per post
}
