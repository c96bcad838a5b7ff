"""Reliability plan 11.2 #2, for every API network of the registry: the extractor runs in its
own process and is SIGKILLed by the sandbox (a request hook) while it waits for an answer in
the middle of its run. Nothing of the killed attempt is committed (no manifest: the loader
ignores its unfinished files) and the committed state stays where the last committed run left
it; the rerun of the same run lands exactly what a clean run lands, with no key twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from reliability_harness import (
    API_NETWORKS,
    LOGICAL,
    keys_of,
    load_and_check,
    make_job,
    raw_keys,
    reliability_sandbox,  # noqa: F401 - the `sb` fixture
    run,
)

from sandbox.faults import vocabulary

ROOT = Path(__file__).parents[2]
# The child follows the sandbox clock like the in-process runs do (see reliability_harness).
CHILD = """
import importlib, json, sys
from datetime import datetime
from extractors.core.job import ExtractJob
from extractors.core.runner import run_job
from extractors.registry import NETWORKS

job = ExtractJob.from_dict(json.loads(sys.argv[1]))
now = datetime.fromisoformat(sys.argv[2])
module = importlib.import_module(NETWORKS[job.network].module)
if hasattr(module, "utcnow"):
    module.utcnow = lambda: now
run_job(job, sleep=lambda seconds: None)
print("finished")
"""


@pytest.mark.parametrize("network", API_NETWORKS)
def test_sigkill_mid_extraction_then_rerun_is_complete_and_exact(sb, tmp_path, network):
    vocab = vocabulary(network)
    account = vocab.accounts[0]
    landing, db = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    day_before = LOGICAL - timedelta(days=1)
    run(make_job(sb, network, landing, logical_date=day_before, run_id="scheduled__d1"))
    committed = load_and_check(landing, db)
    state = committed[(network, account)]

    sb.clear_requests()  # what a clean run of the next day lands, from the same state
    clean = run(make_job(sb, network, tmp_path / "clean", state=state, run_id="clean"))
    expected, calls = keys_of(clean, vocab), len(sb.requests())
    assert expected and calls >= 3

    started = threading.Event()
    pid: dict[str, int] = {}

    def kill(info: dict) -> None:
        started.wait(10)
        os.kill(pid["child"], signal.SIGKILL)

    sb.clear_requests()
    sb.on_request(kill, path=rf"^/{network}/", nth=calls // 2 + 1)  # mid-run, mid-listing
    job = make_job(sb, network, landing, state=state, run_id="scheduled__d2")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(job.to_dict()), sb.now.isoformat()],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pid["child"] = child.pid
    started.set()
    out, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, (out, err)
    assert len(sb.requests()) == calls // 2 + 1  # it died waiting for that answer
    assert list(landing.rglob("*.partial")), "the killed attempt had unfinished files"
    assert load_and_check(landing, db) == committed  # nothing of it committed, state unmoved
    assert raw_keys(db, network, "scheduled__d2") == []

    rerun = run(make_job(sb, network, landing, state=state, run_id="scheduled__d2"))
    assert keys_of(rerun, vocab) == expected
    after = load_and_check(landing, db)
    assert raw_keys(db, network, "scheduled__d2") == expected  # nothing missing, nothing twice
    assert all(after[(network, account)][k] >= v for k, v in state.items())  # only forward
