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
    "instagram": NetworkSpec(
        slug="instagram",
        title="Instagram professional accounts (Instagram Graph API)",
        default_base_url="https://graph.facebook.com",
        module="extractors.networks.instagram.extract",
        streams=("account", "account_insights", "media", "media_insights", "comments"),
    ),
    "linkedin": NetworkSpec(
        slug="linkedin",
        title="LinkedIn organization pages (Community Management API)",
        default_base_url="https://api.linkedin.com",
        module="extractors.networks.linkedin.extract",
        streams=(
            "organization",
            "follower_statistics",
            "share_statistics",
            "posts",
            "post_statistics",
            "comments",
        ),
    ),
    "x": NetworkSpec(
        slug="x",
        title="X (Twitter) API v2",
        default_base_url="https://api.x.com",
        module="extractors.networks.x.extract",
        streams=("user", "posts", "replies"),
    ),
    "xing": NetworkSpec(
        slug="xing",
        title="XING company pages (CSV import; XING has no API)",
        default_base_url="",  # nothing is called: the owner's CSV is read instead
        module="extractors.networks.xing.extract",
        streams=("page", "page_insights"),
        provenance="manual",
    ),
}


def raw_table(network: str, stream: str) -> str:
    """Name of the raw table for a network's stream (schema ``raw``)."""
    return f"{network}__{stream}"
