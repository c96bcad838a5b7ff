"""``inputs: {costs: path, outcomes: path}`` of a business: optional, relative to the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from messbar.config import ConfigError, load_config


def write(tmp_path: Path, business: str) -> Path:
    path = tmp_path / "messbar.yml"
    path.write_text(f"businesses:\n  - slug: a\n{business}")
    return path


def test_inputs_resolve_relative_to_the_config_file(tmp_path: Path) -> None:
    cfg = load_config(
        write(tmp_path, "    inputs:\n      costs: in/costs.csv\n      outcomes: out.csv\n")
    )
    (business,) = cfg.businesses
    assert business.costs_csv == str(tmp_path / "in" / "costs.csv")
    assert business.outcomes_csv == str(tmp_path / "out.csv")


def test_inputs_are_optional_and_may_name_one_file(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).businesses[0].costs_csv is None
    business = load_config(write(tmp_path, "    inputs:\n      costs: c.csv\n")).businesses[0]
    assert business.outcomes_csv is None and business.costs_csv.endswith("c.csv")


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("    inputs:\n      cost: c.csv\n", r"messbar\.yml:4: unknown key\(s\) cost"),
        ("    inputs: c.csv\n", r"'inputs' of 'a' must be a mapping"),
        ("    inputs:\n      outcomes: ''\n", r"inputs\.outcomes of 'a' is empty"),
    ],
)
def test_bad_inputs_name_the_line(tmp_path: Path, block: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, block))
