"""The one list of networks: config, sandbox, dbt, suites and tests all check against it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NetworkSpec:
    slug: str
    title: str
    default_base_url: str
    module: str  # importable module with ``extract_account(job) -> ExtractSummary``
    streams: tuple[str, ...]
    provenance: str = "api"  # "api" or "manual" (CSV import)


NETWORKS: dict[str, NetworkSpec] = {
    "facebook": NetworkSpec(
        slug="facebook",
        title="Facebook Pages (Meta Graph API)",
        default_base_url="https://graph.facebook.com",
        module="extractors.networks.facebook.extract",
        streams=("page", "page_insights", "posts", "post_insights", "comments"),
    ),
}


def raw_table(network: str, stream: str) -> str:
    """Name of the raw table for a network's stream (schema ``raw``)."""
    return f"{network}__{stream}"
