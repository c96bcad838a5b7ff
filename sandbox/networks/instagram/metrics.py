"""Which insights metrics the sandbox's Instagram Graph accepts, and how it refuses the others.

Account level (``/{ig-user-id}/insights``, ``period=day``): ``reach`` and ``follower_count`` are
``time_series`` metrics (``reach`` also ``total_value``); the interaction metrics and ``views``
are ``total_value`` only. Media level (``/{ig-media-id}/insights``, lifetime): the 2025 set per
``media_product_type``. Retired metrics fail the whole call with code 100, as Graph does.
"""

from __future__ import annotations

from sandbox.graph.errors import GraphError, invalid_param
from sandbox.networks.instagram.world import ACCOUNT_DAILY_METRICS, MEDIA_METRICS

TIME_SERIES_ONLY = frozenset({"follower_count"})
BOTH_TYPES = frozenset({"reach"})
METRIC_TYPES = ("time_series", "total_value")

TITLES: dict[str, str] = {
    "reach": "Accounts reached",
    "views": "Views",
    "accounts_engaged": "Accounts engaged",
    "total_interactions": "Content interactions",
    "likes": "Likes",
    "comments": "Comments",
    "shares": "Shares",
    "saves": "Saves",
    "saved": "Saves",
    "replies": "Replies",
    "profile_links_taps": "Profile links taps",
    "follower_count": "Follower count",
    "follows": "Follows",
    "profile_visits": "Profile visits",
    "profile_activity": "Profile activity",
    "reposts": "Reposts",
    "ig_reels_avg_watch_time": "Average watch time",
    "ig_reels_video_view_total_time": "Watch time",
    "reels_skip_rate": "Skip rate",
    "crossposted_views": "Crossposted views",
    "facebook_views": "Facebook views",
}

# Removed for all API versions: 21 Apr 2025 (impressions, plays, ...), 2 Oct 2024 (profile
# clicks family), Dec 2023 (engagement, carousel_album_*, story taps).
RETIRED_ACCOUNT_METRICS = frozenset(
    {
        "impressions",
        "profile_views",
        "website_clicks",
        "email_contacts",
        "get_directions_clicks",
        "phone_call_clicks",
        "text_message_clicks",
    }
)
RETIRED_MEDIA_METRICS = frozenset(
    {
        "impressions",
        "plays",
        "clips_replays_count",
        "ig_reels_aggregated_all_plays_count",
        "video_views",
        "engagement",
        "carousel_album_engagement",
        "carousel_album_impressions",
        "carousel_album_reach",
        "carousel_album_saved",
        "carousel_album_video_views",
        "taps_forward",
        "taps_back",
        "exits",
    }
)


def metric_names(values: list[str]) -> list[str]:
    names: list[str] = []
    for value in values:
        for name in value.strip().strip("[]").replace('"', "").split(","):
            name = name.strip()
            if name and name not in names:
                names.append(name)
    if not names:
        raise invalid_param("The parameter metric is required")
    return names


def _no_longer_supported(name: str, queried: str) -> GraphError:
    return invalid_param(
        f"Starting from version 22 and above, the {name} metric is no longer supported for the "
        f"queried {queried}. Please refer to the documentation at "
        "https://developers.facebook.com/docs/instagram-platform/reference for a list of "
        "supported metrics."
    )


def _not_one_of(index: int, allowed: tuple[str, ...]) -> GraphError:
    return invalid_param(
        f"metric[{index}] must be one of the following values: {', '.join(allowed)}"
    )


def account_metrics(values: list[str], metric_type: str | None) -> tuple[list[str], str]:
    """Validated account metric names and the effective ``metric_type``."""
    names = metric_names(values)
    for index, name in enumerate(names):
        if name == "impressions":
            raise _no_longer_supported(name, "user")
        if name not in ACCOUNT_DAILY_METRICS:
            raise _not_one_of(index, ACCOUNT_DAILY_METRICS)
    kind = metric_type or "time_series"
    if kind not in METRIC_TYPES:
        raise invalid_param(
            f"metric_type must be one of the following values: {', '.join(METRIC_TYPES)}"
        )
    if kind == "time_series":
        wrong = [n for n in names if n not in TIME_SERIES_ONLY | BOTH_TYPES]
        if wrong:
            raise invalid_param(
                f"The following metrics ({', '.join(wrong)}) should be specified with parameter "
                "metric_type=total_value"
            )
    else:
        wrong = [n for n in names if n in TIME_SERIES_ONLY]
        if wrong:
            raise invalid_param(
                f"The following metrics ({', '.join(wrong)}) should be specified with parameter "
                "metric_type=time_series"
            )
    return names, kind


def media_metrics(values: list[str], product_type: str) -> list[str]:
    """Validated media metric names for a media of ``product_type`` (FEED or REELS)."""
    names = metric_names(values)
    allowed = MEDIA_METRICS[product_type]
    known = {m for ms in MEDIA_METRICS.values() for m in ms}
    for index, name in enumerate(names):
        if name == "impressions":
            raise _no_longer_supported(name, "media")
        if name in RETIRED_MEDIA_METRICS or name not in known:
            raise _not_one_of(index, allowed)
        if name not in allowed:
            raise invalid_param(
                f"The Media Insights API does not support the {name} metric for this media "
                "product type."
            )
    return names
