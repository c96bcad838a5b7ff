"""The reputation alert formula (dbt_project/macros/reputation.sql), rendered and run in DuckDB
and compared with scipy: negative binomial / Poisson tails, Fisher's combination, the shrunk
weekday rate and the dispersion bounds."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import jinja2
import pytest
from scipy import stats

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "reputation.sql"


@pytest.fixture(scope="module")
def macros():
    env = jinja2.Environment(autoescape=False)  # noqa: S701 - renders SQL, not HTML
    env.globals.update({"var": lambda name, default=None: default, "return": lambda value: value})
    return env.from_string(MACROS.read_text(encoding="utf-8")).module


def scalar(sql: str) -> float | None:
    with duckdb.connect() as con:
        return con.execute(f"select {sql}").fetchall()[0][0]


@pytest.mark.parametrize(("k", "mu"), [(1, 0.25), (3, 0.25), (6, 1.0), (12, 1.43), (2, 5.0)])
def test_poisson_tail_at_dispersion_one(macros, k: int, mu: float) -> None:
    got = scalar(str(macros.count_upper_tail(str(k), str(mu), "1.0")))
    assert got == pytest.approx(stats.poisson.sf(k - 1, mu), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize(
    ("k", "mu", "phi"), [(9, 1.065476, 2.032168), (7, 0.55, 1.83), (3, 0.3, 4.0), (20, 2.0, 10.0)]
)
def test_negative_binomial_tail(macros, k: int, mu: float, phi: float) -> None:
    r = mu / (phi - 1)
    expected = stats.nbinom.sf(k - 1, r, 1 / phi)
    got = scalar(str(macros.count_upper_tail(str(k), str(mu), str(phi))))
    assert got == pytest.approx(expected, rel=1e-8, abs=1e-15)


def test_tail_edge_cases(macros) -> None:
    assert scalar(str(macros.count_upper_tail("0", "1.0", "1.0"))) == 1.0
    assert scalar(str(macros.count_upper_tail("null", "1.0", "1.0"))) is None
    assert scalar(str(macros.count_upper_tail("3", "null", "1.0"))) is None


@pytest.mark.parametrize(("p1", "p2"), [(0.0024, 8.4e-7), (0.5, 1.0), (1.0, 1.0), (1e-5, 0.2)])
def test_fisher_combination_matches_chi_square(macros, p1: float, p2: float) -> None:
    expected = stats.chi2.sf(-2 * (math.log(p1) + math.log(p2)), 4)
    got = scalar(str(macros.combined_p_value(str(p1), str(p2))))
    assert got == pytest.approx(expected, rel=1e-9)


def test_a_missing_signal_enters_as_one(macros) -> None:
    assert scalar(str(macros.combined_p_value("0.01", "null"))) == pytest.approx(
        stats.chi2.sf(-2 * math.log(0.01), 4)
    )


def test_shrunk_weekday_rate_and_floor(macros) -> None:
    # weekday sum 6 over 2 days, all-days mean 1, 4 pseudo-days: (6 + 4) / (2 + 4)
    assert scalar(str(macros.shrunk_weekday_rate("6", "2", "1.0", "4", "0.25"))) == pytest.approx(
        10 / 6
    )
    assert scalar(str(macros.shrunk_weekday_rate("0", "8", "0.0", "4", "0.25"))) == 0.25
    # no weekday history and no prior: NULL, not a division by zero
    assert scalar(str(macros.shrunk_weekday_rate("0", "0", "null", "0", "0.25"))) == 0.25


def test_dispersion_is_bounded(macros) -> None:
    assert scalar(str(macros.dispersion("0.0", "0.0"))) == 1.0  # zero mean: Poisson
    assert scalar(str(macros.dispersion("null", "1.0"))) == 1.0  # one day of history
    assert scalar(str(macros.dispersion("0.5", "1.0"))) == 1.0  # under-dispersed: Poisson
    assert scalar(str(macros.dispersion("3.0", "1.5"))) == 2.0
    assert scalar(str(macros.dispersion("100.0", "1.0"))) == 10.0
