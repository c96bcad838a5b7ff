"""Handcrafted Instagram raw rows (payloads shaped as the Graph API serves them, plus the
extractor's `_requested` on total_value objects) for the dbt tests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

BUSINESS = "baeckerei-sonnenschein"
USER = "17841400000000001"
OWNER_USERNAME = "baeckereisonnenschein"
COMMENTER = "anna.mueller7"
F1 = "2026-11-26 02:00:03+00"  # fetch of the run for 2026-11-26 (Pacific day 2026-11-25)
F2 = "2026-11-27 02:00:04+00"  # fetch of the run for 2026-11-27 (Pacific day 2026-11-26)
M_FEED = "181202611004"  # feed image posted 23:30 UTC = 00:30 Berlin the next day
M_REEL = "181202611005"  # Reel whose insights Meta does not compute (empty values)
M_NEW = "181202611006"  # posted hours before the run: insights answered with an empty data set

CONFIG_ACCOUNTS = [
    (BUSINESS, "Bäckerei Sonnenschein", "Europe/Berlin", "instagram", USER, None),
]


@dataclass(frozen=True)
class Row:
    stream: str
    object_id: str
    fetched_at: str
    payload: dict[str, Any]


def _series(name: str, values: list[tuple[int, str]]) -> dict[str, Any]:
    return {
        "name": name,
        "period": "day",
        "title": name,
        "values": [{"value": v, "end_time": f"{d}T08:00:00+0000"} for v, d in values],
        "id": f"{USER}/insights/{name}/day",
    }


def _total(name: str, value: int, since: str, until: str) -> dict[str, Any]:
    return {
        "name": name,
        "period": "day",
        "title": name,
        "total_value": {"value": value},
        "id": f"{USER}/insights/{name}/day",
        "_requested": {"metric_type": "total_value", "since": since, "until": until},
    }


def _media(media_id: str, ts: str, product: str, kind: str, likes: int, comments: int) -> dict:
    return {
        "id": media_id,
        "caption": f"Frisch aus dem Ofen #{OWNER_USERNAME}",
        "media_type": kind,
        "media_product_type": product,
        "permalink": f"https://www.instagram.com/p/{media_id[-11:]}/",
        "timestamp": ts,
        "like_count": likes,
        "comments_count": comments,
    }


def _lifetime(media_id: str, name: str, value: int | None) -> dict[str, Any]:
    return {
        "name": name,
        "period": "lifetime",
        "title": name,
        "values": [] if value is None else [{"value": value}],
        "id": f"{media_id}/insights/{name}/lifetime",
    }


def instagram_rows() -> list[Row]:
    account = {"id": USER, "username": OWNER_USERNAME, "name": "Bäckerei Sonnenschein"}
    rows = [
        Row(
            "account",
            USER,
            F1,
            account | {"followers_count": 5520, "follows_count": 177, "media_count": 176},
        ),
        Row(
            "account",
            USER,
            F2,
            account | {"followers_count": 5529, "follows_count": 177, "media_count": 178},
        ),
        # first run: Nov 22 and 23; the second run restates Nov 23 and adds Nov 24
        Row(
            "account_insights",
            USER,
            F1,
            _series("reach", [(500, "2026-11-23"), (420, "2026-11-24")]),
        ),
        Row(
            "account_insights",
            USER,
            F2,
            _series("reach", [(430, "2026-11-24"), (610, "2026-11-25")]),
        ),
        Row("account_insights", USER, F2, _series("follower_count", [(7, "2026-11-24")])),
        Row("account_insights", USER, F2, _series("follower_count", [])),
        Row("account_insights", USER, F2, _total("views", 636, "2026-11-23", "2026-11-24")),
        Row(
            "account_insights",
            USER,
            F2,
            _total("total_interactions", 39, "2026-11-23", "2026-11-24"),
        ),
        Row(
            "account_insights",
            USER,
            F2,
            _total("profile_links_taps", 13, "2026-11-23", "2026-11-24"),
        ),
        Row(
            "account_insights", USER, F2, _total("accounts_engaged", 20, "2026-11-23", "2026-11-24")
        ),
        Row("account_insights", USER, F2, _total("views", 700, "2026-11-24", "2026-11-25")),
        Row("media", USER, F1, _media(M_FEED, "2026-11-24T23:30:00+0000", "FEED", "IMAGE", 90, 9)),
        Row(
            "media", USER, F2, _media(M_FEED, "2026-11-24T23:30:00+0000", "FEED", "IMAGE", 123, 12)
        ),
        Row("media", USER, F2, _media(M_REEL, "2026-11-25T10:00:00+0000", "REELS", "VIDEO", 40, 0)),
        Row(
            "media",
            USER,
            F2,
            _media(M_NEW, "2026-11-26T19:45:00+0000", "FEED", "CAROUSEL_ALBUM", 3, 1),
        ),
    ]
    feed_metrics = {
        "views": 1489, "reach": 908, "likes": 123, "comments": 12, "saved": 6, "shares": 2,
        "total_interactions": 143,
    }  # fmt: skip
    rows += [
        Row("media_insights", M_FEED, F2, _lifetime(M_FEED, n, v)) for n, v in feed_metrics.items()
    ]
    rows += [Row("media_insights", M_FEED, F1, _lifetime(M_FEED, "views", 1100))]
    rows += [
        Row("media_insights", M_REEL, F2, _lifetime(M_REEL, n, None))
        for n in ("views", "reach", "shares", "saved")
    ]
    comment = {
        "id": "1791202611004001",
        "text": "Gibt es das Brot auch glutenfrei?",
        "timestamp": "2026-11-25T07:00:00+0000",
        "like_count": 2,
        "from": {"id": "50299370955321078", "username": COMMENTER},
        "username": COMMENTER,
        "replies": {
            "data": [
                {
                    "id": "1791202611004002",
                    "text": "Ja, freitags!",
                    "timestamp": "2026-11-25T09:00:00+0000",
                    "like_count": 1,
                    "from": {"id": USER, "username": OWNER_USERNAME},
                    "username": OWNER_USERNAME,
                }
            ]
        },
    }
    rows.append(Row("comments", M_FEED, F2, comment))
    return rows


def insert_instagram_rows(con: duckdb.DuckDBPyConnection, rows: Iterable[Row]) -> None:
    """Insert rows the way the loader would: one landing file per stream and fetch."""
    lines: dict[str, int] = {}
    for row in rows:
        day = row.fetched_at[:10]
        file = f"instagram/{row.stream}/account={USER}/logical_date={day}/run.ndjson.gz"
        lines[file] = lines.get(file, 0) + 1
        con.execute(
            f"INSERT INTO raw.instagram__{row.stream} VALUES "
            "(?, ?, ?, ?::TIMESTAMPTZ, ?::DATE, ?::TIMESTAMPTZ, ?, ?, ?, ?, ?::JSON)",
            [
                file,
                lines[file],
                f"scheduled__{day}",
                row.fetched_at,
                day,
                row.fetched_at,
                BUSINESS,
                USER,
                row.object_id,
                f"/v25.0/{row.object_id}",
                json.dumps(row.payload),
            ],
        )
