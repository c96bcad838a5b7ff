"""Handcrafted Graph API payloads for two Pages, shaped like docs/contracts.md landing records.

Page A (Bäckerei, Europe/Berlin) has winter data: a post at 23:30 UTC that belongs to the next
Berlin day, a post fetched twice (the newer metrics must win), a post without `shares`, insights
stamped 08:00 UTC (Pacific standard time) and a restated day. Page B (no time zone in the config,
so the default Europe/Berlin applies) has summer data: end_time 07:00 UTC (Pacific daylight time)
and posts either side of Berlin midnight.
"""

from __future__ import annotations

from raw_warehouse import RawRow

PAGE_A = "1000000001"
PAGE_B = "1000000002"
BUSINESS_A = "baeckerei-sonnenschein"
BUSINESS_B = "radhaus-mueller"

CONFIG_ACCOUNTS = [
    (BUSINESS_A, "Bäckerei Sonnenschein", "Europe/Berlin", "facebook", PAGE_A, "Sonnenschein"),
    (BUSINESS_B, "Radhaus Müller", "", "facebook", PAGE_B, "Radhaus Müller"),
]

WINTER_1 = "2026-01-15T02:00:03.123456+00:00"
WINTER_LATE = "2026-01-15T22:30:00.000000+00:00"
WINTER_2 = "2026-01-16T02:00:04.000000+00:00"
WINTER_3 = "2026-01-18T02:00:05.000000+00:00"
SUMMER_1 = "2026-07-03T02:00:03.000000+00:00"


def _a(stream: str, fetched_at: str, payload: dict, object_id: str = PAGE_A, **kw) -> RawRow:
    return RawRow(stream, BUSINESS_A, PAGE_A, object_id, fetched_at, payload, **kw)


def _b(stream: str, fetched_at: str, payload: dict, object_id: str = PAGE_B, **kw) -> RawRow:
    return RawRow(stream, BUSINESS_B, PAGE_B, object_id, fetched_at, payload, **kw)


def _page(page_id: str, name: str, followers: int) -> dict:
    return {
        "id": page_id,
        "name": name,
        "username": name.lower().replace(" ", ""),
        "fan_count": followers - 20,
        "followers_count": followers,
        "link": f"https://www.facebook.com/{page_id}",
    }


def _daily(page_id: str, metric: str, values: list[tuple[str, object]]) -> dict:
    return {
        "name": metric,
        "period": "day",
        "values": [{"value": value, "end_time": end} for end, value in values],
        "title": metric.replace("_", " ").title(),
        "description": "Daily: composed test metric",
        "id": f"{page_id}/insights/{metric}/day",
    }


def post_payload(
    post_id: str, created: str, reactions: int, comments: int, shares: int | None
) -> dict:
    payload = {
        "id": post_id,
        "created_time": created,
        "updated_time": created,
        "message": f"Post {post_id}",
        "permalink_url": f"https://www.facebook.com/{post_id}",
        "status_type": "added_photos",
        "reactions": {"data": [], "summary": {"total_count": reactions, "viewer_reaction": "NONE"}},
        "comments": {
            "data": [],
            "summary": {"order": "ranked", "total_count": comments, "can_comment": True},
        },
    }
    if shares is not None:
        payload["shares"] = {"count": shares}
    return payload


def _lifetime(post_id: str, metric: str, value: int) -> dict:
    return {
        "name": metric,
        "period": "lifetime",
        "values": [{"value": value}],
        "title": metric,
        "description": "Lifetime: composed test metric",
        "id": f"{post_id}/insights/{metric}/lifetime",
    }


# Post ids: A1 23:30 UTC on 14 Jan = 00:30 on 15 Jan in Berlin; A2 without `shares`, 0 views;
# A3 two days later (leaves a gap day without metrics); B1 23:59 / B2 00:30 Berlin summer time.
A1, A2, A3 = f"{PAGE_A}_2001", f"{PAGE_A}_2002", f"{PAGE_A}_2003"
B1, B2 = f"{PAGE_B}_3001", f"{PAGE_B}_3002"


