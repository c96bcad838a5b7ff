"""Shared, module-scoped gate runs: GX is slow to import, so each warehouse is validated once."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_warehouse import PARAMS, build_warehouse

from expectations.runner import GateResult, validate

# One worker runs every gate test, so `pytest -n 2 --dist loadgroup` imports GX once.
GROUP = "expectations-gate"


@pytest.fixture(scope="session")
def good_gate(tmp_path_factory: pytest.TempPathFactory) -> tuple[GateResult, Path]:
    root = tmp_path_factory.mktemp("good_gate")
    database = build_warehouse(root / "messbar.duckdb")
    out_dir = root / "quality"
    return validate(database, out_dir=out_dir, params=PARAMS), out_dir
