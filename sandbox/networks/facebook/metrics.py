"""Which insights metrics the sandbox Graph accepts, with titles, and which ones Meta retired.

A retired or unknown metric anywhere in the list fails the whole insights call (code 100).
"""

from __future__ import annotations

from sandbox.graph.errors import INVALID_METRIC, GraphError, invalid_param

# name -> (title, description) of the daily Page metrics (period=day)
PAGE_METRICS: dict[str, tuple[str, str]] = {
    "page_media_view": (
        "Daily Views",
        "Daily: The number of times your Page's content was played or displayed. (Total Count)",
    ),
    "page_total_media_view_unique": (
        "Daily Viewers",
        "Daily: The number of people who saw any content from your Page. (Unique Users)",
    ),
    "page_post_engagements": (
        "Daily Post Engagements",
        "Daily: The number of times people have engaged with your posts through reactions, "
        "comments, shares and more. (Total Count)",
    ),
    "page_total_actions": (
        "Daily Total Action Clicks",
        "Daily: The number of clicks on your Page's contact info and call-to-action button. "
        "(Total Count)",
    ),
    "page_views_total": (
        "Daily Total views count per Page",
        "Daily: Page views total count (Total Count)",
    ),
    "page_video_views": (
        "Daily Total Video Views",
        "Daily: Total number of times videos have been viewed for 3 seconds or more. (Total Count)",
    ),
    "page_follows": (
        "Lifetime Follower Count",
        "Lifetime: The number of followers of your Facebook Page. (Total Count)",
    ),
    "page_daily_follows": (
        "Daily New Follows",
        "Daily: The number of times people followed your Page. (Total Count)",
    ),
    "page_daily_follows_unique": (
        "Daily New Followers",
        "Daily: The number of people who followed your Page. (Unique Users)",
    ),
    "page_daily_unfollows_unique": (
        "Daily Unfollows",
        "Daily: The number of people who unfollowed your Page. (Unique Users)",
    ),
}

_REACTIONS = {
    "like": "Like",
    "love": "Love",
    "wow": "Wow",
    "haha": "Haha",
    "sorry": "Sorry",
    "anger": "Anger",
}

# name -> (title, description) of the lifetime post metrics
POST_METRICS: dict[str, tuple[str, str]] = {
    "post_media_view": (
        "Lifetime Post Views",
        "Lifetime: The number of times your post was played or displayed. (Total Count)",
    ),
    "post_total_media_view_unique": (
        "Lifetime Post Viewers",
        "Lifetime: The number of people who saw your post. (Unique Users)",
    ),
    "post_clicks": (
        "Lifetime Post Clicks",
        "Lifetime: The number of clicks anywhere in your post. (Total Count)",
    ),
    "post_video_views": (
        "Lifetime Total Video Views",
        "Lifetime: Number of times your video was viewed for 3 seconds or more. (Total Count)",
    ),
    **{
        f"post_reactions_{kind}_total": (
            f'Lifetime "{label}" reactions',
            f'Lifetime: Total "{label}" reactions of a post. (Total Count)',
        )
        for kind, label in _REACTIONS.items()
    },
    "post_reactions_by_type_total": (
        "Lifetime Total post Reactions by Type.",
        "Lifetime: Total post reactions by type. (Total Count)",
    ),
}

RETIRED_METRICS: frozenset[str] = frozenset(
    {
        # 14 Mar 2024 and 16 Sep 2024
        "page_engaged_users",
        "page_consumptions",
        "page_consumptions_unique",
        "page_consumptions_by_consumption_type",
        "page_content_activity",
        "page_content_activity_by_action_type",
        "page_fans_gender_age",
        "page_daily_follows_by_source_unique",
        "page_impressions_organic_v2",
        "page_impressions_by_story_type",
        "page_impressions_by_story_type_unique",
        "page_impressions_by_city_unique",
        "page_impressions_by_country_unique",
        "page_impressions_by_locale_unique",
        "page_impressions_by_age_gender_unique",
        "page_negative_feedback",
        "page_negative_feedback_unique",
        "page_places_checkin_total",
        "page_fans_online",
        "page_fans_online_per_day",
        "post_engaged_users",
        # 15 Nov 2025: fans and impressions
        "page_fans",
        "page_fans_locale",
        "page_fans_city",
        "page_fans_country",
        "page_fan_adds",
        "page_fan_adds_unique",
        "page_fan_removes",
        "page_fan_removes_unique",
        "page_impressions",
        "page_impressions_paid",
        "page_impressions_viral",
        "page_impressions_nonviral",
        "post_impressions",
        "post_impressions_paid",
        "post_impressions_fan",
        "post_impressions_organic",
        "post_impressions_viral",
        "post_impressions_nonviral",
        # mid-2026 / v26: reach
        "page_impressions_unique",
        "page_impressions_paid_unique",
        "page_impressions_viral_unique",
        "page_impressions_nonviral_unique",
        "page_posts_impressions",
        "page_posts_impressions_unique",
        "page_posts_impressions_paid",
        "page_posts_impressions_paid_unique",
        "page_posts_impressions_organic",
        "page_posts_impressions_organic_unique",
        "page_posts_impressions_viral",
        "page_posts_impressions_viral_unique",
        "page_posts_impressions_nonviral",
        "page_posts_impressions_nonviral_unique",
        "page_posts_served_impressions_organic_unique",
        "page_video_views_unique",
        "post_impressions_unique",
        "post_impressions_paid_unique",
        "post_impressions_fan_unique",
        "post_impressions_organic_unique",
        "post_impressions_viral_unique",
        "post_impressions_nonviral_unique",
    }
)

PERIODS = ("day", "week", "days_28", "month", "lifetime", "total_over_range")


def requested_metrics(values: list[str], catalogue: dict[str, tuple[str, str]]) -> list[str]:
    """The metric names of a request, deduplicated, in order; one retired or unknown name fails
    the call with ``(#100) The value must be a valid insights metric``, none with 3001."""
    names: list[str] = []
    for value in values:
        for name in value.split(","):
            name = name.strip()
            if name and name not in names:
                names.append(name)
    if not names:
        raise GraphError(
            "Invalid query",
            3001,
            subcode=1504028,
            is_transient=False,
            user_title="No Metric Specified",
            user_msg=(
                "No metric was specified to be fetched. Please specify one or more metrics to "
                "be fetched and try again."
            ),
        )
    if any(name not in catalogue for name in names):
        raise invalid_param(INVALID_METRIC)
    return names


def checked_period(value: str | None, default: str) -> str:
    period = value or default
    if period not in PERIODS:
        raise invalid_param(f"period must be one of the following values: {', '.join(PERIODS)}")
    return period
