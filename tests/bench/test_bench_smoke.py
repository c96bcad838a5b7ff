"""Every benchmark of bench/ runs at its smallest size and speaks the one BENCH line format with
positive figures (bench/README.md). Wall times are never asserted: only that the figures exist,
parse, and are sane."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from _report import LINE  # noqa: E402

pytestmark = pytest.mark.xdist_group("bench_smoke")

NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)")

EXPECTED = {
    "api_calls": {
        "api_calls_facebook_first_run",
        "api_calls_linkedin_nightly_run",
        "x_cost_first_run",
        "api_rate_limit_violations",
    },
    "load": {"load_vs_read_json", "load_workload"},
    "memory": {"memory_10x_history"},
    "extraction_wall": {
        "extraction_wall_first_run",
        "extraction_wall_nightly_run",
        "rate_limit_violations_nightly_run",
    },
}


def run_small(script: str, *args: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / f"{script}.py"), *args],
        env={**os.environ, "BENCH_SCALE": "small"},
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
    # exit 1 only means a target was missed (at this size some are tail-bound): not a crash
    assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr[-4000:]
    assert proc.returncode == 0 or any(line.endswith(" FAIL") for line in lines), proc.stderr
    return lines


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_script_prints_well_formed_positive_figures(script):
    lines = run_small(script, *(["--latency-ms", "20"] if script == "extraction_wall" else []))
    assert lines, f"bench/{script}.py printed no BENCH line"
    names = set()
    for line in lines:
        match = LINE.match(line)
        assert match, f"malformed: {line}"
        names.add(match["name"])
        if match["ratio"] is not None:
            assert float(match["ratio"]) > 0 and float(match["target"]) > 0, line
            if "violations" not in match["name"]:
                # both sides of a ratio are positive measurements
                values = [float(v.replace(",", "")) for v in NUMBER.findall(match["text"])]
                assert values and all(v >= 0 for v in values), line
                assert sum(v > 0 for v in values) >= 2, line
    assert EXPECTED[script] <= names, f"missing figures: {EXPECTED[script] - names}"


def test_runner_skips_a_missing_script_and_fails_on_a_missed_target(tmp_path, monkeypatch):
    import run_all

    assert run_all.main(["--only", "no_such_bench"]) == 0
    failing = tmp_path / "failing.py"
    failing.write_text(
        "print('BENCH demo_ratio: a 2 s vs b 1 s = 2.00x (target <= 1.40x) FAIL')\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(run_all, "HERE", tmp_path)
    log = tmp_path / "lines.txt"
    assert run_all.main(["--only", "failing", "--log", str(log)]) == 1
    assert log.read_text(encoding="utf-8").startswith("BENCH demo_ratio:")
