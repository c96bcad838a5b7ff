"""Keep secrets out of everything that is logged, persisted or raised."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_PARAMS = frozenset(
    {
        "access_token",
        "input_token",
        "client_secret",
        "fb_exchange_token",
        "appsecret_proof",
        "refresh_token",
        "token",
        "api_key",
        "key",
        "password",
    }
)


# "token=abc", "password: abc", "Authorization: Bearer abc"; not "TOKEN is empty" (a word after
# a space is prose, not a value)
_ASSIGNED_SECRET = re.compile(
    r"(authorization\s*[=:]\s*(?:bearer\s+)?|bearer\s+"
    r"|(?:access_token|token|password|secret|key)\s*[=:]\s*)[^&\s\"']+",
    re.IGNORECASE,
)


def mask_assigned_secrets(text: str) -> str:
    """Mask values written next to a secret-looking name, for texts whose secrets are not
    known by value (defence in depth on error messages that leave the process)."""
    return _ASSIGNED_SECRET.sub(lambda m: f"{m.group(1)}***", text)


def endpoint_of(url: str) -> str:
    """The path of a URL without scheme, host or query string: safe to log and store."""
    return urlsplit(url).path or "/"


def strip_secret_params(url: str) -> str:
    """Remove secret query parameters (e.g. the ``access_token`` Graph echoes into ``next``)."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in SECRET_PARAMS
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def strip_paging(value: Any) -> Any:
    """Drop every nested ``paging`` key: its URLs may embed the access token."""
    if isinstance(value, dict):
        return {k: strip_paging(v) for k, v in value.items() if k != "paging"}
    if isinstance(value, list):
        return [strip_paging(v) for v in value]
    return value


class Redactor:
    """Replaces known secret values in text with ``***``."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        self._secrets = [s for s in (secrets or []) if s]

    def add(self, secret: str) -> None:
        if secret and secret not in self._secrets:
            self._secrets.append(secret)

    def __call__(self, text: str) -> str:
        for s in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(s, "***")
        return mask_assigned_secrets(text)
