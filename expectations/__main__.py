"""``python -m expectations <database> [--out DIR] [--param k=v ...]``.

Prints the gate summary; exits 0 when the gate passes, 1 when it fails or cannot run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from expectations.runner import SUITES_DIR, validate


def _param(text: str) -> tuple[str, Any]:
    """``name=value``; the value is read as JSON when it parses (``8``, ``true``), else text."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected name=value, got {text!r}")
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m expectations", description="Run the Great Expectations quality gate."
    )
    parser.add_argument("database", type=Path, help="DuckDB file to validate (opened read-only)")
    parser.add_argument("--out", type=Path, help="write result.json and data_docs/ here")
    parser.add_argument("--suites", type=Path, default=SUITES_DIR, help="suites directory")
    parser.add_argument(
        "--table", action="append", dest="tables", help="validate only this suite (repeatable)"
    )
    parser.add_argument(
        "--param", action="append", type=_param, default=[], help="suite parameter name=value"
    )
    args = parser.parse_args(argv)
    try:
        result = validate(
            args.database,
            args.suites,
            out_dir=args.out,
            tables=args.tables,
            params=dict(args.param),
        )
    except (FileNotFoundError, ValueError) as error:
        print(f"Quality gate could not run: {error}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
