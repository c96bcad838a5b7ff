"""The deterministic demo world: businesses, their Facebook Pages, posts, comments and metrics.

Everything is a pure function of ``(seed, clock)``. The world is laid out on an absolute
timeline that starts at ``EPOCH``; the clock only decides what is visible yet and how far the
lifetime counters of a post have grown. Hence moving the clock forward only adds posts and
comments and grows post metrics, and a daily value never changes once its day is over.

Daily page metrics are kept per *Meta day* (America/Los_Angeles), like the Graph API does.
"""

from __future__ import annotations

import calendar
import hashlib
import math
import random
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sandbox import texts

META_TZ = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
EPOCH = date(2023, 1, 1)  # first day of the world; clocks after 2024-02-05 see >= 400 days
DEFAULT_SEED = 42
DEFAULT_NOW = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)

PAGE_DAILY_METRICS: tuple[str, ...] = (
    "page_media_view",
    "page_total_media_view_unique",
    "page_post_engagements",
    "page_total_actions",
    "page_views_total",
    "page_video_views",
    "page_follows",
    "page_daily_follows",
    "page_daily_follows_unique",
    "page_daily_unfollows_unique",
)
REACTION_TYPES: tuple[str, ...] = ("like", "love", "wow", "haha", "sorry", "anger")
POST_LIFETIME_METRICS: tuple[str, ...] = (
    "post_media_view",
    "post_total_media_view_unique",
    "post_clicks",
    "post_video_views",
    *(f"post_reactions_{kind}_total" for kind in REACTION_TYPES),
    "post_reactions_by_type_total",
)
# Counters of the post object itself (not insights metrics), also served by post_lifetime().
POST_COUNTERS: tuple[str, ...] = ("reactions", "comments", "shares")

_TAU_HOURS = {"views": 20.0, "clicks": 24.0, "reactions": 14.0, "shares": 30.0, "likes": 24.0}


@dataclass(frozen=True)
class Business:
    slug: str
    name: str
    page_id: str
    index: int  # 1-based; part of every story id of the Page
    username: str
    trade: str  # key into sandbox.texts
    category: str
    city: str
    about: str
    website: str
    phone: str
    address: str
    were_here_count: int
    base_followers: int  # follower count at EPOCH
    follows_per_day: float
    unfollows_per_day: float
    views_per_day: float
    visits_per_day: float
    post_views: float  # typical lifetime views of a post
    weekday_weights: tuple[float, float, float, float, float, float, float]  # Mon..Sun


BUSINESSES: tuple[Business, ...] = (
    Business(
        slug="baeckerei-sonnenschein",
        name="Bäckerei Sonnenschein",
        page_id="1000000001",
        index=1,
        username="baeckereisonnenschein",
        trade="baeckerei",
        category="Bakery",
        city="Freiburg im Breisgau",
        about="Handwerksbäckerei seit 1987. Jeden Morgen frisch gebacken.",
        website="https://baeckerei-sonnenschein.example",
        phone="+49 761 123456",
        address="Sonnenstraße 12, 79098 Freiburg im Breisgau, Germany",
        were_here_count=312,
        base_followers=1450,
        follows_per_day=2.4,
        unfollows_per_day=0.6,
        views_per_day=420.0,
        visits_per_day=38.0,
        post_views=950.0,
        weekday_weights=(0.9, 0.85, 0.9, 0.95, 1.1, 1.35, 0.95),
    ),
    Business(
        slug="schreinerei-holzwerk",
        name="Schreinerei Holzwerk",
        page_id="1000000002",
        index=2,
        username="schreinereiholzwerk",
        trade="schreinerei",
        category="Carpenter",
        city="Emmendingen",
        about="Meisterbetrieb für Möbel, Küchen und Treppen nach Maß.",
        website="https://holzwerk-schreinerei.example",
        phone="+49 7641 98765",
        address="Am Sägewerk 3, 79312 Emmendingen, Germany",
        were_here_count=48,
        base_followers=620,
        follows_per_day=1.1,
        unfollows_per_day=0.3,
        views_per_day=180.0,
        visits_per_day=14.0,
        post_views=640.0,
        weekday_weights=(1.1, 1.1, 1.05, 1.05, 1.0, 0.85, 0.8),
    ),
    Business(
        slug="friseur-schnittpunkt",
        name="Friseursalon Schnittpunkt",
        page_id="1000000003",
        index=3,
        username="friseurschnittpunkt",
        trade="friseur",
        category="Hair Salon",
        city="Lörrach",
        about="Schnitt, Farbe, Styling – euer Salon in der Innenstadt.",
        website="https://schnittpunkt-friseur.example",
        phone="+49 7621 445566",
        address="Marktplatz 7, 79539 Lörrach, Germany",
        were_here_count=205,
        base_followers=980,
        follows_per_day=1.8,
        unfollows_per_day=0.5,
        views_per_day=300.0,
        visits_per_day=26.0,
        post_views=780.0,
        weekday_weights=(0.7, 0.95, 1.0, 1.05, 1.2, 1.3, 0.8),
    ),
)


