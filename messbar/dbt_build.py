"""``python -m messbar.dbt_build <dbt arguments>``: dbt's command line, writing run_results.json
but not manifest.json, and ending its process without Python's slow teardown.

``pipeline.transform`` runs its ``dbt build`` through this module. dbt's own command line
writes the whole manifest (1.7 MB of JSON for this project) twice per run, before and after
the build (1.3 s of a run under cProfile on the benchmark machine), for a file nothing in a
nightly run reads. Here dbt runs with ``--no-write-json`` and only the run's results are
written, to ``<target-path>/run_results.json``, where ``transform`` reads the failing nodes.
Partial parsing keeps working (it reads ``partial_parse.msgpack``, which dbt still writes);
``dbt parse`` or ``dbt docs generate`` write ``manifest.json`` for tools that want it.

After the build the warehouse is closed (DuckDB checkpoints it: no WAL is left beside the
file), the log handlers and standard streams are flushed, and the process ends with
``os._exit``: Python's own teardown of dbt's parsed project and modules took 0.6–1.0 s of a
nightly run on the benchmark machine and does nothing the next step needs.

Exit codes are dbt's: 0 success, 1 a node failed, 2 dbt itself failed.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if "--target-path" not in argv:
        print(
            "messbar.dbt_build: pass --target-path (run_results.json goes there)", file=sys.stderr
        )
        return 2
    target = Path(argv[argv.index("--target-path") + 1])
    from dbt.cli.main import dbtRunner

    outcome = dbtRunner().invoke([*argv, "--no-write-json"])
    result = outcome.result
    if hasattr(result, "write"):  # a run's results (not for a command that failed to start)
        target.mkdir(parents=True, exist_ok=True)
        result.write(str(target / "run_results.json"))
    if outcome.success:
        return 0
    return 1 if outcome.exception is None else 2


def close_warehouse() -> None:
    """Close the DuckDB instance dbt-duckdb keeps for the life of the process (it would close
    at interpreter exit, which ``os._exit`` skips)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    try:
        environment = DuckDBConnectionManager.env()
    except Exception:  # no environment: dbt never connected
        return
    environment.close()
    DuckDBConnectionManager.close_all_connections()


def finish(code: int) -> None:
    """End the process with ``code`` once everything it wrote is on disk."""
    if "dbt.adapters.duckdb.connections" in sys.modules:
        close_warehouse()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    finish(main(sys.argv[1:]))
