"""The request log: what clients asked, with every token and secret value redacted."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

REDACTED = "REDACTED"
SECRET_KEYS = frozenset(
    {
        "access_token",
        "input_token",
        "fb_exchange_token",
        "client_secret",
        "appsecret_proof",
        "refresh_token",
        "code",
        "code_verifier",
        "password",
        "token",
        "oauth_token",
        "oauth_token_secret",
    }
)
_TOKEN_IN_URL = re.compile(r"((?:access_token|client_secret|input_token)=)[^&\s\"']+")


def redact_pairs(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    return [[key, REDACTED if key.lower() in SECRET_KEYS else value] for key, value in pairs]


def auth_presence(
    headers: dict[str, str], query: Iterable[tuple[str, str]], form: Iterable[tuple[str, str]]
) -> dict[str, Any]:
    """Which ways of sending a token the request used (never the token itself)."""
    authorization = headers.get("authorization", "").strip()
    return {
        "authorization_header": authorization.split(" ", 1)[0] if authorization else None,
        "access_token_in_query": any(k == "access_token" for k, _ in query),
        "access_token_in_form": any(k == "access_token" for k, _ in form),
    }


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """Replace every occurrence of a secret inside strings of a JSON-like value."""
    secrets = [s for s in secrets if s]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return _TOKEN_IN_URL.sub(rf"\1{REDACTED}", value)
    if isinstance(value, list):
        return [scrub(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: scrub(item, secrets) for key, item in value.items()}
    return value


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []

    def append(self, entry: dict[str, Any], secrets: Iterable[str] = ()) -> None:
        entry = {"time": datetime.now(UTC).isoformat(), **entry}
        with self._lock:
            self._entries.append(scrub(entry, list(secrets)))

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
