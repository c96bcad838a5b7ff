"""The production executor stack on loopback: PostgreSQL 15 and Redis from Debian packages, and
Airflow 3's api-server, scheduler, dag-processor and Celery workers as separate processes.

Every process runs in its own session (process group) and is stopped by ``Stack.close()``,
which the test fixture calls in a finalizer, also when a start-up step fails halfway.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from messbar.airflow_local import POOLS

PG_BIN = Path("/usr/lib/postgresql/15/bin")
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
# a Debian-installed PostgreSQL brings this user; elsewhere a throwaway one is created
PG_USERS = ("postgres", "messbar-pgtest")


def missing_tools() -> list[str]:
    """Debian packages the stack needs that are not installed (empty when all are there)."""
    missing = []
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "postgres").exists():
        missing.append("postgresql (15)")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        missing.append("util-linux (setpriv)")
    return missing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_hostname() -> str:
    """``[core] hostname_callable`` for workers sharing one host: each reports its own name.

    In docker-compose every worker container has its own hostname; here two workers run on one
    machine, so the name comes from ``MESSBAR_WORKER_NAME`` and task instances say which ran them.
    """
    return os.environ.get("MESSBAR_WORKER_NAME") or socket.getfqdn()


def _unprivileged_user() -> tuple[str, bool]:
    """PostgreSQL refuses to run as root: a user to run it as, and whether it was created."""
    for name in PG_USERS:
        try:
            pwd.getpwnam(name)
            return name, False
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USERS[-1]],
        check=True,
        capture_output=True,
    )
    return PG_USERS[-1], True


class Stack:
    """Processes started so far; ``close()`` stops them in reverse order and removes the tmp dir."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.logs = tmp / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.procs: dict[str, subprocess.Popen] = {}
        self._cleanups: list[Callable[[], None]] = []

    # -- processes ---------------------------------------------------------------------------
    def start(
        self, name: str, cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.Popen:
        """Start ``cmd`` in its own session, output to ``logs/<name>.log``."""
        with open(self.logs / f"{name}.log", "wb") as out:
            proc = subprocess.Popen(
                cmd,
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.procs[name] = proc
        return proc

    def log(self, name: str, tail: int = 4000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def diagnostics(self) -> str:
        """The tail of every process log, for an assertion message."""
        parts = []
        for name, proc in self.procs.items():
            parts.append(f"--- {name} (exit {proc.poll()}) ---\n{self.log(name, 2500)}")
        return "\n".join(parts)

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        if dead:
            raise RuntimeError(f"processes exited early: {dead}\n{self.diagnostics()}")

    def wait_for(self, what: str, ready: Callable[[], bool], timeout: float) -> None:
        """Poll ``ready`` until it holds; fail with the logs if a process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while not ready():
            self.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} not ready after {timeout:.0f}s\n{self.diagnostics()}")
            time.sleep(0.5)

    def close(self) -> None:
        """Stop Airflow and Redis together, then PostgreSQL (its clients are gone by then)."""
        clients = [p for n, p in self.procs.items() if n != "postgres"]
        _stop_groups(clients, signal.SIGTERM)
        if "postgres" in self.procs:
            _stop_groups([self.procs["postgres"]], signal.SIGINT)  # "fast" shutdown
        for cleanup in reversed(self._cleanups):
            cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- PostgreSQL and Redis ----------------------------------------------------------------
    def start_postgres(self, password: str) -> str:
        """An initdb'd cluster on 127.0.0.1:<free port>, socket in tmp; returns its port."""
        pg = self.tmp / "pg"
        pg.mkdir()
        (pg / "pw").write_text(password + "\n")
        as_user: list[str] = []
        if os.geteuid() == 0:
            user, created = _unprivileged_user()
            if created:
                self._cleanups.append(
                    lambda: subprocess.run(["userdel", user], check=False, capture_output=True)
                )
            entry = pwd.getpwnam(user)
            for path in (self.tmp, pg, pg / "pw"):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            # setpriv execs in place (no PAM child), so the process group is postgres itself
            as_user = [
                "setpriv",
                f"--reuid={entry.pw_uid}",
                f"--regid={entry.pw_gid}",
                "--init-groups",
                "--",
            ]
        subprocess.run(
            [
                *as_user,
                str(PG_BIN / "initdb"),
                "-D",
                str(pg / "data"),
                "-U",
                "airflow",
                f"--pwfile={pg / 'pw'}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            cwd=pg,
        )
        port = free_port()
        self.start(
            "postgres",
            [
                *as_user,
                str(PG_BIN / "postgres"),
                "-D",
                str(pg / "data"),
                "-p",
                str(port),
                "-k",
                str(pg),
                "-c",
                "listen_addresses=127.0.0.1",
                # a throwaway cluster: durability is not what is tested
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            cwd=pg,
        )
        import psycopg2

        def accepting() -> bool:
            try:
                psycopg2.connect(
                    host="127.0.0.1",
                    port=port,
                    user="airflow",
                    password=password,
                    dbname="postgres",
                ).close()
                return True
            except psycopg2.OperationalError:
                return False

        self.wait_for("PostgreSQL", accepting, 60)
        con = psycopg2.connect(
            host="127.0.0.1", port=port, user="airflow", password=password, dbname="postgres"
        )
        con.autocommit = True
        con.cursor().execute("create database airflow")
        con.close()
        return port

    def start_redis(self) -> int:
        port = free_port()
        self.start(
            "redis",
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
        )
        import redis

        def pong() -> bool:
            try:
                return bool(redis.Redis(host="127.0.0.1", port=port).ping())
            except redis.ConnectionError:
                return False

        self.wait_for("Redis", pong, 30)
        return port


def _stop_groups(procs: list[subprocess.Popen], sig: int, grace: float = 20) -> None:
    """Signal each process group (a Celery worker has children) at once, wait for all within
    one grace period, then SIGKILL whatever is left of each group."""
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
    deadline = time.monotonic() + grace
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # stragglers, even after the leader left
        proc.wait(timeout=10)


def new_stack() -> Stack:
    # not pytest's tmp_path: that is private to root, and PostgreSQL runs as another user
    return Stack(Path(tempfile.mkdtemp(prefix="messbar-celery-")))


def async_conn(db: str) -> str:
    """Airflow 3 also opens an async engine (asyncpg) for a few API features (waiting on a run,
    the task state store, multi-team). The official image has asyncpg; our uv.lock does not,
    and an empty value turns the async engine off (nothing the nightly DAG uses needs it)."""
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        return ""
    return f"postgresql+asyncpg://{db}"


def celery_env(
    base: dict[str, str], home: Path, pg_port: int, pg_password: str, redis_port: int, api_port: int
) -> dict[str, str]:
    """Airflow settings shared by every process of the stack (the same as docker-compose.yml)."""
    db = f"airflow:{pg_password}@127.0.0.1:{pg_port}/airflow"
    env = dict(base)
    env.update(
        {
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{db}",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": async_conn(db),
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{db}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            # tokens the scheduler signs for the workers must verify on the api-server
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            # the test drives the REST API without logging in
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            # only the run the test triggers: no scheduled run of the real calendar day
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "PYTHONPATH": os.pathsep.join(p for p in (str(HERE), base.get("PYTHONPATH")) if p),
        }
    )
    return env


def start_airflow(stack: Stack, env: dict[str, str], workers: list[str]) -> str:
    """api-server, dag-processor, scheduler and one Celery worker per name; returns the API URL."""
    airflow = str(BIN / "airflow")
    api = f"http://127.0.0.1:{env['AIRFLOW__API__PORT']}"
    stack.start("api-server", [airflow, "api-server", "--workers", "1"], env)
    stack.start("dag-processor", [airflow, "dag-processor"], env)
    stack.start("scheduler", [airflow, "scheduler"], env)
    for name in workers:
        worker_env = {
            **env,
            "MESSBAR_WORKER_NAME": name,
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "celery_stack.worker_hostname",
        }
        stack.start(
            name,
            [
                airflow,
                "celery",
                "worker",
                "--celery-hostname",
                name,
                "--concurrency",
                "1",
                "--skip-serve-logs",
                "--pid",
                str(stack.tmp / f"{name}.pid"),
            ],
            worker_env,
        )

    def api_up() -> bool:
        try:
            return requests.get(f"{api}/api/v2/monitor/health", timeout=10).ok
        except requests.RequestException:
            return False

    stack.wait_for("api-server", api_up, 120)
    stack.wait_for(
        "Celery workers",
        lambda: all(f"{name} ready" in stack.log(name, 10**6) for name in workers),
        120,
    )
    return api


def migrate(env: dict[str, str]) -> None:
    """``airflow db migrate`` on the stack's PostgreSQL; a failure shows Airflow's own words."""
    out = subprocess.run(
        [str(BIN / "airflow"), "db", "migrate"], env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{out.stdout[-3000:]}{out.stderr[-3000:]}")


def create_pools(api: str) -> None:
    """The pools the DAG uses (``messbar.airflow_local.POOLS``), through the REST API."""
    for name, (slots, description) in POOLS.items():
        resp = requests.post(
            f"{api}/api/v2/pools",
            json={"name": name, "slots": slots, "description": description},
            timeout=60,
        )
        resp.raise_for_status()


def celery_executor_problem() -> str | None:
    """Why the Celery executor cannot load in this environment (None when it can)."""
    out = subprocess.run(
        [sys.executable, "-c", "import airflow.providers.celery.executors.celery_executor_utils"],
        capture_output=True,
        text=True,
    )
    if out.returncode == 0:
        return None
    last = (out.stderr.strip().splitlines() or ["(no output)"])[-1]
    return (
        "the Celery executor does not import with the installed (locked) versions, so the "
        f"workers and the scheduler of docker-compose.yml would crash: {last}. "
        "If it names celery.backends.database.retry: Celery 5.7 removed it and "
        "apache-airflow-providers-celery still imports it; pin celery<5.7 in pyproject.toml "
        "and run `uv lock`."
    )
