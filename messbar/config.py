"""The messbar configuration file: businesses, their accounts per network, and network settings.

Secrets are never written in the file; an account names where its token lives
(``token: env:NAME`` or ``token: conn:AIRFLOW_CONNECTION_ID``); an account of a network without
an API (registry provenance "manual", XING) names the owner's CSV instead (``csv: path``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from extractors.registry import NETWORKS

DEFAULT_TIMEZONE = "Europe/Berlin"
_ENV_REF = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class ConfigError(ValueError):
    """The config file is invalid; the message names the file, line and what to change."""


@dataclass(frozen=True)
class Account:
    business: str
    network: str
    account_id: str
    token_ref: str  # "" for a manual network (no API, no token)
    account_name: str | None = None
    csv_path: str | None = None  # manual networks (XING): the owner's CSV, absolute


@dataclass(frozen=True)
class Business:
    slug: str
    name: str
    timezone: str
    accounts: tuple[Account, ...]
    costs_csv: str | None = None  # owner inputs (``inputs: {costs: path}``), absolute
    outcomes_csv: str | None = None  # owner inputs (``inputs: {outcomes: path}``), absolute


@dataclass(frozen=True)
class NetworkSettings:
    base_url: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    path: Path
    data_dir: Path
    businesses: tuple[Business, ...]
    networks: dict[str, NetworkSettings]

    def accounts(self) -> list[Account]:
        return [a for b in self.businesses for a in b.accounts]

    def business(self, slug: str) -> Business:
        for b in self.businesses:
            if b.slug == slug:
                return b
        raise KeyError(slug)

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse" / "messbar.duckdb"

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def published_path(self) -> Path:
        return self.data_dir / "published" / "messbar.duckdb"


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping, for line-accurate errors."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _expand_env(value: Any) -> Any:
    if isinstance(value, str):

        def repl(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            raise KeyError(name)

        return _ENV_REF.sub(repl, value)
    if isinstance(value, dict):
        return {k: _expand_env(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v) for v in value]
    return value


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the config file (default: ``$MESSBAR_CONFIG`` or ``./messbar.yml``)."""
    cfg_path = Path(path or os.environ.get("MESSBAR_CONFIG", "messbar.yml")).resolve()
    if not cfg_path.is_file():
        raise ConfigError(
            f"Config file {cfg_path} not found: create it (see config/demo.yml) "
            "or point MESSBAR_CONFIG at it."
        )
    try:
        raw = yaml.load(cfg_path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise ConfigError(f"{cfg_path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{cfg_path}: expected a mapping with 'businesses' and 'networks'.")
    return _parse(cfg_path, raw)


def _fail(path: Path, node: dict, message: str) -> ConfigError:
    return ConfigError(f"{path}:{node.get('__line__', 1)}: {message}")


def _parse(path: Path, raw: dict) -> Config:
    try:
        expanded = _expand_env(raw)
    except KeyError as exc:
        raise ConfigError(
            f"{path}: environment variable {exc.args[0]} is referenced as "
            f"${{{exc.args[0]}}} but not set; set it or give a default with "
            f"${{{exc.args[0]}:-value}}."
        ) from None
    _reject_unknown(path, expanded, {"data_dir", "timezone", "businesses", "networks"})
    default_tz = expanded.get("timezone", DEFAULT_TIMEZONE)
    _check_tz(path, expanded, default_tz)
    data_dir = Path(os.environ.get("MESSBAR_DATA_DIR") or expanded.get("data_dir") or "data")
    if not data_dir.is_absolute():
        data_dir = (path.parent / data_dir).resolve()

    networks: dict[str, NetworkSettings] = {}
    for slug, settings in (expanded.get("networks") or {}).items():
        if slug == "__line__":
            continue
        if slug not in NETWORKS:
            raise _fail(
                path, expanded, f"unknown network '{slug}'; known: {', '.join(sorted(NETWORKS))}."
            )
        settings = dict(settings or {})
        settings.pop("__line__", None)
        env_url = os.environ.get(f"MESSBAR_{slug.upper()}_BASE_URL")
        base_url = env_url or settings.pop("base_url", None) or NETWORKS[slug].default_base_url
        settings.pop("base_url", None)
        networks[slug] = NetworkSettings(base_url=base_url.rstrip("/"), options=settings)

    businesses = []
    seen: set[str] = set()
    seen_accounts: set[tuple[str, str]] = set()
    raw_businesses = expanded.get("businesses")
    if not isinstance(raw_businesses, list) or not raw_businesses:
        raise _fail(path, expanded, "'businesses' must be a non-empty list.")
    for b in raw_businesses:
        if not isinstance(b, dict):
            raise ConfigError(f"{path}: every entry of 'businesses' must be a mapping.")
        _reject_unknown(path, b, {"slug", "name", "timezone", "accounts", "inputs"})
        slug = str(b.get("slug", ""))
        if not _SLUG.match(slug):
            raise _fail(path, b, f"business slug '{slug}' must be lower-case letters, digits, '-'.")
        if slug in seen:
            raise _fail(path, b, f"business slug '{slug}' appears twice.")
        seen.add(slug)
        tz = b.get("timezone", default_tz)
        _check_tz(path, b, tz)
        accounts = []
        for network, entries in (b.get("accounts") or {}).items():
            if network == "__line__":
                continue
            if network not in NETWORKS:
                raise _fail(path, b, f"unknown network '{network}' for business '{slug}'.")
            if network not in networks:
                networks[network] = NetworkSettings(
                    base_url=os.environ.get(f"MESSBAR_{network.upper()}_BASE_URL")
                    or NETWORKS[network].default_base_url
                )
            for entry in entries or []:
                _reject_unknown(path, entry, {"account_id", "token", "csv", "name"})
                account_id = str(entry.get("account_id", "")).strip()
                if not account_id:
                    raise _fail(path, entry, f"{network} account of '{slug}' needs account_id.")
                token_ref, csv_path = _account_source(path, network, account_id, entry)
                if (network, account_id) in seen_accounts:
                    raise _fail(path, entry, f"{network} account {account_id} is listed twice.")
                seen_accounts.add((network, account_id))
                accounts.append(
                    Account(
                        business=slug,
                        network=network,
                        account_id=account_id,
                        token_ref=token_ref,
                        account_name=entry.get("name"),
                        csv_path=csv_path,
                    )
                )
        inputs = _inputs(path, b, slug)
        businesses.append(
            Business(
                slug=slug,
                name=str(b.get("name") or slug),
                timezone=tz,
                accounts=tuple(accounts),
                costs_csv=inputs.get("costs"),
                outcomes_csv=inputs.get("outcomes"),
            )
        )
    return Config(path=path, data_dir=data_dir, businesses=tuple(businesses), networks=networks)


def _account_source(
    path: Path, network: str, account_id: str, entry: dict
) -> tuple[str, str | None]:
    """(token reference, CSV path) of an account: an API network names where its token lives,
    a manual network (registry provenance "manual", e.g. XING) names the owner's CSV instead."""
    if NETWORKS[network].provenance == "manual":
        if "token" in entry:
            raise _fail(
                path,
                entry,
                f"{network} account {account_id}: {network} has no API and takes no token; name "
                f"the CSV the owner fills instead (csv: path/to/{network}.csv, relative to this "
                "file).",
            )
        csv = str(entry.get("csv") or "").strip()
        if not csv:
            raise _fail(
                path,
                entry,
                f"{network} account {account_id} needs csv: path/to/{network}.csv (the file the "
                f"owner fills from extractors/networks/{network}/template.csv, relative to this "
                "file).",
            )
        return "", str((path.parent / Path(csv).expanduser()).resolve())
    if "csv" in entry:
        manual = sorted(s for s, spec in NETWORKS.items() if spec.provenance == "manual")
        raise _fail(
            path,
            entry,
            f"{network} account {account_id}: 'csv' is only for networks without an API "
            f"({', '.join(manual)}); {network} is read from its API with a token "
            "(token: env:VARIABLE or conn:AIRFLOW_CONNECTION_ID).",
        )
    token_ref = str(entry.get("token", "")).strip()
    if not re.match(r"^(env|conn):[A-Za-z0-9_]+$", token_ref):
        raise _fail(
            path,
            entry,
            f"{network} account {account_id}: 'token' must reference a secret as "
            "env:VARIABLE or conn:AIRFLOW_CONNECTION_ID; never put the token itself "
            "in the file.",
        )
    return token_ref, None


def _inputs(path: Path, business: dict, slug: str) -> dict[str, str]:
    """The owner's input files of a business (``inputs: {costs: path, outcomes: path}``,
    relative to the config file), as absolute paths; see loader/inputs/README.md."""
    raw = business.get("inputs")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(
            path,
            business,
            f"'inputs' of '{slug}' must be a mapping like {{costs: inputs/{slug}-costs.csv, "
            f"outcomes: inputs/{slug}-outcomes.csv}}.",
        )
    _reject_unknown(path, raw, {"costs", "outcomes"})
    files = {}
    for kind in ("costs", "outcomes"):
        if kind not in raw:
            continue
        value = str(raw.get(kind) or "").strip()
        if not value:
            raise _fail(
                path,
                raw,
                f"inputs.{kind} of '{slug}' is empty: name the CSV the owner fills from "
                f"loader/inputs/templates/{kind}.csv (relative to this file), or remove the key.",
            )
        files[kind] = str((path.parent / Path(value).expanduser()).resolve())
    return files


def _reject_unknown(path: Path, node: dict, allowed: set[str]) -> None:
    unknown = sorted(k for k in node if k != "__line__" and k not in allowed)
    if unknown:
        raise _fail(
            path,
            node,
            f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}.",
        )


def _check_tz(path: Path, node: dict, tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(
            path, node, f"unknown time zone '{tz}' (use an IANA name like Europe/Berlin)."
        ) from None
