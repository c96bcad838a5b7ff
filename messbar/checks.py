"""``messbar check``: everything a run needs besides the config's own syntax, checked up front.

- every token reference resolves (environment variable set, Airflow Connection found), without
  ever showing a token;
- every owner CSV (XING statistics, costs, outcomes) exists and passes the same validation the
  run applies, each problem with its file and line;
- no account still carries the placeholder id ``messbar init`` writes;
- optionally (``online``) each API account answers one cheap call with its token.

Each finding names where (``file:line``) and what to do; nothing here writes anything.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from extractors.registry import NETWORKS
from messbar.config import Account, Config
from messbar.pipeline import local_date

PLACEHOLDER = "FILL-IN"  # prefix of the account ids `messbar init` writes when none was given


@dataclass(frozen=True)
class Finding:
    """One result of a check: ``ok`` False means something must be fixed before a run."""

    ok: bool
    topic: str  # "token", "csv", "account", "online"
    where: str  # "messbar.yml:12" or "inputs/costs.csv:4"
    message: str

    def render(self) -> str:
        mark = "ok   " if self.ok else "ERROR"
        return f"{mark} {self.where}: {self.message}"


def _where(cfg: Config, line: int) -> str:
    return f"{cfg.path}:{line}" if line else str(cfg.path)


def check_accounts(cfg: Config) -> list[Finding]:
    """Account ids that are still placeholders from ``messbar init``."""
    out = []
    for a in cfg.accounts():
        if a.account_id.upper().startswith(PLACEHOLDER):
            out.append(
                Finding(
                    False,
                    "account",
                    _where(cfg, a.line),
                    f"{a.network} account of '{a.business}' still has the placeholder id "
                    f"{a.account_id}: put in the real id ({how_to_find_id(a.network)}).",
                )
            )
    return out


def check_tokens(cfg: Config) -> list[Finding]:
    """Every token reference resolves; the message names the reference, never the value."""
    from extractors.core.secrets import SecretNotFound, resolve_secret

    out = []
    seen: set[str] = set()
    for a in cfg.accounts():
        if not a.token_ref or a.token_ref in seen:
            continue
        seen.add(a.token_ref)
        where = _where(cfg, a.source_line)
        label = f"{a.network} account {a.account_id} ({a.business})"
        try:
            resolve_secret(a.token_ref, what=label)
        except SecretNotFound as exc:
            out.append(Finding(False, "token", where, f"{exc} (referenced as {a.token_ref})"))
            continue
        kind = "environment variable" if a.token_ref.startswith("env:") else "Airflow Connection"
        out.append(Finding(True, "token", where, f"{a.token_ref}: {kind} found (value not shown)"))
    return out


def check_csvs(cfg: Config, today: date | None = None) -> list[Finding]:
    """Every owner CSV the config names: exists, and passes the run's own validation."""
    out = []
    for a in cfg.accounts():
        if a.csv_path:
            out.extend(_check_manual_csv(cfg, a, today))
    businesses = {b.slug for b in cfg.businesses}
    for b in cfg.businesses:
        for kind in ("costs", "outcomes"):
            path = getattr(b, f"{kind}_csv")
            if path:
                out.extend(_check_input_csv(cfg, b.slug, kind, Path(path), b.input_line(kind),
                                            businesses))  # fmt: skip
    return out


def _missing(cfg: Config, line: int, what: str, path: Path, template: str) -> Finding:
    return Finding(
        False,
        "csv",
        _where(cfg, line),
        f"{what}: {path} does not exist. Create it from {template} or fix the path in the "
        "config (relative to the config file).",
    )


def _problems(path: Path, what: str, problems: list[tuple[int, str]], rules: str) -> list[Finding]:
    return [
        Finding(False, "csv", f"{path}:{line}", f"{what}: {message} (rules: {rules})")
        for line, message in problems
    ]


def _check_manual_csv(cfg: Config, a: Account, today: date | None) -> list[Finding]:
    csv_import = importlib.import_module(f"extractors.networks.{a.network}.csv_import")
    path = Path(a.csv_path or "")
    what = f"{a.network} CSV of '{a.business}'"
    template = f"extractors/networks/{a.network}/template.csv"
    if not path.is_file():
        return [_missing(cfg, a.source_line, what, path, template)]
    day = local_date(today or datetime.now(UTC), cfg.business(a.business).timezone)
    try:
        rows = csv_import.parse(
            path.read_bytes(), last_complete_day=csv_import.last_complete_day(day)
        )
    except csv_import.CsvProblems as exc:
        return _problems(path, what, exc.problems, f"extractors/networks/{a.network}/README.md")
    return [Finding(True, "csv", str(path), f"{what}: {len(rows)} rows valid")]


