"""One unit of extraction work: one account of one network for one logical date."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ExtractJob:
    network: str
    business: str
    account_id: str
    token_ref: str  # env:NAME or conn:ID; never the token itself (jobs travel through XCom)
    base_url: str
    timezone: str
    logical_date: date  # the business's local calendar day the run is for
    run_id: str
    landing_dir: str
    state: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def window_end(self) -> datetime:
        """Exclusive end of the data window: local midnight that starts ``logical_date``."""
        return datetime.combine(self.logical_date, time(0), tzinfo=ZoneInfo(self.timezone))

    def days_before_end(self, days: int) -> datetime:
        return self.window_end - timedelta(days=days)

    def option(self, name: str, default: Any) -> Any:
        return self.options.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["logical_date"] = self.logical_date.isoformat()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ExtractJob:
        d = dict(d)
        d["logical_date"] = date.fromisoformat(d["logical_date"])
        return cls(**d)

    def label(self) -> str:
        return f"{self.network} account {self.account_id} ({self.business})"
