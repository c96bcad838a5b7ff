"""The LinkedIn side of the demo world: one organization (company page) per demo business, its
posts, comments, daily share statistics, follower gains and follower total.

Everything is a pure function of ``(seed, organization, clock)`` on the absolute timeline that
starts at ``sandbox.world.EPOCH``: moving the clock only adds posts and comments and grows
lifetime post statistics; a finished UTC day never changes. LinkedIn reports daily statistics
per UTC day, so the daily series here are keyed by UTC dates.
"""

from __future__ import annotations

import calendar
import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from sandbox import texts
from sandbox.world import (
    BERLIN,
    BUSINESSES,
    EPOCH,
    Business,
    _poisson,
    _rng,
    _saturation,
    _utc,
    running_total,
)

ORG_URN = "urn:li:organization:"
_TAU_HOURS = {"impressions": 22.0, "clicks": 26.0, "likes": 16.0, "shares": 30.0, "c_likes": 20.0}
_POST_NUM = re.compile(r"^7(\d)(\d{4})(\d{2})(\d{2})(\d{9})$")


@dataclass(frozen=True)
class Organization:
    id: str  # numeric organization id (the account id in the config)
    business: Business
    vanity_name: str
    staff_count_range: str
    base_followers: int  # followers at EPOCH
    gains_per_day: float
    impressions_per_day: float
    post_impressions: float  # typical lifetime impressions of a post

    @property
    def urn(self) -> str:
        return f"{ORG_URN}{self.id}"


def _org(
    index: int, vanity: str, staff: str, followers: int, gains: float, imp: float, post: float
):
    return Organization(
        id=f"9000000{index}",
        business=BUSINESSES[index - 1],
        vanity_name=vanity,
        staff_count_range=staff,
        base_followers=followers,
        gains_per_day=gains,
        impressions_per_day=imp,
        post_impressions=post,
    )


ORGANIZATIONS: tuple[Organization, ...] = (
    _org(1, "baeckerei-sonnenschein", "SIZE_11_TO_50", 310, 0.45, 95.0, 420.0),
    _org(2, "schreinerei-holzwerk", "SIZE_2_TO_10", 180, 0.3, 60.0, 380.0),
    _org(3, "friseur-schnittpunkt", "SIZE_2_TO_10", 140, 0.25, 45.0, 260.0),
)


@dataclass(frozen=True)
class LinkedInPost:
    urn: str  # urn:li:share:... or urn:li:ugcPost:...
    org_id: str
    created_at: datetime  # UTC
    published_at: datetime  # UTC
    edited_at: datetime | None  # a later edit by the author (visible once it happened)
    commentary: str
    content: dict[str, Any] | None

    @property
    def kind(self) -> str:
        return self.urn.split(":")[2]

    def last_modified_at(self, now: datetime) -> datetime:
        if self.edited_at is not None and self.edited_at <= _utc(now):
            return self.edited_at
        return self.published_at


@dataclass(frozen=True)
class LinkedInComment:
    id: str
    urn: str  # urn:li:comment:({post urn},{id})
    post_urn: str
    actor: str  # urn:li:person:... or the organization's urn (a reply by the page)
    created_at: datetime
    text: str
    parent_urn: str | None
    kind: str  # ground truth: praise, question, complaint, reply
    final_likes: int


@dataclass(frozen=True)
class _Profile:
    impressions: float
    unique_ratio: float
    click_rate: float
    like_rate: float
    share_rate: float
    comment_count: int


def ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    return int(_utc(moment).timestamp() * 1000)


def from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def organization(org_id: str) -> Organization | None:
    return next((o for o in ORGANIZATIONS if o.id == org_id), None)


def organization_for(business: str) -> Organization:
    for org in ORGANIZATIONS:
        if org.business.slug == business:
            return org
    raise KeyError(f"no LinkedIn organization for business {business!r}")


@cache
def world(seed: int) -> LinkedInWorld:
    """The LinkedIn world of a seed (shared, caches inside)."""
    return LinkedInWorld(seed)


