"""API calls per account per nightly run against a lower bound computed from what the sandbox
served, for the first run (full history) and the next night's run.

    .venv/bin/python bench/api_calls.py [--businesses 3]

Every account is extracted alone (the real ``pipeline.plan``/``extract``/``load`` path), and a
hook on the sandbox records each answer: which read it was and how many items it carried. The
lower bound asks for the same data with the fewest calls the documented limits allow:
- account-level reads as plain GETs: one per object; time-bound insights in windows of the
  longest span a call may cover (Facebook 90 days, Instagram time series 30 days and
  ``total_value`` one day, LinkedIn the rolling 12 months); listings at the largest page
  (Graph, X and LinkedIn: 100 items), at least one call each;
- per-post reads: Graph batches of 50 (each a post's insights, or a comment listing that
  served anything), LinkedIn lifetime statistics 20 URNs per call and one call per comment
  listing that served anything (no batch read exists), X recent search per conversation with
  replies. A listing that came back empty costs nothing in the bound: its count was known from
  the post's counters.
Target: calls <= 1.1x the bound per network. X also reports its cost in USD at the per-read
prices of extractors/networks/x/spec.py.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _report
from _workload import DEMO_TOKEN, NOW, REPO

TARGET = 1.1
GRAPH_BATCH = 50
PAGE = 100
LINKEDIN_STATS_LIST = 20  # URNs per shares=/ugcPosts=List(...) call (network-apis.md 3.6)
WINDOW_DAYS = {
    ("facebook", "day"): 90,
    ("instagram", "time_series"): 30,
    ("linkedin", "DAY"): 366,
}


def recording_sandbox():
    """A sandbox whose every network answer is also recorded as logical reads."""
    from sandbox.server import Sandbox

    class Recording(Sandbox):
        def __init__(self, **kw: Any) -> None:
            super().__init__(**kw)
            self.reads: list[dict[str, Any]] = []

        def handle(self, method, target, headers, body):
            response = super().handle(method, target, headers, body)
            split = urlsplit(target)
            network, _, rest = split.path.lstrip("/").partition("/")
            if not split.path.startswith("/__"):
                self.reads.append(_reads_of(network, method, "/" + rest, split.query, response))
            return response

    return Recording


def _items(payload: Any) -> int:
    if not isinstance(payload, dict):
        return 0
    for key in ("data", "elements"):
        if isinstance(payload.get(key), list):
            return len(payload[key])
    return 1


def _reads_of(network: str, method: str, path: str, query: str, response) -> dict[str, Any]:
    """One HTTP call as a list of logical reads ``(path, query, items)``."""
    try:
        payload = json.loads(response.body or b"null")
    except ValueError:
        payload = None
    if method == "POST" and isinstance(payload, list):
        subs = []
        for entry, answer in zip(response.log.get("batch") or [], payload, strict=False):
            try:
                body = json.loads(answer.get("body") or "null") if answer else None
            except ValueError:
                body = None
            subs.append((entry["path"], dict(entry["query"]), _items(body)))
        return {"network": network, "batch": True, "reads": subs}
    params = dict(parse_qsl(query, keep_blank_values=True))
    return {"network": network, "batch": False, "reads": [(path, params, _items(payload))]}


def _days(params: dict[str, str]) -> set[date]:
    """The days a time-bound read covered (Graph since/until, LinkedIn timeIntervals)."""
    if "since" in params and "until" in params:
        start, end = (date.fromisoformat(params[k][:10]) for k in ("since", "until"))
    else:
        found = re.search(r"start:(\d+),end:(\d+)", params.get("timeIntervals", ""))
        if not found:
            return set()
        start, end = (date.fromtimestamp(int(v) / 1000) for v in found.groups())
    return {start + timedelta(days=i) for i in range((end - start).days)}


def lower_bound(network: str, calls: list[dict[str, Any]]) -> int:
    """The fewest calls that fetch what these calls fetched (see the module docstring)."""
    plain = 0
    windows: dict[tuple, set[date]] = defaultdict(set)
    listings: dict[tuple, int] = defaultdict(int)
    batched = 0  # Graph per-post reads
    stats_urns = 0  # LinkedIn per-post statistics
    for call in calls:
        for path, params, items in call["reads"]:
            edge = path.rstrip("/").rsplit("/", 1)[-1]
            if network in ("facebook", "instagram"):
                parts = [p for p in path.split("/") if p and not re.match(r"^v\d+\.\d+$", p)]
                if len(parts) == 1:
                    plain += 1
                elif edge == "insights" and params.get("metric_type") == "total_value":
                    batched += len(_days(params))  # one day per read, any number per batch
                elif edge == "insights" and "since" in params:
                    kind = params.get("metric_type", "day")
                    windows[(network, kind, params.get("metric"))] |= _days(params)
                elif edge in ("posts", "media") and len(parts) == 2 and call["batch"] is False:
                    listings[(path, "list")] += items
                elif edge == "insights":
                    batched += 1
                elif edge == "comments":
                    batched += math.ceil(items / PAGE)
            elif network == "linkedin":
                if "timeIntervals" in params:
                    windows[(network, "DAY", path)] |= _days(params)
                elif "shares" in params or "ugcPosts" in params:
                    stats_urns += items
                elif path.startswith("/rest/posts"):
                    listings[(path, "list")] += items
                elif edge == "comments":
                    plain += math.ceil(items / PAGE)
                else:
                    plain += 1
            elif network == "x":
                if edge == "recent":
                    plain += math.ceil(items / PAGE)
                elif edge == "tweets" and "ids" in params:
                    listings[("ids", "list")] += items
                elif edge == "tweets":
                    listings[(path, params.get("tweet.fields"))] += items
                else:
                    plain += 1
    bound = plain
    for (net, kind, *_), days in windows.items():
        bound += math.ceil(len(days) / WINDOW_DAYS[(net, kind)])
    bound += sum(max(1, math.ceil(items / PAGE)) for items in listings.values())
    bound += math.ceil(batched / GRAPH_BATCH)
    bound += math.ceil(stats_urns / LINKEDIN_STATS_LIST)
    return max(bound, 1)


def x_cost(summaries: list[dict[str, Any]]) -> tuple[float, dict[str, int]]:
    """USD and reads from the X extractor's own ``cost`` event."""
    usd, reads = 0.0, defaultdict(int)
    for s in summaries:
        for event in s["events"]:
            if event["kind"] == "cost":
                detail = json.loads(event["detail"])
                usd += detail["usd"]
                for key, value in detail["reads"].items():
                    reads[key] += value
    return usd, dict(reads)


