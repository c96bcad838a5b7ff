"""docker-compose.yml cannot be started here (no Docker engine): check it with Debian's
docker-compose, against the settings the Celery test runs for real, and by running the commands
its services run in this checkout's environment."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from messbar.airflow_local import POOLS

sys.path.insert(0, str(Path(__file__).parent))
from celery_stack import celery_env, celery_executor_problem

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent
COMPOSE = ROOT / "docker-compose.yml"
AIRFLOW_SERVICES = (
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
)
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|FERNET|_KEY$")
REFERENCE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::?[-?][^}]*)?\}")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def test_services_form_a_scalable_celery_deployment(compose):
    services = compose["services"]
    assert {"postgres", "redis", "superset", "superset-init", *AIRFLOW_SERVICES} <= set(services)
    worker = services["airflow-worker"]
    # --scale airflow-worker=N needs replicas without a fixed name or host port
    assert "container_name" not in worker and "ports" not in worker
    env = worker["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    for name in AIRFLOW_SERVICES:  # one Airflow configuration for every service
        assert services[name]["environment"] == env, name


def test_same_executor_and_database_as_the_celery_test(compose):
    """The settings tests/deploy/test_celery_distributed.py proves on loopback."""
    deployed = compose["services"]["airflow-worker"]["environment"]
    tested = celery_env({}, Path("/tmp/home"), 5432, "pw", 6379, 8080)
    for key in (
        "AIRFLOW__CORE__EXECUTOR",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__CELERY__RESULT_BACKEND",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
        "AIRFLOW__API_AUTH__JWT_SECRET",
    ):
        assert key in deployed and key in tested, key
        if "://" in tested[key]:
            assert deployed[key].split("://")[0] == tested[key].split("://")[0], key
    assert deployed["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].endswith("/execution/")
    assert tested["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].endswith("/execution/")


def test_no_secret_values_in_the_compose_file(compose):
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            value = str(value)
            if SECRET_NAME.search(key):
                assert REFERENCE.fullmatch(value), f"{name}: {key} must be ${{VAR}} from .env"
            if "@" in value and "://" in value:  # a URL with credentials
                password = value.split("://", 1)[1].split("@", 1)[0].partition(":")[2]
                assert REFERENCE.fullmatch(password), f"{name}: {key} holds a literal password"


def test_every_variable_it_references_is_in_env_example(env_example):
    lines = [line for line in COMPOSE.read_text().splitlines() if not line.lstrip().startswith("#")]
    text = "\n".join(lines).replace("$$", "")  # $$ is a literal $ for the container
    referenced = set(REFERENCE.findall(text))
    assert referenced, "the compose file takes its settings from .env"
    assert referenced <= set(env_example), referenced - set(env_example)


def test_env_file_is_never_committed_nor_built_into_the_image():
    dockerignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert ".env" in dockerignore
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    assert ignored.returncode == 0, ".env must be in .gitignore"
    example = subprocess.run(["git", "check-ignore", "-q", ".env.example"], cwd=ROOT)
    assert example.returncode == 1, ".env.example must stay committed"


def test_init_creates_the_pools_the_dag_uses(compose):
    command = compose["services"]["airflow-init"]["command"]
    created = dict(re.findall(r"airflow pools set (\w+) (\d+)", command))
    assert {k: int(v) for k, v in created.items()} == {k: v[0] for k, v in POOLS.items()}
    dag = (ROOT / "dags" / "_shared" / "constants.py").read_text()
    for pool in created:
        assert f'"{pool}"' in dag


def test_bi_service_reads_only_the_published_file(compose):
    services = compose["services"]
    for name in ("superset", "superset-init"):
        mounts = services[name]["volumes"]
        assert "messbar-published:/published:ro" in mounts, name
        assert not any(m.startswith("messbar-data:") for m in mounts), name  # raw data stays out
    assert (
        "duckdb:////published/messbar.duckdb?access_mode=read_only"
        in (services["superset-init"]["command"])
    )
    airflow_mounts = services["airflow-worker"]["volumes"]
    assert "messbar-published:/opt/messbar/data/published" in airflow_mounts


def _airflow_commands(compose) -> list[list[str]]:
    commands = []
    for name in AIRFLOW_SERVICES:
        command = compose["services"][name]["command"]
        for part in re.split(r"&&|bash -c", command):
            words = part.strip().strip('"').split()
            if words and words[0] == "airflow":
                commands.append([w for w in words if not w.startswith("'")][:3])
    return commands


def test_the_commands_it_runs_exist_and_work(compose, tmp_path):
    env = {"AIRFLOW_HOME": str(tmp_path / "airflow"), "PATH": str(BIN), "PYTHONWARNINGS": "ignore"}
    subcommands = set()
    for words in _airflow_commands(compose):
        words = words[:3] if words[1] in ("celery", "pools", "db") else words[:2]
        subcommands.add(tuple(words))
    assert ("airflow", "celery", "worker") in subcommands
    assert ("airflow", "triggerer") in subcommands and ("airflow", "dag-processor") in subcommands
    # each Airflow subcommand answers --help (in parallel: each start costs seconds)
    procs = {
        words: subprocess.Popen(
            [str(BIN / "airflow"), *words[1:], "--help"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for words in subcommands
    }
    for words, proc in procs.items():
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0 and "usage" in out.lower(), (words, out[-2000:])
    # the init's last step validates a real config
    out = subprocess.run(
        [str(BIN / "messbar"), "--config", str(ROOT / "config" / "demo.yml"), "check"],
        capture_output=True,
        text=True,
        env={
            "MESSBAR_SANDBOX_URL": "http://127.0.0.1:1",
            "MESSBAR_SANDBOX_TOKEN": "sandbox-demo-token",
            "MESSBAR_PSEUDONYM_KEY": "compose-test-pseudonym-key-0123456789",
            "PATH": str(BIN),
        },
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "OK" in out.stdout


def test_the_celery_executor_loads_with_the_locked_versions():
    """What `airflow celery worker` and the scheduler import; --help does not get that far."""
    problem = celery_executor_problem()
    assert problem is None, problem


def test_images_install_the_locked_set():
    text = (ROOT / "Dockerfile").read_text()
    assert "uv export --frozen" in text and "apache/airflow:3" in text
    lock = (ROOT / "uv.lock").read_text()
    superset = (ROOT / "deploy" / "superset" / "Dockerfile").read_text()
    for package in ("duckdb", "duckdb-engine"):
        locked = re.search(rf'name = "{package}"\nversion = "([^"]+)"', lock).group(1)
        # the BI reader uses the DuckDB version that writes the published file
        assert f'"{package}=={locked}"' in superset, package


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian docker-compose absent")
def test_docker_compose_config_parses_and_requires_the_secrets(tmp_path):
    def config(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["docker-compose", *args, "-f", str(COMPOSE), "config", "-q"],
            capture_output=True,
            text=True,
            cwd=tmp_path,  # no .env here: only what the arguments give
        )

    out = config("--env-file", str(ROOT / ".env.example"))
    assert out.returncode == 0, out.stderr
    (tmp_path / "empty.env").touch()
    missing = config("--env-file", str(tmp_path / "empty.env"))
    assert missing.returncode != 0 and "in .env" in missing.stderr, missing.stderr
