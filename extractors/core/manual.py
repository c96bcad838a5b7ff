"""Networks without an API (registry provenance "manual"): the owner keeps a file that the
extractor reads instead of calling an API.

:class:`FileSource` stands where an :class:`~extractors.core.http.HttpClient` stands for API
networks. The runner needs nothing of a client but its ``stats``; a file source makes no calls,
so they stay at zero and the manifest records ``"calls": 0``. Retries, tokens and redaction do
not apply: there is nothing to retry and no secret to keep out of messages.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from extractors.core.errors import ExtractError
from extractors.core.http import CallStats
from extractors.core.job import ExtractJob

MAX_BYTES = 5_000_000  # a hand-filled file of monthly or daily rows stays far below this
_SAFE_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class ManualInputError(ExtractError):
    """The owner's file is missing or invalid. The message lists every problem with its line
    and what to change; nothing of the file was landed."""


@dataclass
class FileSource:
    """The owner's file for one account of a manual network."""

    network: str
    account: str
    path: Path
    max_bytes: int = MAX_BYTES
    stats: CallStats = field(default_factory=CallStats)

    @property
    def name(self) -> str:
        return self.path.name

    def read(self) -> bytes:
        """The file's bytes; a missing, unreadable or oversized file fails with what to do."""
        where = f"{self.network} account {self.account}"
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            raise ManualInputError(
                f"{where}: the CSV file {self.path} does not exist. Create it from "
                f"extractors/networks/{self.network}/template.csv (see the README there) or fix "
                "the account's `csv:` path in the config (relative to the config file).",
                network=self.network,
            ) from None
        except OSError as exc:
            raise ManualInputError(
                f"{where}: cannot read {self.path} ({exc.strerror}); check the path and its "
                "permissions.",
                network=self.network,
            ) from None
        if size > self.max_bytes:
            raise ManualInputError(
                f"{where}: {self.path} is {size} bytes, more than {self.max_bytes} for a "
                "hand-filled CSV; is it the right file?",
                network=self.network,
            )
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise ManualInputError(
                f"{where}: cannot read {self.path} ({exc.strerror}); check its permissions.",
                network=self.network,
            ) from None


def configured_file(job: ExtractJob) -> Path:
    """The account's file from the job options (``csv``, set by the pipeline's plan)."""
    if not _SAFE_ACCOUNT_ID.match(job.account_id):
        raise ManualInputError(
            f"{job.label()}: account_id must be the company page id or slug (letters, digits, "
            "'.', '_', '-'); it names the landing folder.",
            network=job.network,
        )
    path = job.options.get("csv")
    if not path:
        raise ManualInputError(
            f"{job.label()}: no CSV file configured; add `csv: path/to/{job.network}.csv` to the "
            "account in the config file.",
            network=job.network,
        )
    return Path(path)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
