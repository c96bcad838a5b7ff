"""A published file for the report tests: the demo businesses through the real steps (sandbox
over loopback, extract, load, dbt models, publish) in a private data dir.

dbt runs the models and seeds only: the data tests and unit tests belong to tests/dbt and the
gate to tests/expectations; the report reads whatever the published marts hold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import sandbox
from messbar import pipeline
from messbar.config import Config, load_config

ROOT = Path(__file__).parents[2]
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 03:00 Berlin: the nightly run's moment
DEMO_TOKEN = "sandbox-demo-token"


def write_config(tmp: Path, url: str, extra: str = "") -> Path:
    """The demo config with a private data dir, the sandbox's URL and ``extra`` top-level YAML."""
    text = (ROOT / "config" / "demo.yml").read_text(encoding="utf-8")
    text = (
        text.replace("data_dir: ../data", f"data_dir: {tmp / 'data'}")
        .replace(" demo_inputs/", f" {ROOT / 'config' / 'demo_inputs'}/")
        .replace("${MESSBAR_SANDBOX_URL:-http://127.0.0.1:8765}", url)
    )
    path = tmp / "messbar.yml"
    path.write_text(extra + text, encoding="utf-8")
    return path


def dbt_models(cfg: Config) -> None:
    from extractors.registry import NETWORKS

    env = {**os.environ, **pipeline.dbt_env(cfg)}
    manual = [slug for slug, spec in NETWORKS.items() if spec.provenance == "manual"]
    args = [
        str(Path(sys.executable).with_name("dbt")),
        "build",
        "--exclude-resource-type",
        "test",
        "--exclude-resource-type",
        "unit_test",
        "--project-dir",
        str(pipeline.DBT_PROJECT),
        "--profiles-dir",
        str(pipeline.DBT_PROJECT),
        "--target-path",
        env["DBT_TARGET_PATH"],
        "--log-path",
        env["DBT_LOG_PATH"],
        "--vars",
        json.dumps({"enabled_networks": list(NETWORKS), "manual_networks": manual}),
    ]
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:]


def build_published(tmp: Path) -> Config:
    """Run the demo businesses into ``tmp/data`` and publish; returns the loaded config."""
    os.environ.setdefault("MESSBAR_SANDBOX_TOKEN", DEMO_TOKEN)
    with sandbox.serve(now=NOW) as sb:
        cfg = load_config(write_config(tmp, sb.url))
        for job in pipeline.plan(cfg, NOW, "scheduled__report_tests"):
            pipeline.extract(job)
    pipeline.load(cfg, today=NOW.date())
    dbt_models(cfg)
    pipeline.publish(cfg, "scheduled__report_tests")
    return cfg
