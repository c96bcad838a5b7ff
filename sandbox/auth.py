"""Accepted access tokens of the sandbox, some of which may expire on the sandbox clock."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

DEMO_TOKEN = "sandbox-demo-token"


class TokenStatus(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TokenCheck:
    status: TokenStatus
    expired_at: datetime | None = None


class TokenStore:
    """Tokens the sandbox accepts; a token with ``expires_at`` is refused from then on."""

    def __init__(self, tokens: Iterable[str] = (DEMO_TOKEN,)) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, datetime | None] = dict.fromkeys(tokens)

    def add(self, token: str, expires_at: datetime | None = None) -> None:
        with self._lock:
            self._tokens[token] = expires_at

    def remove(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)

    def known(self) -> list[str]:
        with self._lock:
            return list(self._tokens)

    def check(self, token: str, now: datetime) -> TokenCheck:
        with self._lock:
            if token not in self._tokens:
                return TokenCheck(TokenStatus.UNKNOWN)
            expires_at = self._tokens[token]
        if expires_at is not None and now >= expires_at:
            return TokenCheck(TokenStatus.EXPIRED, expires_at)
        return TokenCheck(TokenStatus.VALID)