def _check_input_csv(
    cfg: Config, business: str, kind: str, path: Path, line: int, businesses: set[str]
) -> list[Finding]:
    from extractors.core import owner_csv
    from loader.inputs import csv_files, spec

    what = f"{kind} of '{business}'"
    if not path.is_file():
        return [_missing(cfg, line, what, path, str(spec.template(kind)))]
    parse = csv_files.parse_costs if kind == "costs" else csv_files.parse_outcomes
    try:
        rows = parse(path.read_bytes(), business=business, businesses=businesses)
    except owner_csv.CsvProblems as exc:
        return _problems(path, what, exc.problems, "loader/inputs/README.md")
    return [Finding(True, "csv", str(path), f"{what}: {len(rows)} rows valid")]


# One cheap read per network: the account object itself (no insights, no paging).
_PROBES: dict[str, Callable[[str, str], tuple[str, dict[str, Any] | None]]] = {
    "facebook": lambda v, i: (f"{v}/{i}", {"fields": "id,name"}),
    "instagram": lambda v, i: (f"{v}/{i}", {"fields": "id,username"}),
    "linkedin": lambda v, i: (f"/rest/organizations/{i}", None),
    "x": lambda v, i: (f"{v}/users/{i}", None),  # billed as one user read (USD 0.010)
}


def probe_accounts(cfg: Config, **client_kwargs: Any) -> list[Finding]:
    """Call each API account once with its token; failures carry the network's own advice."""
    from extractors.core.errors import ExtractError
    from extractors.core.redact import Redactor
    from extractors.core.secrets import SecretNotFound, resolve_secret
    from messbar import pipeline

    out = []
    for a in cfg.accounts():
        if NETWORKS[a.network].provenance == "manual":
            continue
        where = _where(cfg, a.line)
        label = f"{a.network} account {a.account_id} ({a.business})"
        if a.network not in _PROBES:
            out.append(Finding(True, "online", where, f"{label}: no online probe for this network"))
            continue
        try:
            token = resolve_secret(a.token_ref, what=label)
        except SecretNotFound:
            continue  # already reported by check_tokens
        settings = cfg.networks[a.network]
        spec = importlib.import_module(f"extractors.networks.{a.network}.spec")
        version = str(settings.options.get("api_version") or getattr(spec, "API_VERSION", ""))
        job = pipeline.job_for(
            cfg,
            cfg.business(a.business),
            a,
            logical_date=datetime.now(UTC).date(),
            run_id="check",
            landing_dir=os.devnull,
        )
        module = importlib.import_module(NETWORKS[a.network].module)
        redactor = Redactor([token])
        path, params = _PROBES[a.network](version, a.account_id)
        try:
            client = module.build_client(job, token, redactor=redactor, **client_kwargs)
            client.get_json(path, params)
        except ExtractError as exc:
            out.append(Finding(False, "online", where, redactor(str(exc))))
            continue
        out.append(Finding(True, "online", where, f"{label}: the API answered with this token"))
    return out


def how_to_find_id(network: str) -> str:
    """One line: where the account id of a network is found."""
    default = f"see extractors/networks/{network}/README.md"
    return CONNECT.get(network, {}).get("id", default)


# How to get each network's account id and token: the facts of each network's README
# (extractors/networks/<slug>/README.md), in one line each, for `messbar init` and `check`.
CONNECT: dict[str, dict[str, str]] = {
    "facebook": {
        "id": "the Page id: Page settings > About > Page ID, or 'id' in GET /me/accounts",
        "token": (
            "a Meta app of type Business with Facebook Login for Business; grant "
            "pages_show_list, pages_read_engagement, read_insights, pages_read_user_content; "
            "exchange the user token for a long-lived one and read the Page token from "
            "GET /me/accounts (or use a Business Manager system-user token)"
        ),
    },
    "instagram": {
        "id": "the professional account id (17841...): GET /{page-id}?fields="
        "instagram_business_account on the linked Facebook Page",
        "token": (
            "as for Facebook (a long-lived Page token or system-user token) with "
            "instagram_basic, instagram_manage_insights, instagram_manage_comments, "
            "pages_read_engagement, pages_show_list; the account must be Business or Creator "
            "and linked to a Facebook Page"
        ),
    },
    "linkedin": {
        "id": "the organization id: the number in https://www.linkedin.com/company/{id}/admin/",
        "token": (
            "a LinkedIn developer app with the Community Management API product, scopes "
            "rw_organization_admin and r_organization_social, 3-legged OAuth by a page "
            "ADMINISTRATOR; access tokens live 60 days (refresh tokens 365 days)"
        ),
    },
    "x": {
        "id": "the numeric user id (not the @handle): GET /2/users/by/username/<handle>",
        "token": (
            "an app-only Bearer Token (developer console > Keys and tokens; public metrics), or "
            "an OAuth 2.0 user token of the account (PKCE, tweet.read users.read offline.access; "
            "private metrics, set networks.x.metrics_access: owned; lives 2 hours, refresh it)"
        ),
    },
    "xing": {
        "id": "the company page slug from https://www.xing.com/pages/<slug>",
        "token": (
            "none: XING has no API; copy the page statistics from the XING admin screens into "
            "the CSV (template extractors/networks/xing/template.csv)"
        ),
    },
}
