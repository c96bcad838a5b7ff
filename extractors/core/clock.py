"""The time of the API an extractor talks to (see :class:`ServerClock`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

SKEW_TOLERANCE_SECONDS = 5.0  # a local clock this close to the API's is used as it is


class ServerClock:
    """Now, as the network's API reckons it. APIs measure their windows (X's recent search: 7
    days; private metrics: 30 days) and rate-limit resets by their own clock, so a worker whose
    clock is off would ask for a start_time the API refuses, wait for a reset that has passed,
    or stamp fetches on the wrong day. The clock follows the ``Date`` header of the API's
    answers when the local clock differs by more than ``SKEW_TOLERANCE_SECONDS``, and is the
    local clock otherwise. ``Date`` has whole seconds: the estimate adds one, so it never runs
    behind the API's (a window start computed from it is never older than the API allows)."""

    def __init__(self, local: Callable[[], datetime] | None = None) -> None:
        self.local = local or (lambda: datetime.now(UTC))
        self.offset = 0.0  # seconds to add to the local clock

    def note(self, headers: Mapping[str, str] | None) -> None:
        value = headers.get("Date") if headers is not None else None
        if not value:
            return
        try:
            server = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return
        if server.tzinfo is None:
            return
        offset = server.timestamp() + 1.0 - self.local().timestamp()
        # kept while later answers agree within the tolerance: the estimate then runs on with
        # the local clock, smoothly, instead of jumping with each Date's whole second
        if abs(offset - self.offset) > SKEW_TOLERANCE_SECONDS:
            self.offset = offset if abs(offset) > SKEW_TOLERANCE_SECONDS else 0.0

    def now(self) -> datetime:
        return self.local() + timedelta(seconds=self.offset)

    def timestamp(self) -> float:
        return self.now().timestamp()
