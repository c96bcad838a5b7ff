"""Page insights: Meta-day values stamped with the next Pacific midnight, the 90-day limit,
adjacent-window paging, and the errors for retired, unknown and missing metrics."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

PAGE = "1000000002"
RETIRED = [
    "page_impressions",
    "page_impressions_unique",
    "page_impressions_paid",
    "page_impressions_viral",
    "page_impressions_nonviral",
    "page_fans",
    "page_fan_adds",
    "page_fan_removes",
    "page_fans_city",
    "page_engaged_users",
    "page_consumptions",
]
INVALID_METRIC = {
    "message": "(#100) The value must be a valid insights metric",
    "type": "OAuthException",
    "code": 100,
}


def _insights(graph, metric: str, since: str | int, until: str | int, **extra):
    params = {"metric": metric, "period": "day", "since": since, "until": until, **extra}
    return graph(f"{PAGE}/insights", params)


def test_documented_example_shape_and_end_times_in_winter(graph, sb) -> None:
    body = _insights(graph, "page_media_view,page_follows", "2026-03-01", "2026-03-03").json()
    assert set(body) == {"data", "paging"}
    assert [m["name"] for m in body["data"]] == ["page_media_view", "page_follows"]
    for metric in body["data"]:
        assert list(metric) == ["name", "period", "values", "title", "description", "id"]
        assert metric["period"] == "day"
        assert metric["id"] == f"{PAGE}/insights/{metric['name']}/day"
        assert [v["end_time"] for v in metric["values"]] == [
            "2026-03-02T08:00:00+0000",
            "2026-03-03T08:00:00+0000",
        ]
        expected = [
            sb.world.page_daily_value(PAGE, metric["name"], date(2026, 3, d)) for d in (1, 2)
        ]
        assert [v["value"] for v in metric["values"]] == expected
        assert all(set(v) == {"value", "end_time"} for v in metric["values"])


def test_summer_end_times_are_07_utc_and_dst_switch_is_handled(graph, sb) -> None:
    sb.set_now("2026-07-20T12:00:00+00:00")
    body = _insights(graph, "page_views_total", "2026-07-01", "2026-07-03").json()
    ends = [v["end_time"] for v in body["data"][0]["values"]]
    assert ends == ["2026-07-02T07:00:00+0000", "2026-07-03T07:00:00+0000"]
    body = _insights(graph, "page_views_total", "2026-03-07", "2026-03-10").json()
    ends = [v["end_time"] for v in body["data"][0]["values"]]
    assert ends == [
        "2026-03-08T08:00:00+0000",
        "2026-03-09T07:00:00+0000",
        "2026-03-10T07:00:00+0000",
    ]


def test_unix_since_until_first_end_time_is_since_plus_one_day(graph) -> None:
    since, until = 1772352000, 1772611200  # 2026-03-01T00:00Z .. 2026-03-04T00:00Z
    body = _insights(graph, "page_post_engagements", since, until).json()
    ends = [v["end_time"] for v in body["data"][0]["values"]]
    assert ends[0].startswith("2026-03-02T") and len(ends) == 3


def test_only_complete_days_are_returned(graph, sb) -> None:
    # clock 2026-03-16T06:00Z is 23:00 Pacific on the 15th: the 15th is not over yet
    body = _insights(graph, "page_media_view", "2026-03-10", "2026-03-20").json()
    ends = [v["end_time"] for v in body["data"][0]["values"]]
    assert ends[-1] == "2026-03-15T07:00:00+0000"
    sb.set_now("2026-03-16T07:00:00+00:00")
    body = _insights(graph, "page_media_view", "2026-03-10", "2026-03-20").json()
    assert body["data"][0]["values"][-1]["end_time"] == "2026-03-16T07:00:00+0000"


def test_past_values_do_not_change_when_the_clock_moves(graph, sb) -> None:
    first = _insights(graph, "page_media_view,page_follows", "2026-02-01", "2026-03-01").json()
    sb.set_now("2026-09-01T00:00:00+00:00")
    later = _insights(graph, "page_media_view,page_follows", "2026-02-01", "2026-03-01").json()
    assert first["data"] == later["data"]


def test_at_most_90_days_between_since_and_until(graph) -> None:
    ok = _insights(graph, "page_media_view", "2025-12-01", "2026-03-01")
    assert ok.status_code == 200 and len(ok.json()["data"][0]["values"]) == 90
    too_long = _insights(graph, "page_media_view", "2025-11-30", "2026-03-01")
    assert too_long.status_code == 400
    error = too_long.json()["error"]
    assert error["code"] == 100 and error["type"] == "OAuthException"
    assert "90 days" in error["message"]


def test_paging_points_at_the_adjacent_windows(graph) -> None:
    body = _insights(graph, "page_media_view", "2026-02-01", "2026-02-08").json()
    paging = body["paging"]
    assert set(paging) == {"previous", "next"}
    for key, (start, end) in {
        "previous": ("2026-01-25", "2026-02-01"),
        "next": ("2026-02-08", "2026-02-15"),
    }.items():
        query = parse_qs(urlsplit(paging[key]).query)
        assert query["metric"] == ["page_media_view"] and query["period"] == ["day"]
        since, until = int(query["since"][0]), int(query["until"][0])
        pacific_midnights = tuple(
            int(datetime.fromisoformat(f"{d}T00:00:00-08:00").timestamp()) for d in (start, end)
        )
        assert (since, until) == pacific_midnights
    assert urlsplit(paging["next"]).path == f"/facebook/v25.0/{PAGE}/insights"


def test_following_next_continues_the_series(graph, sb, http) -> None:
    body = _insights(graph, "page_daily_follows_unique", "2026-01-01", "2026-01-11").json()
    nxt = http.get(
        body["paging"]["next"], headers={"Authorization": "Bearer sandbox-demo-token"}
    ).json()
    ends = [v["end_time"][:10] for v in nxt["data"][0]["values"]]
    assert ends[0] == "2026-01-12" and len(ends) == 10


@pytest.mark.parametrize("retired", RETIRED)
def test_a_retired_metric_anywhere_fails_the_whole_call(graph, retired: str) -> None:
    for metric in (retired, f"page_media_view,{retired}", f"{retired},page_follows"):
        response = _insights(graph, metric, "2026-03-01", "2026-03-03")
        assert response.status_code == 400
        error = response.json()["error"]
        assert {k: error[k] for k in INVALID_METRIC} == INVALID_METRIC
        assert set(error) == {"message", "type", "code", "fbtrace_id"}


def test_unknown_metric_fails_like_a_retired_one(graph) -> None:
    response = _insights(graph, "page_media_view,page_magic", "2026-03-01", "2026-03-03")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == INVALID_METRIC["message"]


def test_no_metric_is_error_3001_subcode_1504028(graph) -> None:
    for params in ({}, {"metric": ""}, {"period": "day"}):
        response = graph(f"{PAGE}/insights", params)
        assert response.status_code == 400
        error = response.json()["error"]
        assert (error["code"], error["error_subcode"]) == (3001, 1504028)


def test_single_metric_path_and_default_window(graph, sb) -> None:
    body = graph(f"{PAGE}/insights/page_follows", {"period": "day"}).json()
    assert [m["name"] for m in body["data"]] == ["page_follows"]
    values = body["data"][0]["values"]
    last = date(2026, 3, 14)
    assert [v["end_time"][:10] for v in values] == [str(last), str(last + timedelta(days=1))]
    assert values[-1]["value"] == sb.world.page_daily_value(PAGE, "page_follows", last)
