"""Write the demo owner inputs: config/demo_inputs/outcomes/<business>.csv and costs/<business>.csv.

Deterministic (fixed seeds, no clock): rerunning it rewrites the same bytes.

The outcomes carry one planted effect, computed from the sandbox's ground truth
(``sandbox.world.World(42)`` and ``sandbox.networks.instagram.world.IgWorld(42)`` at the demo
clock): for baeckerei-sonnenschein, weekly enquiries rise two weeks after weeks whose
Facebook + Instagram posts collected more views (+ENQUIRY_EFFECT enquiries per standard
deviation of those views). Everything else (the bakery's website sessions, every figure of
schreinerei-holzwerk) is trend + season + noise with no link to social media, so
marts.outcome_linkage should report ``effect detected`` for the bakery's enquiries at lag 2 and
``no detectable effect`` for the carpenter.

    python config/demo_inputs/make_outcomes.py
"""

from __future__ import annotations

import csv
import math
import random
import statistics
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from sandbox.networks.instagram.world import IgWorld, ig_user_id  # noqa: E402
from sandbox.world import BERLIN, World  # noqa: E402

SEED = 42
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # the demo run's clock (make demo)
FIRST_WEEK = date(2025, 9, 1)  # Monday
LAST_WEEK = date(2026, 11, 16)  # Monday of the last complete week before the demo run
COST_MONTHS = [(2025, m) for m in range(9, 13)] + [(2026, m) for m in range(1, 11)]
PLANTED_BUSINESS = "baeckerei-sonnenschein"
PLANTED_LAG = 2  # weeks
ENQUIRY_EFFECT = 3.0  # extra enquiries per SD of the Facebook + Instagram views, 2 weeks later

# business -> (enquiries per week, website sessions per week, weekly growth of both)
PROFILES = {
    "baeckerei-sonnenschein": (14.0, 420.0, 0.004),
    "schreinerei-holzwerk": (6.0, 160.0, 0.003),
}
COSTS = {  # business -> (hourly rate EUR, hours per month per platform, monthly tool cost EUR)
    "baeckerei-sonnenschein": (32, {"facebook": 5, "instagram": 7, "linkedin": 1, "x": 1}, 19.9),
    "schreinerei-holzwerk": (45, {"facebook": 3, "instagram": 4, "linkedin": 2, "x": 0.5}, 0),
    "friseur-schnittpunkt": (28, {"facebook": 4, "instagram": 9, "linkedin": 0.5, "x": 1}, 24.0),
}


def weeks() -> list[date]:
    count = (LAST_WEEK - FIRST_WEEK).days // 7 + 1
    return [FIRST_WEEK + timedelta(weeks=i) for i in range(count)]


def monday(moment: datetime) -> date:
    local = moment.astimezone(BERLIN).date()
    return local - timedelta(days=local.weekday())


def meta_views_per_week(slug: str) -> dict[date, float]:
    """Lifetime views at NOW of the Facebook and Instagram posts published in each ISO week
    (the business's local days), from the sandbox's ground truth."""
    world, ig = World(SEED), IgWorld(SEED)
    biz = world.business(slug)
    views: dict[date, float] = defaultdict(float)
    for post in world.posts_at(biz.page_id, NOW):
        views[monday(post.created_time)] += world.post_lifetime(post.id, "post_media_view", NOW)
    for media in ig.media_at(ig_user_id(biz), NOW):
        views[monday(media.timestamp)] += ig.media_lifetime(media.id, "views", NOW)
    return views


def outcome_rows(slug: str) -> list[tuple[str, str, str, str, str]]:
    rng = random.Random(f"outcomes:{SEED}:{slug}")
    enquiries_base, sessions_base, growth = PROFILES[slug]
    calendar = weeks()
    effect: dict[date, float] = defaultdict(float)
    if slug == PLANTED_BUSINESS:
        views = meta_views_per_week(slug)
        series = [views.get(w, 0.0) for w in calendar]
        mean, sd = statistics.fmean(series), statistics.pstdev(series)
        for i, week in enumerate(calendar[PLANTED_LAG:], start=PLANTED_LAG):
            effect[week] = ENQUIRY_EFFECT * (series[i - PLANTED_LAG] - mean) / sd
    rows = []
    for i, week in enumerate(calendar):
        trend = 1 + growth * i
        season = 1 + 0.06 * math.sin(2 * math.pi * (week.timetuple().tm_yday - 80) / 365.25)
        enquiries = enquiries_base * trend * season + effect[week] + rng.gauss(0, 2.0)
        sessions = sessions_base * trend * season * rng.uniform(0.9, 1.1)
        for metric, value in (("enquiries", enquiries), ("website_sessions", sessions)):
            rows.append((week.isoformat(), "week", slug, metric, str(max(0, round(value)))))
    return rows


def cost_rows(slug: str) -> list[tuple[str, ...]]:
    rng = random.Random(f"costs:{SEED}:{slug}")
    rate, hours, tools = COSTS[slug]
    rows = []
    for year, month in COST_MONTHS:
        label = f"{year}-{month:02d}"
        for platform, base in hours.items():
            spent = round(base * rng.uniform(0.7, 1.3) * 4) / 4
            ads = "" if rng.random() < 0.1 else str(rng.choice((0, 0, 20, 35, 50)))  # "" unknown
            rows.append((label, slug, platform, f"{spent:g}", str(rate), ads, ""))
        if tools:
            rows.append((label, slug, "all", "", "", "", f"{tools:.2f}"))
    return rows


def write(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    from loader.inputs import spec

    for slug in PROFILES:
        write(HERE / "outcomes" / f"{slug}.csv", spec.OUTCOMES_COLUMNS, outcome_rows(slug))
    for slug in COSTS:
        write(HERE / "costs" / f"{slug}.csv", spec.COSTS_COLUMNS, cost_rows(slug))


if __name__ == "__main__":
    main()
