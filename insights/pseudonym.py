"""Keyed pseudonyms for commenters: the marts name a commenter only by
commenter_key = HMAC-SHA256(key, platform || ':' || platform user id), hex.

The key is a secret read from the environment at run time (``MESSBAR_PSEUDONYM_KEY``), never a
dbt var or ``env_var()`` in SQL, so it cannot end up in compiled SQL, logs or target files.
Keep it stable: a new key gives every commenter a new commenter_key (old and new rows no longer
match). Without the key nobody can map a commenter_key back to a person, not even with the list
of all user ids of a network.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping

ENV_VAR = "MESSBAR_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16


class MissingPseudonymKey(RuntimeError):
    """The pseudonym key is not set (or too short to be a secret)."""


def pseudonym_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The HMAC key from ``MESSBAR_PSEUDONYM_KEY``; raises :class:`MissingPseudonymKey`."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    if not value:
        raise MissingPseudonymKey(
            f"{ENV_VAR} is not set: the comment marts name commenters only by a keyed "
            "pseudonym. Set it to a long random secret, e.g. "
            "`export MESSBAR_PSEUDONYM_KEY=$(python -c 'import secrets; "
            "print(secrets.token_hex(32))')`, keep it in your secret store and never change it "
            "(a new key gives every commenter a new commenter_key)."
        )
    if len(value) < MIN_KEY_LENGTH:
        raise MissingPseudonymKey(
            f"{ENV_VAR} is only {len(value)} characters long: use a random secret of at least "
            f"{MIN_KEY_LENGTH} characters (e.g. 64 hex digits from secrets.token_hex(32))."
        )
    return value.encode("utf-8")


def commenter_key(platform: str, user_id: str | None, key: bytes) -> str | None:
    """HMAC-SHA256(key, platform || ':' || user_id) as 64 hex digits; None without a user id
    (the network did not say who wrote the comment)."""
    if user_id is None or str(user_id) == "":
        return None
    message = f"{platform}:{user_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
