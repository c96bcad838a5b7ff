"""The ``messbar`` command: help everywhere, init, check and the error paths of every command
(exit codes, one-line advice, no tracebacks, no secrets). Runs in-process through Typer's
CliRunner; the installed ``messbar`` script is exercised once by subprocess."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sandbox
from messbar.cli import app
from messbar.config import load_config

ROOT = Path(__file__).parents[2]
BIN = ROOT / ".venv" / "bin"
COMMANDS = [
    "init",
    "check",
    "run",
    "backfill",
    "load",
    "transform",
    "validate",
    "publish",
    "report",
    "erase",
    "retention",
    "demo",
]
CANARY = "EAAGcanary-secret-0123456789"


def invoke(*args: str, input: str | None = None):
    result = CliRunner().invoke(app, list(args), input=input)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("MESSBAR_CONFIG", "MESSBAR_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert f"messbar {command}" in result.output


def test_top_level_help_lists_every_command():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in [*COMMANDS, "sandbox"]:
        assert command in result.output


def test_sandbox_passes_its_options_through():
    result = subprocess.run(
        [str(BIN / "messbar"), "sandbox", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "--now" in result.stdout and "--port" in result.stdout


# -- init -------------------------------------------------------------------------------------
INIT = [
    "init",
    "--name",
    "Bäckerei Sonne GmbH",
    "--slug",
    "baeckerei-sonne",
    "--network",
    "facebook",
    "--network",
    "xing",
    "--timezone",
    "Europe/Vienna",
    "--language",
    "en",
    "--account",
    "facebook=123456789",
    "--no-input",
]


def test_init_without_questions_writes_a_loadable_config(tmp_path):
    path = tmp_path / "messbar.yml"
    result = invoke("--config", str(path), *INIT)
    assert result.exit_code == 0, result.output
    cfg = load_config(path)
    (business,) = cfg.businesses
    assert (business.slug, business.name) == ("baeckerei-sonne", "Bäckerei Sonne GmbH")
    assert (business.timezone, business.language) == ("Europe/Vienna", "en")
    fb, xing = business.accounts
    assert (fb.account_id, fb.token_ref) == ("123456789", "env:MESSBAR_FACEBOOK_TOKEN")
    assert xing.csv_path == str(tmp_path / "inputs" / "xing.csv")
    # says how to obtain each network's token and id
    assert "Page settings > About" in result.output
    assert "export MESSBAR_FACEBOOK_TOKEN" in result.output
    assert "XING admin screens" in result.output


def test_init_refuses_to_overwrite_without_force(tmp_path):
    path = tmp_path / "messbar.yml"
    path.write_text("# mine\n")
    result = invoke("--config", str(path), *INIT)
    assert result.exit_code == 2
    assert "exists already" in result.output and "--force" in result.output
    assert path.read_text() == "# mine\n"
    assert invoke("--config", str(path), *INIT, "--force").exit_code == 0
    assert load_config(path).businesses[0].slug == "baeckerei-sonne"


def test_init_asks_what_is_not_given(tmp_path):
    path = tmp_path / "shop.yml"
    answers = "\n".join(["Mein Laden", "", "instagram,x", "", "de", "", "1500"]) + "\n"
    result = invoke("init", "--config", str(path), input=answers)
    assert result.exit_code == 0, result.output
    (business,) = load_config(path).businesses
    assert business.slug == "mein-laden"  # the suggested slug was accepted
    assert [a.network for a in business.accounts] == ["instagram", "x"]
    assert business.accounts[1].account_id == "1500"
    assert business.accounts[0].account_id.startswith("FILL-IN")  # filled in later


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (["--slug", "Bäckerei Sonne"], "lower-case letters"),
        (["--timezone", "Mars/Base"], "IANA name"),
        (["--network", "myspace"], "choose one or more of"),
        (["--language", "fr"], "use one of de, en"),
        (["--account", "x=1"], "NETWORK=ID"),
    ],
)
def test_init_refuses_bad_answers_and_says_what_to_give(tmp_path, change, fragment):
    args = list(INIT)
    flag = change[0]
    if flag in args and flag not in {"--network", "--account"}:
        args[args.index(flag) + 1] = change[1]
    else:
        args += change
    path = tmp_path / "messbar.yml"
    result = invoke("--config", str(path), *args)
    assert result.exit_code == 2, result.output
    assert fragment in result.output
    assert not path.exists()


def test_init_without_input_names_the_missing_option(tmp_path):
    result = invoke("--config", str(tmp_path / "m.yml"), "init", "--no-input")
    assert result.exit_code == 2
    assert "--name is missing" in result.output


# -- check ------------------------------------------------------------------------------------
def business_yaml(tmp_path: Path, *, token_ref: str = "", extra: str = "") -> Path:
    token_ref = token_ref or "env:MB_TEST_FB_TOKEN"
    xing = tmp_path / "xing.csv"
    if not xing.exists():
        xing.write_text(
            "period_start,period,followers,post_impressions,clicks,interactions,comments,"
            "new_contacts\n2026-09-01,month,117,653,25,16,0,1\n"
        )
    path = tmp_path / "messbar.yml"
    path.write_text(
        f"""\
