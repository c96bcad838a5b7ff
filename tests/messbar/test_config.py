"""The config file: validated, line-accurate errors, secrets only by reference."""

from pathlib import Path

import pytest

from messbar.config import ConfigError, load_config

ROOT = Path(__file__).parents[2]


def write(tmp_path, text):
    p = tmp_path / "messbar.yml"
    p.write_text(text, encoding="utf-8")
    return p


def test_demo_and_example_configs_are_valid(monkeypatch):
    monkeypatch.setenv("MESSBAR_SANDBOX_URL", "http://127.0.0.1:9999")
    cfg = load_config(ROOT / "config" / "demo.yml")
    assert [b.slug for b in cfg.businesses] == [
        "baeckerei-sonnenschein",
        "schreinerei-holzwerk",
        "friseur-schnittpunkt",
    ]
    assert cfg.networks["facebook"].base_url == "http://127.0.0.1:9999/facebook"
    api = [a for a in cfg.accounts() if a.network != "xing"]
    assert {a.network for a in cfg.accounts()} == {"facebook", "instagram", "linkedin", "x", "xing"}
    assert all(a.token_ref == "env:MESSBAR_SANDBOX_TOKEN" for a in api)
    assert all(Path(a.csv_path).is_file() for a in cfg.accounts() if a.network == "xing")
    example = load_config(ROOT / "config" / "example.yml")
    assert example.networks["facebook"].base_url == "https://graph.facebook.com"
    assert example.businesses[0].timezone == "Europe/Berlin"


GOOD = """\
businesses:
  - slug: shop
    name: Shop
    accounts:
      facebook:
        - account_id: "1"
          token: env:FB
"""


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv("MESSBAR_DATA_DIR", raising=False)
    cfg = load_config(write(tmp_path, GOOD))
    assert cfg.businesses[0].timezone == "Europe/Berlin"
    assert cfg.data_dir == tmp_path / "data"
    assert cfg.published_path == tmp_path / "data" / "published" / "messbar.duckdb"


@pytest.mark.parametrize(
    "text,line,fragment",
    [
        (GOOD.replace("token: env:FB", "token: EAAGsecret123"), 7, "never put the token"),
        (GOOD.replace("facebook:", "myspace:"), 5, "unknown network 'myspace'"),
        (GOOD.replace("slug: shop", "slug: Shop GmbH"), 2, "lower-case"),
        (
            GOOD.replace("    name: Shop", "    name: Shop\n    timezone: Mars/Base"),
            4,
            "unknown time zone",
        ),
        (GOOD.replace("    name: Shop", "    name: Shop\n    colour: red"), 4, "unknown key"),
        (GOOD.replace('account_id: "1"', 'account_id: ""'), 6, "needs account_id"),
    ],
)
def test_errors_name_the_line_and_the_fix(tmp_path, text, line, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert f"{path}:{line}:" in str(err.value)
    assert fragment in str(err.value)


def test_missing_env_reference_and_missing_file(tmp_path, monkeypatch):
    monkeypatch.delenv("NOPE_URL", raising=False)
    path = write(tmp_path, "networks:\n  facebook:\n    base_url: ${NOPE_URL}\n" + GOOD)
    with pytest.raises(ConfigError, match=r"NOPE_URL .* not set"):
        load_config(path)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.yml")
