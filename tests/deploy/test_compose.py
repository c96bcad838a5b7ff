"""docker-compose.yml cannot be started here (no Docker engine): check it by parsing it and by
running the commands it runs against this checkout."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from messbar.airflow_local import POOLS

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_form_a_celery_deployment(compose):
    services = compose["services"]
    assert {
        "postgres",
        "redis",
        "airflow-init",
        "airflow-scheduler",
        "airflow-worker",
        "airflow-apiserver",
        "airflow-dag-processor",
    } <= set(services)
    env = services["airflow-worker"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql")
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    for name, value in env.items():  # secrets only by reference to the caller's environment
        if "TOKEN" in name or "KEY" in name:
            assert re.fullmatch(r"\$\{[A-Z_]+:-\}", value), name


def test_init_creates_the_pools_the_dag_uses(compose):
    command = compose["services"]["airflow-init"]["command"]
    created = dict(re.findall(r"airflow pools set (\w+) (\d+)", command))
    assert {k: int(v) for k, v in created.items()} == {k: v[0] for k, v in POOLS.items()}
    dag = (ROOT / "dags" / "_shared" / "constants.py").read_text()
    for pool in created:
        assert f'"{pool}"' in dag


def test_the_commands_it_runs_exist_and_work(compose):
    commands = [s.get("command", "") for s in compose["services"].values()]
    executables = {c.split()[0] for c in commands if c and not c.startswith("bash")}
    executables |= {"airflow", "messbar"}
    for exe in executables:
        assert (BIN / exe).exists(), exe
    env = {"MESSBAR_SANDBOX_URL": "http://127.0.0.1:1", "PATH": str(BIN)}
    out = subprocess.run(
        [str(BIN / "messbar"), "--config", str(ROOT / "config" / "demo.yml"), "check"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert "OK" in out.stdout


def test_dockerfile_installs_the_locked_set():
    text = (ROOT / "Dockerfile").read_text()
    assert "uv export --frozen" in text and "apache/airflow:3" in text


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian docker-compose absent")
def test_docker_compose_config_parses():
    out = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
