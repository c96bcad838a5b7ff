"""LinkedIn organization pages (Community Management API, versioned REST): version, endpoints,
windows and error handling.

Every call carries ``LinkedIn-Version: YYYYMM`` and ``X-Restli-Protocol-Version: 2.0.0``.
LinkedIn serves each monthly version for about one year, then answers HTTP 426
``NONEXISTENT_VERSION``: pin a version here, override it with ``networks.linkedin.api_version``.
"""

from __future__ import annotations

import re

SLUG = "linkedin"
API_VERSION = "202603"  # served until about 2027-03-15
PROTOCOL_VERSION = "2.0.0"
VERSION_FORMAT = re.compile(r"^\d{4}(0[1-9]|1[0-2])$")

ORG_URN = "urn:li:organization:{id}"
FOLLOWER_EDGE = "COMPANY_FOLLOWED_BY_MEMBER"

# Keys of ``totalShareStatistics`` that the metric registry may name (the API has no metric
# parameter: it always answers every field; the registry says which ones must be present).
SHARE_STATISTICS_FIELDS = frozenset(
    {
        "impressionCount",
        "uniqueImpressionsCount",
        "clickCount",
        "likeCount",
        "commentCount",
        "shareCount",
        "engagement",
        "commentMentionsCount",
        "shareMentionsCount",
    }
)

# Nightly plan defaults (days); all overridable in the config under networks.linkedin.
DEFAULTS = {
    "history_days": 360,  # first run: how far back (statistics: rolling 12 months)
    "lookback_days": 7,  # re-pull daily statistics this far back
    "post_overlap_days": 1,  # re-list posts this far before the high-water mark
    "post_refresh_days": 60,  # re-pull lifetime statistics of posts younger than this
    "comment_days": 14,  # re-read comments of posts younger than this
    "page_size": 100,  # posts/comments per page (LinkedIn: max 100; fewer calls)
    "stats_batch_size": 20,  # post URNs per call, shares=List(...) and ugcPosts=List(...)
}

MAX_HISTORY_DAYS = 360  # statistics only reach back 12 months (rolling); keep a margin
END_LAG_DAYS = 2  # time-bound statistics must end at least two days ago
# One time-bound call may span the whole served range (the rolling 12 months, DAY granularity:
# one element per day); LinkedIn documents no shorter per-call limit, so one call per stream.
MAX_DAYS_PER_CALL = 366
MAX_PAGE_SIZE = 100
