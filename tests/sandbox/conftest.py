"""Fixtures for the sandbox tests: a fresh loopback server per test and a Graph GET helper."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

import sandbox

NOW = sandbox.DEFAULT_NOW  # 2026-03-16T06:00Z, a Monday in Pacific daylight time
TEST_TOKEN = "per-test-token"


@pytest.fixture
def sb() -> Iterator[sandbox.Sandbox]:
    with sandbox.serve(now=NOW, seed=42, tokens=[TEST_TOKEN]) as server:
        yield server


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


GraphGet = Callable[..., requests.Response]


@pytest.fixture
def graph(sb: sandbox.Sandbox, http: requests.Session) -> GraphGet:
    """``graph("1000000001/posts", params={...}, token=..., via="header"|"query"|None)``."""

    def get(
        path: str,
        params: dict[str, Any] | None = None,
        *,
        token: str | None = sandbox.DEMO_TOKEN,
        via: str | None = "header",
        version: str | None = "v25.0",
    ) -> requests.Response:
        query = dict(params or {})
        headers = {}
        if token is not None and via == "header":
            headers["Authorization"] = f"Bearer {token}"
        elif token is not None and via == "oauth":
            headers["Authorization"] = f"OAuth {token}"
        elif token is not None and via == "query":
            query["access_token"] = token
        prefix = f"{sb.facebook_url}/{version}" if version else sb.facebook_url
        return http.get(f"{prefix}/{path.lstrip('/')}", params=query, headers=headers, timeout=10)

    return get
