"""Keyed commenter pseudonyms: HMAC-SHA256, and a clear failure without the key."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from insights.pseudonym import ENV_VAR, MissingPseudonymKey, commenter_key, pseudonym_key


def test_commenter_key_is_hmac_sha256_of_platform_and_user_id() -> None:
    key = b"k" * 32
    expected = hmac.new(key, b"facebook:12345", hashlib.sha256).hexdigest()
    assert commenter_key("facebook", "12345", key) == expected
    assert len(expected) == 64
    # the same id on another network, or under another key, is another person
    assert commenter_key("instagram", "12345", key) != expected
    assert commenter_key("facebook", "12345", b"j" * 32) != expected
    # without the key, the plain hash of the id does not give the pseudonym away
    assert hashlib.sha256(b"facebook:12345").hexdigest() != expected


def test_unknown_author_has_no_key() -> None:
    assert commenter_key("facebook", None, b"k" * 32) is None
    assert commenter_key("facebook", "", b"k" * 32) is None


def test_missing_or_short_key_fails_with_instructions() -> None:
    with pytest.raises(MissingPseudonymKey, match=f"{ENV_VAR} is not set.*secrets.token_hex"):
        pseudonym_key({})
    with pytest.raises(MissingPseudonymKey, match="at least 16"):
        pseudonym_key({ENV_VAR: "short"})
    assert pseudonym_key({ENV_VAR: "x" * 20}) == b"x" * 20