@dataclass(frozen=True)
class NegativeBurst:
    """A planted storm of angry comments on one post, for alerting and sentiment tests."""

    business: str
    page_id: str
    post_id: str
    date: date  # the business's local calendar day (Europe/Berlin) of post and burst
    post_created_time: datetime
    window_start: datetime  # first angry comment (UTC)
    window_end: datetime  # last angry comment (UTC)
    angry_comments: int


NEGATIVE_BURST = NegativeBurst(
    business="friseur-schnittpunkt",
    page_id="1000000003",
    post_id="1000000003_103202601900",
    date=date(2026, 1, 17),
    post_created_time=datetime(2026, 1, 17, 7, 30, tzinfo=UTC),
    window_start=datetime(2026, 1, 17, 8, 10, tzinfo=UTC),
    window_end=datetime(2026, 1, 17, 19, 40, tzinfo=UTC),
    angry_comments=9,
)


@dataclass(frozen=True)
class Person:
    name: str
    id: str


@dataclass(frozen=True)
class Post:
    id: str
    page_id: str
    created_time: datetime  # UTC
    message: str | None
    status_type: str
    permalink_url: str
    full_picture: str | None

    @property
    def story_id(self) -> str:
        return self.id.split("_", 1)[1]


@dataclass(frozen=True)
class Comment:
    id: str
    post_id: str
    created_time: datetime  # UTC
    message: str
    author: Person | None  # None: Graph leaves out ``from`` for this commenter
    parent_id: str | None
    kind: str  # ground truth: praise, question, complaint, angry, reply
    final_likes: int


@dataclass(frozen=True)
class _PostProfile:
    views: float
    unique_ratio: float
    click_rate: float
    reactions: dict[str, float]
    shares: float
    comment_count: int
    is_video: bool


_STORY = re.compile(r"^1(\d{2})(\d{4})(\d{2})(\d{3})$")
_POST_ID = re.compile(r"^(\d+)_(\d+)$")


def _rng(seed: int, *parts: object) -> random.Random:
    key = ":".join(str(p) for p in (seed, *parts)).encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def _saturation(age_hours: float, tau: float) -> float:
    return 0.0 if age_hours <= 0 else 1.0 - math.exp(-age_hours / tau)


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def meta_day(moment: datetime) -> date:
    """The Meta (Pacific) calendar day a moment falls on."""
    return moment.astimezone(META_TZ).date()


def meta_day_end(day: date) -> datetime:
    """UTC instant that ends a Meta day: the next Pacific midnight (07:00 or 08:00 UTC)."""
    return datetime.combine(day + timedelta(days=1), time(0), META_TZ).astimezone(UTC)


def last_complete_meta_day(now: datetime) -> date:
    return meta_day(now) - timedelta(days=1)


