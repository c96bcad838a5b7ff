"""The distributed setup of docker-compose.yml, proven on this machine: the nightly DAG under
Airflow's CeleryExecutor with two Celery workers, PostgreSQL as metadata database and Redis as
broker (Debian packages on loopback), against the sandbox. Its published marts must equal those
of a LocalExecutor (`airflow dags test`) run of the same logical date and sandbox clock.
"""

import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

import sandbox
from messbar.airflow_local import airflow_env, dags_test, prepare
from messbar.demo import dag_run_succeeded

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "reliability"))

from celery_stack import (
    celery_env,
    celery_executor_problem,
    create_pools,
    free_port,
    migrate,
    missing_tools,
    new_stack,
    start_airflow,
)
from invariants import assert_no_duplicate_keys, files_containing, mart_digest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("celery_distributed"),
    pytest.mark.skipif(
        bool(missing_tools()),
        reason=f"Debian packages missing: {', '.join(missing_tools())} (`make test-tools`)",
    ),
]

ROOT = Path(__file__).parents[2]
LOGICAL = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 03:00 Berlin, the schedule's slot
CANARY = "EAAGceleryCANARYtoken0123456789abcdefCANARY"
WORKERS = ["messbar-worker-1", "messbar-worker-2"]
DAG = "messbar_nightly"
RUN_ID = "celery_distributed_test"
RUN_TIMEOUT = 420  # seconds; a healthy run takes a fraction of this


def write_config(tmp: Path) -> Path:
    """The demo config cut to its first business (all five networks, owner inputs)."""
    demo = (ROOT / "config" / "demo.yml").read_text(encoding="utf-8")
    head, businesses = demo.split("businesses:\n", 1)
    first = businesses.split("\n  - slug: ", 2)[0]
    text = (head + "businesses:\n" + first + "\n").replace(
        "env:MESSBAR_SANDBOX_TOKEN", "env:MESSBAR_CELERY_TOKEN"
    )
    text = text.replace(" demo_inputs/", f" {ROOT / 'config' / 'demo_inputs'}/")
    path = tmp / "messbar.yml"
    path.write_text(text, encoding="utf-8")
    return path


def run_env(home: Path, config: Path, data: Path, url: str) -> dict[str, str]:
    """What every Airflow process gets: tokens and settings by environment, never by file."""
    return airflow_env(
        home,
        {
            "MESSBAR_CONFIG": str(config),
            "MESSBAR_DATA_DIR": str(data),
            "MESSBAR_SANDBOX_URL": url,
            "MESSBAR_CELERY_TOKEN": CANARY,
            "MESSBAR_TASK_RETRIES": "0",
        },
    )


def prepare_or_explain(home: Path, env: dict[str, str]) -> None:
    """``airflow db migrate`` and the pools; a failure shows Airflow's own message."""
    try:
        prepare(home, env)
    except subprocess.CalledProcessError as exc:
        raise AssertionError(
            f"{exc.cmd} failed:\n{exc.stdout[-3000:]}\n{exc.stderr[-3000:]}"
        ) from None


def reference_run(tmp: Path, config: Path) -> tuple[bool, str]:
    """`airflow dags test` (SQLite, tasks in one process) against its own sandbox, same clock."""
    with sandbox.serve(now=LOGICAL, tokens=[CANARY]) as sb:
        env = run_env(tmp / "airflow", config, tmp / "data", sb.url)
        prepare_or_explain(tmp / "airflow", env)
        proc = dags_test(env, LOGICAL.isoformat())
    out = proc.stdout + proc.stderr
    return dag_run_succeeded(out), out


def _get(url: str, **params) -> requests.Response | None:
    """GET that treats a slow answer from a busy api-server as "not yet"."""
    try:
        return requests.get(url, params=params, timeout=30)
    except requests.RequestException:
        return None


