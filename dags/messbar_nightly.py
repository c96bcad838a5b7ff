"""Nightly messbar run: extract every account (mapped), load, dbt build, gate, publish, report.

Thin by design: each task calls one step of ``messbar.pipeline``; no I/O at import time.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from _shared.constants import (
    API_POOL,
    SCHEDULE_CRON,
    SCHEDULE_TIMEZONE,
    WRITER_POOL,
)
from airflow.sdk import dag, get_current_context, task
from airflow.timetables.trigger import CronTriggerTimetable


def _report_failure(context) -> None:
    """Tell the owner what broke (messbar.notify: e-mail when the config has ``alerts:``)."""
    from messbar.notify import on_task_failure

    on_task_failure(context)


DEFAULT_ARGS = {
    "owner": "messbar",
    "on_failure_callback": _report_failure,  # after the last retry of any task
    # the demo and the tests set MESSBAR_TASK_RETRIES=0 so a failure shows at once
    "retries": int(os.environ.get("MESSBAR_TASK_RETRIES", "2")),
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(hours=1),
}


@dag(
    dag_id="messbar_nightly",
    schedule=CronTriggerTimetable(SCHEDULE_CRON, timezone=SCHEDULE_TIMEZONE),
    start_date=datetime(2026, 1, 1, tzinfo=ZoneInfo(SCHEDULE_TIMEZONE)),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["messbar"],
    doc_md=__doc__,
)
def messbar_nightly():
    @task
    def plan(**context) -> list[dict]:
        from messbar import pipeline

        return pipeline.plan(None, context["logical_date"], context["run_id"])

    @task(pool=API_POOL, map_index_template="{{ account_label }}")
    def extract(job: dict) -> dict:
        from messbar import pipeline

        get_current_context()["account_label"] = f"{job['network']}:{job['account_id']}"
        return pipeline.extract(job)

    @task(pool=WRITER_POOL)
    def load(summaries: list[dict]) -> dict:
        from messbar import pipeline

        return pipeline.load(None)

    @task(pool=WRITER_POOL)
    def transform(loaded: dict) -> dict:
        from messbar import pipeline

        return pipeline.transform(None)

    @task(pool=WRITER_POOL)
    def validate(built: dict, **context) -> dict:
        from messbar import pipeline

        return pipeline.validate(None, context["logical_date"], run_id=context["run_id"])

    @task(pool=WRITER_POOL)
    def publish(checked: dict, **context) -> dict:
        from messbar import pipeline

        return pipeline.publish(None, context["run_id"])

    @task  # reads the published file only: no writer pool
    def report(published: dict) -> dict:
        from messbar import pipeline

        return pipeline.report(None)

    summaries = extract.expand(job=plan())
    report(publish(validate(transform(load(summaries)))))


messbar_nightly()