businesses:
  - slug: shop
    name: Shop
{extra}    accounts:
      facebook:
        - account_id: "1000000001"
          token: {token_ref}
      xing:
        - account_id: shop
          csv: xing.csv
""",
        encoding="utf-8",
    )
    return path


def test_check_passes_and_never_prints_the_token(tmp_path, monkeypatch):
    monkeypatch.setenv("MB_TEST_FB_TOKEN", CANARY)
    result = invoke("check", "--config", str(business_yaml(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "env:MB_TEST_FB_TOKEN: environment variable found" in result.output
    assert "xing CSV of 'shop': 1 rows valid" in result.output
    assert "OK: ready to run." in result.output
    assert CANARY not in result.output


def test_check_catches_a_missing_environment_variable_with_its_line(tmp_path, monkeypatch):
    monkeypatch.delenv("MB_TEST_FB_TOKEN", raising=False)
    path = business_yaml(tmp_path)
    result = invoke("check", "--config", str(path))
    assert result.exit_code == 1
    assert f"{path}:7:" in result.output  # the token line
    assert "environment variable MB_TEST_FB_TOKEN is empty or not set; export it" in result.output


def test_check_catches_a_bad_csv_line(tmp_path, monkeypatch):
    monkeypatch.setenv("MB_TEST_FB_TOKEN", CANARY)
    path = business_yaml(tmp_path)
    with (tmp_path / "xing.csv").open("a") as f:
        f.write("2026-10-01,month,1.234,440,22,11,3,1\n")  # a thousands separator on line 3
    result = invoke("check", "--config", str(path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'xing.csv'}:3: xing CSV of 'shop':" in result.output
    assert "followers" in result.output


def test_check_catches_a_missing_input_file_at_its_config_line(tmp_path, monkeypatch):
    monkeypatch.setenv("MB_TEST_FB_TOKEN", CANARY)
    path = business_yaml(tmp_path, extra="    inputs:\n      costs: costs.csv\n")
    result = invoke("check", "--config", str(path))
    assert result.exit_code == 1
    assert f"{path}:5: costs of 'shop': {tmp_path / 'costs.csv'} does not exist" in result.output
    assert "loader/inputs/templates/costs.csv" in result.output


def test_check_names_an_unknown_key_and_its_line(tmp_path):
    path = business_yaml(tmp_path, extra="    langauge: en\n")
    result = invoke("check", "--config", str(path))
    assert result.exit_code == 2
    assert f"{path}:4: unknown key(s) langauge (did you mean 'language'?)" in result.output


def test_check_refuses_a_literal_token_and_explains_references(tmp_path):
    path = business_yaml(tmp_path, token_ref=CANARY)
    result = invoke("check", "--config", str(path))
    assert result.exit_code == 2
    assert f"{path}:7:" in result.output
    assert "env:VARIABLE or conn:AIRFLOW_CONNECTION_ID" in result.output
    assert "export MESSBAR_FACEBOOK_TOKEN" in result.output


def test_check_config_only_skips_tokens_and_files(tmp_path, monkeypatch):
    monkeypatch.delenv("MB_TEST_FB_TOKEN", raising=False)
    result = invoke("check", "--config-only", "--config", str(business_yaml(tmp_path)))
    assert result.exit_code == 0
    assert "config OK, 1 businesses, 2 accounts" in result.output


def test_check_resolves_airflow_connections(tmp_path):
    """In a subprocess: importing Airflow configures logging for the whole process."""
    path = business_yaml(tmp_path, token_ref="conn:fb_shop_nope")
    text = path.read_text().replace(
        "      xing:",
        "      instagram:\n        - account_id: "
        '"17841400000000001"\n          token: conn:ig_shop\n      xing:',
    )
    path.write_text(text)
    env = {
        "PATH": str(BIN),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW_CONN_IG_SHOP": json.dumps({"conn_type": "http", "password": CANARY}),
    }
    out = subprocess.run(
        [str(BIN / "messbar"), "check", "--config", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Airflow Connection 'fb_shop_nope' not found" in out.stderr
    assert "airflow connections add fb_shop_nope" in out.stderr
    assert "conn:ig_shop: Airflow Connection found (value not shown)" in out.stdout
    assert CANARY not in out.stdout + out.stderr


def test_check_online_probes_each_account_once(tmp_path, monkeypatch):
    with sandbox.serve(now=datetime(2026, 11, 27, 2, tzinfo=UTC)) as sb:
        monkeypatch.setenv("MB_TEST_FB_TOKEN", sandbox.DEMO_TOKEN)
        url = f"networks:\n  facebook:\n    base_url: {sb.url}/facebook\n"
        path = business_yaml(tmp_path)
        path.write_text(url + path.read_text())
        good = invoke("check", "--online", "--config", str(path))
        assert good.exit_code == 0, good.output
        assert "the API answered with this token" in good.output
        assert len([r for r in sb.requests() if r["network"] == "facebook"]) == 1
        monkeypatch.setenv("MB_TEST_FB_TOKEN", CANARY)  # a token the API does not know
        bad = invoke("check", "--online", "--config", str(path))
        assert bad.exit_code == 1
        assert "facebook" in bad.output and CANARY not in bad.output


# -- error paths of the other commands ----------------------------------------------------------
def test_a_missing_config_says_how_to_create_one(tmp_path):
    for command in (["run"], ["load"], ["transform"], ["validate"], ["publish"], ["report"]):
        result = invoke(*command, "--config", str(tmp_path / "absent.yml"))
        assert result.exit_code == 2, command
        assert "messbar init" in result.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "--date", "27.11.2026"], "use YYYY-MM-DD"),
        (["backfill", "--from", "2026-11-05", "--to", "2026-11-01"], "swap them"),
        (["backfill", "--from", "2026-11-01", "--to", "2999-01-01"], "in the future"),
        (["backfill", "--from", "yesterday", "--to", "2026-11-01"], "use YYYY-MM-DD"),
        (["erase", "--platform", "myspace", "--user-id", "1"], "use one of facebook"),
        (["retention", "--today", "soon"], "use YYYY-MM-DD"),
    ],
)
def test_bad_arguments_exit_2_with_advice(tmp_path, args, fragment):
    path = business_yaml(tmp_path)
    result = invoke(*args, "--config", str(path))
    assert result.exit_code == 2, result.output
    assert fragment in result.output


def test_a_failing_step_exits_1_with_one_line(tmp_path, monkeypatch):
    """No token for the run: the extraction fails before any call, no traceback."""
    monkeypatch.delenv("MB_TEST_FB_TOKEN", raising=False)
    result = invoke("run", "--date", "2026-11-20", "--config", str(business_yaml(tmp_path)))
    assert result.exit_code == 1
    assert "MB_TEST_FB_TOKEN" in result.output


def test_backfill_fail_fast_stops_and_names_the_rerun(tmp_path, monkeypatch):
    """No build here: the first date fails, --fail-fast leaves the others, nothing is built or
    published, and the rerun command covers every date not done."""
    with sandbox.serve(now=datetime(2026, 11, 27, 2, tzinfo=UTC)) as sb:
        monkeypatch.setenv("MB_TEST_FB_TOKEN", sandbox.DEMO_TOKEN)
        path = business_yaml(tmp_path)
        head = f"networks:\n  facebook:\n    base_url: {sb.url}/facebook\n    history_days: 3\n"
        path.write_text(head + path.read_text())
        # an expired token (Graph 190) fails at once, without retries
        sb.add_fault(
            "GET", r"^/facebook/v[0-9.]+/1000000001$", status=400, body=sandbox.graph_error(190)
        )
        result = invoke(
            "backfill", "--from", "2026-11-20", "--to", "2026-11-22", "--fail-fast",
            "--config", str(path),
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "2026-11-20 FAILED" in result.output and "2 not attempted" in result.output
    assert "messbar backfill --from 2026-11-20 --to 2026-11-22" in result.output
    assert not (tmp_path / "data" / "published" / "messbar.duckdb").exists()


def test_privacy_commands_are_wired(tmp_path, monkeypatch):
    """``retention`` and ``erase`` reach messbar.privacy; a missing key is one line, not a
    traceback (the privacy behaviour itself: tests/reliability/test_privacy_erasure.py)."""
    pytest.importorskip("messbar.privacy")
    path = business_yaml(tmp_path)
    kept = invoke("retention", "--today", "2026-11-27", "--config", str(path))
    assert kept.exit_code == 0, kept.output
    assert '"cutoff"' in kept.output
    monkeypatch.delenv("MESSBAR_PSEUDONYM_KEY", raising=False)
    erased = invoke("erase", "--platform", "facebook", "--user-id", "42", "--config", str(path))
    assert erased.exit_code == 1
    assert "MESSBAR_PSEUDONYM_KEY is not set" in erased.output


def test_the_installed_script_keeps_the_old_invocation(tmp_path):
    """``messbar --config FILE check`` (docker-compose, older scripts) still works."""
    path = business_yaml(tmp_path)
    out = subprocess.run(
        [str(BIN / "messbar"), "--config", str(path), "check", "--config-only"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "OK" in out.stdout
