"""Incremental nightly run vs full rebuild, and the quality gate's share of the nightly run.

    BENCH_SCALE=small .venv/bin/python bench/incremental_run.py   # smoke test, ~2 minutes
    .venv/bin/python bench/incremental_run.py                     # 200 accounts x 3 years

Workload: 200 accounts with a 3-year history. The three demo businesses (15 accounts on all
five networks) come from the sandbox through the real extractors (their first run lands the
history the sandbox keeps); the other 185 accounts are Facebook Pages whose history is
synthesised, seeded, straight into landing files and manifests in the extractors' shape, because
the sandbox world holds only the demo businesses: one run a week, each fetching what a nightly
run fetches (7-day insights lookback, 28-day post refresh, 14-day comments), so raw holds fewer
re-fetches than seven nights a week would (the full rebuild is cheaper than in reality). It is
loaded a quarter at a time and built once: the state before the night, not measured.

Measured side by side in one run, on the same data:
- the nightly run of the next day through ``messbar.pipeline`` (the DAG's steps): extract (the
  15 sandbox accounts through the extractors; the 185 synthetic Pages get the files their
  nightly run would land: page snapshot, 7-day insights lookback, posts of the 28-day refresh
  window with their insights, comments of the 14-day window), load, transform (incremental
  ``dbt build``), validate (the gate), publish;
- a full rebuild of the same data: ``dbt build --full-refresh`` + gate + publish.
Then the marts of both must be identical (``mart_digest``), and ``dbt parse`` on the unchanged
project is timed against a parse without partial parsing.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "reliability"))

import _report  # noqa: E402

NIGHT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 03:00 Berlin, the measured nightly run
SEED = 7
TOKEN = "sandbox-demo-token"  # the sandbox's own demo token, not a secret
SIZES = {
    # synthetic Pages (+ the 15 demo accounts), days of history, posts per day, comments per post
    "default": {"pages": 185, "days": 3 * 365, "posts_per_day": 0.6, "comments_per_post": 0.6},
    "small": {"pages": 10, "days": 120, "posts_per_day": 0.6, "comments_per_post": 0.6},
}
PAGE_METRICS = {  # Facebook daily Page metrics staging maps, with a typical level
    "page_follows": 0.0,  # a running total, filled in below
    "page_media_view": 400.0,
    "page_total_media_view_unique": 260.0,
    "page_post_engagements": 30.0,
    "page_total_actions": 12.0,
    "page_views_total": 35.0,
    "page_daily_follows_unique": 2.0,
}
POST_METRICS = ("post_media_view", "post_total_media_view_unique", "post_clicks")
COMMENTS = (
    "Super lecker, danke!",
    "Wann habt ihr am Sonntag geöffnet?",
    "Leider war es heute sehr voll und unfreundlich. Schade.",
    "Tolle Arbeit, wir sind sehr zufrieden!",
    "Gibt es das auch ohne Gluten?",
    "Immer wieder gern 😊",
)


# -- synthetic Facebook Pages ----------------------------------------------------------------
def _rng(*parts: object) -> random.Random:
    key = ":".join(str(p) for p in (SEED, *parts)).encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


@dataclass(frozen=True)
class Page:
    index: int

    @property
    def id(self) -> str:
        return f"{2000000000 + self.index}"

    @property
    def business(self) -> str:
        return f"bench-{self.index:03d}"


@dataclass(frozen=True)
class Post:
    id: str
    created: datetime
    views: float


def posts_on(page: Page, day: date, rate: float) -> list[Post]:
    rng = _rng("posts", page.id, day)
    count = sum(rng.random() < rate / 2 for _ in range(2))
    return [
        Post(
            id=f"{page.id}_{day:%Y%m%d}{k}",
            created=datetime(day.year, day.month, day.day, rng.randint(6, 18), tzinfo=UTC),
            views=rng.uniform(200, 1500),
        )
        for k in range(count)
    ]


def lifetime(post: Post, as_of: datetime) -> dict[str, int]:
    grown = 1 - math.exp(-max((as_of - post.created).total_seconds(), 0) / 3600 / 20)
    views = post.views * grown
    return {
        "post_media_view": round(views),
        "post_total_media_view_unique": round(views * 0.7),
        "post_clicks": round(views * 0.03),
        "reactions": round(views * 0.05),
        "shares": round(views * 0.004),
    }


def comments_of(page: Page, post: Post, as_of: datetime, per_post: float) -> list[dict]:
    rng = _rng("comments", post.id)
    out = []
    for n in range(sum(rng.random() < per_post / 3 for _ in range(3))):
        at = post.created + timedelta(hours=rng.uniform(0.5, 72))
        if at > as_of:
            continue
        out.append(
            {
                "id": f"{post.id}_{n + 1}",
                "created_time": at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "message": rng.choice(COMMENTS),
                "like_count": rng.randint(0, 5),
                "comment_count": 0,
                "from": {"id": f"9{page.index:03d}{rng.randint(0, 300):04d}", "name": "Kundin"},
            }
        )
    return out


def daily_values(page: Page, day: date, followers_before: int) -> dict[str, int]:
    rng = _rng("daily", page.id, day)
    values = {m: round(level * rng.uniform(0.6, 1.4)) for m, level in PAGE_METRICS.items()}
    values["page_follows"] = followers_before + values["page_daily_follows_unique"] - 1
    return values


class LandingRun:
    """One extraction run of one Page, written like extractors/core/landing.py writes it."""

    def __init__(self, landing: Path, page: Page, logical: date, fetched_at: datetime) -> None:
        self.landing, self.page, self.logical = landing, page, logical
        self.fetched_at = fetched_at.isoformat()
        self.run = f"backfill__{logical.isoformat()}"
        self.name = f"{self.run}__{page.id}"
        self.streams: dict[str, list[bytes]] = {}

    def write(
        self,
        stream: str,
        object_id: str,
        endpoint: str,
        payloads: list[dict],
        fetched_at: datetime | None = None,
    ) -> None:
        lines = self.streams.setdefault(stream, [])
        fetched = fetched_at.isoformat() if fetched_at else self.fetched_at
        for payload in payloads:
            meta = {
                "network": "facebook",
                "stream": stream,
                "business": self.page.business,
                "account_id": self.page.id,
                "object_id": object_id,
                "run_id": self.run,
                "logical_date": self.logical.isoformat(),
                "fetched_at": fetched,
                "endpoint": endpoint,
                "seq": len(lines) + 1,
            }
            record = {"_meta": meta, "payload": payload}
            lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode())

    def finish(self, state: dict[str, str]) -> None:
        part = f"account={self.page.id}/logical_date={self.logical.isoformat()}"
        files = []
        for stream, lines in sorted(self.streams.items()):
            rel = f"facebook/{stream}/{part}/{self.name}.ndjson.gz"
            data = b"\n".join(lines) + b"\n"
            path = self.landing / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(gzip.compress(data, compresslevel=1))
            digest = hashlib.sha256(data).hexdigest()
            files.append({"stream": stream, "path": rel, "rows": len(lines), "sha256": digest})
        manifest = {
            "network": "facebook",
            "business": self.page.business,
            "account_id": self.page.id,
            "run_id": self.run,
            "run_name": self.name,
            "logical_date": self.logical.isoformat(),
            "finished_at": self.fetched_at,
            "files": files,
            "state": state,
            "events": [],
            "calls": 0,
        }
        path = self.landing / "_manifests" / "facebook" / part / f"{self.name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(manifest), encoding="utf-8")


def land_fetch(run: LandingRun, as_of: datetime, night: date, size: dict) -> None:
    """What one nightly Facebook run fetches for a Page at ``as_of`` (extractor defaults): the
    snapshot, daily insights of the 7-day lookback and the new day, the posts of the 28-day
    refresh window with their lifetime insights, the comments of posts of the last 14 days."""
    page = run.page
    days = _days(night - timedelta(days=8), night)
    post_days = _days(night - timedelta(days=28), night)
    comment_days = set(_days(night - timedelta(days=14), night))
    followers = 1000 + page.index
    values = [daily_values(page, day, followers + (day - date(2020, 1, 1)).days) for day in days]

    def write(stream: str, object_id: str, endpoint: str, payloads: list[dict]) -> None:
        run.write(stream, object_id, endpoint, payloads, as_of)

    write("page", page.id, f"/v25.0/{page.id}", [_page_object(page, followers)])
    write(
        "page_insights",
        page.id,
        f"/v25.0/{page.id}/insights",
        [
            {
                "name": metric,
                "period": "day",
                "values": [
                    {"value": v[metric], "end_time": f"{day + timedelta(days=1)}T08:00:00+0000"}
                    for day, v in zip(days, values, strict=True)
                ],
                "id": f"{page.id}/insights/{metric}/day",
            }
            for metric in PAGE_METRICS
        ],
    )
    posts = [p for day in post_days for p in posts_on(page, day, size["posts_per_day"])]
    posts = [p for p in posts if p.created < as_of]
    write("posts", page.id, f"/v25.0/{page.id}/posts", [_post_object(p, as_of) for p in posts])
    for post in posts:
        grown = lifetime(post, as_of)
        write(
            "post_insights",
            post.id,
            f"/v25.0/{post.id}/insights",
            [
                {
                    "name": metric,
                    "period": "lifetime",
                    "values": [{"value": grown[metric]}],
                    "id": f"{post.id}/insights/{metric}/lifetime",
                }
                for metric in POST_METRICS
            ],
        )
        if post.created.date() in comment_days:
            comments = comments_of(page, post, as_of, size["comments_per_post"])
            write("comments", post.id, f"/v25.0/{post.id}/comments", comments)


def _page_object(page: Page, followers: int) -> dict:
    return {
        "id": page.id,
        "name": f"Bench Betrieb {page.index}",
        "username": f"bench{page.index}",
        "followers_count": followers,
        "fan_count": followers,
    }


def _post_object(post: Post, as_of: datetime) -> dict:
    grown = lifetime(post, as_of)
    stamp = post.created.strftime("%Y-%m-%dT%H:%M:%S+0000")
    return {
        "id": post.id,
        "created_time": stamp,
        "updated_time": stamp,
        "message": "Frisch aus der Werkstatt – schaut vorbei!",
        "permalink_url": f"https://www.facebook.com/{post.id}",
        "status_type": "added_photos",
        "reactions": {"summary": {"total_count": grown["reactions"]}},
        "comments": {"summary": {"total_count": 0}},
        "shares": {"count": grown["shares"]},
    }


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days)]


def land_history(landing: Path, pages: list[Page], first: date, last: date, size: dict) -> None:
    """The history of each Page over ``[first, last)`` as its nightly runs would have landed
    it, thinned to one run a week (each run fetches what a nightly run fetches, so the raw
    tables hold fewer re-fetches than seven nights a week would land: the full rebuild is
    cheaper here than in reality)."""
    nights = _days(first, last)[6::7]
    if nights and nights[-1] != last - timedelta(days=1):
        nights.append(last - timedelta(days=1))
    for page in pages:
        for night in nights:
            fetched = datetime(night.year, night.month, night.day, 2, tzinfo=UTC)
            run = LandingRun(landing, page, night, fetched)
            land_fetch(run, fetched, night, size)
            run.finish({"page_insights_through": (night - timedelta(days=1)).isoformat()})


def land_night(landing: Path, pages: list[Page], logical: date, run_id: str, size: dict) -> None:
    """What a nightly Facebook run lands for each Page (extractor defaults: 7-day insights
    lookback, posts of the 28-day refresh window, comments of the 14-day window)."""
    fetched = datetime.now(UTC)
    for page in pages:
        run = LandingRun(landing, page, logical, fetched)
        run.run, run.name = run_id, f"{run_id.replace(':', '_')}__{page.id}"
        land_fetch(run, fetched, logical, size)
        run.finish({"page_insights_through": (logical - timedelta(days=1)).isoformat()})


# -- the run ---------------------------------------------------------------------------------
def write_config(tmp: Path, url: str, pages: list[Page]) -> Path:
    """config/demo.yml on the sandbox plus one business per synthetic Page."""
    import yaml

    demo = yaml.safe_load((REPO / "config" / "demo.yml").read_text(encoding="utf-8"))
    demo["data_dir"] = str(tmp / "data")
    for settings in demo["networks"].values():
        settings["base_url"] = settings["base_url"].replace(
            "${MESSBAR_SANDBOX_URL:-http://127.0.0.1:8765}", url
        )
    inputs = REPO / "config" / "demo_inputs"
    for business in demo["businesses"]:
        for kind, path in business.get("inputs", {}).items():
            business["inputs"][kind] = str(REPO / "config" / path)
        for account in business["accounts"].get("xing", []):
            account["csv"] = str(inputs / Path(account["csv"]).relative_to("demo_inputs"))
    for page in pages:
        demo["businesses"].append(
            {
                "slug": page.business,
                "name": f"Bench Betrieb {page.index}",
                "accounts": {
                    "facebook": [{"account_id": page.id, "token": "env:MESSBAR_SANDBOX_TOKEN"}]
                },
            }
        )
    path = tmp / "messbar.yml"
    path.write_text(yaml.safe_dump(demo, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class Clock:
    def __init__(self) -> None:
        self.steps: dict[str, float] = {}

    def time(self, step: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.steps[step] = self.steps.get(step, 0.0) + time.perf_counter() - start

    @property
    def total(self) -> float:
        return sum(self.steps.values())


def dbt_parse_seconds(cfg: Any, *, partial: bool) -> float:
    """Parse time dbt reports (perf_info.json) for ``dbt parse`` with the arguments and target
    folder of ``pipeline.transform``; ``partial=False`` forces a full parse for comparison."""
    from messbar import pipeline

    env = pipeline.dbt_env(cfg)
    target = Path(env["DBT_TARGET_PATH"]) if partial else Path(tempfile.mkdtemp()) / "target"
    args = [
        str(Path(sys.executable).with_name("dbt")),
        "parse",
        "--project-dir",
        str(pipeline.DBT_PROJECT),
        "--profiles-dir",
        str(pipeline.DBT_PROJECT),
        "--target-path",
        str(target),
        "--log-path",
        env["DBT_LOG_PATH"],
        "--vars",
        pipeline.dbt_vars(),
    ]
    if not partial:
        args.append("--no-partial-parse")
    subprocess.run(args, env={**os.environ, **env}, check=True, capture_output=True, text=True)
    perf = json.loads((target / "perf_info.json").read_text(encoding="utf-8"))
    return float(perf["load_all_elapsed"])


def nightly(cfg: Any, sb: Any, pages: list[Page], size: dict, clock: Clock) -> None:
    """One nightly run through the pipeline steps, each timed."""
    from messbar import pipeline

    run_id = f"scheduled__{NIGHT.isoformat()}"
    sb.set_now(NIGHT)
    known = {page.id for page in pages}

    def extract() -> None:
        for job in pipeline.plan(cfg, NIGHT, run_id):
            if job["account_id"] not in known:
                pipeline.extract(job)
        local = pipeline.local_date(NIGHT, "Europe/Berlin")
        land_night(cfg.landing_dir, pages, local, run_id, size)  # the same run as the DAG's

    clock.time("extract", extract)
    clock.time("load", pipeline.load, cfg)
    clock.time("transform", pipeline.transform, cfg)
    clock.time("validate", pipeline.validate, cfg, NIGHT)
    clock.time("publish", pipeline.publish, cfg, run_id)


def full_rebuild(cfg: Any, clock: Clock) -> None:
    from messbar import pipeline

    # unit tests test the SQL, not the data: left out on both sides so the two compare
    clock.time("transform", pipeline.transform, cfg, full_refresh=True, unit_tests=False)
    clock.time("validate", pipeline.validate, cfg, NIGHT)
    clock.time("publish", pipeline.publish, cfg, "full_rebuild")


@dataclass
class Outcome:
    nightly: Clock
    full: Clock
    identical: bool
    parse_partial: float
    parse_full: float
    raw_rows: int


def run_once(size: dict, tmp: Path) -> Outcome:
    import duckdb
    from invariants import mart_digest

    import sandbox
    from messbar import pipeline
    from messbar.config import load_config

    os.environ.setdefault("MESSBAR_SANDBOX_TOKEN", TOKEN)
    os.environ.setdefault("MESSBAR_PSEUDONYM_KEY", "bench-pseudonym-key-not-a-secret-0123456789")
    os.environ.pop("MESSBAR_DATA_DIR", None)
    pages = [Page(i) for i in range(1, size["pages"] + 1)]
    night_day = NIGHT.date()
    with sandbox.serve(now=NIGHT - timedelta(days=1)) as sb:
        cfg = load_config(write_config(tmp, sb.url, pages))
        started = time.perf_counter()
        # history of the synthetic Pages up to the day before the night before
        # landed and loaded a quarter at a time, as the nights would have (the loader holds a
        # whole load in one transaction under the warehouse's memory limit)
        first, last = night_day - timedelta(days=size["days"]), night_day - timedelta(days=1)
        while first < last:
            end = min(first + timedelta(days=91), last)
            land_history(cfg.landing_dir, pages, first, end, size)
            pipeline.load(cfg)
            first = end
        before = NIGHT - timedelta(days=1)
        synthetic = {page.id for page in pages}
        for job in pipeline.plan(cfg, before, f"scheduled__{before.isoformat()}"):
            if job["account_id"] not in synthetic:
                pipeline.extract(job)
        pipeline.load(cfg)
        pipeline.transform(cfg, data_tests=False)  # the state before the night; not measured
        print(f"setup (history landed, loaded, built): {time.perf_counter() - started:.0f} s")
        with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
            raw_rows = con.execute("select sum(rows) from raw._loaded_files").fetchone()[0]
        night = Clock()
        nightly(cfg, sb, pages, size, night)
    incremental = mart_digest(cfg.warehouse_path)
    full = Clock()
    full_rebuild(cfg, full)
    identical = mart_digest(cfg.warehouse_path) == incremental
    return Outcome(
        night,
        full,
        identical,
        dbt_parse_seconds(cfg, partial=True),
        dbt_parse_seconds(cfg, partial=False),
        int(raw_rows),
    )


def main() -> int:
    scale = _report.scale()
    size = SIZES[scale]
    runs = int(os.environ.get("BENCH_REPEAT", "1"))
    outcomes = []
    for n in range(runs):
        with tempfile.TemporaryDirectory(prefix="messbar-bench-incremental-") as tmp:
            outcomes.append(run_once(size, Path(tmp)))
        o = outcomes[-1]
        print(
            f"run {n + 1}: nightly {o.nightly.steps} full {o.full.steps} "
            f"identical {o.identical} raw rows {o.raw_rows}",
            flush=True,
        )
    med = _report.median
    accounts = size["pages"] + 15
    nightly_s = med([o.nightly.total for o in outcomes])
    full_s = med([o.full.total for o in outcomes])
    gate_s = med([o.nightly.steps["validate"] for o in outcomes])
    rows = med([o.raw_rows for o in outcomes])
    note = f"{accounts} accounts, {size['days']} days, {rows:,.0f} raw rows"
    _report.ratio(
        "incremental_nightly_run",
        ("nightly run", nightly_s),
        ("full rebuild", full_s),
        target=0.20,
        unit="s",
        note=note,
    )
    _report.ratio(
        "quality_gate_share",
        ("gate", gate_s),
        ("nightly run", nightly_s),
        target=0.25,
        unit="s",
    )
    _report.ratio(
        "dbt_parse_unchanged",
        ("partial parse", med([o.parse_partial for o in outcomes])),
        ("full parse", med([o.parse_full for o in outcomes])),
        target=0.50,
        unit="s",
    )
    for step in ("extract", "load", "transform", "validate", "publish"):
        _report.info(
            f"nightly_{step}",
            f"{_report.fmt(med([o.nightly.steps[step] for o in outcomes]), 's')} of "
            f"{_report.fmt(nightly_s, 's')}",
        )
    _report.zero(
        "incremental_equals_full",
        "mart tables differing between incremental and full rebuild:",
        sum(not o.identical for o in outcomes),
    )
    return _report.exit_code()


if __name__ == "__main__":
    sys.exit(main())