def _months(start: date, end: date) -> Iterable[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def running_total(
    series: list[int], epoch: date, base: int, day: date, change_on: Callable[[date], int]
) -> int:
    """A daily total that starts at ``base`` on ``epoch`` and moves by ``change_on(day)`` each day
    (followers): ``series`` caches the values already computed (callers hold their lock)."""
    if day < epoch:
        return base
    wanted = (day - epoch).days
    while len(series) <= wanted:
        previous = series[-1] if series else base
        series.append(previous + change_on(epoch + timedelta(days=len(series))))
    return series[wanted]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class World:
    """The demo world for one seed; ground truth for the sandbox server and for tests."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._month_cache: dict[tuple[str, int, int], tuple[Post, ...]] = {}
        self._comment_cache: dict[str, tuple[Comment, ...]] = {}
        self._profile_cache: dict[str, _PostProfile] = {}
        self._daily_cache: dict[tuple[str, date], dict[str, int]] = {}
        self._follows: dict[str, list[int]] = {}
        self._people: dict[str, tuple[Person, ...]] = {}

    # -- businesses ---------------------------------------------------------------------------
    @property
    def businesses(self) -> tuple[Business, ...]:
        return BUSINESSES

    def business(self, slug_or_page_id: str) -> Business:
        for biz in BUSINESSES:
            if slug_or_page_id in (biz.slug, biz.page_id):
                return biz
        raise KeyError(f"no demo business or page {slug_or_page_id!r}")

    def has_page(self, page_id: str) -> bool:
        return any(biz.page_id == page_id for biz in BUSINESSES)

    # -- posts --------------------------------------------------------------------------------
    def posts_at(self, page_id: str, now: datetime) -> list[Post]:
        """Posts of a Page published at or before ``now``, newest first."""
        now = _utc(now)
        biz = self.business(page_id)
        posts = [
            post
            for year, month in _months(EPOCH, now.astimezone(BERLIN).date())
            for post in self._month_posts(biz, year, month)
            if post.created_time <= now
        ]
        posts.sort(key=lambda p: (p.created_time, p.id), reverse=True)
        return posts

    def post(self, post_id: str) -> Post | None:
        """A post by id regardless of the clock (callers check ``created_time``)."""
        match = _POST_ID.match(post_id)
        story = _STORY.match(match.group(2)) if match else None
        if not match or not story:
            return None
        index, year, month = int(story.group(1)), int(story.group(2)), int(story.group(3))
        biz = next((b for b in BUSINESSES if b.index == index), None)
        if biz is None or biz.page_id != match.group(1) or not 1 <= month <= 12:
            return None
        if date(year, month, 1) < EPOCH.replace(day=1):
            return None
        return next((p for p in self._month_posts(biz, year, month) if p.id == post_id), None)

    def post_for_story(self, story_id: str) -> Post | None:
        story = _STORY.match(story_id)
        if not story:
            return None
        biz = next((b for b in BUSINESSES if b.index == int(story.group(1))), None)
        return self.post(f"{biz.page_id}_{story_id}") if biz else None

    def _month_posts(self, biz: Business, year: int, month: int) -> tuple[Post, ...]:
        key = (biz.page_id, year, month)
        cached = self._month_cache.get(key)
        if cached is not None:
            return cached
        rng = _rng(self.seed, "posts", biz.page_id, year, month)
        burst = NEGATIVE_BURST
        planted = burst.page_id == biz.page_id and (burst.date.year, burst.date.month) == (
            year,
            month,
        )
        count = rng.randint(2, 9 if planted else 10)
        last_day = calendar.monthrange(year, month)[1]
        moments = sorted(
            datetime(
                year,
                month,
                rng.randint(1, last_day),
                rng.randint(7, 19),
                rng.randrange(0, 60, 5),
                tzinfo=BERLIN,
            ).astimezone(UTC)
            for _ in range(count)
        )
        posts = [
            self._make_post(biz, f"1{biz.index:02d}{year}{month:02d}{k:03d}", moment, rng)
            for k, moment in enumerate(moments, start=1)
        ]
        if planted:
            story = burst.post_id.split("_", 1)[1]
            posts.append(
                Post(
                    id=burst.post_id,
                    page_id=biz.page_id,
                    created_time=burst.post_created_time,
                    message=texts.BURST_POST_MESSAGE,
                    status_type="mobile_status_update",
                    permalink_url=f"https://www.facebook.com/{biz.username}/posts/{story}",
                    full_picture=None,
                )
            )
        result = tuple(sorted(posts, key=lambda p: (p.created_time, p.id)))
        self._month_cache[key] = result
        return result

    def _make_post(self, biz: Business, story: str, moment: datetime, rng: random.Random) -> Post:
        status_type = rng.choices(
            ("added_photos", "mobile_status_update", "added_video", "shared_story"),
            weights=(55, 25, 10, 10),
        )[0]
        template = rng.choice(texts.POST_TEMPLATES[biz.trade])
        slots = {name: rng.choice(values) for name, values in texts.SLOTS[biz.trade].items()}
        message: str | None = template.format(**slots)
        if status_type == "shared_story":
            message = f"{message} Mehr dazu: {biz.website}"
        elif status_type == "added_photos" and rng.random() < 0.06:
            message = None  # photo without caption: Graph leaves ``message`` out
        picture = None
        if status_type in ("added_photos", "added_video"):
            picture = f"https://scontent.xx.fbcdn.net/v/t39.30808-6/{story}_n.jpg"
        return Post(
            id=f"{biz.page_id}_{story}",
            page_id=biz.page_id,
            created_time=moment,
            message=message,
            status_type=status_type,
            permalink_url=f"https://www.facebook.com/{biz.username}/posts/{story}",
            full_picture=picture,
        )

    def _profile(self, post: Post) -> _PostProfile:
        cached = self._profile_cache.get(post.id)
        if cached is not None:
            return cached
        rng = _rng(self.seed, "profile", post.id)
        biz = self.business(post.page_id)
        is_video = post.status_type == "added_video"
        planted = post.id == NEGATIVE_BURST.post_id
        views = biz.post_views * rng.lognormvariate(0.0, 0.45) * (1.5 if is_video else 1.0)
        if planted:
            views *= 3.0
            mix = {"like": 0.2, "love": 0.03, "wow": 0.12, "haha": 0.05, "sorry": 0.15}
            mix["anger"] = 0.45
        else:
            like = rng.uniform(0.65, 0.8)
            love = rng.uniform(0.1, 0.2)
            rest = 1.0 - like - love
            mix = {"like": like, "love": love, "wow": rest * 0.45, "haha": rest * 0.35}
            mix |= {"sorry": rest * 0.15, "anger": rest * 0.05}
        total_reactions = views * rng.uniform(0.03, 0.07)
        profile = _PostProfile(
            views=views,
            unique_ratio=rng.uniform(0.6, 0.8),
            click_rate=rng.uniform(0.02, 0.06),
            reactions={kind: total_reactions * share for kind, share in mix.items()},
            shares=views * rng.choice((0.0, 0.0, 0.002, 0.004, 0.008)),
            comment_count=int(views * rng.uniform(0.002, 0.01)),
            is_video=is_video,
        )
        self._profile_cache[post.id] = profile
        return profile

    def reactions_at(self, post_id: str, now: datetime) -> dict[str, int]:
        """Reactions per type (like, love, wow, haha, sorry, anger) at ``now``."""
        post = self._require_post(post_id)
        profile = self._profile(post)
        g = _saturation(self._age_hours(post, now), _TAU_HOURS["reactions"])
        return {kind: round(profile.reactions[kind] * g) for kind in REACTION_TYPES}

    def post_lifetime(self, post_id: str, metric: str, now: datetime) -> int | dict[str, int]:
        """Lifetime value of a post metric at ``now``: an insights metric from
        ``POST_LIFETIME_METRICS`` or a counter from ``POST_COUNTERS`` (``comments`` counts
        top-level comments, as the post's ``comments.summary`` does)."""
        post = self._require_post(post_id)
        profile = self._profile(post)
        age = self._age_hours(post, now)
        views_g = _saturation(age, _TAU_HOURS["views"])
        if metric == "post_media_view":
            return round(profile.views * views_g)
        if metric == "post_total_media_view_unique":
            return round(profile.views * profile.unique_ratio * views_g)
        if metric == "post_video_views":
            return round(profile.views * 0.55 * views_g) if profile.is_video else 0
        if metric == "post_clicks":
            return round(
                profile.views * profile.click_rate * _saturation(age, _TAU_HOURS["clicks"])
            )
        if metric == "shares":
            return round(profile.shares * _saturation(age, _TAU_HOURS["shares"]))
        reactions = self.reactions_at(post_id, now)
        if metric == "reactions":
            return sum(reactions.values())
        if metric == "post_reactions_by_type_total":
            return {kind: count for kind, count in reactions.items() if count}
        kind = metric.removeprefix("post_reactions_").removesuffix("_total")
        if metric.startswith("post_reactions_") and kind in reactions:
            return reactions[kind]
        if metric == "comments":
            return self.comment_count(post_id, now)
        raise KeyError(f"unknown post metric {metric!r}")

    def _require_post(self, post_id: str) -> Post:
        post = self.post(post_id)
        if post is None:
            raise KeyError(f"no post {post_id!r} in the demo world")
        return post

    @staticmethod
    def _age_hours(post: Post, now: datetime) -> float:
        return (_utc(now) - post.created_time).total_seconds() / 3600.0

    # -- comments -----------------------------------------------------------------------------
    def comments_at(self, post_id: str, now: datetime) -> list[Comment]:
        """All comments of a post (top-level and replies) created at or before ``now``,
        oldest first."""
        now = _utc(now)
        return [c for c in self._all_comments(post_id) if c.created_time <= now]

    def comment_count(self, post_id: str, now: datetime, *, toplevel_only: bool = True) -> int:
        comments = self.comments_at(post_id, now)
        return sum(1 for c in comments if not toplevel_only or c.parent_id is None)

    def comment(self, comment_id: str) -> Comment | None:
        """A comment by id regardless of the clock."""
        match = _POST_ID.match(comment_id)
        post = self.post_for_story(match.group(1)) if match else None
        if post is None:
            return None
        return next((c for c in self._all_comments(post.id) if c.id == comment_id), None)

    def comment_likes(self, comment: Comment, now: datetime) -> int:
        age = (_utc(now) - comment.created_time).total_seconds() / 3600.0
        return round(comment.final_likes * _saturation(age, _TAU_HOURS["likes"]))

    def people(self, page_id: str) -> tuple[Person, ...]:
        """The pool of people who comment on a Page."""
        cached = self._people.get(page_id)
        if cached is None:
            rng = _rng(self.seed, "people", page_id)
            cached = tuple(
                Person(
                    name=f"{rng.choice(texts.FIRST_NAMES)} {rng.choice(texts.LAST_NAMES)}",
                    id=str(rng.randrange(10**15, 10**16)),
                )
                for _ in range(40)
            )
            self._people[page_id] = cached
        return cached

    def _all_comments(self, post_id: str) -> tuple[Comment, ...]:
        cached = self._comment_cache.get(post_id)
        if cached is not None:
            return cached
        post = self._require_post(post_id)
        biz = self.business(post.page_id)
        rng = _rng(self.seed, "comments", post_id)
        people = self.people(biz.page_id)
        page = Person(name=biz.name, id=biz.page_id)
        drafts: list[dict] = []

        def add(at: datetime, kind: str, message: str, author: Person | None, parent: int | None):
            likes = rng.randint(0, 2) if kind in ("reply", "angry") else rng.randint(0, 7)
            drafts.append(
                {"at": at.replace(microsecond=0), "kind": kind, "message": message}
                | {"author": author, "parent": parent, "likes": likes}
            )
            return len(drafts) - 1

        def visitor() -> Person | None:
            return None if rng.random() < 0.15 else rng.choice(people)

        for _ in range(self._profile(post).comment_count):
            at = post.created_time + timedelta(hours=min(rng.expovariate(0.1), 24 * 21))
            kind = rng.choices(("praise", "question", "complaint"), weights=(62, 23, 15))[0]
            if kind == "praise":
                message = rng.choice(texts.PRAISE)
            elif kind == "question":
                message = rng.choice(texts.QUESTIONS[biz.trade])
            else:
                message = rng.choice(texts.COMPLAINTS[biz.trade])
            top = add(at, kind, message, visitor(), None)
            answer = {"question": (0.75, texts.PAGE_REPLIES_TO_QUESTIONS)}
            answer |= {"complaint": (0.6, texts.PAGE_REPLIES_TO_COMPLAINTS)}
            answer |= {"praise": (0.2, texts.PAGE_REPLIES_TO_PRAISE)}
            chance, replies = answer[kind]
            if rng.random() < chance:
                delay = timedelta(hours=rng.uniform(0.5, 8.0))
                add(at + delay, "reply", rng.choice(replies), page, top)
            if rng.random() < 0.12:
                delay = timedelta(hours=rng.uniform(0.2, 30.0))
                add(at + delay, "reply", rng.choice(texts.CUSTOMER_REPLIES), visitor(), top)

        if post_id == NEGATIVE_BURST.post_id:
            self._plant_burst(add, rng, people, page)

        order = sorted(range(len(drafts)), key=lambda i: (drafts[i]["at"], i))
        ids = {draft_index: f"{post.story_id}_{n}" for n, draft_index in enumerate(order, 1)}
        comments = tuple(
            Comment(
                id=ids[i],
                post_id=post_id,
                created_time=drafts[i]["at"],
                message=drafts[i]["message"],
                author=drafts[i]["author"],
                parent_id=None if drafts[i]["parent"] is None else ids[drafts[i]["parent"]],
                kind=drafts[i]["kind"],
                final_likes=drafts[i]["likes"],
            )
            for i in order
        )
        self._comment_cache[post_id] = comments
        return comments

    @staticmethod
    def _plant_burst(add, rng: random.Random, people: tuple[Person, ...], page: Person) -> None:
        burst = NEGATIVE_BURST
        span = (burst.window_end - burst.window_start).total_seconds()
        steps = burst.angry_comments - 1
        angry = []
        for i in range(burst.angry_comments):
            at = burst.window_start + timedelta(seconds=round(span * i / steps))
            author = None if i == 4 else people[(i * 7) % len(people)]
            angry.append(add(at, "angry", texts.ANGRY[i % len(texts.ANGRY)], author, None))
        apology = burst.window_start + timedelta(hours=6, minutes=5)
        add(apology, "reply", texts.PAGE_REPLIES_TO_COMPLAINTS[0], page, angry[1])

    # -- daily page metrics -------------------------------------------------------------------
    def posts_on_meta_day(self, page_id: str, day: date) -> list[Post]:
        biz = self.business(page_id)
        nxt = day + timedelta(days=1)
        candidates = {*self._month_posts(biz, day.year, day.month)}
        candidates |= {*self._month_posts(biz, nxt.year, nxt.month)}
        return sorted(
            (p for p in candidates if meta_day(p.created_time) == day),
            key=lambda p: p.created_time,
        )

    def page_daily_value(self, page_id: str, metric: str, day: date) -> int:
        """Value of a daily Page metric for a Meta (Pacific) day; the Graph API stamps it with
        ``end_time`` = ``meta_day_end(day)``."""
        if metric not in PAGE_DAILY_METRICS:
            raise KeyError(f"unknown daily page metric {metric!r}")
        if metric == "page_follows":
            return self._follows_on(page_id, day)
        return self._daily(page_id, day)[metric]

    def _daily(self, page_id: str, day: date) -> dict[str, int]:
        key = (page_id, day)
        cached = self._daily_cache.get(key)
        if cached is not None:
            return cached
        biz = self.business(page_id)
        if day < EPOCH:
            return dict.fromkeys(PAGE_DAILY_METRICS, 0)
        rng = _rng(self.seed, "daily", page_id, day.isoformat())
        posts = self.posts_on_meta_day(page_id, day)
        n_posts = len(posts)
        weekday = biz.weekday_weights[day.weekday()]
        trend = 1.0 + 0.0006 * (day - EPOCH).days
        season = 1.0 + 0.08 * math.sin(2 * math.pi * day.timetuple().tm_yday / 365.25)
        base = weekday * trend * season
        burst = page_id == NEGATIVE_BURST.page_id and day in _burst_meta_days()
        views = round(biz.views_per_day * base * (1 + 0.9 * n_posts) * rng.uniform(0.8, 1.2))
        if burst:
            views *= 3
        visits = round(biz.visits_per_day * base * (1 + 0.3 * n_posts) * rng.uniform(0.7, 1.3))
        follows_unique = _poisson(rng, biz.follows_per_day * base * (1 + 0.6 * n_posts))
        videos = sum(1 for p in posts if p.status_type == "added_video")
        values = {
            "page_media_view": views,
            "page_total_media_view_unique": round(views * rng.uniform(0.55, 0.75)),
            "page_post_engagements": round(
                views * rng.uniform(0.03, 0.06) * (1.5 if n_posts else 1.0)
            ),
            "page_views_total": visits,
            "page_total_actions": round(visits * rng.uniform(0.02, 0.08)),
            "page_video_views": round(views * rng.uniform(0.02, 0.06) * (1 + 2 * videos)),
            "page_daily_follows_unique": follows_unique,
            "page_daily_follows": follows_unique + (1 if rng.random() < 0.1 else 0),
            "page_daily_unfollows_unique": _poisson(rng, biz.unfollows_per_day)
            + (6 if burst else 0),
        }
        self._daily_cache[key] = values
        return values

    def _follows_on(self, page_id: str, day: date) -> int:
        def change(current: date) -> int:
            flows = self._daily(page_id, current)
            return flows["page_daily_follows_unique"] - flows["page_daily_unfollows_unique"]

        with self._lock:
            series = self._follows.setdefault(page_id, [])
            return running_total(series, EPOCH, self.business(page_id).base_followers, day, change)

    # -- Page object counters -----------------------------------------------------------------
    def followers_at(self, page_id: str, now: datetime) -> int:
        """Followers at ``now``: yesterday's ``page_follows`` plus today's net change so far."""
        now = _utc(now)
        today = meta_day(now)
        before = self._follows_on(page_id, today - timedelta(days=1))
        start = meta_day_end(today - timedelta(days=1))
        fraction = (now - start).total_seconds() / (meta_day_end(today) - start).total_seconds()
        return before + round((self._follows_on(page_id, today) - before) * fraction)

    def fan_count_at(self, page_id: str, now: datetime) -> int:
        followers = self.followers_at(page_id, now)
        return followers - followers // 12

    def talking_about_at(self, page_id: str, now: datetime) -> int:
        last = last_complete_meta_day(_utc(now))
        week = (last - timedelta(days=i) for i in range(7))
        return sum(self.page_daily_value(page_id, "page_post_engagements", d) for d in week) // 3


def _burst_meta_days() -> frozenset[date]:
    return frozenset({meta_day(NEGATIVE_BURST.window_start), meta_day(NEGATIVE_BURST.window_end)})
