"""Reliability plan 11.2 #17: hostile and unusual text (emoji, RTL and bidi controls,
zero-width characters, NUL, newlines and tabs, SQL fragments, a 100 kB comment) served by the
sandbox in Facebook post and comment text goes through extract -> load -> dbt -> gate ->
publish and comes out byte-for-byte identical: in raw, in staging and in the published marts
(post text in ``marts.fct_posts.message``, comment text in ``marts.fct_comments.message``)."""

from __future__ import annotations

import hashlib

import duckdb
import pytest
from gate_scenarios import HOSTILE_POST_TEXT, HOSTILE_TEXTS, hostile_night
from invariants import assert_invariants

# one worker runs the hostile night once for this module and test_schema_drift
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("gate_scenarios")]

TEXTS = HOSTILE_TEXTS
POST_TEXT = HOSTILE_POST_TEXT


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    assert len(TEXTS["big"].encode()) > 100_000
    return hostile_night(tmp_path_factory.getbasetemp())


def _one(db, sql, params):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def _key(comment_id: str) -> str:
    return hashlib.md5(f"facebook:{comment_id}".encode(), usedforsecurity=False).hexdigest()


def test_the_run_publishes_and_the_invariants_hold(hostile):
    cfg = hostile["cfg"]
    assert hostile["outcome"]["publish"]["published"] == str(cfg.published_path)
    assert_invariants(cfg.warehouse_path, published=cfg.published_path)


def test_post_text_is_published_byte_for_byte(hostile):
    cfg = hostile["cfg"]
    query = "select message from {} where platform = 'facebook' and post_id = ?"
    (published,) = _one(cfg.published_path, query.format("marts.fct_posts"), [hostile["post"]])
    assert published[0].encode() == POST_TEXT.encode()
    raw = _one(
        cfg.warehouse_path,
        "select distinct json_extract_string(payload, '$.message') from raw.facebook__posts "
        "where json_extract_string(payload, '$.id') = ?",
        [hostile["post"]],
    )
    assert raw == [(POST_TEXT,)]


@pytest.mark.parametrize("kind", list(TEXTS))
def test_comment_text_is_identical_in_raw_staging_and_published(hostile, kind):
    cfg = hostile["cfg"]
    comment_id, text = next((c, t) for c, t in hostile["comments"].items() if t == TEXTS[kind])
    raw = _one(
        cfg.warehouse_path,
        "select distinct json_extract_string(payload, '$.message') from raw.facebook__comments "
        "where json_extract_string(payload, '$.id') = ?",
        [comment_id],
    )
    staged = _one(
        cfg.warehouse_path,
        "select message from staging.stg_facebook__comments where comment_id = ?",
        [comment_id],
    )
    published = _one(
        cfg.published_path,
        "select message, length(message) from marts.fct_comments where comment_key = ?",
        [_key(comment_id)],
    )
    assert raw == [(text,)]
    assert staged == [(text,)]
    assert published == [(text, len(text))]  # no truncation, NUL and all
