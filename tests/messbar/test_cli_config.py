"""Config format behind ``messbar check``: every value's error names its own line (scalars and
sequences too), ``language``, validated extraction windows, duplicate keys, YAML syntax."""

from __future__ import annotations

from pathlib import Path

import pytest

from messbar.config import ConfigError, load_config

BASE = """\
language: de
networks:
  facebook:
    lookback_days: 7
businesses:
  - slug: shop
    name: Shop
    accounts:
      facebook:
        - account_id: "1"
          token: env:FB
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "messbar.yml"
    path.write_text(text, encoding="utf-8")
    return path


def error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    message = str(exc.value)
    assert message.startswith(f"{path}:"), message
    return message.removeprefix(f"{path}:")


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("lookback_days: 7", "lookback_days: -1", 4, "networks.facebook.lookback_days must be"),
        ("lookback_days: 7", "lookback_days: seven", 4, "whole number >= 0"),
        ("lookback_days: 7", "lookbak_days: 7", 4, "did you mean 'lookback_days'"),
        ("lookback_days: 7", "history_days: 0", 4, "whole number >= 1"),
        ("  facebook:\n    lookback_days: 7", "  x:\n    metrics_access: mine", 4, "one of public"),
        ("language: de", "language: fr", 1, "use one of de, en"),
        ("    name: Shop", "    name: Shop\n    language: es", 8, "language 'es'"),
        ("  - slug: shop", "  - 42\n  - slug: shop", 6, "every entry of 'businesses'"),
        ('        - account_id: "1"\n          token: env:FB', '        - "1"', 10, "be a mapping"),
        (
            '      facebook:\n        - account_id: "1"\n          token: env:FB',
            '      facebook: "1"',
            9,
            "must be a list",
        ),
        (
            '    accounts:\n      facebook:\n        - account_id: "1"\n          token: env:FB',
            "    accounts: [facebook]",
            8,
            "must be a mapping of network slug",
        ),
        (
            "    name: Shop",
            "    name: Shop\n    x_accounts: 1\n    accounts_2: 2",
            8,
            "unknown key(s) accounts_2, x_accounts",
        ),
        (
            "          token: env:FB",
            "          token: env:FB\n          token: env:FB2",
            12,
            "key 'token' appears twice (first on line 11)",
        ),
        ("    name: Shop", "    name: Shop\n    timezone: [Europe/Berlin]", 8, "single value"),
        ("          token: env:FB", "          token: 'unterminated", 11, "not valid YAML"),
        ("          token: env:FB", "          token:", 11, "must reference a secret"),
        ("          token: env:FB", "          name: Page", 10, "needs 'token'"),
    ],
)
def test_every_value_error_names_its_line(tmp_path, old, new, line, fragment):
    assert old in BASE
    message = error(tmp_path, BASE.replace(old, new))
    assert message.startswith(f"{line}:"), message
    assert fragment in message


def test_a_missing_environment_variable_names_the_line_that_uses_it(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_SUCH_URL", raising=False)
    text = BASE.replace(
        "    lookback_days: 7", "    lookback_days: 7\n    base_url: ${NO_SUCH_URL}"
    )
    message = error(tmp_path, text)
    assert message.startswith("5:") and "NO_SUCH_URL" in message and ":-value" in message


def test_language_defaults_to_german_and_is_set_per_business(tmp_path):
    cfg = load_config(write(tmp_path, BASE.replace("language: de\n", "")))
    assert cfg.language == "de" and cfg.businesses[0].language == "de"
    text = BASE.replace("language: de", "language: EN").replace(
        "    name: Shop", "    name: Shop\n    language: de"
    )
    cfg = load_config(write(tmp_path, text))
    assert cfg.language == "en" and cfg.businesses[0].language == "de"


def test_windows_merge_the_extractor_defaults_with_the_config(tmp_path):
    cfg = load_config(write(tmp_path, BASE.replace("lookback_days: 7", "lookback_days: 3")))
    windows = cfg.windows("facebook")
    assert windows["lookback_days"] == 3  # from the file
    assert windows["post_refresh_days"] == 28  # the extractor's default
    assert all(key.endswith("_days") for key in windows)


def test_lines_of_accounts_and_inputs_are_kept_for_check(tmp_path):
    text = BASE.replace("    accounts:", "    inputs:\n      costs: c.csv\n    accounts:")
    cfg = load_config(write(tmp_path, text))
    (account,) = cfg.accounts()
    assert (account.line, account.source_line) == (12, 13)
    assert cfg.businesses[0].input_line("costs") == 9