class LinkedInWorld:
    """Ground truth for the LinkedIn sandbox and for tests."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._lock = threading.RLock()
        self._months: dict[tuple[str, int, int], tuple[LinkedInPost, ...]] = {}
        self._profiles: dict[str, _Profile] = {}
        self._comments: dict[str, tuple[LinkedInComment, ...]] = {}
        self._daily: dict[tuple[str, date], dict[str, Any]] = {}
        self._cumulative: dict[str, list[int]] = {}

    # -- posts --------------------------------------------------------------------------------
    def posts_at(self, org_id: str, now: datetime) -> list[LinkedInPost]:
        """Published posts of an organization at ``now``, newest first (by creation)."""
        now = _utc(now)
        org = self._require_org(org_id)
        posts = []
        year, month = EPOCH.year, EPOCH.month
        last = now.astimezone(BERLIN).date()
        while (year, month) <= (last.year, last.month):
            posts.extend(p for p in self._month_posts(org, year, month) if p.published_at <= now)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        posts.sort(key=lambda p: (p.created_at, p.urn), reverse=True)
        return posts

    def post(self, urn: str) -> LinkedInPost | None:
        """A post by URN regardless of the clock (callers check ``published_at``)."""
        parts = urn.split(":")
        if len(parts) != 4 or parts[:2] != ["urn", "li"] or parts[2] not in ("share", "ugcPost"):
            return None
        match = _POST_NUM.match(parts[3])
        if not match:
            return None
        index, year, month = int(match.group(1)), int(match.group(2)), int(match.group(3))
        org = next((o for o in ORGANIZATIONS if o.business.index == index), None)
        if org is None or not 1 <= month <= 12 or date(year, month, 1) < EPOCH.replace(day=1):
            return None
        return next((p for p in self._month_posts(org, year, month) if p.urn == urn), None)

    def _month_posts(self, org: Organization, year: int, month: int) -> tuple[LinkedInPost, ...]:
        key = (org.id, year, month)
        with self._lock:
            cached = self._months.get(key)
        if cached is not None:
            return cached
        rng = _rng(self.seed, "linkedin-posts", org.id, year, month)
        trade = org.business.trade
        count = rng.randint(1, 5)
        last_day = calendar.monthrange(year, month)[1]
        moments = sorted(
            datetime(
                year,
                month,
                rng.randint(1, last_day),
                rng.randint(8, 17),
                rng.randrange(0, 60, 5),
                tzinfo=BERLIN,
            ).astimezone(UTC)
            for _ in range(count)
        )
        posts = []
        for k, published in enumerate(moments, start=1):
            kind = rng.choices(("share", "ugcPost"), weights=(70, 30))[0]
            number = f"7{org.business.index}{year}{month:02d}{k:02d}{rng.randrange(10**8, 10**9)}"
            slots = {name: rng.choice(values) for name, values in texts.SLOTS[trade].items()}
            commentary = rng.choice(texts.POST_TEMPLATES[trade]).format(**slots)
            shape = rng.choices(("text", "image", "article"), weights=(30, 55, 15))[0]
            content: dict[str, Any] | None = None
            if shape == "image":
                content = {
                    "media": {
                        "id": f"urn:li:image:D4E22AQ{number[-9:]}",
                        "altText": commentary[:40],
                    }
                }
            elif shape == "article":
                content = {
                    "article": {
                        "source": org.business.website,
                        "title": f"{org.business.name} – {org.business.city}",
                    }
                }
            edited = None
            if rng.random() < 0.2:
                edited = published + timedelta(hours=rng.uniform(0.5, 48.0))
            posts.append(
                LinkedInPost(
                    urn=f"urn:li:{kind}:{number}",
                    org_id=org.id,
                    created_at=published - timedelta(minutes=rng.randint(0, 30)),
                    published_at=published,
                    edited_at=edited.replace(microsecond=0) if edited else None,
                    commentary=commentary,
                    content=content,
                )
            )
        result = tuple(posts)
        with self._lock:
            self._months[key] = result
        return result

    def _profile(self, post: LinkedInPost) -> _Profile:
        cached = self._profiles.get(post.urn)
        if cached is None:
            rng = _rng(self.seed, "linkedin-profile", post.urn)
            org = self._require_org(post.org_id)
            impressions = org.post_impressions * rng.lognormvariate(0.0, 0.5)
            cached = _Profile(
                impressions=impressions,
                unique_ratio=rng.uniform(0.55, 0.8),
                click_rate=rng.uniform(0.01, 0.05),
                like_rate=rng.uniform(0.01, 0.04),
                share_rate=rng.choice((0.0, 0.0, 0.002, 0.005)),
                comment_count=int(impressions * rng.uniform(0.002, 0.012)),
            )
            self._profiles[post.urn] = cached
        return cached

    def post_statistics(self, urn: str, now: datetime) -> dict[str, Any]:
        """Lifetime ``totalShareStatistics`` of one post at ``now``."""
        post = self._require_post(urn)
        profile = self._profile(post)
        age = (_utc(now) - post.published_at).total_seconds() / 3600.0
        imp = profile.impressions
        impressions = round(imp * _saturation(age, _TAU_HOURS["impressions"]))
        clicks = round(imp * profile.click_rate * _saturation(age, _TAU_HOURS["clicks"]))
        likes = round(imp * profile.like_rate * _saturation(age, _TAU_HOURS["likes"]))
        shares = round(imp * profile.share_rate * _saturation(age, _TAU_HOURS["shares"]))
        comments = len(self.comments_at(urn, now))
        interactions = clicks + likes + comments + shares
        return {
            "clickCount": clicks,
            "commentCount": comments,
            "commentMentionsCount": 0,
            "engagement": interactions / impressions if impressions else 0.0,
            "impressionCount": impressions,
            "likeCount": likes,
            "shareCount": shares,
            "shareMentionsCount": 0,
            "uniqueImpressionsCount": round(impressions * profile.unique_ratio),
        }

    # -- comments -----------------------------------------------------------------------------
    def comments_at(self, post_urn: str, now: datetime) -> list[LinkedInComment]:
        """Comments and replies of a post created at or before ``now``, oldest first."""
        now = _utc(now)
        return [c for c in self._all_comments(post_urn) if c.created_at <= now]

    def comment(self, comment_urn: str) -> LinkedInComment | None:
        match = re.match(r"^urn:li:comment:\((urn:li:[A-Za-z]+:\d+),(\d+)\)$", comment_urn)
        if not match or self.post(match.group(1)) is None:
            return None
        return next((c for c in self._all_comments(match.group(1)) if c.urn == comment_urn), None)

    def comment_likes(self, comment: LinkedInComment, now: datetime) -> int:
        age = (_utc(now) - comment.created_at).total_seconds() / 3600.0
        return round(comment.final_likes * _saturation(age, _TAU_HOURS["c_likes"]))

    def _all_comments(self, post_urn: str) -> tuple[LinkedInComment, ...]:
        cached = self._comments.get(post_urn)
        if cached is not None:
            return cached
        post = self._require_post(post_urn)
        org = self._require_org(post.org_id)
        trade = org.business.trade
        rng = _rng(self.seed, "linkedin-comments", post_urn)
        drafts: list[dict[str, Any]] = []
        for _ in range(self._profile(post).comment_count):
            at = post.published_at + timedelta(hours=min(rng.expovariate(0.12), 24 * 21))
            kind = rng.choices(("praise", "question", "complaint"), weights=(65, 25, 10))[0]
            if kind == "praise":
                text = rng.choice(texts.PRAISE)
            elif kind == "question":
                text = rng.choice(texts.QUESTIONS[trade])
            else:
                text = rng.choice(texts.COMPLAINTS[trade])
            member = f"urn:li:person:{rng.randrange(16**9, 16**10):x}"
            drafts.append({"at": at, "kind": kind, "text": text, "actor": member, "parent": None})
            top = len(drafts) - 1
            if kind in ("question", "complaint") and rng.random() < 0.7:
                replies = (
                    texts.PAGE_REPLIES_TO_QUESTIONS
                    if kind == "question"
                    else texts.PAGE_REPLIES_TO_COMPLAINTS
                )
                drafts.append(
                    {
                        "at": at + timedelta(hours=rng.uniform(0.5, 10.0)),
                        "kind": "reply",
                        "text": rng.choice(replies),
                        "actor": org.urn,
                        "parent": top,
                    }
                )
        order = sorted(range(len(drafts)), key=lambda i: (drafts[i]["at"], i))
        base = post.urn.split(":")[3][:10]
        ids = {i: f"8{base}{n:04d}" for n, i in enumerate(order, start=1)}
        urns = {i: f"urn:li:comment:({post.urn},{ids[i]})" for i in order}
        comments = tuple(
            LinkedInComment(
                id=ids[i],
                urn=urns[i],
                post_urn=post.urn,
                actor=drafts[i]["actor"],
                created_at=drafts[i]["at"].replace(microsecond=0),
                text=drafts[i]["text"],
                parent_urn=None if drafts[i]["parent"] is None else urns[drafts[i]["parent"]],
                kind=drafts[i]["kind"],
                final_likes=_rng(self.seed, "linkedin-clikes", ids[i]).randint(0, 6),
            )
            for i in order
        )
        self._comments[post_urn] = comments
        return comments

    # -- daily statistics (UTC days) ----------------------------------------------------------
    def posts_on_utc_day(self, org_id: str, day: date) -> list[LinkedInPost]:
        org = self._require_org(org_id)
        nxt = day + timedelta(days=1)
        months = {(day.year, day.month), (nxt.year, nxt.month)}
        return [
            post
            for year, month in sorted(months)
            for post in self._month_posts(org, year, month)
            if post.published_at.date() == day
        ]

    def daily(self, org_id: str, day: date) -> dict[str, Any]:
        """Share statistics and follower gains of one UTC day (fixed once the day is over)."""
        key = (org_id, day)
        cached = self._daily.get(key)
        if cached is not None:
            return cached
        org = self._require_org(org_id)
        if day < EPOCH:
            values = {"organicFollowerGain": 0, "paidFollowerGain": 0, "share": _no_shares()}
            self._daily[key] = values
            return values
        rng = _rng(self.seed, "linkedin-daily", org_id, day.isoformat())
        n_posts = len(self.posts_on_utc_day(org_id, day)) if day >= EPOCH.replace(day=2) else 0
        weekday = (1.1, 1.15, 1.1, 1.05, 0.95, 0.55, 0.5)[day.weekday()]
        trend = 1.0 + 0.0005 * (day - EPOCH).days
        base = weekday * trend
        impressions = round(
            org.impressions_per_day * base * (1 + 0.9 * n_posts) * rng.uniform(0.8, 1.2)
        )
        clicks = round(impressions * rng.uniform(0.01, 0.03))
        likes = round(impressions * rng.uniform(0.01, 0.03))
        comments = _poisson(rng, 0.3 + 1.2 * n_posts)
        shares = _poisson(rng, 0.05 + 0.2 * n_posts)
        interactions = clicks + likes + comments + shares
        values = {
            "organicFollowerGain": _poisson(rng, org.gains_per_day * base * (1 + 0.5 * n_posts)),
            "paidFollowerGain": 1 if rng.random() < 0.04 else 0,
            "share": {
                "clickCount": clicks,
                "commentCount": comments,
                "engagement": interactions / impressions if impressions else 0.0,
                "impressionCount": impressions,
                "likeCount": likes,
                "shareCount": shares,
                "uniqueImpressionsCount": round(impressions * rng.uniform(0.55, 0.75)),
            },
        }
        self._daily[key] = values
        return values

    def share_statistics_on(self, org_id: str, day: date) -> dict[str, Any]:
        return dict(self.daily(org_id, day)["share"])

    def follower_gains_on(self, org_id: str, day: date) -> dict[str, int]:
        values = self.daily(org_id, day)
        return {
            "organicFollowerGain": values["organicFollowerGain"],
            "paidFollowerGain": values["paidFollowerGain"],
        }

    def followers_at_end_of(self, org_id: str, day: date) -> int:
        """Follower total at the end of a UTC day: the base plus every gain since EPOCH."""

        def change(current: date) -> int:
            gains = self.follower_gains_on(org_id, current)
            return gains["organicFollowerGain"] + gains["paidFollowerGain"]

        base = self._require_org(org_id).base_followers
        with self._lock:
            series = self._cumulative.setdefault(org_id, [])
            return running_total(series, EPOCH, base, day, change)

    def followers_at(self, org_id: str, now: datetime) -> int:
        """``firstDegreeSize`` at ``now``: yesterday's total plus today's gains so far."""
        now = _utc(now)
        today = now.date()
        before = self.followers_at_end_of(org_id, today - timedelta(days=1))
        fraction = (now - utc_midnight(today)).total_seconds() / 86400.0
        return before + round((self.followers_at_end_of(org_id, today) - before) * fraction)

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _require_org(org_id: str) -> Organization:
        org = organization(org_id)
        if org is None:
            raise KeyError(f"no demo LinkedIn organization {org_id!r}")
        return org

    def _require_post(self, urn: str) -> LinkedInPost:
        post = self.post(urn)
        if post is None:
            raise KeyError(f"no LinkedIn post {urn!r} in the demo world")
        return post


def _no_shares() -> dict[str, Any]:
    keys = ("clickCount", "commentCount", "impressionCount", "likeCount", "shareCount")
    return {**dict.fromkeys(keys, 0), "engagement": 0.0, "uniqueImpressionsCount": 0}
