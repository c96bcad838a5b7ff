"""The X (Twitter) side of the demo world: one X account per demo business, its posts (original
posts, quotes, a few retweets and the owner's own replies), the replies other people write in
the conversations of those posts, and how the counters grow.

Everything is a pure function of ``(seed, clock)``: the world is laid out on an absolute
timeline from ``sandbox.world.EPOCH``; the clock only decides what is visible yet and how far
the counters have grown (they saturate). Post ids are real snowflakes: the creation time is
encoded in the id (``(ms - X_EPOCH_MS) << 22``), so ids sort like creation times, as on X.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import math
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sandbox import texts
from sandbox.world import BERLIN, BUSINESSES, EPOCH

X_EPOCH_MS = 1288834974657  # Twitter's snowflake epoch (2010-11-04T01:42:54.657Z)
PRIVATE_METRICS_DAYS = 30  # non_public/organic metrics exist only for posts this young
_TAU_HOURS = {"impressions": 18.0, "likes": 12.0, "shares": 24.0, "clicks": 20.0}


@dataclass(frozen=True)
class XUser:
    business: str
    id: str
    username: str
    name: str
    trade: str
    created_at: datetime
    description: str
    location: str
    url: str
    base_followers: int  # followers at EPOCH
    followers_per_day: float
    following: int
    post_impressions: float  # typical lifetime impressions of a post


def _user(index: int, username: str, followers: int, per_day: float, impressions: float):
    biz = BUSINESSES[index - 1]
    return XUser(
        business=biz.slug,
        id=f"150000000000000000{index}",
        username=username,
        name=biz.name,
        trade=biz.trade,
        created_at=datetime(2014 + index, 3 * index, 10 + index, 9, 15, tzinfo=UTC),
        description=biz.about,
        location=biz.city,
        url=biz.website,
        base_followers=followers,
        followers_per_day=per_day,
        following=80 + 35 * index,
        post_impressions=impressions,
    )


USERS: tuple[XUser, ...] = (
    _user(1, "BaeckereiSonne", 610, 0.9, 520.0),
    _user(2, "HolzwerkEM", 240, 0.4, 310.0),
    _user(3, "Schnittpunkt_LO", 430, 0.7, 400.0),
)


@dataclass(frozen=True)
class Reference:
    type: str  # replied_to, quoted, retweeted
    id: str


@dataclass(frozen=True)
class XPost:
    """A post as X stores it. ``kind``: post, quote, retweet or reply."""

    id: str
    author_id: str
    created_at: datetime
    text: str
    kind: str
    conversation_id: str
    in_reply_to_user_id: str | None = None
    references: tuple[Reference, ...] = ()
    has_link: bool = False
    final_likes: int = 0  # replies only: likes it ends up with


@dataclass(frozen=True)
class Person:
    id: str
    username: str


@dataclass(frozen=True)
class _Profile:
    impressions: float
    like_rate: float
    retweet_rate: float
    quote_rate: float
    bookmark_rate: float
    link_click_rate: float
    profile_click_rate: float
    replies: int


def snowflake(moment: datetime, salt: int) -> str:
    """An X id for a post created at ``moment``; the low 22 bits make it unique."""
    ms = round(moment.timestamp() * 1000)
    return str(((ms - X_EPOCH_MS) << 22) | (salt & 0x3FFFFF))


def snowflake_time(post_id: str | int) -> datetime:
    """The creation time encoded in a snowflake id (millisecond precision)."""
    ms = (int(post_id) >> 22) + X_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def x_time(moment: datetime) -> str:
    """``created_at`` as X writes it: UTC with milliseconds and a ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def _rng(seed: int, *parts: object) -> random.Random:
    key = ":".join(str(p) for p in (seed, "x", *parts)).encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def _saturation(age_hours: float, tau: float) -> float:
    return 0.0 if age_hours <= 0 else 1.0 - math.exp(-age_hours / tau)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _months(start: date, end: date) -> Iterable[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


NEIGHBOURS = ("StadtmarktFR", "Breisgau_News", "HandwerkBW", "KulturamRhein")


class XWorld:
    """Ground truth of the X sandbox for one seed (tests use it to check what the API served)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._lock = threading.RLock()
        self._month_cache: dict[tuple[str, int, int], tuple[XPost, ...]] = {}
        self._reply_cache: dict[str, tuple[XPost, ...]] = {}
        self._profile_cache: dict[str, _Profile] = {}
        self._people: dict[str, tuple[Person, ...]] = {}

    # -- users ------------------------------------------------------------------------------
    @property
    def users(self) -> tuple[XUser, ...]:
        return USERS

    def user(self, user_id: str) -> XUser | None:
        return next((u for u in USERS if u.id == user_id), None)

    def user_for_business(self, slug: str) -> XUser:
        return next(u for u in USERS if u.business == slug)

    def followers_at(self, user_id: str, now: datetime) -> int:
        """Followers at ``now``: a steady trend plus a daily wobble; a past day never changes."""
        user = self._require_user(user_id)
        now = _utc(now)
        days = (now - datetime.combine(EPOCH, datetime.min.time(), UTC)).total_seconds() / 86400
        wobble = _rng(self.seed, "followers", user_id, now.date().isoformat()).randint(-2, 2)
        return user.base_followers + max(0, int(user.followers_per_day * days)) + wobble

    def user_public_metrics(self, user_id: str, now: datetime) -> dict[str, int]:
        user = self._require_user(user_id)
        timeline = self.timeline_at(user_id, now)
        return {
            "followers_count": self.followers_at(user_id, now),
            "following_count": user.following,
            "tweet_count": len(timeline),
            "listed_count": 3 + int(user_id[-1]) * 2,
            "like_count": 150 + 40 * int(user_id[-1]),
            "media_count": sum(1 for p in timeline if p.kind == "post" and p.has_link is False),
        }

    def _require_user(self, user_id: str) -> XUser:
        user = self.user(user_id)
        if user is None:
            raise KeyError(f"no X user {user_id!r} in the demo world")
        return user

    # -- posts ------------------------------------------------------------------------------
    def timeline_at(self, user_id: str, now: datetime) -> list[XPost]:
        """Everything the user posted up to ``now`` (posts, quotes, retweets, own replies),
        newest first, as the user timeline endpoint orders it."""
        now = _utc(now)
        user = self._require_user(user_id)
        items = [
            post
            for year, month in _months(EPOCH, now.date())
            for post in self._month_posts(user, year, month)
            if post.created_at <= now
        ]
        for root in list(items):
            if root.kind in ("post", "quote"):
                items.extend(
                    r
                    for r in self._all_replies(root)
                    if r.author_id == user_id and r.created_at <= now
                )
        items.sort(key=lambda p: int(p.id), reverse=True)
        return items

    def posts_at(self, user_id: str, now: datetime) -> list[XPost]:
        """The user's own posts and quotes (no retweets, no replies) up to ``now``, newest
        first: what ``exclude=retweets,replies`` returns."""
        return [p for p in self.timeline_at(user_id, now) if p.kind in ("post", "quote")]

    def post(self, post_id: str) -> XPost | None:
        """A post or reply by id regardless of the clock (callers check ``created_at``)."""
        try:
            created = snowflake_time(post_id)
        except ValueError:
            return None
        for user in USERS:
            local = created.astimezone(BERLIN)
            for post in self._month_posts(user, local.year, local.month):
                if post.id == post_id:
                    return post
        return self._find_reply(post_id, created)

    def _find_reply(self, post_id: str, created: datetime) -> XPost | None:
        for user in USERS:
            for back in range(0, 23):
                local = (created - timedelta(days=back)).astimezone(BERLIN)
                for root in self._month_posts(user, local.year, local.month):
                    if root.kind in ("post", "quote") and root.created_at <= created:
                        for reply in self._all_replies(root):
                            if reply.id == post_id:
                                return reply
        return None

    def _month_posts(self, user: XUser, year: int, month: int) -> tuple[XPost, ...]:
        key = (user.id, year, month)
        with self._lock:
            cached = self._month_cache.get(key)
        if cached is not None:
            return cached
        if date(year, month, 1) < EPOCH.replace(day=1):
            return ()
        rng = _rng(self.seed, "posts", user.id, year, month)
        count = rng.randint(3, 9)
        last_day = calendar.monthrange(year, month)[1]
        posts = []
        for k in range(count):
            local = datetime(
                year,
                month,
                rng.randint(1, last_day),
                rng.randint(7, 20),
                rng.randrange(0, 60),
                rng.randrange(0, 60),
                rng.randrange(0, 1000) * 1000,
                tzinfo=BERLIN,
            )
            moment = local.astimezone(UTC)
            kind = rng.choices(("post", "quote", "retweet"), weights=(80, 10, 10))[0]
            post_id = snowflake(moment, (int(user.id[-1]) << 12) | (month << 6) | k)
            posts.append(self._make_post(user, post_id, moment, kind, rng))
        result = tuple(sorted(posts, key=lambda p: int(p.id)))
        with self._lock:
            self._month_cache[key] = result
        return result

    def _make_post(
        self, user: XUser, post_id: str, moment: datetime, kind: str, rng: random.Random
    ) -> XPost:
        template = rng.choice(texts.POST_TEMPLATES[user.trade])
        slots = {name: rng.choice(values) for name, values in texts.SLOTS[user.trade].items()}
        text = template.format(**slots)
        has_link = rng.random() < 0.2
        if has_link:
            text = f"{text} {user.url}"
        if kind == "retweet":
            other = rng.choice(NEIGHBOURS)
            original = snowflake(moment - timedelta(hours=rng.uniform(1, 30)), rng.getrandbits(22))
            return XPost(
                id=post_id,
                author_id=user.id,
                created_at=moment,
                text=f"RT @{other}: {text}"[:280],
                kind="retweet",
                conversation_id=original,
                references=(Reference("retweeted", original),),
            )
        references: tuple[Reference, ...] = ()
        if kind == "quote":
            quoted = snowflake(moment - timedelta(hours=rng.uniform(1, 48)), rng.getrandbits(22))
            references = (Reference("quoted", quoted),)
        return XPost(
            id=post_id,
            author_id=user.id,
            created_at=moment,
            text=text[:280],
            kind=kind,
            conversation_id=post_id,
            references=references,
            has_link=has_link,
        )

    def _profile(self, post: XPost) -> _Profile:
        with self._lock:
            cached = self._profile_cache.get(post.id)
        if cached is not None:
            return cached
        user = self._require_user(post.author_id)
        rng = _rng(self.seed, "profile", post.id)
        impressions = user.post_impressions * rng.lognormvariate(0.0, 0.5)
        profile = _Profile(
            impressions=impressions,
            like_rate=rng.uniform(0.015, 0.05),
            retweet_rate=rng.uniform(0.001, 0.008),
            quote_rate=rng.choice((0.0, 0.0, 0.001, 0.003)),
            bookmark_rate=rng.uniform(0.0005, 0.004),
            link_click_rate=rng.uniform(0.005, 0.02) if post.has_link else 0.0,
            profile_click_rate=rng.uniform(0.003, 0.012),
            replies=int(impressions * rng.uniform(0.002, 0.009)),
        )
        with self._lock:
            self._profile_cache[post.id] = profile
        return profile

    # -- replies ----------------------------------------------------------------------------
    def people(self, user_id: str) -> tuple[Person, ...]:
        """The pool of accounts that reply to a user."""
        with self._lock:
            cached = self._people.get(user_id)
        if cached is None:
            rng = _rng(self.seed, "people", user_id)
            cached = tuple(
                Person(
                    id=str(rng.randrange(10**17, 10**18)),
                    username=(
                        f"{rng.choice(texts.FIRST_NAMES).lower()}_"
                        f"{rng.choice(texts.LAST_NAMES)[:4].lower()}{rng.randint(1, 99)}"
                    ),
                )
                for _ in range(40)
            )
            with self._lock:
                self._people[user_id] = cached
        return cached

    def replies_at(self, conversation_id: str, now: datetime) -> list[XPost]:
        """Replies in the conversation of one of the users' posts up to ``now`` (visitors'
        replies and the owner's answers), newest first as recent search returns them."""
        root = self.post(conversation_id)
        if root is None or root.kind not in ("post", "quote"):
            return []
        now = _utc(now)
        replies = [r for r in self._all_replies(root) if r.created_at <= now]
        return sorted(replies, key=lambda r: int(r.id), reverse=True)

    def _all_replies(self, root: XPost) -> tuple[XPost, ...]:
        with self._lock:
            cached = self._reply_cache.get(root.id)
        if cached is not None:
            return cached
        user = self._require_user(root.author_id)
        rng = _rng(self.seed, "replies", root.id)
        people = self.people(user.id)
        replies: list[XPost] = []

        def add(at: datetime, author: Person | None, text: str, parent: XPost | None) -> XPost:
            at = at.replace(microsecond=at.microsecond // 1000 * 1000)  # X keeps milliseconds
            salt = len(replies) + 1
            reply_id = snowflake(at, (int(root.id) + salt) & 0x3FFFFF)
            to_user = user.id if parent is None else parent.author_id
            reply = XPost(
                id=reply_id,
                author_id=user.id if author is None else author.id,
                created_at=at,
                text=text[:280],
                kind="reply",
                conversation_id=root.id,
                in_reply_to_user_id=to_user,
                references=(Reference("replied_to", root.id if parent is None else parent.id),),
                final_likes=rng.randint(0, 2) if author is None else rng.randint(0, 6),
            )
            replies.append(reply)
            return reply

        for _ in range(self._profile(root).replies):
            at = root.created_at + timedelta(hours=min(rng.expovariate(0.1), 24 * 21))
            kind = rng.choices(("praise", "question", "complaint"), weights=(62, 23, 15))[0]
            if kind == "praise":
                message = rng.choice(texts.PRAISE)
                chance, answers = 0.2, texts.PAGE_REPLIES_TO_PRAISE
            elif kind == "question":
                message = rng.choice(texts.QUESTIONS[user.trade])
                chance, answers = 0.75, texts.PAGE_REPLIES_TO_QUESTIONS
            else:
                message = rng.choice(texts.COMPLAINTS[user.trade])
                chance, answers = 0.6, texts.PAGE_REPLIES_TO_COMPLAINTS
            visitor = rng.choice(people)
            top = add(at, visitor, f"@{user.username} {message}", None)
            if rng.random() < chance:
                later = at + timedelta(hours=rng.uniform(0.5, 8.0))
                add(later, None, f"@{visitor.username} {rng.choice(answers)}", top)
        result = tuple(sorted(replies, key=lambda r: int(r.id)))
        with self._lock:
            self._reply_cache[root.id] = result
        return result

    # -- metrics ----------------------------------------------------------------------------
    def _age_hours(self, post: XPost, now: datetime) -> float:
        return (_utc(now) - post.created_at).total_seconds() / 3600.0

    def direct_replies(self, post: XPost, now: datetime) -> int:
        if post.kind == "reply":
            root = self.post(post.conversation_id)
            pool = self._all_replies(root) if root else ()
        elif post.kind in ("post", "quote"):
            pool = self._all_replies(post)
        else:
            return 0
        now = _utc(now)
        return sum(
            1
            for r in pool
            if r.created_at <= now and any(ref.id == post.id for ref in r.references)
        )

    def public_metrics(self, post: XPost, now: datetime) -> dict[str, int]:
        """``public_metrics`` at ``now`` (any authentication)."""
        age = self._age_hours(post, now)
        if post.kind == "retweet":
            rng = _rng(self.seed, "retweet", post.id)
            return {
                "retweet_count": rng.randint(2, 20),
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": 0,
            }
        if post.kind == "reply":
            g = _saturation(age, _TAU_HOURS["likes"])
            return {
                "retweet_count": 0,
                "reply_count": self.direct_replies(post, now),
                "like_count": round(post.final_likes * g),
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": round((12 + 9 * post.final_likes) * g),
            }
        p = self._profile(post)
        views = p.impressions * _saturation(age, _TAU_HOURS["impressions"])
        likes = _saturation(age, _TAU_HOURS["likes"])
        shares = _saturation(age, _TAU_HOURS["shares"])
        return {
            "retweet_count": round(p.impressions * p.retweet_rate * shares),
            "reply_count": self.direct_replies(post, now),
            "like_count": round(p.impressions * p.like_rate * likes),
            "quote_count": round(p.impressions * p.quote_rate * shares),
            "bookmark_count": round(p.impressions * p.bookmark_rate * likes),
            "impression_count": round(views),
        }

    def _clicks(self, post: XPost, now: datetime) -> dict[str, int]:
        age = self._age_hours(post, now)
        if post.kind not in ("post", "quote"):
            return {"user_profile_clicks": 0}
        p = self._profile(post)
        g = _saturation(age, _TAU_HOURS["clicks"])
        clicks = {"user_profile_clicks": round(p.impressions * p.profile_click_rate * g)}
        if post.has_link:  # X reports url_link_clicks only for posts with a link
            clicks["url_link_clicks"] = round(p.impressions * p.link_click_rate * g)
        return clicks

    def non_public_metrics(self, post: XPost, now: datetime) -> dict[str, int]:
        """``non_public_metrics`` (user context, own posts, younger than 30 days)."""
        public = self.public_metrics(post, now)
        clicks = self._clicks(post, now)
        engagements = (
            public["like_count"]
            + public["retweet_count"]
            + public["quote_count"]
            + public["reply_count"]
            + public["bookmark_count"]
            + sum(clicks.values())
        )
        return {
            "impression_count": public["impression_count"],
            **clicks,
            "engagements": engagements,
        }

    def organic_metrics(self, post: XPost, now: datetime) -> dict[str, int]:
        """``organic_metrics``: the demo businesses never promote, so organic = all."""
        public = self.public_metrics(post, now)
        return {
            "impression_count": public["impression_count"],
            "like_count": public["like_count"],
            "reply_count": public["reply_count"],
            "retweet_count": public["retweet_count"],
            **self._clicks(post, now),
        }

    @staticmethod
    def private_metrics_available(post: XPost, now: datetime) -> bool:
        return _utc(now) - post.created_at <= timedelta(days=PRIVATE_METRICS_DAYS)


@functools.cache
def x_world(seed: int) -> XWorld:
    """The X world of a seed (cached: it is a pure function of the seed)."""
    return XWorld(seed)