def trigger_and_wait(api: str, diagnostics) -> dict:
    """Trigger the run for LOGICAL through the REST API and poll it until it ends."""
    deadline = time.monotonic() + 180
    while (r := _get(f"{api}/api/v2/dags/{DAG}")) is None or r.status_code != 200:
        assert time.monotonic() < deadline, f"DAG never parsed\n{diagnostics()}"
        time.sleep(1)
    resp = requests.post(
        f"{api}/api/v2/dags/{DAG}/dagRuns",
        json={"dag_run_id": RUN_ID, "logical_date": LOGICAL.isoformat()},
        timeout=60,
    )
    assert resp.status_code == 200, resp.text
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        r = _get(f"{api}/api/v2/dags/{DAG}/dagRuns/{RUN_ID}")
        if r is not None and r.json()["state"] in ("success", "failed"):
            return r.json()
        assert time.monotonic() < deadline, f"run not finished\n{diagnostics()}"
        time.sleep(2)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    problem = celery_executor_problem()
    if problem:
        pytest.fail(problem)
    tmp = tmp_path_factory.mktemp("celery")
    config = write_config(tmp)
    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool, ExitStack() as cleanup:
        # the LocalExecutor reference runs while the distributed stack comes up
        reference = pool.submit(reference_run, tmp / "local", config)
        stack = new_stack()
        cleanup.callback(stack.close)
        password = secrets.token_hex(12)
        pg_port = stack.start_postgres(password)
        redis_port = stack.start_redis()
        sb = cleanup.enter_context(sandbox.serve(now=LOGICAL, tokens=[CANARY]))
        home = tmp / "celery" / "airflow"
        base = run_env(home, config, tmp / "celery" / "data", sb.url)
        env = celery_env(base, home, pg_port, password, redis_port, free_port())
        migrate(env)
        api = start_airflow(stack, env, WORKERS)
        create_pools(api)
        run = trigger_and_wait(api, stack.diagnostics)
        tis = requests.get(
            f"{api}/api/v2/dags/{DAG}/dagRuns/{RUN_ID}/taskInstances",
            params={"limit": 100},
            timeout=60,
        ).json()["task_instances"]
        celery_done = time.monotonic() - started
        ref_ok, ref_out = reference.result()
        yield {
            "tmp": tmp,
            "run": run,
            "tis": tis,
            "diagnostics": stack.diagnostics(),
            "worker_logs": {name: stack.log(name, 10**7) for name in WORKERS},
            "stack_logs": stack.logs,
            "airflow_home": home,
            "ref_ok": ref_ok,
            "ref_out": ref_out,
            "celery_data": tmp / "celery" / "data",
            "local_data": tmp / "local" / "data",
            "seconds": (celery_done, time.monotonic() - started),
            "requests": len(sb.requests()),
        }


def test_the_run_succeeds_under_celery(runs):
    assert runs["run"]["state"] == "success", runs["diagnostics"]
    states = {(t["task_id"], t["map_index"]): t["state"] for t in runs["tis"]}
    assert set(states.values()) == {"success"}, states
    assert {"plan", "extract", "load", "transform", "validate", "publish"} <= {t for t, _ in states}
    assert len([1 for t, _ in states if t == "extract"]) == 5  # one per account, mapped
    # MESSBAR_TASK_RETRIES=0 reached the processes that parse the DAG
    assert {t["max_tries"] for t in runs["tis"]} == {0}
    assert runs["requests"] > 0, "the workers called the sandbox APIs"
    celery_done, both_done = runs["seconds"]
    print(f"celery run done after {celery_done:.0f}s, both runs after {both_done:.0f}s")


def test_tasks_ran_on_both_workers(runs):
    hosts = {t["hostname"] for t in runs["tis"]}
    assert hosts == set(WORKERS), hosts
    for name, log in runs["worker_logs"].items():
        # what each worker's own log says it executed
        assert "Executing workload in Celery" in log, f"{name} ran nothing\n{log[-2000:]}"


def test_published_marts_equal_a_local_executor_run(runs):
    assert runs["ref_ok"], runs["ref_out"][-4000:]
    celery = runs["celery_data"] / "published" / "messbar.duckdb"
    local = runs["local_data"] / "published" / "messbar.duckdb"
    assert celery.exists() and local.exists()
    digest = mart_digest(celery)
    for table in ("dim_accounts", "fct_posts", "fct_account_daily", "kpi_weekly"):
        assert digest[table][0] > 0, table
    assert digest == mart_digest(local)
    assert_no_duplicate_keys(celery)


def test_token_reaches_workers_by_environment_only(runs):
    # the sandbox accepts only the canary token, so the successful run proves it reached the
    # workers; it must not have been written anywhere on the way
    roots = [runs["stack_logs"], runs["airflow_home"], runs["celery_data"], runs["tmp"] / "celery"]
    assert files_containing(CANARY, roots) == []
    assert CANARY not in (runs["tmp"] / "messbar.yml").read_text()
