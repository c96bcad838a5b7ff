"""One published file for every report test (both modules run in xdist group "report")."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_world import build_published

from messbar.config import Config
from report import write_reports


@pytest.fixture(scope="session")
def published_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The demo businesses, extracted from the sandbox, loaded, modelled and published."""
    return build_published(tmp_path_factory.mktemp("report_world"))


@pytest.fixture(scope="session")
def german_reports(published_config: Config) -> list[Path]:
    """The default reports (German) of every demo business, written once for both modules."""
    return write_reports(published_config)
