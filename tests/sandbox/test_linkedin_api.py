"""The LinkedIn sandbox speaks the documented Community Management API shapes: versions, tokens,
Rest.li 2.0 syntax, paging, statistics windows and the demo world's ground truth."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import requests

import sandbox
from sandbox.networks.linkedin import error_body, world
from sandbox.networks.linkedin.world import ORGANIZATIONS, ms, utc_midnight

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
TOKEN = "li-sandbox-test-token"
VERSION = "202603"
ORG = "90000001"
ORG_URN = f"urn:li:organization:{ORG}"
ENC_ORG = "urn%3Ali%3Aorganization%3A90000001"


@pytest.fixture
def sb() -> Iterator[sandbox.Sandbox]:
    with sandbox.serve(now=NOW, tokens=[TOKEN]) as server:
        yield server


LinkedInGet = Callable[..., requests.Response]


@pytest.fixture
def li(sb: sandbox.Sandbox) -> Iterator[LinkedInGet]:
    session = requests.Session()

    def get(
        path_and_query: str,
        *,
        version: str | None = VERSION,
        token: str | None = TOKEN,
        protocol: bool = True,
    ) -> requests.Response:
        headers = {}
        if version is not None:
            headers["LinkedIn-Version"] = version
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if protocol:
            headers["X-Restli-Protocol-Version"] = "2.0.0"
        url = f"{sb.network_url('linkedin')}/{path_and_query.lstrip('/')}"
        return session.get(url, headers=headers, timeout=10)

    yield get
    session.close()


def intervals(start: date, end: date) -> str:
    return (
        f"(timeRange:(start:{ms(utc_midnight(start))},end:{ms(utc_midnight(end))}),"
        "timeGranularityType:DAY)"
    )


# -- versions and tokens ------------------------------------------------------------------------
def test_missing_version_header_is_refused_with_version_missing(li):
    response = li(f"rest/organizations/{ORG}", version=None)
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "VERSION_MISSING",
        "message": "A version must be present. Please specify a version by adding the "
        "LinkedIn-Version header.",
    }


def test_malformed_version_header_is_refused(li):
    response = li(f"rest/organizations/{ORG}", version="2026-03")
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_VERSION"


@pytest.mark.parametrize("version", ["202410", "202511", "202612"])
def test_sunset_or_unreleased_version_answers_426_nonexistent_version(li, version):
    response = li(f"rest/organizations/{ORG}", version=version)
    assert response.status_code == 426
    assert response.json() == {
        "status": 426,
        "code": "NONEXISTENT_VERSION",
        "message": f"Requested version {version}01 is not active",
    }
    assert "Retry-After" not in response.headers


def test_versions_are_served_for_one_year(li):
    assert li(f"rest/organizations/{ORG}", version="202512").status_code == 200
    assert li(f"rest/organizations/{ORG}", version="202611").status_code == 200


def test_missing_unknown_and_expired_tokens_answer_401(sb, li):
    assert li(f"rest/organizations/{ORG}", token=None).json() == {
        "status": 401,
        "serviceErrorCode": 65604,
        "code": "EMPTY_ACCESS_TOKEN",
        "message": "Empty oauth2 access token",
    }
    unknown = li(f"rest/organizations/{ORG}", token="nope")
    assert unknown.status_code == 401 and unknown.json()["code"] == "INVALID_ACCESS_TOKEN"
    sb.add_token("old", expires_at=NOW - timedelta(hours=1))
    expired = li(f"rest/organizations/{ORG}", token="old")
    assert expired.status_code == 401 and expired.json()["code"] == "EXPIRED_ACCESS_TOKEN"
    assert all(TOKEN not in str(entry) for entry in sb.requests())


def test_restli_2_syntax_needs_the_protocol_header(li):
    query = f"q=organizationalEntity&organizationalEntity={ENC_ORG}"
    query += f"&timeIntervals={intervals(date(2026, 11, 1), date(2026, 11, 3))}"
    response = li(f"rest/organizationalEntityShareStatistics?{query}", protocol=False)
    assert response.status_code == 400 and response.json()["code"] == "ILLEGAL_ARGUMENT"
    assert li(f"rest/organizationalEntityShareStatistics?{query}").status_code == 200


# -- organization and followers -----------------------------------------------------------------
def test_organization_lookup_and_follower_total(li):
    org = li(f"rest/organizations/{ORG}").json()
    assert {"id", "localizedName", "vanityName", "name", "localizedWebsite"} <= set(org)
    assert org["id"] == 90000001 and org["localizedName"] == "Bäckerei Sonnenschein"
    size = li(f"rest/networkSizes/{ENC_ORG}?edgeType=COMPANY_FOLLOWED_BY_MEMBER")
    assert size.json() == {"firstDegreeSize": world(42).followers_at(ORG, NOW)}
    assert li(f"rest/networkSizes/{ENC_ORG}?edgeType=FOO").status_code == 400
    denied = li("rest/organizations/12345")
    assert denied.status_code == 403
    assert set(denied.json()) == {"status", "serviceErrorCode", "code", "message"}


def test_every_demo_business_has_one_organization():
    slugs = [org.business.slug for org in ORGANIZATIONS]
    assert slugs == [b.slug for b in sandbox.BUSINESSES]
    assert [org.id for org in ORGANIZATIONS] == ["90000001", "90000002", "90000003"]


# -- statistics ---------------------------------------------------------------------------------
def test_time_bound_share_statistics_per_utc_day(li):
    query = f"q=organizationalEntity&organizationalEntity={ENC_ORG}"
    query += f"&timeIntervals={intervals(date(2026, 11, 20), date(2026, 11, 23))}"
    body = li(f"rest/organizationalEntityShareStatistics?{query}").json()
    assert set(body) == {"paging", "elements"}
    assert [e["timeRange"] for e in body["elements"]] == [
        {"start": 1795132800000, "end": 1795219200000},
        {"start": 1795219200000, "end": 1795305600000},
        {"start": 1795305600000, "end": 1795392000000},
    ]
    first = body["elements"][0]
    assert set(first) == {"organizationalEntity", "timeRange", "totalShareStatistics"}
    assert set(first["totalShareStatistics"]) == {
        "clickCount",
        "commentCount",
        "engagement",
        "impressionCount",
        "likeCount",
        "shareCount",
        "uniqueImpressionsCount",
    }
    assert first["totalShareStatistics"] == world(42).share_statistics_on(ORG, date(2026, 11, 20))


def test_dotted_time_intervals_form_is_equivalent(li):
    start, end = ms(utc_midnight(date(2026, 11, 1))), ms(utc_midnight(date(2026, 11, 8)))
    dotted = (
        f"q=organizationalEntity&organizationalEntity={ENC_ORG}"
        f"&timeIntervals.timeGranularityType=DAY&timeIntervals.timeRange.start={start}"
        f"&timeIntervals.timeRange.end={end}"
    )
    record = f"q=organizationalEntity&organizationalEntity={ENC_ORG}"
    record += f"&timeIntervals={intervals(date(2026, 11, 1), date(2026, 11, 8))}"
    a = li(f"rest/organizationalEntityFollowerStatistics?{dotted}").json()
    b = li(f"rest/organizationalEntityFollowerStatistics?{record}").json()
    assert a == b and len(a["elements"]) == 7
    assert set(a["elements"][0]) == {"organizationalEntity", "timeRange", "followerGains"}
    assert set(a["elements"][0]["followerGains"]) == {"organicFollowerGain", "paidFollowerGain"}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 11, 20), date(2026, 11, 26)),  # ends later than two days ago
        (date(2025, 11, 20), date(2025, 12, 1)),  # starts before the rolling 12 months
        (date(2026, 11, 10), date(2026, 11, 10)),  # empty
    ],
)
def test_windows_outside_the_limits_are_invalid(li, start, end):
    query = f"q=organizationalEntity&organizationalEntity={ENC_ORG}"
    query += f"&timeIntervals={intervals(start, end)}"
    response = li(f"rest/organizationalEntityShareStatistics?{query}")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "ILLEGAL_ARGUMENT",
        "message": "Invalid timeIntervals parameter",
    }


def test_lifetime_statistics_per_post_by_urn_kind(li):
    posts = world(42).posts_at(ORG, NOW)[:8]
    shares = [p.urn for p in posts if p.kind == "share"]
    ugc = [p.urn for p in posts if p.kind == "ugcPost"]
    assert shares and ugc
    enc = [u.replace(":", "%3A") for u in shares]
    query = f"q=organizationalEntity&organizationalEntity={ENC_ORG}&shares=List({','.join(enc)})"
    body = li(f"rest/organizationalEntityShareStatistics?{query}").json()
    assert [e["share"] for e in body["elements"]] == shares
    element = body["elements"][0]
    assert set(element) == {"organizationalEntity", "share", "totalShareStatistics"}
    assert element["totalShareStatistics"] == world(42).post_statistics(shares[0], NOW)
    wrong = f"q=organizationalEntity&organizationalEntity={ENC_ORG}&ugcPosts=List({enc[0]})"
    assert li(f"rest/organizationalEntityShareStatistics?{wrong}").status_code == 400


# -- posts and comments -------------------------------------------------------------------------
def test_posts_by_author_page_with_start_and_count(li):
    truth = [p.urn for p in world(42).posts_at(ORG, NOW)]
    seen, start = [], 0
    while True:
        body = li(f"rest/posts?q=author&author={ENC_ORG}&sortBy=CREATED&start={start}&count=40")
        page = body.json()
        assert set(page["paging"]) == {"start", "count", "links", "total"}
        assert page["paging"]["total"] == len(truth)
        seen += [p["id"] for p in page["elements"]]
        rels = {link["rel"] for link in page["paging"]["links"]}
        if "next" not in rels:
            break
        start += 40
    assert seen == truth
    post = page["elements"][0]
    assert {
        "author",
        "commentary",
        "visibility",
        "distribution",
        "lifecycleState",
        "lifecycleStateInfo",
        "isReshareDisabledByAuthor",
        "createdAt",
        "lastModifiedAt",
        "publishedAt",
        "id",
    } <= set(post)
    assert post["author"] == ORG_URN
    assert li(f"rest/posts?q=author&author={ENC_ORG}&count=101").status_code == 400


def test_comments_and_replies(li):
    lw = world(42)
    post = next(
        p for p in lw.posts_at(ORG, NOW) if any(c.parent_urn for c in lw.comments_at(p.urn, NOW))
    )
    enc = post.urn.replace(":", "%3A")
    body = li(f"rest/socialActions/{enc}/comments?count=100").json()
    top = [c for c in lw.comments_at(post.urn, NOW) if c.parent_urn is None]
    assert [c["commentUrn"] for c in body["elements"]] == [c.urn for c in top]
    comment = next(c for c in body["elements"] if c["commentsSummary"]["aggregatedTotalComments"])
    assert {
        "actor",
        "commentUrn",
        "created",
        "id",
        "lastModified",
        "message",
        "object",
        "likesSummary",
        "commentsSummary",
    } <= set(comment)
    from urllib.parse import quote

    replies = li(f"rest/socialActions/{quote(comment['commentUrn'], safe='')}/comments").json()
    assert replies["elements"][0]["parentComment"] == comment["commentUrn"]
    assert replies["elements"][0]["actor"] == ORG_URN


# -- the world over time ------------------------------------------------------------------------
def test_past_days_never_change_and_lifetime_statistics_grow():
    lw = world(7)
    day = date(2026, 11, 10)
    before = lw.share_statistics_on(ORG, day)
    post = lw.posts_at(ORG, NOW)[0]
    early = lw.post_statistics(post.urn, post.published_at + timedelta(hours=3))
    later = lw.post_statistics(post.urn, post.published_at + timedelta(days=5))
    assert lw.share_statistics_on(ORG, day) == before
    assert later["impressionCount"] >= early["impressionCount"] > 0
    assert len(lw.comments_at(post.urn, NOW + timedelta(days=30))) >= len(
        lw.comments_at(post.urn, NOW)
    )
    assert lw.followers_at(ORG, NOW + timedelta(days=3)) >= lw.followers_at(ORG, NOW)


def test_scripted_bare_429_has_no_rate_limit_headers(sb, li):
    sb.add_fault("GET", r"/linkedin/rest/posts$", status=429, body="")
    response = li(f"rest/posts?q=author&author={ENC_ORG}")
    assert response.status_code == 429 and response.content == b""
    assert not {h.lower() for h in response.headers} & {"retry-after", "x-ratelimit-remaining"}
    assert error_body(429, "TOO_MANY_REQUESTS", "x")["status"] == 429
