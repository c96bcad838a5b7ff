"""The nightly steps as plain functions: the DAG, the CLI and the tests all call these.

plan -> extract (one call per account, in parallel) -> load -> transform (dbt build)
     -> validate (Great Expectations gate) -> publish (atomic swap)
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from messbar.config import Account, Business, Config, load_config
from messbar.runlock import locked

if TYPE_CHECKING:
    from extractors.core.job import ExtractJob

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO_ROOT / "dbt_project"
DBT_FILE_LOG_LEVEL = "info"  # dbt.log without the SQL statements (see dbt_env)
SUITES_DIR = REPO_ROOT / "expectations" / "suites"


class GateFailed(RuntimeError):
    """The quality gate failed: nothing was published."""


class TransformFailed(RuntimeError):
    """dbt build failed: nothing was published."""


def _config(config: Config | str | os.PathLike[str] | None) -> Config:
    return config if isinstance(config, Config) else load_config(config)


def local_date(logical: datetime | date | str, timezone: str) -> date:
    """The business's calendar day a run is for (its logical date in the business's zone)."""
    if isinstance(logical, str):
        logical = datetime.fromisoformat(logical)
    if isinstance(logical, datetime):
        if logical.tzinfo is None:
            logical = logical.replace(tzinfo=UTC)
        return logical.astimezone(ZoneInfo(timezone)).date()
    return logical


def plan(config: Config | str | None, logical: datetime | date | str, run_id: str) -> list[dict]:
    """One job per account: its window follows from the run's logical date, never from now()."""
    from loader.load import read_state

    cfg = _config(config)
    state = read_state(cfg.warehouse_path)
    return [
        job_for(
            cfg,
            business,
            account,
            logical_date=local_date(logical, business.timezone),
            run_id=run_id,
            landing_dir=str(cfg.landing_dir),
            state=state.get((account.network, account.account_id), {}),
        ).to_dict()
        for business in cfg.businesses
        for account in business.accounts
    ]


def job_for(
    cfg: Config,
    business: Business,
    account: Account,
    *,
    logical_date: date,
    run_id: str,
    landing_dir: str,
    state: dict[str, str] | None = None,
) -> ExtractJob:
    """The extraction job of one configured account (the nightly plan, ``messbar check``)."""
    from extractors.core.job import ExtractJob

    settings = cfg.networks[account.network]
    return ExtractJob(
        network=account.network,
        business=business.slug,
        account_id=account.account_id,
        token_ref=account.token_ref,
        base_url=settings.base_url,
        timezone=business.timezone,
        logical_date=logical_date,
        run_id=run_id,
        landing_dir=landing_dir,
        state=state or {},
        options={
            **settings.options,
            **({"csv": account.csv_path} if account.csv_path else {}),
        },
    )


def extract(job: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    from extractors.core.job import ExtractJob
    from extractors.core.runner import run_job

    return run_job(ExtractJob.from_dict(job), **kwargs)


@locked("load")
def load(config: Config | str | None, *, today: date | None = None) -> dict[str, Any]:
    """Load pending landing files, the owner's inputs, then the privacy step (comment-text
    retention up to ``today``, default the real today; erased users' comments fetched again)."""
    from loader.inputs.load import load_inputs
    from loader.load import load as load_raw
    from messbar.privacy import enforce_privacy

    cfg = _config(config)
    loaded = load_raw(cfg.warehouse_path, cfg.landing_dir, cfg).as_dict()
    inputs = load_inputs(cfg.warehouse_path, cfg).as_dict()
    return {**loaded, "inputs": inputs, "privacy": enforce_privacy(cfg, today)}


def dbt_env(cfg: Config) -> dict[str, str]:
    """Environment of every dbt command messbar runs.

    dbt's file log (``<data_dir>/dbt/logs/dbt.log``) is kept at ``info``: each node's start,
    result and error, where dbt's default ``debug`` adds every SQL statement with its timing.
    Writing those lines took about 4 s of a 20 s nightly build on a copy whose log had grown to
    1.4 MB (threads take turns at one file handle, flushed and checked for rotation per line);
    the SQL of every node is in ``target/run/`` anyway.
    ``DBT_LOG_LEVEL_FILE=debug`` in the environment brings the statements back."""
    return {
        "MESSBAR_WAREHOUSE": str(cfg.warehouse_path),
        "DBT_TARGET_PATH": str(cfg.data_dir / "dbt" / "target"),
        "DBT_LOG_PATH": str(cfg.data_dir / "dbt" / "logs"),
        "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE") or DBT_FILE_LOG_LEVEL,
    }


