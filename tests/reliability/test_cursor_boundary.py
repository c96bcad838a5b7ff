"""Reliability plan 11.2 #13 and #14 over two nightly runs of a Facebook Page (extract and
load each night; one dbt build of staging and the post, comment and daily marts at the end):

- #13 equal-cursor boundary: 20 comments share one timestamp, the boundary between the two
  runs' windows; before run 2, 5 more comments with that very timestamp appear (indexed
  late). After run 2 all 25 are in staging and in ``marts.fct_comments`` exactly once: reading
  ">= the boundary" with key dedupe, never "> cursor" (Airbyte #15427);
- #14 late edits inside the lookback: a post 2-3 days old gains reactions, one of its comments
  gains likes and another is edited; after run 2 staging and the marts show the new values,
  one row per key.

The world is a pure function of (seed, clock), so late-indexed and edited comments are put
into the sandbox world's comment table of that one post between the runs.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from invariants import assert_invariants

import sandbox
from messbar import pipeline
from messbar.config import load_config
from sandbox.world import Comment, Person

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability_cursor_boundary")]

T1 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # run 1 (logical date 2026-11-22, Berlin)
T2 = T1 + timedelta(days=1)  # run 2
BOUNDARY = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)  # run 1's window end: Berlin midnight
PAGE = "1000000001"
POST = "1000000001_101202611008"  # created 2026-11-20 11:50 UTC: 2.6 days old at run 2
LIKED = "101202611008_4"  # its like count grows between the runs
EDITED = "101202611008_1"
EDITED_TEXT = "Nachtrag: die Zimtschnecken waren leider schon aus. (bearbeitet)"
TOKEN = "messbar-boundary-token-0123456789"
# dim_accounts' relationship tests reach fct_account_daily, so it is built too
MARTS_BUILT = ["+fct_posts", "+fct_comments", "+fct_account_daily"]


def equal_time_comments(first: int, count: int) -> list[Comment]:
    """Comments that all carry the boundary timestamp (ids after the world's own)."""
    story = POST.split("_", 1)[1]
    author = Person(name="Gleiche Zeit", id="9900000000000001")
    return [
        Comment(
            id=f"{story}_{900 + n}",
            post_id=POST,
            created_time=BOUNDARY,
            message=f"Gleicher Zeitpunkt Nummer {n}",
            author=author,
            parent_id=None,
            kind="praise",
            final_likes=0,
        )
        for n in range(first, first + count)
    ]


def set_comments(world: sandbox.World, comments: list[Comment]) -> None:
    """Replace the post's comments in the world's comment table (ordered like the world)."""
    world._comment_cache[POST] = tuple(sorted(comments, key=lambda c: (c.created_time, c.id)))


def config_for(tmp: Path, url: str) -> Path:
    path = tmp / "messbar.yml"
    path.write_text(
        f"""
data_dir: {tmp / "data"}
networks:
  facebook:
    base_url: {url}/facebook
    history_days: 30
    page_size: 10
businesses:
  - slug: baeckerei-sonnenschein
    name: Bäckerei Sonnenschein
    accounts:
      facebook:
        - account_id: "{PAGE}"
          token: env:MESSBAR_BOUNDARY_TOKEN
""",
        encoding="utf-8",
    )
    return path


def nightly(cfg, clock: datetime, run_id: str) -> None:
    """Extract and load one night (the dbt build runs once, after both nights)."""
    for job in pipeline.plan(cfg, clock, run_id):
        pipeline.extract(job, sleep=lambda seconds: None)
    pipeline.load(cfg)


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory):
    """Run 1 sees 20 boundary comments; then 5 more appear, one comment is edited, the clock
    moves a day; run 2. Yields the warehouse, the world and the two comment id sets."""
    tmp = tmp_path_factory.mktemp("boundary")
    mp = pytest.MonkeyPatch()
    mp.setenv("MESSBAR_BOUNDARY_TOKEN", TOKEN)
    with sandbox.serve(now=T1, tokens=[TOKEN]) as sb:
        cfg = load_config(config_for(tmp, sb.url))
        own = list(sb.world.comments_at(POST, T2))  # the world's own comments (cached)
        first = equal_time_comments(0, 20)
        set_comments(sb.world, [*own, *first])
        nightly(cfg, T1, "scheduled__2026-11-22")

        late = equal_time_comments(20, 5)
        edited = [dataclasses.replace(c, message=EDITED_TEXT) if c.id == EDITED else c for c in own]
        set_comments(sb.world, [*edited, *first, *late])
        sb.set_now(T2)
        nightly(cfg, T2, "scheduled__2026-11-23")
        pipeline.transform(cfg, select=MARTS_BUILT)
        yield cfg, sb.world, {c.id for c in first}, {c.id for c in [*first, *late]}
    mp.undo()


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_comments_sharing_the_boundary_timestamp_land_exactly_once(two_nights):
    cfg, _, first, everything = two_nights
    db = cfg.warehouse_path
    run_1 = query(
        db,
        "select distinct payload->>'id' from raw.facebook__comments where _run_id = ?",
        ["scheduled__2026-11-22"],
    )
    assert first <= {r[0] for r in run_1}  # run 1 saw the first 20
    staged = query(
        db,
        "select comment_id, commented_at from staging.stg_facebook__comments "
        "where comment_id in (select unnest(?))",
        [sorted(everything)],
    )
    assert sorted(r[0] for r in staged) == sorted(everything)  # all 25, none twice
    assert {r[1].astimezone(UTC) for r in staged} == {BOUNDARY}
    in_mart = query(
        db,
        # comment_key is the marts' surrogate key: md5('facebook:' || comment_id)
        "select ids.id, count(c.comment_key) from (select unnest(?) as id) ids "
        "left join marts.fct_comments c on c.comment_key = md5('facebook:' || ids.id) group by 1",
        [sorted(everything)],
    )
    assert len(in_mart) == 25 and {r[1] for r in in_mart} == {1}  # each exactly once
    assert_invariants(db)


def test_late_edits_inside_the_lookback_show_their_new_values(two_nights):
    cfg, world, _, _ = two_nights
    db = cfg.warehouse_path
    reactions_then = sum(world.reactions_at(POST, T1).values())
    reactions_now = sum(world.reactions_at(POST, T2).values())
    assert reactions_now != reactions_then  # the post really changed between the runs
    posts = query(db, "select reactions from marts.fct_posts where post_id = ?", [POST])
    assert posts == [(reactions_now,)]  # the new value, one row
    liked = world.comment(LIKED)
    assert world.comment_likes(liked, T1) != world.comment_likes(liked, T2)
    comments = dict(
        (r[0], r[1:])
        for r in query(
            db,
            "select comment_id, message, like_count from staging.stg_facebook__comments "
            "where comment_id in (?, ?)",
            [LIKED, EDITED],
        )
    )
    assert comments[EDITED][0] == EDITED_TEXT
    assert comments[LIKED][1] == world.comment_likes(liked, T2)
    keys = query(
        db,
        "select count(*), count(distinct comment_id) from staging.stg_facebook__comments",
    )
    assert keys[0][0] == keys[0][1]  # one row per key after two fetches of every comment
    assert_invariants(db)
