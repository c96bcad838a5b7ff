"""expectations.forked: jobs in forked workers, also where the standard library refuses
(a daemon process, as an Airflow task under a Celery worker is)."""

from __future__ import annotations

import multiprocessing
import os

import psutil
import pytest

from expectations.forked import WorkerFailed, run_forked


def _no_state() -> None:
    return None


def _square_with_pid(_: None, n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def _fails_on_three(_: None, n: int) -> int:
    if n == 3:
        raise ValueError("three is not allowed")
    return n


def _dies_on_two(_: None, n: int) -> int:
    if n == 2:
        os._exit(7)
    return n


def test_results_keep_the_order_of_the_jobs_and_use_every_worker() -> None:
    started = psutil.Process().children()
    results = run_forked(list(range(20)), _square_with_pid, workers=3, start=_no_state)

    assert [square for square, _ in results] == [n * n for n in range(20)]
    assert len({pid for _, pid in results}) == 3
    assert os.getpid() not in {pid for _, pid in results}
    assert psutil.Process().children() == started  # every worker reaped


def test_start_runs_once_in_each_worker_before_its_first_job() -> None:
    seen: list[int] = []

    def start() -> int:
        seen.append(os.getpid())  # the worker's copy of the list
        return os.getpid()

    def job(state: int, _: int) -> tuple[int, list[int]]:
        return state, list(seen)

    results = run_forked(list(range(6)), job, workers=2, start=start)
    assert all(started == [state] for state, started in results)
    assert seen == []  # the parent never ran it


def test_a_failing_job_stops_the_run_naming_the_job_and_the_error() -> None:
    started = psutil.Process().children()
    with pytest.raises(WorkerFailed, match=r"failed on 3:(.|\n)*ValueError: three is not"):
        run_forked(list(range(8)), _fails_on_three, workers=2, start=_no_state)
    assert psutil.Process().children() == started


def test_a_worker_that_exits_without_answering_is_an_error() -> None:
    with pytest.raises(WorkerFailed, match=r"exited while checking job 2"):
        run_forked(list(range(5)), _dies_on_two, workers=2, start=_no_state)


def _in_daemon(queue: multiprocessing.Queue) -> None:
    results = run_forked([1, 2, 3], _square_with_pid, workers=2, start=_no_state)
    queue.put([square for square, _ in results])


def test_workers_start_inside_a_daemon_process() -> None:
    queue: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
    daemon = multiprocessing.get_context("fork").Process(
        target=_in_daemon, args=(queue,), daemon=True
    )
    daemon.start()
    assert queue.get(timeout=60) == [1, 4, 9]
    daemon.join(timeout=60)
    assert daemon.exitcode == 0
