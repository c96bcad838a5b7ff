"""Shared pieces of the gate scenario tests (reliability plan 11.2 #15-#18): a small config for
every network of one demo business, a cheap first load (extract + load, no dbt), the nightly
steps of ``messbar.pipeline`` in DAG order (publish only after a passing gate), and the hostile
content night, run once per process: test_hostile_content checks what it published and
test_schema_drift runs the next night on a copy of its data (so one dbt build serves both;
keep both modules in the xdist group ``gate_scenarios``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sandbox
from messbar import pipeline
from messbar.config import Config, load_config
from sandbox import scenarios

ROOT = Path(__file__).parents[2]
TOKEN_ENV = "MESSBAR_GATE_SCENARIO_TOKEN"


def make_config(tmp: Path, url: str, history_days: int = 30) -> Config:
    """Bäckerei Sonnenschein on all five networks, a short history (fast), private data dir."""
    os.environ.setdefault(TOKEN_ENV, "sandbox-demo-token")
    api = {
        "facebook": "1000000001",
        "instagram": "17841400000000001",
        "linkedin": "90000001",
        "x": "1500000000000000001",
    }
    networks = "".join(
        f"  {net}:\n    base_url: {url}/{net}\n    history_days: {history_days}\n"
        + (f"    media_history_days: {history_days}\n" if net == "instagram" else "")
        + ("    metrics_access: owned\n" if net == "x" else "")
        for net in api
    )
    accounts = "".join(
        f'      {net}:\n        - account_id: "{account}"\n          token: env:{TOKEN_ENV}\n'
        for net, account in api.items()
    )
    xing = ROOT / "config" / "demo_inputs" / "xing" / "baeckerei-sonnenschein.csv"
    text = (
        f"data_dir: {tmp / 'data'}\nnetworks:\n{networks}businesses:\n"
        "  - slug: baeckerei-sonnenschein\n    name: Bäckerei Sonnenschein\n    accounts:\n"
        f"{accounts}      xing:\n        - account_id: baeckerei-sonnenschein\n"
        f"          csv: {xing}\n"
    )
    path = tmp / "messbar.yml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def extract_and_load(cfg: Config, logical: datetime, run_id: str) -> dict[str, Any]:
    """One night's extraction and load without dbt: history for the run-to-run checks."""
    for job in pipeline.plan(cfg, logical, run_id):
        pipeline.extract(job)
    return pipeline.load(cfg)


def nightly(
    cfg: Config,
    logical: datetime,
    run_id: str,
    *,
    after_transform: Callable[[Config], None] | None = None,
) -> dict[str, Any]:
    """The DAG's steps in order (plan, extract, load, transform, validate, publish); a step that
    raises stops the run, so publish runs only after a passing gate. ``after_transform`` may
    plant a defect in the built warehouse before the gate sees it."""
    for job in pipeline.plan(cfg, logical, run_id):
        pipeline.extract(job)
    loaded = pipeline.load(cfg)
    pipeline.transform(cfg)
    if after_transform is not None:
        after_transform(cfg)
    checked = pipeline.validate(cfg, logical, run_id=run_id)
    published = pipeline.publish(cfg, run_id)
    return {"load": loaded, "validate": checked, "publish": published}


# -- the hostile content night (reliability plan 11.2 #17) ---------------------------------------
HOSTILE_NIGHT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
HOSTILE_PAGE = "1000000001"
BIG_TEXT = "".join(f"Zeile {i}: Brötchen 🥐 — مرحبا — 'quote' \"dq\" \\ \n" for i in range(1700))
HOSTILE_TEXTS = {
    "emoji": "Lecker 🥐🍞 👨‍👩‍👧‍👦 🇩🇪 ❤️‍🔥",
    "rtl": "مرحبا بالعالم — שלום \u202eevil\u202c \u200fend",
    "zero_width": "zero\u200bwidth\u200c\u200djoin\ufeffbom",
    "nul": "before\u0000after\u0000",
    "newlines": "line 1\nline 2\r\nline 3\ttab\u2028sep",
    "sql": "'); DROP TABLE raw;--",
    "quotes": 'O\'Brien sagt "hallo" \\ und {{ jinja }} ${shell} %s',
    "big": BIG_TEXT,
}
HOSTILE_POST_TEXT = "".join(
    HOSTILE_TEXTS[k] for k in ("emoji", "rtl", "zero_width", "nul", "newlines", "sql")
)
_CACHE: dict[str, dict[str, Any]] = {}


def hostile_night(base: Path) -> dict[str, Any]:
    """Run (once per process) the night whose Facebook post and comments carry the hostile
    texts; it publishes. Returns the config, the post id and ``{comment_id: text}``."""
    if "hostile" in _CACHE:
        return _CACHE["hostile"]
    now = HOSTILE_NIGHT
    tmp = base / "hostile_night"
    tmp.mkdir(parents=True, exist_ok=True)
    with sandbox.serve(now=now) as sb:
        world = sb.world
        posts = [
            p
            for p in world.posts_at(HOSTILE_PAGE, now)
            if now - timedelta(days=10) <= p.created_time < now - timedelta(days=1)
        ]
        post = max(posts, key=lambda p: len(world.comments_at(p.id, now)))
        comments = [c.id for c in world.comments_at(post.id, now)][: len(HOSTILE_TEXTS)]
        assert len(comments) == len(HOSTILE_TEXTS), "the post needs a comment per hostile text"
        served = dict(zip(comments, HOSTILE_TEXTS.values(), strict=True))
        changes: dict[str, dict[str, Any]] = {c: {"message": text} for c, text in served.items()}
        changes[post.id] = {"message": HOSTILE_POST_TEXT}
        scenarios.set_fields(sb, r"^/facebook/", changes)
        cfg = make_config(tmp, sb.url)
        outcome = nightly(cfg, now, "scheduled__hostile")
    _CACHE["hostile"] = {"cfg": cfg, "post": post.id, "comments": served, "outcome": outcome}
    return _CACHE["hostile"]


def copy_of(cfg: Config, tmp: Path, url: str) -> Config:
    """The same business with a copy of ``cfg``'s data directory, against the sandbox ``url``."""
    shutil.copytree(cfg.data_dir, tmp / "data")
    return make_config(tmp, url)
