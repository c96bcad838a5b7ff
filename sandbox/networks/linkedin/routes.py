"""The LinkedIn REST resources the sandbox serves, below ``/rest``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sandbox.networks.linkedin.restli import (
    RestliError,
    access_denied,
    decode_key,
    illegal_argument,
    not_found,
    parse_list,
    time_intervals,
)
from sandbox.networks.linkedin.world import (
    ORG_URN,
    LinkedInComment,
    LinkedInPost,
    LinkedInWorld,
    Organization,
    from_ms,
    ms,
    organization,
    utc_midnight,
)

DEFAULT_COUNT = 10
MAX_COUNT = 100
HISTORY_MONTHS = 12  # share/follower statistics: rolling 12 months
END_LAG = timedelta(days=2)  # time-bound statistics must end at least two days ago


def route(world: LinkedInWorld, now: datetime, path: str, query: list[tuple[str, str]]) -> Any:
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] != "rest":
        raise not_found(path)
    parts = parts[1:]
    params = dict(query)
    if len(parts) == 2 and parts[0] == "organizations":
        return organization_lookup(now, parts[1])
    if len(parts) == 2 and parts[0] == "networkSizes":
        return network_size(world, now, decode_key(parts[1]), params)
    if parts == ["organizationalEntityFollowerStatistics"]:
        return follower_statistics(world, now, query)
    if parts == ["organizationalEntityShareStatistics"]:
        return share_statistics(world, now, query)
    if parts == ["posts"]:
        return posts_by_author(world, now, params)
    if len(parts) == 3 and parts[0] == "socialActions" and parts[2] == "comments":
        return comments(world, now, decode_key(parts[1]), params)
    raise not_found(path)


# -- organizations --------------------------------------------------------------------------
def _org_from_urn(urn: str | None, what: str) -> Organization:
    if not urn or not urn.startswith(ORG_URN):
        raise illegal_argument(f"Invalid organizational entity URN {urn!r}")
    org = organization(urn.removeprefix(ORG_URN))
    if org is None:
        raise access_denied(what)
    return org


def organization_lookup(now: datetime, org_id: str) -> dict[str, Any]:
    org = organization(org_id)
    if org is None:
        if not org_id.isdigit():
            raise illegal_argument(f"Invalid organization id {org_id!r}")
        raise access_denied(f"organizations.GET /organizations/{org_id}")
    biz = org.business
    return {
        "id": int(org.id),
        "localizedName": biz.name,
        "name": {
            "localized": {"de_DE": biz.name},
            "preferredLocale": {"country": "DE", "language": "de"},
        },
        "vanityName": org.vanity_name,
        "localizedDescription": biz.about,
        "localizedWebsite": biz.website,
        "organizationType": "PRIVATELY_HELD",
        "primaryOrganizationType": "NONE",
        "staffCountRange": org.staff_count_range,
        "locations": [
            {
                "locationType": "HEADQUARTERS",
                "address": {"city": biz.city, "country": "DE"},
                "streetAddressFieldState": "UNSET",
            }
        ],
        "versionTag": "3",
        "created": {"actor": "urn:li:person:system", "time": 1546300800000},
        "lastModified": {"actor": "urn:li:person:system", "time": ms(now - timedelta(days=40))},
    }


def network_size(
    world: LinkedInWorld, now: datetime, urn: str, params: dict[str, str]
) -> dict[str, Any]:
    edge = params.get("edgeType")
    if edge not in ("COMPANY_FOLLOWED_BY_MEMBER", "CompanyFollowedByMember"):
        raise illegal_argument(f"Invalid edgeType {edge!r}: expected COMPANY_FOLLOWED_BY_MEMBER")
    org = _org_from_urn(urn, f"networkSizes.GET /networkSizes/{urn}")
    return {"firstDegreeSize": world.followers_at(org.id, now)}


# -- statistics -----------------------------------------------------------------------------
def _window_days(now: datetime, start_ms: int, end_ms: int, granularity: str) -> list:
    if granularity != "DAY":
        raise illegal_argument(
            f"timeGranularityType {granularity} is not served by the sandbox (DAY only)"
        )
    start, end = from_ms(start_ms), from_ms(end_ms)
    today = now.date()
    earliest = utc_midnight(one_year_before(today))
    if start >= end or start < earliest or end > now - END_LAG:
        raise illegal_argument("Invalid timeIntervals parameter")
    first = start.date() if start == utc_midnight(start.date()) else start.date() + timedelta(1)
    days = []
    day = first
    while utc_midnight(day + timedelta(days=1)) <= end:
        days.append(day)
        day += timedelta(days=1)
    return days


def one_year_before(day: date) -> date:
    """The same calendar day a year earlier (29 Feb -> 28 Feb): the rolling 12 months start."""
    if (day.month, day.day) == (2, 29):
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def _collection(elements: list[Any], total: int | None = None, start: int = 0, count: int = 10):
    paging: dict[str, Any] = {"start": start, "count": count, "links": []}
    if total is not None:
        paging["total"] = total
    return {"paging": paging, "elements": elements}


def follower_statistics(
    world: LinkedInWorld, now: datetime, query: list[tuple[str, str]]
) -> dict[str, Any]:
    params = dict(query)
    if params.get("q") != "organizationalEntity":
        raise illegal_argument("q must be organizationalEntity")
    org = _org_from_urn(
        params.get("organizationalEntity"), "organizationalEntityFollowerStatistics.FINDER"
    )
    window = time_intervals(query)
    if window is None:
        total = world.followers_at(org.id, now)
        organic = total - total // 25
        return _collection(
            [
                {
                    "organizationalEntity": org.urn,
                    "followerCountsByAssociationType": [
                        {
                            "followerCounts": {
                                "organicFollowerCount": organic,
                                "paidFollowerCount": total - organic,
                            }
                        }
                    ],
                    "followerCountsByGeoCountry": [
                        {
                            "geo": "urn:li:geo:101282230",
                            "followerCounts": {
                                "organicFollowerCount": organic,
                                "paidFollowerCount": total - organic,
                            },
                        }
                    ],
                }
            ]
        )
    days = _window_days(now, *window)
    elements = [
        {
            "organizationalEntity": org.urn,
            "timeRange": {
                "start": ms(utc_midnight(day)),
                "end": ms(utc_midnight(day + timedelta(days=1))),
            },
            "followerGains": world.follower_gains_on(org.id, day),
        }
        for day in days
    ]
    return _collection(elements, count=len(elements))


def share_statistics(
    world: LinkedInWorld, now: datetime, query: list[tuple[str, str]]
) -> dict[str, Any]:
    params = dict(query)
    if params.get("q") != "organizationalEntity":
        raise illegal_argument("q must be organizationalEntity")
    org = _org_from_urn(
        params.get("organizationalEntity"), "organizationalEntityShareStatistics.FINDER"
    )
    window = time_intervals(query)
    per_post = [(key, parse_list(params[key])) for key in ("shares", "ugcPosts") if key in params]
    if per_post:
        if window is not None:
            raise illegal_argument(
                "Time-bound statistics of individual posts are not served by the sandbox; "
                "omit timeIntervals for lifetime post statistics"
            )
        return _per_post(world, now, org, per_post)
    if window is None:
        return _collection([_lifetime_aggregate(world, now, org)])
    days = _window_days(now, *window)
    elements = [
        {
            "organizationalEntity": org.urn,
            "timeRange": {
                "start": ms(utc_midnight(day)),
                "end": ms(utc_midnight(day + timedelta(days=1))),
            },
            "totalShareStatistics": world.share_statistics_on(org.id, day),
        }
        for day in days
    ]
    return _collection(elements, count=len(elements))


def _in_history(post: LinkedInPost, now: datetime) -> bool:
    return now - timedelta(days=365) <= post.published_at <= now


def _per_post(
    world: LinkedInWorld, now: datetime, org: Organization, lists: list[tuple[str, list[str]]]
) -> dict[str, Any]:
    elements = []
    for key, urns in lists:
        kind = "share" if key == "shares" else "ugcPost"
        for urn in urns:
            if not urn.startswith(f"urn:li:{kind}:"):
                raise illegal_argument(f"Invalid URN {urn!r} in {key}: expected urn:li:{kind}:...")
            post = world.post(urn)
            if post is None or post.org_id != org.id or not _in_history(post, now):
                continue  # unknown, foreign or older than 12 months: no element
            elements.append(
                {
                    "organizationalEntity": org.urn,
                    kind: urn,
                    "totalShareStatistics": world.post_statistics(urn, now),
                }
            )
    return _collection(elements, count=len(elements))


def _lifetime_aggregate(world: LinkedInWorld, now: datetime, org: Organization) -> dict:
    totals: dict[str, float] = {}
    for post in world.posts_at(org.id, now):
        if _in_history(post, now):
            for key, value in world.post_statistics(post.urn, now).items():
                totals[key] = totals.get(key, 0) + value
    impressions = totals.get("impressionCount", 0)
    interactions = sum(totals.get(k, 0) for k in ("clickCount", "likeCount", "commentCount"))
    interactions += totals.get("shareCount", 0)
    stats = {k: int(v) for k, v in totals.items() if k != "engagement"}
    stats["engagement"] = interactions / impressions if impressions else 0.0
    return {"organizationalEntity": org.urn, "totalShareStatistics": stats}


# -- posts ----------------------------------------------------------------------------------
def _paging_args(params: dict[str, str]) -> tuple[int, int]:
    try:
        start = int(params.get("start", 0))
        count = int(params.get("count", DEFAULT_COUNT))
    except ValueError:
        raise illegal_argument("start and count must be integers") from None
    if start < 0 or count < 0:
        raise illegal_argument("start and count must not be negative")
    if count > MAX_COUNT:
        raise illegal_argument(f"count {count} exceeds the maximum of {MAX_COUNT}")
    return start, count


def _links(path: str, params: dict[str, str], start: int, count: int, total: int) -> list:
    links = []

    def href(at: int) -> str:
        query = {**params, "start": str(at), "count": str(count)}
        return f"{path}?" + "&".join(
            f"{k}={quote(v, safe='(),:')}" for k, v in sorted(query.items())
        )

    if start > 0:
        links.append(
            {"type": "application/json", "rel": "prev", "href": href(max(0, start - count))}
        )
    if start + count < total:
        links.append({"type": "application/json", "rel": "next", "href": href(start + count)})
    return links


def post_payload(post: LinkedInPost, now: datetime) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "author": f"{ORG_URN}{post.org_id}",
        "commentary": post.commentary,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
    }
    if post.content is not None:
        payload["content"] = post.content
    edited = post.last_modified_at(now) != post.published_at
    return payload | {
        "lifecycleState": "PUBLISHED",
        "lifecycleStateInfo": {"isEditedByAuthor": edited},
        "isReshareDisabledByAuthor": False,
        "createdAt": ms(post.created_at),
        "lastModifiedAt": ms(post.last_modified_at(now)),
        "publishedAt": ms(post.published_at),
        "id": post.urn,
    }


def posts_by_author(world: LinkedInWorld, now: datetime, params: dict[str, str]) -> dict:
    if params.get("q") != "author":
        raise illegal_argument("q must be author (batch get by ids is not served by the sandbox)")
    org = _org_from_urn(params.get("author"), "posts.FINDER-author")
    start, count = _paging_args(params)
    sort_by = params.get("sortBy", "LAST_MODIFIED")
    if sort_by not in ("LAST_MODIFIED", "CREATED"):
        raise illegal_argument(f"Invalid sortBy {sort_by!r}: expected CREATED or LAST_MODIFIED")
    posts = world.posts_at(org.id, now)
    if sort_by == "LAST_MODIFIED":
        posts.sort(key=lambda p: (p.last_modified_at(now), p.urn), reverse=True)
    page = posts[start : start + count]
    body = _collection([post_payload(p, now) for p in page], len(posts), start, count)
    body["paging"]["links"] = _links("/rest/posts", params, start, count, len(posts))
    return body


# -- comments -------------------------------------------------------------------------------
def comment_payload(world: LinkedInWorld, comment: LinkedInComment, now: datetime) -> dict:
    replies = [c for c in world.comments_at(comment.post_urn, now) if c.parent_urn == comment.urn]
    likes = world.comment_likes(comment, now)
    payload: dict[str, Any] = {
        "actor": comment.actor,
        "commentUrn": comment.urn,
        "created": {"actor": comment.actor, "time": ms(comment.created_at)},
        "id": comment.id,
        "lastModified": {"actor": comment.actor, "time": ms(comment.created_at)},
        "message": {"attributes": [], "text": comment.text},
        "object": comment.post_urn,
        "likesSummary": {
            "selectedLikes": [],
            "aggregatedTotalLikes": likes,
            "likedByCurrentUser": False,
            "totalLikes": likes,
        },
        "commentsSummary": {
            "selectedComments": [r.urn for r in replies[:10]],
            "aggregatedTotalComments": len(replies),
            "totalFirstLevelComments": len(replies),
        },
        "$URN": comment.urn,
    }
    if comment.parent_urn is not None:
        payload["parentComment"] = comment.parent_urn
    return payload


def comments(world: LinkedInWorld, now: datetime, target: str, params: dict[str, str]) -> dict:
    start, count = _paging_args(params)
    if target.startswith("urn:li:comment:"):
        parent = world.comment(target)
        if parent is None or parent.created_at > now:
            raise RestliError(404, "NOT_FOUND", f"Comment {target} does not exist")
        items = [c for c in world.comments_at(parent.post_urn, now) if c.parent_urn == target]
    else:
        post = world.post(target)
        if post is None or post.published_at > now:
            raise RestliError(404, "NOT_FOUND", f"Entity {target} does not exist")
        items = [c for c in world.comments_at(target, now) if c.parent_urn is None]
    page = items[start : start + count]
    body = _collection([comment_payload(world, c, now) for c in page], len(items), start, count)
    path = f"/rest/socialActions/{quote(target, safe='')}/comments"
    body["paging"]["links"] = _links(path, params, start, count, len(items))
    return body
