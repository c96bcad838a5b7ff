"""Rolling-window call counters behind the Graph usage headers (percent of a budget)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

APP_KEY = "__app__"


@dataclass(frozen=True)
class Usage:
    calls: int  # calls in the window, this one included
    budget: int
    regain_seconds: float  # until the oldest call leaves the window

    @property
    def call_percent(self) -> int:
        return min(100, math.floor(self.calls * 100 / self.budget))

    @property
    def cputime_percent(self) -> int:
        return min(100, math.floor(self.calls * 60 / self.budget))

    @property
    def time_percent(self) -> int:
        return min(100, math.floor(self.calls * 80 / self.budget))

    @property
    def exhausted(self) -> bool:
        return self.calls > self.budget


class UsageMeter:
    """Counts calls per key (the app, or a Page id) within a rolling window of real time."""

    def __init__(
        self,
        *,
        app_budget: int = 2000,
        page_budget: int = 4800,
        window_seconds: float = 3600.0,
        enforce: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app_budget = app_budget
        self.page_budget = page_budget
        self.window_seconds = window_seconds
        self.enforce = enforce
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: dict[str, deque[float]] = {}

    def record(self, key: str) -> Usage:
        """Count one call against ``key`` and return the usage including it."""
        with self._lock:
            return self._usage(key, add=True)

    def peek(self, key: str) -> Usage:
        with self._lock:
            return self._usage(key, add=False)

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()

    def _usage(self, key: str, *, add: bool) -> Usage:
        now = self._clock()
        calls = self._calls.setdefault(key, deque())
        while calls and calls[0] <= now - self.window_seconds:
            calls.popleft()
        if add:
            calls.append(now)
        budget = self.app_budget if key == APP_KEY else self.page_budget
        regain = calls[0] + self.window_seconds - now if calls else 0.0
        return Usage(len(calls), budget, regain)
