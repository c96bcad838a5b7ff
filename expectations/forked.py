"""Run independent jobs in forked worker processes, handed out one at a time.

Why not ``multiprocessing`` or ``concurrent.futures``: inside an Airflow task started by a
Celery worker the task process counts as a daemon, and the standard library refuses to start
children from a daemon ("daemonic processes are not allowed to have children"). Plain
``os.fork`` has no such rule. A worker is forked after the caller has imported what the jobs
need (Great Expectations), so it does not import it again.

Protocol, one pair of pipes per worker: the parent writes a job number (``-1``: stop), the
worker answers with one length-prefixed pickle, ``("ok", value)`` or ``("error", text)``.
A worker that exits without answering, or answers with an error, stops the whole run with an
error naming the job; the other workers are stopped and reaped, none is left behind.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import selectors
import struct
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

State = TypeVar("State")
_HEADER = struct.Struct("!q")


class WorkerFailed(RuntimeError):
    """A forked worker raised, or exited before answering."""


def run_forked(
    jobs: Sequence[Any],
    run: Callable[[State, Any], Any],
    *,
    workers: int,
    start: Callable[[], State],
) -> list[Any]:
    """``[run(state, job) for job in jobs]``, computed by ``workers`` forked processes; each
    makes its ``state = start()`` before its first job. Results come back in the order of
    ``jobs``."""
    results: dict[int, Any] = {}
    pending = iter(range(len(jobs)))
    children: dict[int, tuple[int, int, int]] = {}  # answer fd -> (pid, order fd, job)
    selector = selectors.DefaultSelector()
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        for _ in range(max(1, min(workers, len(jobs)))):
            order_r, order_w = os.pipe()
            answer_r, answer_w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker: never returns
                os.close(order_w)
                os.close(answer_r)
                for inherited_answer, (_, inherited_order, _) in children.items():
                    os.close(inherited_answer)
                    os.close(inherited_order)
                _serve(order_r, answer_w, jobs, run, start)
            os.close(order_r)
            os.close(answer_w)
            children[answer_r] = (pid, order_w, -1)
            selector.register(answer_r, selectors.EVENT_READ)
            _hand_out(children, answer_r, pending)
        while any(job >= 0 for _, _, job in children.values()):
            for key, _ in selector.select():
                fd = key.fd
                pid, _, job = children[fd]
                message = _read_message(fd)
                if message is None:
                    raise WorkerFailed(
                        f"gate worker {pid} exited while checking job {job} ({jobs[job]!r}); "
                        "its log above says why (out of memory, killed)"
                    )
                status, value = message
                if status != "ok":
                    raise WorkerFailed(f"gate worker {pid} failed on {jobs[job]!r}:\n{value}")
                results[job] = value
                _hand_out(children, fd, pending)
    finally:
        for fd, (pid, order_w, _) in children.items():
            with contextlib.suppress(OSError):  # a worker that is already gone
                os.write(order_w, _HEADER.pack(-1))
            os.close(order_w)
            selector.unregister(fd)
            os.close(fd)
            os.waitpid(pid, 0)
        selector.close()
    return [results[i] for i in range(len(jobs))]


def _hand_out(children: dict[int, tuple[int, int, int]], fd: int, pending: Any) -> None:
    pid, order_w, _ = children[fd]
    job = next(pending, -1)
    children[fd] = (pid, order_w, job)
    if job >= 0:
        os.write(order_w, _HEADER.pack(job))


def _serve(
    order_r: int,
    answer_w: int,
    jobs: Sequence[Any],
    run: Callable[[State, Any], Any],
    start: Callable[[], State],
) -> None:
    code = 0
    try:
        state: list[State] = []  # made before the first job
        while True:
            header = _read_exactly(order_r, _HEADER.size)
            if header is None:
                break
            (job,) = _HEADER.unpack(header)
            if job < 0:
                break
            try:
                if not state:
                    state.append(start())
                message: tuple[str, Any] = ("ok", run(state[0], jobs[job]))
            except BaseException:  # reported to the parent, which raises it
                message = ("error", traceback.format_exc())
            body = pickle.dumps(message)
            _write_all(answer_w, _HEADER.pack(len(body)) + body)
    except BaseException:
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # no atexit handlers or inherited cleanups of the parent


def _read_message(fd: int) -> tuple[str, Any] | None:
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    body = _read_exactly(fd, _HEADER.unpack(header)[0])
    return None if body is None else pickle.loads(body)  # noqa: S301 - our own child's answer


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