def main(argv: list[str] | None = None) -> int:
    small = _report.scale() == "small"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=1 if small else 3)
    args = parser.parse_args(argv)

    import os

    from messbar import pipeline
    from messbar.config import load_config

    os.environ.setdefault("MESSBAR_SANDBOX_TOKEN", DEMO_TOKEN)
    with tempfile.TemporaryDirectory(prefix="bench-calls-") as tmp:
        box = recording_sandbox()(now=NOW, enforce_budget=True).start()
        try:
            os.environ["MESSBAR_SANDBOX_URL"] = box.url
            os.environ["MESSBAR_DATA_DIR"] = tmp
            cfg = load_config(REPO / "config" / "demo.yml")
            wanted = {b.slug for b in cfg.businesses[: args.businesses]}
            for night, label in enumerate(("first_run", "nightly_run")):
                logical = NOW + timedelta(days=night)
                per_network: dict[str, list[tuple[int, int]]] = defaultdict(list)
                summaries = []
                for job in pipeline.plan(cfg, logical, f"bench{night}"):
                    if job["network"] == "xing" or job["business"] not in wanted:
                        continue
                    box.reads.clear()
                    summary = pipeline.extract(job)
                    summaries.append(summary)
                    bound = lower_bound(job["network"], box.reads)
                    per_network[job["network"]].append((len(box.reads), bound))
                pipeline.load(cfg)  # the next night plans from the committed state
                _report_night(label, per_network, summaries)
                box.advance(days=1)
            _report.zero(
                "api_rate_limit_violations",
                "sandbox-counted rate-limit violations (budgets enforced)",
                box.rate_limit_violations,
            )
        finally:
            box.stop()
    return _report.exit_code()


def _report_night(label: str, per_network: dict, summaries: list[dict[str, Any]]) -> None:
    for network, pairs in sorted(per_network.items()):
        calls = sum(c for c, _ in pairs) / len(pairs)
        bound = sum(b for _, b in pairs) / len(pairs)
        _report.ratio(
            f"api_calls_{network}_{label}",
            ("calls per account", calls),
            ("lower bound", bound),
            target=TARGET,
            note=f"{len(pairs)} accounts",
        )
    rows = sum(sum(s["rows"].values()) for s in summaries) / max(1, len(summaries))
    _report.info(f"rows_landed_{label}", f"{rows:,.0f} records landed per account per run")
    x = [s for s in summaries if s["network"] == "x"]
    if x:
        usd, reads = x_cost(x)
        detail = ", ".join(f"{k} {v}" for k, v in sorted(reads.items()))
        _report.info(
            f"x_cost_{label}",
            f"USD {usd / len(x):.4f} per account per run ({detail} reads over {len(x)} "
            f"accounts; per-read prices of extractors/networks/x/spec.py)",
        )


if __name__ == "__main__":
    sys.exit(main())