def dbt_vars() -> str:
    """The ``--vars`` of every dbt run, from the network registry. Always the same text: dbt
    parses the whole project again whenever the vars change."""
    import json

    from extractors.registry import NETWORKS

    manual = [slug for slug, spec in NETWORKS.items() if spec.provenance == "manual"]
    return json.dumps({"enabled_networks": list(NETWORKS), "manual_networks": manual})


@locked("transform")
def transform(
    config: Config | str | None,
    *,
    select: list[str] | None = None,
    full_refresh: bool = False,
    unit_tests: bool | None = None,
    data_tests: bool = True,
) -> dict[str, Any]:
    """One ``dbt build`` (models and data tests) on the working warehouse.

    The staging models are incremental: a nightly run parses only the raw rows loaded since
    the last build. ``full_refresh`` rebuilds every model from all raw rows (after changing a
    model's SQL, or to repair); unit tests run then (``unit_tests`` None) but not nightly,
    because they test the SQL, which a nightly run does not change (``data_tests=False`` leaves
    out the data tests too, for tests that only compare builds). Arguments and ``--vars``
    are the same on every run and the target folder is stable, so dbt skips parsing when no
    project file changed.

    dbt runs in its own process: dbt-duckdb keeps its connection open for the life of the
    process, which would block the gate and publish steps when all run in one process."""
    import json
    import subprocess
    import sys

    cfg = _config(config)
    env = dbt_env(cfg)
    from messbar.privacy import pseudonym_env

    env.update(pseudonym_env(cfg))  # only when the key is a conn: or another variable
    target = Path(env["DBT_TARGET_PATH"])
    args = [
        sys.executable,
        "-m",
        "messbar.dbt_build",  # dbt's CLI without manifest.json (see that module)
        "build",
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(target),
        "--log-path",
        env["DBT_LOG_PATH"],
    ]
    if select:
        args += ["--select", *select]
    if full_refresh:
        args.append("--full-refresh")
    excluded = [] if data_tests else ["test"]
    if not (full_refresh if unit_tests is None else unit_tests):
        excluded.append("unit_test")
    if excluded:
        args += ["--exclude-resource-type", *excluded]
    args += ["--vars", dbt_vars()]
    (target / "run_results.json").unlink(missing_ok=True)
    proc = subprocess.run(
        args, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    log.info("dbt build output:\n%s", proc.stdout[-20000:])
    results = []
    if (target / "run_results.json").exists():
        results = json.loads((target / "run_results.json").read_text())["results"]
    failures = [
        f"{r['unique_id']}: {(r.get('message') or r['status']).strip()}"
        for r in results
        if r["status"] in {"error", "fail"}
    ]
    if proc.returncode != 0:
        detail = "; ".join(failures[:10]) or proc.stdout[-2000:] + proc.stderr[-2000:]
        raise TransformFailed(
            f"dbt build failed ({len(failures)} node(s)); nothing was published: {detail}. "
            f"Full log: {env['DBT_LOG_PATH']}/dbt.log (every SQL statement with "
            f"DBT_LOG_LEVEL_FILE=debug); each node's SQL: {env['DBT_TARGET_PATH']}/run/"
        )
    return {"nodes": len(results), "warnings": sum(r["status"] == "warn" for r in results)}


def quality_dir(cfg: Config) -> Path:
    return cfg.published_path.parent / "quality"


def validate(
    config: Config | str | None,
    logical: datetime | date | str | None = None,
    *,
    run_id: str | None = None,
    all_rows: bool = False,
) -> dict:
    """Run the Great Expectations gate inside DuckDB; raise :class:`GateFailed` on failure.

    Freshness and future state are judged against the run's ``logical`` date (the latest local
    day of the businesses; today when None); the loaded volume of ``run_id`` (else the newest
    run of each network) against the median of the previous runs. The summary, warnings
    included, goes to the task log; ``result.json`` and Data Docs go next to the published file.

    The append-only raw tables of the networks are checked on the rows loaded since the last
    passing gate (``gate_marks``); everything else, and with ``all_rows`` every row, whole.
    """
    from expectations.runner import validate as run_gate

    cfg = _config(config)
    params: dict[str, Any] = {"max_fetched_at": datetime.now(UTC).isoformat()}
    if logical is not None:
        zones = {b.timezone for b in cfg.businesses} or {"UTC"}
        params["logical_date"] = max(local_date(logical, zone) for zone in zones).isoformat()
    if run_id:
        params["run_id"] = run_id
    marks = None if all_rows else read_gate_marks(cfg)
    result = run_gate(
        cfg.warehouse_path,
        SUITES_DIR,
        out_dir=quality_dir(cfg),
        params=params,
        checked_through=marks,
    )
    if not result.success:
        log.error("%s", result.summary())
        raise GateFailed(
            "Quality gate failed; the published file was left unchanged.\n" + result.summary()
        )
    (log.warning if result.warnings else log.info)("%s", result.summary())
    write_gate_marks(cfg, {**(marks or {}), **result.checked_through}, run_id)
    return {
        "success": True,
        "out_dir": str(quality_dir(cfg)),
        "warnings": [w.describe() for w in result.warnings],
    }


def gate_marks_path(cfg: Config) -> Path:
    """Per append-only raw table, the newest ``_loaded_at`` a passing gate has checked."""
    return cfg.warehouse_path.with_name(cfg.warehouse_path.stem + ".gate.json")


def read_gate_marks(cfg: Config) -> dict[str, str] | None:
    """The marks of the last passing gate on this warehouse; None (check every row) when
    there are none, they belong to another warehouse file, or the file cannot be read."""
    import json

    path = gate_marks_path(cfg)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        marks = document["checked_through"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("ignoring %s (%s): the gate checks every row this time", path, error)
        return None
    if document.get("warehouse") != str(cfg.warehouse_path) or not isinstance(marks, dict):
        return None
    return {str(name): str(value) for name, value in marks.items()}


def write_gate_marks(cfg: Config, marks: dict[str, str], run_id: str | None) -> None:
    from loader.publish import write_json_durably

    document = {
        "warehouse": str(cfg.warehouse_path),
        "run_id": run_id,
        "passed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "checked_through": dict(sorted(marks.items())),
    }
    write_json_durably(gate_marks_path(cfg), document)


@locked("publish")
def publish(config: Config | str | None, run_id: str) -> dict[str, Any]:
    from loader.publish import publish as swap_in

    cfg = _config(config)
    return swap_in(cfg.warehouse_path, cfg.published_path, run_id=run_id)


def report(config: Config | str | None, published: Path | None = None) -> dict[str, Any]:
    """Write the owner reports (one HTML file per business) from the published file; called
    after a successful publish. The published file is already swapped in when this runs, so
    a failure here leaves the data published and only the reports stale."""
    from report import write_reports

    cfg = _config(config)
    paths = write_reports(cfg, published)
    return {"reports": [str(p) for p in paths]}


@locked("run", wait_seconds=0)  # a second run while one is active is refused at once
def run_nightly(
    config: Config | str | None, logical: datetime | date | str, run_id: str | None = None
) -> dict[str, Any]:
    """All steps in one process (CLI and tests); the DAG runs the same steps as tasks.
    A failure is reported through ``messbar.notify`` (e-mail when configured), then raised."""
    cfg = _config(config)
    run_id = run_id or f"cli__{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    step = "plan"
    try:
        jobs = plan(cfg, logical, run_id)
        step = "extract"
        summaries = [extract(job) for job in jobs]
        step = "load"
        loaded = load(cfg)
        step = "transform"
        built = transform(cfg)
        step = "validate"
        checked = validate(cfg, logical, run_id=run_id)
        step = "publish"
        published = publish(cfg, run_id)
        step = "report"
        reported = report(cfg)
    except Exception as exc:
        from messbar.notify import notify_failure

        notify_failure(cfg, exc, step=step, run_id=run_id)
        raise
    return {
        "extract": summaries,
        "load": loaded,
        "transform": built,
        "validate": checked,
        "publish": published,
        "report": reported,
    }
