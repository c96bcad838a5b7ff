"""XING has no API, so the sandbox serves nothing for it: no module, no URL prefix."""

from __future__ import annotations

import importlib.util

import pytest
import requests

from extractors.registry import NETWORKS as REGISTRY
from sandbox.networks import NETWORKS


def test_xing_is_registered_as_manual_and_has_no_sandbox_module() -> None:
    assert REGISTRY["xing"].provenance == "manual"
    assert "xing" not in NETWORKS
    assert importlib.util.find_spec("sandbox.networks.xing") is None


def test_the_sandbox_answers_404_under_xing_and_has_no_xing_url(sb) -> None:
    response = requests.get(f"{sb.url}/xing/pages/baeckerei-sonnenschein", timeout=5)
    assert response.status_code == 404
    assert "no network at /xing" in response.json()["error"]
    with pytest.raises(KeyError, match="no network 'xing'"):
        sb.network_url("xing")
