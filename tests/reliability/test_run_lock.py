"""Concurrency outside Airflow (issue 5, item 6): a second run while one is active is refused
with a clear message; a lock left by a killed run does not block; a single step waits for the
running one. Real processes hold a real ``fcntl`` lock; waiting uses an injected sleep.
(Inside Airflow ``max_active_runs=1`` queues runs: tests/dags/test_dag_integrity.py; BI readers
never see a partial file: tests/loader/test_publish.py.)"""

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from messbar import pipeline, privacy
from messbar.config import load_config
from messbar.runlock import RunLocked, lock_path, run_lock

ROOT = Path(__file__).parents[2]
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
HOLDER = """
import sys
from messbar.config import load_config
from messbar.runlock import run_lock

with run_lock(load_config(sys.argv[1]), "run"):
    print("locked", flush=True)
    sys.stdin.read()  # hold the lock until the test closes stdin (or kills us)
"""


@pytest.fixture
def cfg(tmp_path):
    path = tmp_path / "messbar.yml"
    path.write_text(
        f"""
data_dir: {tmp_path / "data"}
networks:
  facebook:
    base_url: http://127.0.0.1:9/facebook
businesses:
  - slug: baeckerei-sonnenschein
    accounts:
      facebook:
        - account_id: "1000000001"
          token: env:MESSBAR_LOCK_TEST_TOKEN
""",
        encoding="utf-8",
    )
    return load_config(path)


def hold(cfg) -> subprocess.Popen:
    env = {**os.environ, "MESSBAR_DATA_DIR": ""}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(cfg.path)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_run_is_refused_with_a_clear_message(cfg):
    holder = hold(cfg)
    try:
        with pytest.raises(RunLocked) as err:
            pipeline.run_nightly(cfg, NOW, "manual__second")
        message = str(err.value)
        assert "Another messbar run is active" in message
        assert f"pid {holder.pid}" in message and "run" in message
        assert "Wait until it has finished" in message
        assert not cfg.landing_dir.exists()  # nothing of the second run started
        with pytest.raises(RunLocked):
            privacy.erase(cfg, "facebook", "4533499961442650")
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_lock_of_a_killed_run_does_not_block(cfg):
    holder = hold(cfg)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert lock_path(cfg).exists() and "pid" in lock_path(cfg).read_text()  # left behind
    with run_lock(cfg, "run"):  # no wait: the kernel released the lock with the process
        assert f"pid {os.getpid()}" in lock_path(cfg).read_text()


def test_a_step_waits_for_the_running_one_and_nests_inside_a_run(cfg):
    holder = hold(cfg)
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # the running step finishes while we "sleep"
        waits.append(seconds)
        holder.stdin.close()
        holder.wait(timeout=30)

    with run_lock(cfg, "load", wait_seconds=60, sleep=sleep):
        with run_lock(cfg, "transform"):  # re-entrant within the process holding it
            pass
        assert len(waits) == 1
    assert holder.returncode == 0
