"""A project-local Airflow: SQLite metadata under ``.airflow/``, our ``dags/`` folder, the pools
the DAG uses. Used by ``make demo`` and the end-to-end tests; production uses docker-compose."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from messbar.pipeline import REPO_ROOT

POOLS = {"messbar_api": (4, "concurrent API calls"), "duckdb_writer": (1, "single DuckDB writer")}


def airflow_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
            "PYTHONWARNINGS": "ignore",
            "MESSBAR_TASK_RETRIES": "0",  # a local run shows a failure at once, no retry waits
        }
    )
    env.update(extra or {})
    return env


def _airflow(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    cmd = [str(Path(sys.executable).with_name("airflow")), *args]
    return subprocess.run(cmd, env=env, check=check, capture_output=True, text=True)


def prepare(home: Path, env: dict[str, str]) -> None:
    """Migrate the metadata DB (idempotent) and create the pools."""
    home.mkdir(parents=True, exist_ok=True)
    _airflow(env, "db", "migrate")
    for name, (slots, description) in POOLS.items():
        _airflow(env, "pools", "set", name, str(slots), description)


def dags_test(
    env: dict[str, str], logical_date: str, dag_id: str = "messbar_nightly"
) -> subprocess.CompletedProcess:
    """Run one DagRun through the real scheduler code path (``airflow dags test``)."""
    return _airflow(env, "dags", "test", dag_id, logical_date, check=False)
