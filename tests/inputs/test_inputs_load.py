"""Loading the owner's inputs: rows replace the business's previous rows in one transaction,
with file and sha256; a bad file anywhere loads nothing and names every problem."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from loader.inputs.load import InputsError, load_inputs
from messbar.config import load_config

COSTS = (
    "month,business,platform,hours_spent,hourly_rate_eur,ad_spend_eur,agency_tool_cost_eur\n"
    "2026-09,{b},facebook,4,30,,\n"
    "2026-10,{b},facebook,5,30,20,\n"
)
OUTCOMES = (
    "period_start,period,business,metric,value\n"
    "2026-10-05,week,{b},enquiries,7\n"
    "2026-10-12,week,{b},enquiries,9\n"
)


def setup(tmp_path: Path) -> Path:
    for b in ("a", "b"):
        (tmp_path / f"{b}-costs.csv").write_text(COSTS.format(b=b))
        (tmp_path / f"{b}-outcomes.csv").write_text(OUTCOMES.format(b=b))
    config = tmp_path / "messbar.yml"
    config.write_text(
        "businesses:\n"
        + "".join(
            f"  - slug: {b}\n    inputs:\n      costs: {b}-costs.csv\n"
            f"      outcomes: {b}-outcomes.csv\n"
            for b in ("a", "b")
        )
    )
    return config


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_load_replaces_each_business_rows_with_file_and_hash(tmp_path: Path) -> None:
    config = setup(tmp_path)
    db = tmp_path / "w.duckdb"
    first = load_inputs(db, load_config(config))
    assert first.rows == {"costs/a": 2, "outcomes/a": 2, "costs/b": 2, "outcomes/b": 2}
    assert rows(db, "select count(*) from raw.input__costs") == [(4,)]
    assert rows(db, "select hours_spent, ad_spend_eur from raw.input__costs "
                    "where business = 'a' order by month") == [(4, None), (5, 20)]  # fmt: skip

    (tmp_path / "a-outcomes.csv").write_text(OUTCOMES.format(b="a").replace(",9\n", ",11\n"))
    load_inputs(db, load_config(config))
    load_inputs(db, load_config(config))  # loading again adds nothing
    assert rows(
        db, "select business, period_start::varchar, value::int from raw.input__outcomes "
            "order by 1, 2"
    ) == [
        ("a", "2026-10-05", 7), ("a", "2026-10-12", 11),
        ("b", "2026-10-05", 7), ("b", "2026-10-12", 9),
    ]  # fmt: skip
    sha = hashlib.sha256((tmp_path / "a-outcomes.csv").read_bytes()).hexdigest()
    assert rows(db, "select distinct _sha256, _line from raw.input__outcomes "
                    "where business = 'a' order by _line") == [(sha, 2), (sha, 3)]  # fmt: skip


def test_a_bad_file_loads_nothing_and_names_every_problem(tmp_path: Path) -> None:
    config = setup(tmp_path)
    db = tmp_path / "w.duckdb"
    load_inputs(db, load_config(config))
    before = rows(db, "select * exclude (_loaded_at) from raw.input__outcomes order by all")
    (tmp_path / "a-outcomes.csv").write_text(OUTCOMES.format(b="a") + "2026-10-19,week,a,x,1\n")
    (tmp_path / "b-costs.csv").write_text(COSTS.format(b="b") + "2026-11,b,all,-1,,,\n")
    (tmp_path / "b-outcomes.csv").write_text(OUTCOMES.format(b="b").replace(",9\n", ",9\n"))

    with pytest.raises(InputsError) as info:
        load_inputs(db, load_config(config))

    message = str(info.value)
    assert "nothing of them was loaded" in message
    assert "outcomes of 'a'" in message and "line 4: metric is 'x'" in message
    assert "costs of 'b'" in message and "line 4: hours_spent '-1' is negative" in message
    after = rows(db, "select * exclude (_loaded_at) from raw.input__outcomes order by all")
    assert after == before


def test_a_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    config = setup(tmp_path)
    (tmp_path / "b-costs.csv").unlink()
    with pytest.raises(InputsError, match=r"b-costs\.csv does not exist\. Create it from .*"
                                          r"templates/costs\.csv"):  # fmt: skip
        load_inputs(tmp_path / "w.duckdb", load_config(config))


def test_without_configured_inputs_the_tables_exist_and_are_empty(tmp_path: Path) -> None:
    config = tmp_path / "messbar.yml"
    config.write_text("businesses:\n  - slug: a\n")
    db = tmp_path / "w.duckdb"
    assert load_inputs(db, load_config(config)).rows == {}
    assert rows(db, "select count(*) from raw.input__costs") == [(0,)]
    assert rows(db, "select count(*) from raw.input__outcomes") == [(0,)]
