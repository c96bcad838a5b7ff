"""Handcrafted raw LinkedIn rows, shaped like the sandbox and the documented API answer them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import duckdb

ORG = "90000001"
ORG_URN = f"urn:li:organization:{ORG}"
BUSINESS = "baeckerei-sonnenschein"
SHARE = "urn:li:share:7120261125000000001"
UGC = "urn:li:ugcPost:7120261125000000002"
F1 = "2026-11-26 02:00:03+00"  # first night
F2 = "2026-11-27 02:00:04+00"  # second night
CONFIG_ACCOUNTS = [
    (BUSINESS, "Bäckerei Sonnenschein", "Europe/Berlin", "linkedin", ORG, None),
]


@dataclass(frozen=True)
class Row:
    stream: str
    fetched_at: str
    object_id: str
    endpoint: str
    payload: dict[str, Any]


def day_ms(day: date) -> int:
    return int(datetime.combine(day, time(0), tzinfo=UTC).timestamp() * 1000)


def at_ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


def _daily(stream: str, fetched: str, day: date, values: dict[str, Any]) -> Row:
    key = "followerGains" if stream == "follower_statistics" else "totalShareStatistics"
    path = (
        "/rest/organizationalEntityFollowerStatistics"
        if stream == "follower_statistics"
        else "/rest/organizationalEntityShareStatistics"
    )
    payload = {
        "organizationalEntity": ORG_URN,
        "timeRange": {"start": day_ms(day), "end": day_ms(day) + 86_400_000},
        key: values,
    }
    return Row(stream, fetched, ORG, path, payload)


def _post(urn: str, published: str, text: str, content: dict | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "author": ORG_URN,
        "commentary": text,
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": []},
        "lifecycleState": "PUBLISHED",
        "lifecycleStateInfo": {"isEditedByAuthor": False},
        "isReshareDisabledByAuthor": False,
        "createdAt": at_ms(published) - 60_000,
        "lastModifiedAt": at_ms(published),
        "publishedAt": at_ms(published),
        "id": urn,
    }
    if content is not None:
        payload["content"] = content
    return payload


def _stats(urn: str, kind: str, fetched: str, values: dict[str, Any]) -> Row:
    payload = {"organizationalEntity": ORG_URN, kind: urn, "totalShareStatistics": values}
    return Row(
        "post_statistics", fetched, urn, "/rest/organizationalEntityShareStatistics", payload
    )


def _comment(post: str, cid: str, actor: str, when: str, text: str, parent: str | None) -> Row:
    urn = f"urn:li:comment:({post},{cid})"
    payload: dict[str, Any] = {
        "actor": actor,
        "commentUrn": urn,
        "created": {"actor": actor, "time": at_ms(when)},
        "id": cid,
        "lastModified": {"actor": actor, "time": at_ms(when)},
        "message": {"attributes": [], "text": text},
        "object": post,
        "likesSummary": {"aggregatedTotalLikes": 2, "likedByCurrentUser": False, "totalLikes": 2},
        "commentsSummary": {"aggregatedTotalComments": 0 if parent else 1},
    }
    if parent:
        payload["parentComment"] = parent
    path = f"/rest/socialActions/{post.replace(':', '%3A')}/comments"
    return Row("comments", F2, post, path, payload)


def linkedin_rows() -> list[Row]:
    size_path = "/rest/networkSizes/urn%3Ali%3Aorganization%3A90000001"
    lookup = {"id": 90000001, "localizedName": "Bäckerei Sonnenschein", "vanityName": "sonne"}
    rows = [
        Row("organization", F1, ORG, f"/rest/organizations/{ORG}", lookup),
        Row("organization", F1, ORG, size_path, {"firstDegreeSize": 1180}),
        Row("organization", F2, ORG, f"/rest/organizations/{ORG}", lookup),
        Row("organization", F2, ORG, size_path, {"firstDegreeSize": 1190}),
        _daily("follower_statistics", F1, date(2026, 11, 23), _gains(2, 0)),
        _daily("follower_statistics", F1, date(2026, 11, 24), _gains(1, 0)),
        _daily("follower_statistics", F2, date(2026, 11, 24), _gains(1, 1)),  # restated
        _daily(
            "share_statistics",
            F1,
            date(2026, 11, 23),
            {
                "impressionCount": 200,
                "uniqueImpressionsCount": 140,
                "clickCount": 4,
                "likeCount": 5,
                "commentCount": 1,
                "shareCount": 0,
                "engagement": 0.05,
            },
        ),
        # LinkedIn left uniqueImpressionsCount out for this day: viewers stays NULL
        _daily(
            "share_statistics",
            F2,
            date(2026, 11, 24),
            {
                "impressionCount": 90,
                "clickCount": 2,
                "likeCount": 1,
                "commentCount": 0,
                "shareCount": 0,
                "engagement": 0.0333333,
            },
        ),
        # 23:30 Berlin on 25 Nov and 00:30 Berlin on 26 Nov
        Row(
            "posts",
            F2,
            ORG,
            "/rest/posts",
            _post(SHARE, "2026-11-25T22:30:00+00:00", "Frische Brezeln!", None),
        ),
        Row(
            "posts",
            F2,
            ORG,
            "/rest/posts",
            _post(
                UGC,
                "2026-11-25T23:30:00+00:00",
                "Neues Video",
                {"media": {"id": "urn:li:video:1"}},
            ),
        ),
        _stats(SHARE, "share", F1, _post_stats(100, 70, 1, 2, 0, 0)),
        _stats(SHARE, "share", F2, _post_stats(400, 300, 8, 12, 2, 1)),
        _stats(
            UGC, "ugcPost", F2, {**_post_stats(50, 0, 0, 3, 0, 0), "uniqueImpressionsCount": None}
        ),
        _comment(
            SHARE, "1001", "urn:li:person:abc123", "2026-11-26T07:00:00+00:00", "Lecker!", None
        ),
        _comment(
            SHARE,
            "1002",
            ORG_URN,
            "2026-11-26T08:00:00+00:00",
            "Danke!",
            f"urn:li:comment:({SHARE},1001)",
        ),
    ]
    return rows


def _gains(organic: int, paid: int) -> dict[str, int]:
    return {"organicFollowerGain": organic, "paidFollowerGain": paid}


def _post_stats(imp: int, uniq: int, clicks: int, likes: int, comments: int, shares: int):
    interactions = clicks + likes + comments + shares
    return {
        "clickCount": clicks,
        "commentCount": comments,
        "commentMentionsCount": 0,
        "engagement": interactions / imp,
        "impressionCount": imp,
        "likeCount": likes,
        "shareCount": shares,
        "shareMentionsCount": 0,
        "uniqueImpressionsCount": uniq,
    }


def insert_linkedin_rows(con: duckdb.DuckDBPyConnection, rows: list[Row]) -> None:
    """Insert rows the way the loader would: one file per stream and fetch."""
    lines: dict[str, int] = {}
    for row in rows:
        day = row.fetched_at[:10]
        file = f"linkedin/{row.stream}/account={ORG}/logical_date={day}/run.ndjson.gz"
        lines[file] = lines.get(file, 0) + 1
        con.execute(
            f"INSERT INTO raw.linkedin__{row.stream} VALUES "
            "(?, ?, ?, ?::TIMESTAMPTZ, ?::DATE, ?::TIMESTAMPTZ, ?, ?, ?, ?, ?::JSON)",
            [
                file,
                lines[file],
                f"scheduled__{day}",
                row.fetched_at,
                day,
                row.fetched_at,
                BUSINESS,
                ORG,
                row.object_id,
                row.endpoint,
                json.dumps(row.payload),
            ],
        )
