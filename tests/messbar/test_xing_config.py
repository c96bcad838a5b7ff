"""Config rules for a network without an API (XING): a CSV instead of a token, line-accurate
errors, and the path reaching the extraction job."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from extractors.core.job import ExtractJob
from extractors.core.runner import run_job
from messbar import pipeline
from messbar.config import ConfigError, load_config

ROOT = Path(__file__).parents[2]
BUSINESSES = ("baeckerei-sonnenschein", "schreinerei-holzwerk", "friseur-schnittpunkt")

GOOD = """\
businesses:
  - slug: shop
    name: Shop
    accounts:
      facebook:
        - account_id: "1"
          token: env:FB
      xing:
        - account_id: shop-gmbh
          csv: inputs/xing.csv
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "messbar.yml"
    p.write_text(text, encoding="utf-8")
    return p


def test_a_xing_account_names_a_csv_relative_to_the_config_file(tmp_path):
    cfg = load_config(write(tmp_path, GOOD))
    (fb, xing) = cfg.accounts()
    assert (fb.token_ref, fb.csv_path) == ("env:FB", None)
    assert xing.token_ref == ""
    assert xing.csv_path == str(tmp_path / "inputs" / "xing.csv")


def test_csv_paths_expand_environment_variables_and_keep_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("XING_DIR", "/srv/xing")
    cfg = load_config(write(tmp_path, GOOD.replace("inputs/xing.csv", "${XING_DIR}/shop.csv")))
    assert cfg.accounts()[1].csv_path == "/srv/xing/shop.csv"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            GOOD.replace("csv: inputs/xing.csv", "token: env:XING"),
            9,
            "xing account shop-gmbh: xing has no API and takes no token; name the CSV",
        ),
        (
            GOOD.replace("csv: inputs/xing.csv", "csv: inputs/xing.csv\n          token: env:X"),
            9,
            "takes no token",
        ),
        (
            GOOD.replace("          csv: inputs/xing.csv\n", "          name: Shop\n"),
            9,
            "xing account shop-gmbh needs csv: path/to/xing.csv",
        ),
        (
            GOOD.replace("token: env:FB", "token: env:FB\n          csv: fb.csv"),
            6,
            "facebook account 1: 'csv' is only for networks without an API (xing)",
        ),
        (
            GOOD.replace("token: env:FB", "csv: fb.csv"),
            6,
            "'csv' is only for networks without an API",
        ),
        (GOOD.replace("csv: inputs", "colour: red\n          csv: inputs"), 10, "unknown key"),
    ],
    ids=[
        "token-for-xing",
        "token-and-csv-for-xing",
        "xing-without-csv",
        "csv-for-facebook",
        "facebook-with-csv-only",
        "unknown-key",
    ],
)
def test_errors_name_the_line_and_the_fix(tmp_path, text, line, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert f"{path}:{line}:" in str(err.value)
    assert fragment in str(err.value)


def test_demo_config_with_the_xing_accounts_plans_jobs_that_import_without_a_token(
    tmp_path, monkeypatch
):
    """The demo config plus the XING entries proposed for it: the plan passes the CSV path in
    the job options, and the runner imports it without resolving a token."""
    monkeypatch.setenv("MESSBAR_DATA_DIR", str(tmp_path / "data"))
    config = yaml.safe_load((ROOT / "config" / "demo.yml").read_text(encoding="utf-8"))
    config["data_dir"] = str(tmp_path / "data")
    demo_inputs = ROOT / "config" / "demo_inputs"  # config/demo.yml would say demo_inputs/...
    for business in config["businesses"]:
        business["accounts"]["xing"] = [
            {"account_id": business["slug"], "csv": f"{demo_inputs}/xing/{business['slug']}.csv"}
        ]
    cfg = load_config(write(tmp_path, yaml.safe_dump(config, allow_unicode=True)))
    jobs = [
        ExtractJob.from_dict(j)
        for j in pipeline.plan(cfg, datetime(2026, 11, 27, 2, tzinfo=UTC), "test__run")
        if j["network"] == "xing"
    ]
    assert [j.account_id for j in jobs] == list(BUSINESSES)
    for job in jobs:
        assert job.token_ref == "" and job.base_url == ""
        expected = ROOT / "config" / "demo_inputs" / "xing" / f"{job.business}.csv"
        assert job.options["csv"] == str(expected)
        assert run_job(job)["rows"]["page"] == 1
