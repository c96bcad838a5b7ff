"""The Instagram side of the demo world: one professional account per demo business, its media,
comments and daily account metrics.

Pure functions of ``(seed, business, clock)`` built on the shared helpers of ``sandbox.world``:
media and comments are laid out on an absolute timeline from ``IG_EPOCH``; the clock only
decides what is visible yet and how far lifetime counters have grown (saturating, Reels more
slowly than feed posts). Daily account values are per Meta (Pacific) day and never change once
published; they are published ``INSIGHTS_LAG`` after the day ends (the API documents up to 48 h).
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import math
import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sandbox import texts
from sandbox.world import (
    BERLIN,
    BUSINESSES,
    Business,
    _months,
    _poisson,
    _rng,
    _saturation,
    _utc,
    meta_day,
    meta_day_end,
    running_total,
)

IG_EPOCH = date(2024, 1, 1)  # first month with Instagram media in the demo world
INSIGHTS_LAG = timedelta(hours=24)  # a Meta day's account values appear this long after it ends
ACCOUNT_RETENTION_DAYS = 90  # account-level insights are kept this long
FOLLOWER_COUNT_DAYS = 30  # follower_count only covers the last 30 days
NEW_MEDIA_HOURS = 12.0  # younger media answer insights with an empty data set

ACCOUNT_DAILY_METRICS: tuple[str, ...] = (
    "reach",
    "views",
    "accounts_engaged",
    "total_interactions",
    "likes",
    "comments",
    "shares",
    "saves",
    "replies",
    "profile_links_taps",
    "follower_count",
)
FEED_METRICS: tuple[str, ...] = (
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
)
REELS_METRICS: tuple[str, ...] = (
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
)
MEDIA_METRICS: dict[str, tuple[str, ...]] = {"FEED": FEED_METRICS, "REELS": REELS_METRICS}

_TAU_HOURS = {"FEED": 30.0, "REELS": 96.0, "likes": 24.0}
_MEDIA_ID = re.compile(r"^18(\d)(\d{4})(\d{2})(\d{3})$")
_COMMENT_ID = re.compile(r"^179(\d)(\d{4})(\d{2})(\d{3})(\d{3})$")


@dataclass(frozen=True)
class IgAccount:
    ig_user_id: str
    business: Business
    username: str
    name: str
    base_followers: int  # followers at IG_EPOCH
    follows_count: int


@dataclass(frozen=True)
class IgMedia:
    id: str
    ig_user_id: str
    timestamp: datetime  # UTC
    caption: str | None
    media_type: str  # IMAGE, VIDEO, CAROUSEL_ALBUM
    media_product_type: str  # FEED, REELS
    shortcode: str
    insights_unavailable: bool  # Meta computes no insights for it: metrics with empty values

    @property
    def permalink(self) -> str:
        kind = "reel" if self.media_product_type == "REELS" else "p"
        return f"https://www.instagram.com/{kind}/{self.shortcode}/"


@dataclass(frozen=True)
class IgComment:
    id: str
    media_id: str
    timestamp: datetime  # UTC
    text: str
    author_id: str  # the owner's IG user id, or an app-scoped id of the commenter
    username: str
    parent_id: str | None
    kind: str  # ground truth: praise, question, complaint, reply
    final_likes: int


@dataclass(frozen=True)
class _Profile:
    views: float
    reach_ratio: float
    like_rate: float
    save_rate: float
    share_rate: float
    follow_rate: float
    visit_rate: float
    avg_watch_ms: int
    skip_rate: float
    comment_count: int


def ig_user_id(biz: Business) -> str:
    """The deterministic Instagram user id of a demo business: 17841400000000001..3."""
    return f"178414000000000{biz.index:02d}"


ACCOUNTS: tuple[IgAccount, ...] = tuple(
    IgAccount(
        ig_user_id=ig_user_id(biz),
        business=biz,
        username=biz.username,
        name=biz.name,
        base_followers=biz.base_followers // 2 + 180,
        follows_count=140 + 37 * biz.index,
    )
    for biz in BUSINESSES
)


def insights_available(day: date, now: datetime) -> bool:
    """Whether the account values of a Meta day are published at ``now``."""
    return meta_day_end(day) + INSIGHTS_LAG <= _utc(now)


class IgWorld:
    """Instagram ground truth for one seed (shares the clock and seed of the sandbox)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._month_cache: dict[tuple[str, int, int], tuple[IgMedia, ...]] = {}
        self._profile_cache: dict[str, _Profile] = {}
        self._comment_cache: dict[str, tuple[IgComment, ...]] = {}
        self._daily_cache: dict[tuple[str, date], dict[str, int]] = {}
        self._followers: dict[str, list[int]] = {}

    # -- accounts -----------------------------------------------------------------------------
    @staticmethod
    def account(ig_id_or_slug: str) -> IgAccount:
        for account in ACCOUNTS:
            if ig_id_or_slug in (account.ig_user_id, account.business.slug):
                return account
        raise KeyError(f"no demo Instagram account {ig_id_or_slug!r}")

    @staticmethod
    def has_account(ig_id: str) -> bool:
        return any(a.ig_user_id == ig_id for a in ACCOUNTS)

    # -- media --------------------------------------------------------------------------------
    def media_at(self, ig_id: str, now: datetime) -> list[IgMedia]:
        """Media published at or before ``now``, newest first."""
        now = _utc(now)
        account = self.account(ig_id)
        found = [
            m
            for year, month in _months(IG_EPOCH, now.astimezone(BERLIN).date())
            for m in self._month_media(account, year, month)
            if m.timestamp <= now
        ]
        found.sort(key=lambda m: (m.timestamp, m.id), reverse=True)
        return found

    def media(self, media_id: str) -> IgMedia | None:
        """A media object by id regardless of the clock (callers check ``timestamp``)."""
        match = _MEDIA_ID.match(media_id)
        if not match:
            return None
        index, year, month = int(match.group(1)), int(match.group(2)), int(match.group(3))
        account = next((a for a in ACCOUNTS if a.business.index == index), None)
        if account is None or not 1 <= month <= 12 or date(year, month, 1) < IG_EPOCH:
            return None
        return next((m for m in self._month_media(account, year, month) if m.id == media_id), None)

    def _month_media(self, account: IgAccount, year: int, month: int) -> tuple[IgMedia, ...]:
        key = (account.ig_user_id, year, month)
        cached = self._month_cache.get(key)
        if cached is not None:
            return cached
        biz = account.business
        rng = _rng(self.seed, "ig-media", account.ig_user_id, year, month)
        count = rng.randint(3, 8)
        last_day = calendar.monthrange(year, month)[1]
        moments = sorted(
            datetime(
                year,
                month,
                rng.randint(1, last_day),
                rng.randint(7, 20),
                rng.randrange(0, 60, 5),
                tzinfo=BERLIN,
            ).astimezone(UTC)
            for _ in range(count)
        )
        media = []
        for k, moment in enumerate(moments, start=1):
            media_id = f"18{biz.index}{year}{month:02d}{k:03d}"
            product = rng.choices(("FEED", "REELS"), weights=(65, 35))[0]
            media_type = "VIDEO"
            if product == "FEED":
                media_type = rng.choices(("IMAGE", "CAROUSEL_ALBUM", "VIDEO"), (60, 30, 10))[0]
            template = rng.choice(texts.POST_TEMPLATES[biz.trade])
            slots = {name: rng.choice(values) for name, values in texts.SLOTS[biz.trade].items()}
            caption: str | None = f"{template.format(**slots)} #{biz.username} #{biz.trade}"
            if rng.random() < 0.05:
                caption = None  # no caption: the API leaves ``caption`` out
            digest = hashlib.sha256(f"{self.seed}:{media_id}".encode()).digest()
            media.append(
                IgMedia(
                    id=media_id,
                    ig_user_id=account.ig_user_id,
                    timestamp=moment,
                    caption=caption,
                    media_type=media_type,
                    media_product_type=product,
                    shortcode=base64.urlsafe_b64encode(digest).decode()[:11],
                    insights_unavailable=rng.random() < 0.08,
                )
            )
        result = tuple(media)
        self._month_cache[key] = result
        return result

    def _profile(self, media: IgMedia) -> _Profile:
        cached = self._profile_cache.get(media.id)
        if cached is not None:
            return cached
        rng = _rng(self.seed, "ig-profile", media.id)
        biz = self.account(media.ig_user_id).business
        reels = media.media_product_type == "REELS"
        views = biz.post_views * 1.2 * rng.lognormvariate(0.0, 0.5) * (2.2 if reels else 1.0)
        profile = _Profile(
            views=views,
            reach_ratio=rng.uniform(0.55, 0.8),
            like_rate=rng.uniform(0.04, 0.09),
            save_rate=rng.uniform(0.002, 0.012),
            share_rate=rng.uniform(0.002, 0.01) if reels else rng.uniform(0.0, 0.004),
            follow_rate=rng.uniform(0.0005, 0.002),
            visit_rate=rng.uniform(0.005, 0.02),
            avg_watch_ms=rng.randint(3000, 15000) if reels else 0,
            skip_rate=round(rng.uniform(20.0, 55.0), 1) if reels else 0.0,
            comment_count=int(views * rng.uniform(0.003, 0.012)),
        )
        self._profile_cache[media.id] = profile
        return profile

    @staticmethod
    def _age_hours(media: IgMedia, now: datetime) -> float:
        return (_utc(now) - media.timestamp).total_seconds() / 3600.0

    def insights_state(self, media: IgMedia, now: datetime) -> str:
        """``ready``, ``too_new`` (empty data set) or ``unavailable`` (empty values)."""
        if self._age_hours(media, now) < NEW_MEDIA_HOURS:
            return "too_new"
        return "unavailable" if media.insights_unavailable else "ready"

    def like_count(self, media_id: str, now: datetime) -> int:
        media = self._require(media_id)
        p = self._profile(media)
        return round(p.views * p.like_rate * _saturation(self._age_hours(media, now), 24.0))

    def comments_count(self, media_id: str, now: datetime) -> int:
        """Comments including replies, as the media's ``comments_count`` counts them."""
        return len(self.comments_at(media_id, now))

    def media_lifetime(self, media_id: str, metric: str, now: datetime) -> int | float:
        """Lifetime value of a media insights metric at ``now`` (see ``MEDIA_METRICS``)."""
        media = self._require(media_id)
        if metric not in MEDIA_METRICS[media.media_product_type]:
            raise KeyError(f"{metric!r} does not apply to {media.media_product_type} media")
        p = self._profile(media)
        age = self._age_hours(media, now)
        views = p.views * _saturation(age, _TAU_HOURS[media.media_product_type])
        likes = self.like_count(media_id, now)
        comments = self.comments_count(media_id, now)
        saved = round(views * p.save_rate)
        shares = round(views * p.share_rate)
        reposts = round(views * p.share_rate * 0.1)
        values: dict[str, int | float] = {
            "views": round(views),
            "reach": round(views * p.reach_ratio),
            "likes": likes,
            "comments": comments,
            "saved": saved,
            "shares": shares,
            "reposts": reposts,
            "total_interactions": likes + comments + saved + shares + reposts,
            "follows": round(views * p.follow_rate),
            "profile_visits": round(views * p.visit_rate),
            "profile_activity": round(views * p.visit_rate * 0.3),
            "ig_reels_avg_watch_time": p.avg_watch_ms,
            "ig_reels_video_view_total_time": round(views) * p.avg_watch_ms,
            "reels_skip_rate": p.skip_rate,
            "crossposted_views": 0,
            "facebook_views": 0,
        }
        return values[metric]

    def _require(self, media_id: str) -> IgMedia:
        media = self.media(media_id)
        if media is None:
            raise KeyError(f"no Instagram media {media_id!r} in the demo world")
        return media

    # -- comments -----------------------------------------------------------------------------
    def comments_at(self, media_id: str, now: datetime) -> list[IgComment]:
        """Comments and replies created at or before ``now``, oldest first."""
        now = _utc(now)
        return [c for c in self._all_comments(media_id) if c.timestamp <= now]

    def comment(self, comment_id: str) -> IgComment | None:
        match = _COMMENT_ID.match(comment_id)
        if not match:
            return None
        media_id = "18" + comment_id[3:-3]
        if self.media(media_id) is None:
            return None
        return next((c for c in self._all_comments(media_id) if c.id == comment_id), None)

    def comment_likes(self, comment: IgComment, now: datetime) -> int:
        age = (_utc(now) - comment.timestamp).total_seconds() / 3600.0
        return round(comment.final_likes * _saturation(age, _TAU_HOURS["likes"]))

    def _commenters(self, ig_id: str) -> list[tuple[str, str]]:
        rng = _rng(self.seed, "ig-people", ig_id)
        people = []
        for _ in range(30):
            first = rng.choice(texts.FIRST_NAMES).lower()
            last = rng.choice(texts.LAST_NAMES).lower().translate(str.maketrans("üöäı", "uoai"))
            handle = f"{first}.{last}{rng.randint(1, 99)}"
            people.append((str(rng.randrange(10**16, 10**17)), handle))
        return people

    def _all_comments(self, media_id: str) -> tuple[IgComment, ...]:
        cached = self._comment_cache.get(media_id)
        if cached is not None:
            return cached
        media = self._require(media_id)
        account = self.account(media.ig_user_id)
        trade = account.business.trade
        rng = _rng(self.seed, "ig-comments", media_id)
        people = self._commenters(account.ig_user_id)
        owner = (account.ig_user_id, account.username)
        drafts: list[dict] = []

        def add(at: datetime, kind: str, text: str, who: tuple[str, str], parent: int | None):
            likes = rng.randint(0, 2) if kind == "reply" else rng.randint(0, 6)
            drafts.append(
                {"at": at.replace(microsecond=0), "kind": kind, "text": text, "who": who}
                | {"parent": parent, "likes": likes}
            )
            return len(drafts) - 1

        for _ in range(self._profile(media).comment_count):
            at = media.timestamp + timedelta(hours=min(rng.expovariate(0.12), 24 * 21))
            kind = rng.choices(("praise", "question", "complaint"), weights=(70, 20, 10))[0]
            if kind == "praise":
                text = rng.choice(texts.PRAISE)
            elif kind == "question":
                text = rng.choice(texts.QUESTIONS[trade])
            else:
                text = rng.choice(texts.COMPLAINTS[trade])
            top = add(at, kind, text, rng.choice(people), None)
            chance, answers = {
                "question": (0.7, texts.PAGE_REPLIES_TO_QUESTIONS),
                "complaint": (0.6, texts.PAGE_REPLIES_TO_COMPLAINTS),
                "praise": (0.25, texts.PAGE_REPLIES_TO_PRAISE),
            }[kind]
            if rng.random() < chance:
                add(
                    at + timedelta(hours=rng.uniform(0.5, 8.0)),
                    "reply",
                    rng.choice(answers),
                    owner,
                    top,
                )
            if rng.random() < 0.1:
                delay = timedelta(hours=rng.uniform(0.2, 30.0))
                add(
                    at + delay, "reply", rng.choice(texts.CUSTOMER_REPLIES), rng.choice(people), top
                )

        order = sorted(range(len(drafts)), key=lambda i: (drafts[i]["at"], i))
        ids = {i: f"179{media_id[2:]}{n:03d}" for n, i in enumerate(order, 1)}
        comments = tuple(
            IgComment(
                id=ids[i],
                media_id=media_id,
                timestamp=drafts[i]["at"],
                text=drafts[i]["text"],
                author_id=drafts[i]["who"][0],
                username=drafts[i]["who"][1],
                parent_id=None if drafts[i]["parent"] is None else ids[drafts[i]["parent"]],
                kind=drafts[i]["kind"],
                final_likes=drafts[i]["likes"],
            )
            for i in order
        )
        self._comment_cache[media_id] = comments
        return comments

    # -- daily account metrics ----------------------------------------------------------------
    def media_on_meta_day(self, ig_id: str, day: date) -> list[IgMedia]:
        account = self.account(ig_id)
        nxt = day + timedelta(days=1)
        candidates = {*self._month_media(account, day.year, day.month)}
        if date(nxt.year, nxt.month, 1) >= IG_EPOCH:
            candidates |= {*self._month_media(account, nxt.year, nxt.month)}
        return sorted((m for m in candidates if meta_day(m.timestamp) == day), key=lambda m: m.id)

    def daily_value(self, ig_id: str, metric: str, day: date) -> int:
        """Value of a daily account metric for a Meta (Pacific) day (``follower_count`` is the
        number of new followers that day)."""
        if metric not in ACCOUNT_DAILY_METRICS:
            raise KeyError(f"unknown daily Instagram account metric {metric!r}")
        return self._daily(ig_id, day)[metric]

    def _daily(self, ig_id: str, day: date) -> dict[str, int]:
        key = (ig_id, day)
        cached = self._daily_cache.get(key)
        if cached is not None:
            return cached
        biz = self.account(ig_id).business
        if day < IG_EPOCH:
            return dict.fromkeys((*ACCOUNT_DAILY_METRICS, "unfollows"), 0)
        rng = _rng(self.seed, "ig-daily", ig_id, day.isoformat())
        n = len(self.media_on_meta_day(ig_id, day))
        base = biz.weekday_weights[day.weekday()] * (1.0 + 0.0008 * (day - IG_EPOCH).days)
        base *= 1.0 + 0.1 * math.sin(2 * math.pi * day.timetuple().tm_yday / 365.25)
        views = round(biz.views_per_day * 0.9 * base * (1 + 1.2 * n) * rng.uniform(0.8, 1.2))
        likes = round(views * rng.uniform(0.03, 0.06))
        comments = round(likes * rng.uniform(0.05, 0.12))
        saves = round(likes * rng.uniform(0.05, 0.1))
        shares = round(likes * rng.uniform(0.02, 0.08))
        replies = _poisson(rng, 0.4)
        reach = round(views * rng.uniform(0.45, 0.7))
        values = {
            "reach": reach,
            "views": views,
            "accounts_engaged": round(reach * rng.uniform(0.03, 0.07)),
            "likes": likes,
            "comments": comments,
            "shares": shares,
            "saves": saves,
            "replies": replies,
            "total_interactions": likes + comments + saves + shares + replies,
            "profile_links_taps": _poisson(rng, biz.visits_per_day * 0.12 * base),
            "follower_count": _poisson(rng, biz.follows_per_day * 1.3 * base * (1 + 0.6 * n)),
            "unfollows": _poisson(rng, biz.unfollows_per_day),
        }
        self._daily_cache[key] = values
        return values

    def followers_on(self, ig_id: str, day: date) -> int:
        """Followers at the end of a Meta day."""

        def change(current: date) -> int:
            flows = self._daily(ig_id, current)
            return flows["follower_count"] - flows["unfollows"]

        base = self.account(ig_id).base_followers
        with self._lock:
            series = self._followers.setdefault(ig_id, [])
            return running_total(series, IG_EPOCH, base, day, change)

    def followers_at(self, ig_id: str, now: datetime) -> int:
        """``followers_count`` at ``now``: yesterday's close plus today's change so far."""
        now = _utc(now)
        today = meta_day(now)
        before = self.followers_on(ig_id, today - timedelta(days=1))
        start = meta_day_end(today - timedelta(days=1))
        fraction = (now - start).total_seconds() / (meta_day_end(today) - start).total_seconds()
        return before + round((self.followers_on(ig_id, today) - before) * fraction)
