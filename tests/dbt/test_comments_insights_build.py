"""dbt build of the comment marts on a small warehouse: classified comments with keyed
pseudonyms and owner replies (marts.fct_comments), one alert on a planted negative burst and none
on ordinary days (marts.reputation_alerts), and the pseudonym key kept out of dbt's files."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from facebook_payloads import BUSINESS_A, CONFIG_ACCOUNTS, PAGE_A
from raw_warehouse import RawRow, build_warehouse, run_dbt

pytestmark = pytest.mark.slow

POST = f"{PAGE_A}_777"
FETCHED = "2026-02-01T02:00:00+00:00"
BURST_DAY = date(2026, 1, 29)
FIRST_DAY = date(2026, 1, 1)


def comment(n: int, at: datetime, message: str, author: str | None, parent: int | None = None):
    payload = {
        "id": f"777_{n}",
        "message": message,
        "created_time": at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "like_count": 0,
        "comment_count": 0,
    }
    if author is not None:
        payload["from"] = {"name": f"Person {author}", "id": author}
    if parent is not None:
        payload["parent"] = {"id": f"777_{parent}"}
    return RawRow("comments", BUSINESS_A, PAGE_A, POST, FETCHED, payload)


def comment_rows() -> list[RawRow]:
    rows, n = [], 0
    for offset in range((BURST_DAY - FIRST_DAY).days):
        day = datetime(2026, 1, 1, 10) + timedelta(days=offset)
        n += 1
        rows.append(comment(n, day, "Die Brötchen waren leider nicht frisch.", f"55500{offset}"))
        n += 1
        rows.append(comment(n, day + timedelta(hours=1), "Sieht toll aus!", f"66600{offset}"))
    burst = datetime(2026, 1, 29, 8)
    for i in range(10):
        n += 1
        author = None if i == 4 else f"77700{i}"
        rows.append(
            comment(n, burst + timedelta(minutes=30 * i), "Unverschämt! Nie wieder.", author)
        )
    question = n + 1
    rows.append(comment(question, burst, "Habt ihr am Sonntag offen?", "888001"))
    rows.append(
        comment(question + 1, burst + timedelta(minutes=45), "Ja, bis 12!", PAGE_A, question)
    )
    rows.append(comment(question + 2, burst, "Kann man Torten vorbestellen?", "888002"))
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    workdir = tmp_path_factory.mktemp("dbt_comments_insights")
    path = build_warehouse(workdir / "warehouse.duckdb", comment_rows(), CONFIG_ACCOUNTS)
    result = run_dbt(["build", "--select", "+fct_comments", "+reputation_alerts"], path, workdir)
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-6000:]}"
    return path, workdir


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql).fetchall()


def pseudonym(user_id: str) -> str:
    key = os.environ["MESSBAR_PSEUDONYM_KEY"].encode()
    return hmac.new(key, f"facebook:{user_id}".encode(), hashlib.sha256).hexdigest()


@pytest.mark.xdist_group("dbt_comments_insights")
def test_comments_are_classified_and_pseudonymised(built: tuple[Path, Path]) -> None:
    path, _ = built
    rows = query(
        path,
        "select message, commenter_key, sentiment_label, intent, is_unanswered_question, "
        "owner_replied, minutes_to_owner_reply from marts.fct_comments "
        "where commented_date = date '2026-01-29' order by commented_at, message",
    )
    by_message = {}
    for r in rows:
        by_message.setdefault(r[0], []).append(r[1:])
    assert by_message["Habt ihr am Sonntag offen?"] == [
        (pseudonym("888001"), "neutral", "question", False, True, 45.0)
    ]
    assert by_message["Kann man Torten vorbestellen?"] == [
        (pseudonym("888002"), "neutral", "purchase_interest", True, False, None)
    ]
    angry = by_message["Unverschämt! Nie wieder."]
    assert len(angry) == 10 and {a[1:3] for a in angry} == {("negative", "complaint")}
    assert [a[0] for a in angry].count(None) == 1  # Graph left out `from`
    assert pseudonym("777000") in {a[0] for a in angry}
    assert query(path, "select count(*) from marts.fct_comments") == [(2 * 28 + 13,)]


@pytest.mark.xdist_group("dbt_comments_insights")
def test_no_names_ids_or_key_outside_raw(built: tuple[Path, Path]) -> None:
    path, workdir = built
    marts = json.dumps(
        [query(path, f"select * from marts.{t}") for t in ("fct_comments", "reputation_alerts")],
        default=str,
    )
    assert "Person" not in marts and "777000" not in marts and "888001" not in marts
    key = os.environ["MESSBAR_PSEUDONYM_KEY"]
    for file in workdir.rglob("*"):
        if file.is_file() and file.suffix != ".duckdb":
            assert key not in file.read_text(encoding="utf-8", errors="ignore"), file


@pytest.mark.xdist_group("dbt_comments_insights")
def test_one_alert_on_the_burst_and_none_on_ordinary_days(built: tuple[Path, Path]) -> None:
    path, _ = built
    alerts = query(
        path,
        "select alert_date, severity, negative_comments, negative_comments_expected, "
        "negative_comments_dispersion, unfollows, baseline_days, len(comment_keys) "
        "from marts.reputation_alerts",
    )
    # history: one negative comment a day (variance 0 -> Poisson, expected 1); ten on the day:
    # P(X >= 10 | 1) = 1.1e-7, combined with no unfollow signal 1.9e-6 -> 'warning'
    assert alerts == [(BURST_DAY, "warning", 10, 1.0, 1.0, None, 28, 10)]
    keys = query(
        path,
        "select unnest(comment_keys) from marts.reputation_alerts except "
        "select comment_key from marts.fct_comments where sentiment_label = 'negative' "
        "and commented_date = date '2026-01-29'",
    )
    assert keys == []


@pytest.mark.xdist_group("dbt_comments_insights")
def test_missing_key_fails_with_a_clear_message(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, workdir = built
    staged = query(path, "select count(*) from staging.stg_facebook__comments")
    monkeypatch.delenv("MESSBAR_PSEUDONYM_KEY")
    (workdir / "nokey").mkdir(exist_ok=True)
    # staging computes the pseudonym (insights/dbt_plugin.py); a full refresh keys every row
    args = ["run", "--full-refresh", "--select", "stg_facebook__comments"]
    result = run_dbt(args, path, workdir / "nokey")
    assert result.returncode != 0
    assert "MESSBAR_PSEUDONYM_KEY is not set" in result.stdout
    # the failed rebuild left the stored table as it was
    assert query(path, "select count(*) from staging.stg_facebook__comments") == staged
