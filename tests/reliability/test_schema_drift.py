"""Reliability plan 11.2 #16 (schema drift) and #18 (gate failure) through the real pipeline:
sandbox -> extract -> load -> dbt -> gate -> publish.

The night after the hostile content night (``gate_scenarios.hostile_night``, which published; run
here on a copy of its data) the APIs drift at once: Instagram sends ``like_count`` as "1.2K"
for one media and a new field ``shares_count`` on every media, a LinkedIn comment and a
Facebook post come without their id; after dbt a duplicate post key and a NULL post id are
planted in the marts. The gate blocks the publish and names each problem; the published file
stays byte-identical."""

from __future__ import annotations

import json
from datetime import timedelta

import duckdb
import pytest
from gate_scenarios import HOSTILE_NIGHT, copy_of, hostile_night, nightly
from invariants import assert_invariants, sha256_of

import sandbox
from messbar import pipeline
from sandbox import scenarios

# one worker runs the hostile night once for this module and test_hostile_content
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("gate_scenarios")]

NOW = HOSTILE_NIGHT + timedelta(days=1)
RUN = "scheduled__drift"


def _plant_duplicate_and_null_key(cfg) -> None:
    with duckdb.connect(str(cfg.warehouse_path)) as con:
        con.execute(
            "insert into marts.fct_posts select * from marts.fct_posts "
            "where platform = 'facebook' order by post_id limit 1"
        )
        # the dbt contract makes post_id NOT NULL; a model without it is what the gate backs up
        con.execute("alter table marts.fct_posts alter post_id drop not null")
        con.execute(
            "update marts.fct_posts set post_id = null where platform = 'linkedin' and post_id = "
            "(select min(post_id) from marts.fct_posts where platform = 'linkedin')"
        )


@pytest.fixture(scope="module")
def drift(tmp_path_factory):
    first = hostile_night(tmp_path_factory.getbasetemp())["cfg"]
    tmp = tmp_path_factory.mktemp("drift")
    with sandbox.serve(now=NOW) as sb:
        cfg = copy_of(first, tmp, sb.url)
        before = sha256_of(cfg.published_path)  # the file BI tools have open
        assert before is not None
        with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
            media = con.execute(
                "select payload->>'id' from raw.instagram__media order by 1 desc limit 1"
            ).fetchone()[0]

        def retype(obj):
            if obj.get("id") == media and "like_count" in obj:
                obj["like_count"] = "1.2K"

        scenarios.mutate_objects(sb, r"^/instagram/", retype)
        scenarios.mutate_objects(
            sb, r"^/instagram/", lambda o: o.update(shares_count=3) if "media_type" in o else None
        )
        scenarios.drop_ids(sb, r"^/linkedin/", lambda o: "commentUrn" in o)
        scenarios.drop_ids(sb, r"^/facebook/", lambda o: "permalink_url" in o)
        with pytest.raises(pipeline.GateFailed) as failed:
            nightly(cfg, NOW, RUN, after_transform=_plant_duplicate_and_null_key)
        yield {"cfg": cfg, "before": before, "error": str(failed.value), "media": media}


def query(cfg, sql, params=None):
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_publish_is_blocked_and_the_published_file_unchanged(drift):
    cfg = drift["cfg"]
    assert "the published file was left unchanged" in drift["error"]
    assert sha256_of(cfg.published_path) == drift["before"]
    assert_invariants(  # the working marts hold the planted duplicate: check the published
        cfg.published_path,
        published=cfg.published_path,
        published_before=drift["before"],
        must_be_unchanged=True,
    )
    result = json.loads((pipeline.quality_dir(cfg) / "result.json").read_text())
    assert result["success"] is False
    assert (pipeline.quality_dir(cfg) / "data_docs" / "index.html").exists()


def test_type_change_message_names_column_and_example_value(drift):
    line = next(x for x in drift["error"].splitlines() if x.startswith("  - raw._events"))
    assert "raw.instagram__media: field like_count was number, now string" in line
    assert 'example value \\"1.2K\\"' in line or 'example value "1.2K"' in line
    # loaded into raw (held in quarantine), never into staging, so dbt built cleanly
    held = query(
        drift["cfg"],
        "select reason, payload->>'like_count' from raw._quarantine "
        "where table_name = 'instagram__media' and payload->>'id' = ?",
        [drift["media"]],
    )
    assert held == [("type change $.like_count", "1.2K")]
    reactions = query(
        drift["cfg"],
        "select reactions from marts.fct_posts where platform = 'instagram' and post_id = ?",
        [drift["media"]],
    )
    assert len(reactions) == 1 and isinstance(reactions[0][0], int)  # last good fetch


def test_new_field_is_kept_in_raw_and_surfaced_as_a_warning(drift):
    kept = query(
        drift["cfg"],
        "select count(*) from raw.instagram__media where _run_id = ? "
        "and payload->>'shares_count' = '3'",
        [RUN],
    )[0][0]
    assert kept > 0
    events = query(drift["cfg"], "select detail from raw._events where kind = 'schema_change'")
    assert [d for (d,) in events if "raw.instagram__media: new field shares_count" in d]
    warnings = [x for x in drift["error"].splitlines() if x.startswith("  ! WARNING raw._events")]
    assert any("shares_count" in w for w in warnings)


def test_rows_without_id_never_reach_the_marts_as_null_keys(drift):
    cfg = drift["cfg"]
    held = query(
        cfg,
        "select count(*) from raw._quarantine where table_name = 'linkedin__comments' "
        "and reason = 'missing id' and payload->>'id' is null",
    )[0][0]
    assert held == 1
    kinds = {k for (k,) in query(cfg, "select kind from raw._events where run_id = ?", [RUN])}
    assert {"missing_id", "skipped_item"} <= kinds  # loader quarantine; extractor skip
    assert query(cfg, "select count(*) from marts.fct_comments where comment_key is null") == [(0,)]
    assert "objects without an id were held back" in drift["error"]


def test_planted_duplicate_and_null_post_id_are_listed(drift):
    lines = [x for x in drift["error"].splitlines() if x.startswith("  - marts.fct_posts")]
    assert any("expect_column_values_to_be_unique column post_key" in x for x in lines)
    assert any("expect_column_values_to_not_be_null column post_id" in x for x in lines)
