"""``python -m sandbox serve`` as a subprocess: prints its URL, serves, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

import sandbox

ROOT = Path(__file__).resolve().parents[2]


def test_serve_prints_url_writes_url_file_and_stops_on_sigterm(tmp_path: Path) -> None:
    url_file = tmp_path / "sandbox.url"
    command = [sys.executable, "-m", "sandbox", "serve", "--port", "0", "--seed", "42"]
    command += ["--now", "2026-03-16T06:00:00Z", "--url-file", str(url_file)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("SANDBOX_URL=http://127.0.0.1:"), line
        url = line.removeprefix("SANDBOX_URL=")
        assert url_file.read_text().strip() == url
        assert requests.get(f"{url}/__clock", timeout=5).json() == {
            "now": "2026-03-16T06:00:00+00:00"
        }
        response = requests.get(
            f"{url}/facebook/v25.0/1000000003",
            headers={"Authorization": f"Bearer {sandbox.DEMO_TOKEN}"},
            timeout=5,
        )
        assert response.json() == {"name": "Friseursalon Schnittpunkt", "id": "1000000003"}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_accepts_today(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "sandbox", "serve", "--now", "today"]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        url = process.stdout.readline().strip().removeprefix("SANDBOX_URL=")
        assert requests.get(f"{url}/__clock", timeout=5).status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
