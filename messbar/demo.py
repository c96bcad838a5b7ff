"""``make demo``: start the sandbox, run the real nightly DAG through Airflow for the demo
businesses, print a short KPI table and where the published file is."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from messbar.pipeline import REPO_ROOT

if TYPE_CHECKING:
    from messbar.config import Config

DEMO_CONFIG = REPO_ROOT / "config" / "demo.yml"
DEMO_TOKEN = "sandbox-demo-token"  # the sandbox's own demo token, not a secret


@contextmanager
def sandbox_process(now: datetime, url_file: Path):
    """Run ``python -m sandbox serve`` on a free port for the duration of the block."""
    url_file.unlink(missing_ok=True)
    url_file.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "serve",
            "--port",
            "0",
            "--now",
            now.isoformat(),
            "--url-file",
            str(url_file),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not url_file.exists() or not url_file.read_text().strip():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the sandbox did not start; run `python -m sandbox serve`.")
            time.sleep(0.1)
        yield url_file.read_text().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def demo_logical_date(today: datetime | None = None) -> datetime:
    """Today 03:00 in Berlin: the moment the nightly schedule would fire."""
    berlin = ZoneInfo("Europe/Berlin")
    day = (today or datetime.now(berlin)).astimezone(berlin).date()
    return datetime.combine(day, dtime(3), tzinfo=berlin).astimezone(UTC)


def dag_run_succeeded(output: str) -> bool:
    """``airflow dags test`` exits 0 even when a task failed; read the run's final state."""
    return re.search(r"DagRun Finished: .*state=success", output) is not None


def kpi_table(published: Path) -> str:
    import duckdb

    con = duckdb.connect(str(published), read_only=True)
    try:
        rows = con.execute(
            """
            with posts as (
                select account_key, count(*) as posts, sum(views) as views,
                       sum(engagements) as engagements
                from marts.fct_posts group by account_key
            ),
            latest as (
                select account_key, arg_max(followers, account_date) as followers
                from marts.fct_account_daily where followers is not null group by account_key
            )
            select a.business, a.platform, coalesce(p.posts, 0), p.views, p.engagements,
                   round(100 * p.engagements / nullif(p.views, 0), 2), l.followers
            from marts.dim_accounts a
            left join posts p using (account_key)
            left join latest l using (account_key)
            order by a.business, a.platform
            """
        ).fetchall()
    finally:
        con.close()
    header = ("business", "platform", "posts", "post views", "engagements", "eng. %", "followers")
    table = [header, *[tuple("" if v is None else str(v) for v in r) for r in rows]]
    widths = [max(len(str(r[i])) for r in table) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def insights_summary(published: Path) -> str:
    """Two lines the owner cares about: does it pay off, and was there trouble?"""
    import duckdb

    con = duckdb.connect(str(published), read_only=True)
    try:
        verdicts = con.execute(
            """
            select business,
                   arg_min(
                       activity_platform || ' ' || activity_measure || ' -> ' || outcome_metric
                       || ' after ' || lag_weeks || ' week(s), adjusted p = '
                       || printf('%.1e', p_value_adjusted), p_value_adjusted
                   ) filter (where verdict = 'effect detected') as best,
                   list(distinct verdict order by verdict) as verdicts
            from marts.outcome_linkage group by business order by business
            """
        ).fetchall()
        alerts = con.execute(
            "select business, alert_date, severity, len(comment_keys) "
            "from marts.reputation_alerts order by alert_date"
        ).fetchall()
    finally:
        con.close()
    lines = ["Does it pay off? (marts.outcome_linkage)"]
    for business, best, all_verdicts in verdicts:
        said = f"effect detected: {best}" if best else " / ".join(all_verdicts)
        lines.append(f"  {business}: {said}")
    lines.append("Reputation alerts (marts.reputation_alerts)")
    lines += [f"  {b}: {d} {sev}, {n} negative comments" for b, d, sev, n in alerts] or ["  none"]
    return "\n".join(lines)


def report_paths(cfg: Config) -> str:
    """The owner report of each business (written by the DAG's ``report`` task)."""
    from report import latest_path

    lines = ["\nOwner reports (open in a browser; print to PDF from there):"]
    for business in cfg.businesses:
        path = latest_path(cfg.published_path, business.slug)
        state = "" if path.is_file() else "  (missing: see the Airflow log)"
        lines.append(f"  {business.slug}: {path}{state}")
    return "\n".join(lines)


def main() -> int:
    from messbar.airflow_local import airflow_env, dags_test, prepare
    from messbar.config import load_config

    logical = demo_logical_date()
    data_dir = Path(os.environ.get("MESSBAR_DATA_DIR", REPO_ROOT / "data"))
    home = REPO_ROOT / ".airflow"
    print(f"messbar demo: nightly run for {logical.isoformat()} on the bundled sandbox")
    with sandbox_process(logical, data_dir / "sandbox.url") as url:
        env = airflow_env(
            home,
            {
                "MESSBAR_CONFIG": str(DEMO_CONFIG),
                "MESSBAR_SANDBOX_URL": url,
                "MESSBAR_SANDBOX_TOKEN": DEMO_TOKEN,
                # demo-only pseudonym key; a real deployment sets its own secret
                "MESSBAR_PSEUDONYM_KEY": os.environ.get(
                    "MESSBAR_PSEUDONYM_KEY", "messbar-demo-pseudonym-key-not-a-secret"
                ),
                "MESSBAR_DATA_DIR": str(data_dir),
            },
        )
        prepare(home, env)
        started = time.monotonic()
        proc = dags_test(env, logical.isoformat())
        (home / "last_demo_run.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
        if proc.returncode != 0 or not dag_run_succeeded(proc.stdout + proc.stderr):
            print(proc.stdout[-4000:] + proc.stderr[-4000:], file=sys.stderr)
            print(f"\nThe DAG run failed; full log: {home / 'last_demo_run.log'}", file=sys.stderr)
            return 1
    os.environ["MESSBAR_DATA_DIR"] = str(data_dir)
    cfg = load_config(DEMO_CONFIG)
    print(f"DAG run finished in {time.monotonic() - started:.0f}s.\n")
    print(kpi_table(cfg.published_path))
    print()
    print(insights_summary(cfg.published_path))
    print(f"\nPublished DuckDB file (open it read-only from your BI tool): {cfg.published_path}")
    print(f"Quality gate report: {cfg.published_path.parent / 'quality'}")
    print(f"Airflow log of this run: {home / 'last_demo_run.log'}")
    print(report_paths(cfg))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
