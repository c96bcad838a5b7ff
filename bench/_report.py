"""The one output format of every benchmark in bench/ (see bench/README.md).

A figure with a target is one line

    BENCH load_vs_read_json: messbar 3.21 s vs read_json 2.74 s = 1.17x (target <= 1.40x) PASS

and a figure without a target (calls per network, dollars, peak memory) is one line ending in
``(info)``. ``make bench`` greps these lines and fails when any ends in ``FAIL``.
"""

from __future__ import annotations

import os
import re
import statistics
import sys

LINE = re.compile(
    r"^BENCH (?P<name>[a-z0-9_]+): (?P<text>.+?)"
    r"(?: = (?P<ratio>\d+(?:\.\d+)?)x \(target <= (?P<target>\d+(?:\.\d+)?)x\) "
    r"(?P<verdict>PASS|FAIL)| \(info\))$"
)

_failed: list[str] = []


def scale(default: str = "default") -> str:
    """``BENCH_SCALE``: ``small`` (seconds, for the smoke test) or ``default``."""
    value = os.environ.get("BENCH_SCALE", default).strip().lower() or default
    if value not in ("small", "default"):
        raise SystemExit(f"BENCH_SCALE must be 'small' or 'default', not {value!r}")
    return value


def fmt(value: float, unit: str = "") -> str:
    """A number with three significant digits (no scientific notation) and its unit."""
    if value == 0:
        text = "0"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    elif abs(value) >= 0.01:
        text = f"{value:.2f}"
    else:
        text = f"{value:.4f}"
    return f"{text} {unit}".rstrip()


def ratio(
    name: str,
    measured: tuple[str, float],
    reference: tuple[str, float],
    *,
    target: float,
    unit: str = "",
    note: str = "",
) -> bool:
    """Print ``measured / reference`` against ``<= target``; return whether it passed."""
    label, value = measured
    ref_label, ref_value = reference
    factor = value / ref_value if ref_value else float("inf")
    passed = factor <= target
    text = f"{label} {fmt(value, unit)} vs {ref_label} {fmt(ref_value, unit)}"
    if note:
        text += f" [{note}]"
    verdict = "PASS" if passed else "FAIL"
    emit(f"BENCH {name}: {text} = {factor:.2f}x (target <= {target:.2f}x) {verdict}")
    if not passed:
        _failed.append(name)
    return passed


def zero(name: str, text: str, count: int) -> bool:
    """A count that must be zero (rate-limit violations), in the same line format: the factor is
    ``count + 1`` against a target of 1.00x, so 0 reads ``1.00x ... PASS``."""
    passed = count == 0
    verdict = "PASS" if passed else "FAIL"
    emit(f"BENCH {name}: {text} {count} = {count + 1:.2f}x (target <= 1.00x) {verdict}")
    if not passed:
        _failed.append(name)
    return passed


def info(name: str, text: str) -> None:
    emit(f"BENCH {name}: {text} (info)")


def emit(line: str) -> None:
    assert LINE.match(line), f"not a BENCH line: {line}"
    print(line, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def exit_code() -> int:
    """0 when every target passed, 1 otherwise (call last: ``sys.exit(exit_code())``)."""
    if _failed:
        print(f"targets missed: {', '.join(_failed)}", file=sys.stderr)
    return 1 if _failed else 0