def facebook_rows() -> list[RawRow]:
    rows = [
        # Page snapshots: A fetched twice on Berlin's 15 January (the later one wins that day),
        # then on the 16th (loaded twice: an identical replay) and the 18th; B once.
        _a("page", WINTER_1, _page(PAGE_A, "Bäckerei Sonnenschein", 5120)),
        _a("page", WINTER_LATE, _page(PAGE_A, "Bäckerei Sonnenschein", 5124)),
        _a("page", WINTER_2, _page(PAGE_A, "Bäckerei Sonnenschein", 5131)),
        _a("page", WINTER_2, _page(PAGE_A, "Bäckerei Sonnenschein", 5131), file_suffix="-r2"),
        _a("page", WINTER_3, _page(PAGE_A, "Bäckerei Sonnenschein GmbH", 5140)),
        _b("page", SUMMER_1, _page(PAGE_B, "Radhaus Müller", 810)),
        # Page A insights, winter: 08:00 UTC end_time = Pacific midnight (PST).
        _a(
            "page_insights",
            WINTER_1,
            _daily(
                PAGE_A,
                "page_follows",
                [("2026-01-14T08:00:00+0000", 5100), ("2026-01-15T08:00:00+0000", 5108)],
            ),
        ),
        _a(
            "page_insights",
            WINTER_2,
            _daily(
                PAGE_A,
                "page_follows",
                [("2026-01-15T08:00:00+0000", 5110), ("2026-01-16T08:00:00+0000", 5125)],
            ),
        ),
        _a(
            "page_insights",
            WINTER_2,
            _daily(
                PAGE_A,
                "page_media_view",
                [
                    ("2026-01-14T08:00:00+0000", 1834),
                    ("2026-01-15T08:00:00+0000", 2210),
                    ("2026-01-16T08:00:00+0000", 1990),
                ],
            ),
        ),
        _a(
            "page_insights",
            WINTER_2,
            _daily(PAGE_A, "page_total_media_view_unique", [("2026-01-16T08:00:00+0000", 870)]),
        ),
        _a(
            "page_insights",
            WINTER_2,
            _daily(PAGE_A, "page_post_engagements", [("2026-01-16T08:00:00+0000", 64)]),
        ),
        _a(
            "page_insights",
            WINTER_2,
            _daily(PAGE_A, "page_total_actions", [("2026-01-16T08:00:00+0000", 7)]),
        ),
        # A breakdown metric with object values: dropped by staging.
        _a(
            "page_insights",
            WINTER_2,
            _daily(PAGE_A, "page_follows_country", [("2026-01-16T08:00:00+0000", {"DE": 5000})]),
        ),
        # Page B insights, summer: 07:00 UTC end_time = Pacific midnight (PDT).
        _b(
            "page_insights",
            SUMMER_1,
            _daily(
                PAGE_B,
                "page_follows",
                [("2026-07-02T07:00:00+0000", 800), ("2026-07-03T07:00:00+0000", 795)],
            ),
        ),
        _b(
            "page_insights",
            SUMMER_1,
            _daily(
                PAGE_B,
                "page_media_view",
                [("2026-07-02T07:00:00+0000", 300), ("2026-07-03T07:00:00+0000", 420)],
            ),
        ),
        # Posts. A1 is fetched twice: the newer metrics must win.
        _a("posts", WINTER_1, post_payload(A1, "2026-01-14T23:30:00+0000", 10, 2, 1)),
        _a("posts", WINTER_2, post_payload(A1, "2026-01-14T23:30:00+0000", 20, 4, 3)),
        _a("posts", WINTER_2, post_payload(A2, "2026-01-15T10:00:00+0000", 5, 0, None)),
        _a("posts", WINTER_3, post_payload(A3, "2026-01-17T12:00:00+0000", 1, 1, 1)),
        _b("posts", SUMMER_1, post_payload(B1, "2026-07-01T21:59:00+0000", 8, 1, 1)),
        _b("posts", SUMMER_1, post_payload(B2, "2026-07-01T22:30:00+0000", 3, 0, 0)),
        # Post insights (object_id = post id).
        _a("post_insights", WINTER_1, _lifetime(A1, "post_media_view", 200), object_id=A1),
        _a("post_insights", WINTER_2, _lifetime(A1, "post_media_view", 400), object_id=A1),
        _a(
            "post_insights",
            WINTER_2,
            _lifetime(A1, "post_total_media_view_unique", 300),
            object_id=A1,
        ),
        _a("post_insights", WINTER_2, _lifetime(A1, "post_clicks", 12), object_id=A1),
        _a("post_insights", WINTER_2, _lifetime(A2, "post_media_view", 0), object_id=A2),
        _a(
            "post_insights",
            WINTER_2,
            _lifetime(A2, "post_reactions_like_total", 5),
            object_id=A2,
        ),
        _b("post_insights", SUMMER_1, _lifetime(B1, "post_media_view", 50), object_id=B1),
        # Comments on A1: a visitor's comment and the Page's reply to it.
        _a(
            "comments",
            WINTER_2,
            {
                "id": f"{A1.split('_')[1]}_9001",
                "message": "Sieht lecker aus!",
                "created_time": "2026-01-15T07:12:00+0000",
                "from": {"name": "Erika Mustermann", "id": "5550001"},
                "like_count": 2,
                "comment_count": 1,
            },
            object_id=A1,
        ),
        _a(
            "comments",
            WINTER_2,
            {
                "id": f"{A1.split('_')[1]}_9002",
                "message": "Danke, Erika!",
                "created_time": "2026-01-15T08:01:00+0000",
                "from": {"name": "Bäckerei Sonnenschein", "id": PAGE_A},
                "parent": {"id": f"{A1.split('_')[1]}_9001"},
                "like_count": 1,
                "comment_count": 0,
            },
            object_id=A1,
        ),
    ]
    return rows
