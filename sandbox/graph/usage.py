"""The Graph usage headers ``X-App-Usage`` and ``X-Business-Use-Case-Usage``."""

from __future__ import annotations

import json
import math

from sandbox.usage import Usage


def app_usage_header(usage: Usage) -> str:
    return json.dumps(
        {
            "call_count": usage.call_percent,
            "total_cputime": usage.cputime_percent,
            "total_time": usage.time_percent,
        },
        separators=(",", ":"),
    )


def buc_usage_header(pages: dict[str, Usage], kind: str = "pages") -> str:
    """``{"<page-id>": [{"type": "pages", ..., "estimated_time_to_regain_access": minutes}]}``."""
    return json.dumps(
        {
            page_id: [
                {
                    "type": kind,
                    "call_count": usage.call_percent,
                    "total_cputime": usage.cputime_percent,
                    "total_time": usage.time_percent,
                    "estimated_time_to_regain_access": (
                        math.ceil(usage.regain_seconds / 60) if usage.call_percent >= 100 else 0
                    ),
                }
            ]
            for page_id, usage in pages.items()
        },
        separators=(",", ":"),
    )
