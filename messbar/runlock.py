"""One messbar writer at a time per data directory, outside Airflow too.

An ``fcntl.flock`` on ``<data_dir>/messbar.lock``: the kernel releases it when the holding
process ends, however it ends (crash, SIGKILL, reboot), so a stale lock cannot block the next
run; the file's text (pid, step, start time) is only for the error message. A second
``messbar run`` is refused at once; a single step (an Airflow task, a CLI step) waits a
while for a running step to finish. Re-entrant within one process: ``run_nightly`` holds the
lock and the steps it calls pass through.
"""

from __future__ import annotations

import fcntl
import functools
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from messbar.config import Config

LOCK_NAME = "messbar.lock"
STEP_WAIT_SECONDS = 60.0

_held: dict[str, int] = {}  # lock path -> nesting depth in this process
F = TypeVar("F", bound=Callable[..., Any])


class RunLocked(RuntimeError):
    """Another messbar run or step holds the data directory."""


def lock_path(cfg: Config) -> Path:
    return cfg.data_dir / LOCK_NAME


@contextmanager
def run_lock(
    cfg: Config,
    what: str,
    *,
    wait_seconds: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[None]:
    """Hold the data directory's run lock for ``what``; raise :class:`RunLocked` if another
    process holds it for longer than ``wait_seconds``."""
    path = lock_path(cfg)
    key = str(path)
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        delay = 0.2
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = path.read_text(encoding="utf-8", errors="replace").strip()
                    raise RunLocked(
                        f"Another messbar run is active on {cfg.data_dir} ({holder or 'unknown'}"
                        f"); {what} was not started. Wait until it has finished and start "
                        f"again. The lock ({path}) ends with its process, even after a crash: "
                        "if no messbar process is running, just start again."
                    ) from None
                sleep(delay)
                delay = min(delay * 2, 5.0)
        os.ftruncate(fd, 0)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.pwrite(fd, f"pid {os.getpid()}, {what}, since {started}\n".encode(), 0)
        _held[key] = 1
        try:
            yield
        finally:
            _held.pop(key, None)
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def locked(what: str, *, wait_seconds: float = STEP_WAIT_SECONDS) -> Callable[[F], F]:
    """Decorate a step ``fn(config, ...)`` to run under the run lock."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(config: Any, *args: Any, **kwargs: Any) -> Any:
            from messbar.config import Config, load_config

            cfg = config if isinstance(config, Config) else load_config(config)
            with run_lock(cfg, what, wait_seconds=wait_seconds):
                return fn(cfg, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
