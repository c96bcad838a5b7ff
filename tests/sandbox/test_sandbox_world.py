"""The demo world as ground truth: deterministic, evolving only forward, plausible."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

import sandbox
from sandbox.world import (
    EPOCH,
    PAGE_DAILY_METRICS,
    World,
    last_complete_meta_day,
    meta_day,
    meta_day_end,
)

NOW = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)
PAGES = {
    "baeckerei-sonnenschein": ("Bäckerei Sonnenschein", "1000000001"),
    "schreinerei-holzwerk": ("Schreinerei Holzwerk", "1000000002"),
    "friseur-schnittpunkt": ("Friseursalon Schnittpunkt", "1000000003"),
}


def test_demo_businesses_have_fixed_names_and_page_ids() -> None:
    world = World(42)
    for slug, (name, page_id) in PAGES.items():
        biz = world.business(slug)
        assert (biz.name, biz.page_id, world.business(page_id).slug) == (name, page_id, slug)


def test_same_seed_same_world_and_other_seed_other_world() -> None:
    a, b, c = World(42), World(42), World(7)
    page = "1000000001"
    assert a.posts_at(page, NOW) == b.posts_at(page, NOW)
    assert a.posts_at(page, NOW) != c.posts_at(page, NOW)
    day = date(2026, 3, 1)
    assert [a.page_daily_value(page, m, day) for m in PAGE_DAILY_METRICS] == [
        b.page_daily_value(page, m, day) for m in PAGE_DAILY_METRICS
    ]
    post = a.posts_at(page, NOW)[3].id
    assert a.comments_at(post, NOW) == b.comments_at(post, NOW)


@pytest.mark.parametrize("page_id", ["1000000001", "1000000002", "1000000003"])
def test_posts_cover_400_days_with_2_to_10_posts_a_month(page_id: str) -> None:
    posts = World(42).posts_at(page_id, NOW)
    assert posts == sorted(posts, key=lambda p: p.created_time, reverse=True)
    assert NOW - posts[-1].created_time > timedelta(days=400)
    assert all(p.created_time <= NOW for p in posts)
    assert all(re.fullmatch(rf"{page_id}_\d+", p.id) for p in posts)
    assert len({p.id for p in posts}) == len(posts)
    per_month = Counter(
        p.created_time.astimezone(sandbox.world.BERLIN).strftime("%Y-%m") for p in posts
    )
    complete = {m: n for m, n in per_month.items() if m < "2026-03"}
    assert all(2 <= n <= 10 for n in complete.values()), complete
    assert {p.status_type for p in posts} >= {"added_photos", "mobile_status_update"}


def test_moving_the_clock_only_adds_posts_and_comments_and_grows_metrics() -> None:
    world = World(42)
    page = "1000000002"
    earlier, later = NOW, NOW + timedelta(days=20)
    before, after = world.posts_at(page, earlier), world.posts_at(page, later)
    assert set(before) < set(after)
    for post in before[:6]:
        old_comments = world.comments_at(post.id, earlier)
        assert world.comments_at(post.id, later)[: len(old_comments)] == old_comments
        for metric in ("post_media_view", "post_clicks", "reactions", "shares", "comments"):
            assert world.post_lifetime(post.id, metric, later) >= world.post_lifetime(
                post.id, metric, earlier
            )


def test_post_metrics_grow_then_saturate_and_stay_consistent() -> None:
    world = World(42)
    post = world.posts_at("1000000001", NOW)[10]
    ages = [timedelta(hours=h) for h in (1, 6, 24, 72, 24 * 14, 24 * 60, 24 * 90)]
    views = [world.post_lifetime(post.id, "post_media_view", post.created_time + a) for a in ages]
    assert views == sorted(views) and views[0] < views[2] < views[4]
    assert views[-1] - views[-2] <= 1  # saturated
    for age in ages:
        moment = post.created_time + age
        unique = world.post_lifetime(post.id, "post_total_media_view_unique", moment)
        likes = world.post_lifetime(post.id, "post_reactions_like_total", moment)
        assert unique <= world.post_lifetime(post.id, "post_media_view", moment)
        assert likes <= world.post_lifetime(post.id, "reactions", moment)
    assert world.post_lifetime(post.id, "post_media_view", post.created_time) == 0


def test_daily_values_are_fixed_once_the_day_is_over() -> None:
    page = "1000000003"
    day = date(2026, 2, 10)
    first = {m: World(42).page_daily_value(page, m, day) for m in PAGE_DAILY_METRICS}
    world = World(42)
    world.posts_at(page, NOW + timedelta(days=300))  # asking about later days changes nothing
    assert {m: world.page_daily_value(page, m, day) for m in PAGE_DAILY_METRICS} == first


def test_followers_trend_and_flows_add_up() -> None:
    world = World(42)
    page = "1000000001"
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(60)]
    follows = [world.page_daily_value(page, "page_follows", d) for d in days]
    assert follows[-1] > follows[0]
    for previous, day, total in zip(follows, days[1:], follows[1:], strict=False):
        gained = world.page_daily_value(page, "page_daily_follows_unique", day)
        lost = world.page_daily_value(page, "page_daily_unfollows_unique", day)
        assert total == previous + gained - lost
    assert world.followers_at(page, meta_day_end(days[-1])) == follows[-1]


def test_days_with_posts_see_more_views_on_average() -> None:
    world = World(42)
    page = "1000000001"
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(365)]
    with_posts = [d for d in days if world.posts_on_meta_day(page, d)]
    without = [d for d in days if d not in with_posts]

    def mean(sample: list[date]) -> float:
        return sum(world.page_daily_value(page, "page_media_view", d) for d in sample) / len(sample)

    assert mean(with_posts) > 1.3 * mean(without)


def test_comments_are_german_arrive_after_the_post_and_some_lack_from() -> None:
    world = World(42)
    page = "1000000001"
    comments = [c for p in world.posts_at(page, NOW)[:60] for c in world.comments_at(p.id, NOW)]
    assert comments
    for comment in comments:
        post = world.post(comment.post_id)
        assert post is not None and post.created_time <= comment.created_time <= NOW
        assert re.fullmatch(rf"{post.story_id}_\d+", comment.id)
    assert any(c.author is None for c in comments)
    assert any(c.author is not None and c.author.id == page for c in comments)  # page replies
    assert any(c.message == "Habt ihr am Sonntag offen?" for c in comments)
    assert {c.kind for c in comments} >= {"praise", "question", "complaint", "reply"}
    replies = [c for c in comments if c.parent_id]
    by_id = {c.id: c for c in comments}
    assert all(by_id[r.parent_id].created_time <= r.created_time for r in replies)


def test_negative_burst_is_planted_where_the_constant_says() -> None:
    burst = sandbox.NEGATIVE_BURST
    assert (burst.business, burst.page_id) == ("friseur-schnittpunkt", "1000000003")
    world = World(42)
    post = world.post(burst.post_id)
    assert post is not None
    assert post.created_time.astimezone(sandbox.world.BERLIN).date() == burst.date
    assert post in world.posts_at(burst.page_id, NOW)
    angry = [c for c in world.comments_at(burst.post_id, NOW) if c.kind == "angry"]
    assert len(angry) == burst.angry_comments >= 5
    assert all(burst.window_start <= c.created_time <= burst.window_end for c in angry)
    assert burst.window_end - burst.window_start < timedelta(days=1)
    before = burst.window_start - timedelta(minutes=1)
    assert not [c for c in world.comments_at(burst.post_id, before) if c.kind == "angry"]
    # the same for every seed
    assert World(7).post(burst.post_id) is not None


def test_meta_day_helpers_follow_pacific_midnight() -> None:
    assert meta_day_end(date(2026, 3, 1)) == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert meta_day_end(date(2026, 7, 1)) == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)
    assert meta_day(datetime(2026, 3, 2, 7, 59, tzinfo=UTC)) == date(2026, 3, 1)
    assert last_complete_meta_day(NOW) == date(2026, 3, 14)
    assert date(2024, 1, 1) >= EPOCH
