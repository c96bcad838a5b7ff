"""The messbar configuration file: businesses, their accounts per network, and network settings.

Secrets are never written in the file; an account names where its token lives
(``token: env:NAME`` or ``token: conn:AIRFLOW_CONNECTION_ID``); an account of a network without
an API (registry provenance "manual", XING) names the owner's CSV instead (``csv: path``).
"""

from __future__ import annotations

import difflib
import importlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from extractors.registry import NETWORKS

DEFAULT_TIMEZONE = "Europe/Berlin"
DEFAULT_LANGUAGE = "de"
LANGUAGES = ("de", "en")  # the owner report's languages
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
    line: int = field(default=0, compare=False)  # config line of the account entry
    source_line: int = field(default=0, compare=False)  # line of its token / csv


@dataclass(frozen=True)
class Business:
    slug: str
    name: str
    timezone: str
    accounts: tuple[Account, ...]
    costs_csv: str | None = None  # owner inputs (``inputs: {costs: path}``), absolute
    outcomes_csv: str | None = None  # owner inputs (``inputs: {outcomes: path}``), absolute
    language: str = DEFAULT_LANGUAGE  # "de" or "en": the owner report's language
    line: int = field(default=0, compare=False)  # config line of the business entry
    input_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)  # (kind, line)

    def input_line(self, kind: str) -> int:
        """Config line of ``inputs.<kind>`` (0 if not configured)."""
        return dict(self.input_lines).get(kind, 0)


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
    language: str = DEFAULT_LANGUAGE  # top-level default of ``Business.language``
    privacy: Any = None  # messbar.privacy.PrivacySettings (``privacy:``)
    alerts: Any = None  # messbar.notify.AlertSettings or None (``alerts:``)

    def accounts(self) -> list[Account]:
        return [a for b in self.businesses for a in b.accounts]

    def business(self, slug: str) -> Business:
        for b in self.businesses:
            if b.slug == slug:
                return b
        raise KeyError(slug)

    def windows(self, network: str) -> dict[str, int]:
        """The effective extraction windows of a network (``*_days`` settings: the extractor's
        defaults overridden by the config), e.g. ``{"lookback_days": 7, ...}``."""
        defaults = network_defaults(network)
        options = self.networks[network].options if network in self.networks else {}
        merged = {**defaults, **options}
        return {k: int(v) for k, v in sorted(merged.items()) if k.endswith("_days")}

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
    """A YAML loader that remembers lines, for line-accurate errors: every mapping carries
    ``__line__`` (its first line) and, as :class:`_Map`, the line of each key; every
    sequence is a :class:`_Seq` with its own line and each item's line."""


class _Map(dict):
    """A YAML mapping; ``lines[key]`` is the line of the key (and so of a scalar value)."""

    lines: dict[str, int]


class _Seq(list):
    """A YAML sequence; ``line`` is its first line, ``lines[i]`` the line of item ``i``."""

    line: int
    lines: list[int]


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    seen: dict[str, int] = {}
    for key_node, _ in node.value:
        key = str(key_node.value)
        if key in seen:  # PyYAML would silently keep the last one
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key '{key}' appears twice (first on line {seen[key]}): keep one",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    mapping = _Map(loader.construct_mapping(node, deep=True))
    mapping.lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list:
    seq = _Seq(loader.construct_sequence(node, deep=True))
    seq.line = node.start_mark.line + 1
    seq.lines = [item.start_mark.line + 1 for item in node.value]
    return seq


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _with_lines(original: Any, copy: Any) -> Any:
    """``copy`` as the same line-carrying type as ``original`` (env expansion rebuilds nodes)."""
    if isinstance(original, _Map):
        out = _Map(copy)
        out.lines = original.lines
        return out
    if isinstance(original, _Seq):
        out = _Seq(copy)
        out.line, out.lines = original.line, original.lines
        return out
    return copy


def line_of(node: Any, key: str | int | None = None) -> int:
    """The line of ``node[key]`` (a mapping key's value or a sequence item), else of ``node``."""
    if isinstance(node, _Seq):
        if isinstance(key, int) and 0 <= key < len(node.lines):
            return node.lines[key]
        return node.line
    if isinstance(node, _Map) and key is not None and str(key) in node.lines:
        return node.lines[str(key)]
    if isinstance(node, dict):
        return int(node.get("__line__", 1))
    return 1


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
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        out: dict = {}
        for k, v in items:
            try:
                out[k] = _expand_env(v)
            except KeyError as exc:
                if len(exc.args) == 1:  # the innermost node knows the line
                    raise KeyError(exc.args[0], line_of(value, k)) from None
                raise
        return _with_lines(value, out if isinstance(value, dict) else list(out.values()))
    return value


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the config file (default: ``$MESSBAR_CONFIG`` or ``./messbar.yml``)."""
    cfg_path = Path(path or os.environ.get("MESSBAR_CONFIG", "messbar.yml")).resolve()
    if not cfg_path.is_file():
        raise ConfigError(
            f"Config file {cfg_path} not found: create it with `messbar init` (or copy "
            "config/example.yml), or point --config / MESSBAR_CONFIG at it."
        )
    try:
        raw = yaml.load(cfg_path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if "end of stream" in str(getattr(exc, "problem", "")):  # e.g. an unclosed quote:
            mark = getattr(exc, "context_mark", None) or mark  # where it started
        where = f"{cfg_path}:{mark.line + 1}" if mark else str(cfg_path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            f"{where}: not valid YAML: {problem} (check the indentation and quoting on this "
            "line and the one before)."
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{cfg_path}: expected a mapping with 'businesses' and 'networks'.")
    return _parse(cfg_path, raw)


def _fail(path: Path, node: Any, message: str, key: str | int | None = None) -> ConfigError:
    """The error for ``node`` (or its value at ``key``), prefixed with file and line."""
    return ConfigError(f"{path}:{line_of(node, key)}: {message}")


def _parse(path: Path, raw: dict) -> Config:
    try:
        expanded = _expand_env(raw)
    except KeyError as exc:
        where = f"{path}:{exc.args[1]}" if len(exc.args) > 1 else str(path)
        raise ConfigError(
            f"{where}: environment variable {exc.args[0]} is referenced as "
            f"${{{exc.args[0]}}} but not set; set it or give a default with "
            f"${{{exc.args[0]}:-value}}."
        ) from None
    _reject_unknown(
        path,
        expanded,
        {"data_dir", "timezone", "language", "businesses", "networks", "privacy", "alerts"},
    )
    default_tz = _scalar(path, expanded, "timezone", DEFAULT_TIMEZONE)
    _check_tz(path, expanded, default_tz, "timezone")
    default_language = _language(path, expanded, DEFAULT_LANGUAGE)
    data_dir = Path(
        os.environ.get("MESSBAR_DATA_DIR") or _scalar(path, expanded, "data_dir", "data")
    )
    if not data_dir.is_absolute():
        data_dir = (path.parent / data_dir).resolve()

    networks: dict[str, NetworkSettings] = {}
    raw_networks = expanded.get("networks") or {}
    if not isinstance(raw_networks, dict):
        raise _fail(
            path, expanded, "'networks' must be a mapping of network slug to settings.", "networks"
        )
    for slug, settings in raw_networks.items():
        if slug == "__line__":
            continue
        if slug not in NETWORKS:
            raise _fail(
                path,
                raw_networks,
                f"unknown network '{slug}'; known: {', '.join(sorted(NETWORKS))}.",
                slug,
            )
        if settings is not None and not isinstance(settings, dict):
            raise _fail(path, raw_networks, f"networks.{slug} must be a mapping of settings.", slug)
        settings = _network_options(path, slug, settings or {})
        env_url = os.environ.get(f"MESSBAR_{slug.upper()}_BASE_URL")
        base_url = env_url or settings.pop("base_url", None) or NETWORKS[slug].default_base_url
        settings.pop("base_url", None)
        networks[slug] = NetworkSettings(base_url=base_url.rstrip("/"), options=settings)

    businesses = []
    seen: set[str] = set()
    seen_accounts: set[tuple[str, str]] = set()
    raw_businesses = expanded.get("businesses")
    if not isinstance(raw_businesses, list) or not raw_businesses:
        raise _fail(
            path,
            expanded,
            "'businesses' must be a non-empty list (each entry starts with '- slug: ...').",
            "businesses",
        )
    for index, b in enumerate(raw_businesses):
        if not isinstance(b, dict):
            raise _fail(
                path,
                raw_businesses,
                "every entry of 'businesses' must be a mapping (slug:, name:, accounts: ...).",
                index,
            )
        _reject_unknown(path, b, {"slug", "name", "timezone", "language", "accounts", "inputs"})
        slug = str(b.get("slug", ""))
        if not _SLUG.match(slug):
            raise _fail(
                path,
                b,
                f"business slug '{slug}' must be lower-case letters, digits, '-'.",
                "slug",
            )
        if slug in seen:
            raise _fail(path, b, f"business slug '{slug}' appears twice.", "slug")
        seen.add(slug)
        tz = _scalar(path, b, "timezone", default_tz)
        _check_tz(path, b, tz, "timezone")
        accounts = []
        raw_accounts = b.get("accounts") or {}
        if not isinstance(raw_accounts, dict):
            raise _fail(
                path,
                b,
                f"'accounts' of '{slug}' must be a mapping of network slug to a list of accounts.",
                "accounts",
            )
        for network, entries in raw_accounts.items():
            if network == "__line__":
                continue
            if network not in NETWORKS:
                raise _fail(
                    path,
                    raw_accounts,
                    f"unknown network '{network}' for business '{slug}'; known: "
                    f"{', '.join(sorted(NETWORKS))}.",
                    network,
                )
            if entries is not None and not isinstance(entries, list):
                raise _fail(
                    path,
                    raw_accounts,
                    f"accounts.{network} of '{slug}' must be a list: start each account with "
                    "'- account_id: ...'.",
                    network,
                )
            if network not in networks:
                networks[network] = NetworkSettings(
                    base_url=os.environ.get(f"MESSBAR_{network.upper()}_BASE_URL")
                    or NETWORKS[network].default_base_url
                )
            for position, entry in enumerate(entries or []):
                if not isinstance(entry, dict):
                    raise _fail(
                        path,
                        entries,
                        f"each {network} account of '{slug}' must be a mapping "
                        "(account_id: ..., token: ...).",
                        position,
                    )
                _reject_unknown(path, entry, {"account_id", "token", "csv", "name"})
                account_id = str(entry.get("account_id") or "").strip()
                if not account_id:
                    raise _fail(path, entry, f"{network} account of '{slug}' needs account_id.")
                token_ref, csv_path = _account_source(path, network, account_id, entry)
                if (network, account_id) in seen_accounts:
                    raise _fail(
                        path,
                        entry,
                        f"{network} account {account_id} is listed twice.",
                        "account_id",
                    )
                seen_accounts.add((network, account_id))
                name = entry.get("name")
                accounts.append(
                    Account(
                        business=slug,
                        network=network,
                        account_id=account_id,
                        token_ref=token_ref,
                        account_name=None if name is None else str(name),
                        csv_path=csv_path,
                        line=line_of(entry),
                        source_line=line_of(entry, "csv" if csv_path else "token"),
                    )
                )
        inputs = _inputs(path, b, slug)
        raw_inputs = b.get("inputs") if isinstance(b.get("inputs"), dict) else {}
        businesses.append(
            Business(
                slug=slug,
                name=str(b.get("name") or slug),
                timezone=tz,
                accounts=tuple(accounts),
                costs_csv=inputs.get("costs"),
                outcomes_csv=inputs.get("outcomes"),
                language=_language(path, b, default_language),
                line=line_of(b),
                input_lines=tuple((kind, line_of(raw_inputs, kind)) for kind in inputs),
            )
        )
    return Config(
        path=path,
        data_dir=data_dir,
        businesses=tuple(businesses),
        networks=networks,
        language=default_language,
        **_privacy_and_alerts(path, expanded),
    )


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
    if "token" not in entry:
        raise _fail(
            path,
            entry,
            f"{network} account {account_id} needs 'token': where its access token lives, "
            f"e.g. token: env:MESSBAR_{network.upper()}_TOKEN (an environment variable) or "
            f"token: conn:{network}_<business> (an Airflow Connection whose password is the "
            "token).",
        )
    token_ref = str(entry.get("token") or "").strip()
    if not re.match(r"^(env|conn):[A-Za-z0-9_]+$", token_ref):
        raise _fail(
            path,
            entry,
            f"{network} account {account_id}: 'token' must reference a secret as "
            "env:VARIABLE or conn:AIRFLOW_CONNECTION_ID; never put the token itself "
            f"in the file. Move the value into an environment variable (export "
            f"MESSBAR_{network.upper()}_TOKEN=...; token: env:MESSBAR_{network.upper()}_TOKEN) "
            f"or an Airflow Connection (token: conn:{network}_<business>), and revoke the token "
            "if this file was shared.",
            "token",
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
            "inputs",
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
                kind,
            )
        files[kind] = str((path.parent / Path(value).expanduser()).resolve())
    return files


def _reject_unknown(path: Path, node: dict, allowed: set[str]) -> None:
    """Refuse keys the format does not know, naming the first one's line and a likely fix."""
    unknown = sorted((k for k in node if k != "__line__" and k not in allowed), key=str)
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), sorted(allowed), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise _fail(
            path,
            node,
            f"unknown key(s) {', '.join(map(str, unknown))}{hint}; allowed: "
            f"{', '.join(sorted(allowed))}.",
            min(unknown, key=lambda k: line_of(node, k)),
        )


def _check_tz(path: Path, node: dict, tz: str, key: str | None = None) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(
            path, node, f"unknown time zone '{tz}' (use an IANA name like Europe/Berlin).", key
        ) from None


def _scalar(path: Path, node: dict, key: str, default: str) -> str:
    """A text setting: a single value (not a list or mapping), as a string."""
    value = node.get(key, default)
    if value is None:
        return default
    if isinstance(value, dict | list):
        raise _fail(path, node, f"'{key}' must be a single value, not a list or mapping.", key)
    return str(value)


def _language(path: Path, node: dict, default: str) -> str:
    """``language`` of the owner report: de (default) or en."""
    value = _scalar(path, node, "language", default).strip().lower()
    if value not in LANGUAGES:
        raise _fail(
            path,
            node,
            f"language '{value}' is not available for the owner report; use one of "
            f"{', '.join(LANGUAGES)}.",
            "language",
        )
    return value


# Settings every API network reads besides its extractor's ``spec.DEFAULTS``; ``*_metrics``
# (metric list overrides) are allowed too.
_COMMON_OPTIONS = {"base_url", "api_version", "retry", "owned_reads"}
_CHOICES = {"metrics_access": ("public", "owned")}


def network_defaults(network: str) -> dict[str, Any]:
    """The extractor's default settings of a network (``extractors/networks/<slug>/spec.py``)."""
    module = importlib.import_module(f"extractors.networks.{network}.spec")
    return dict(getattr(module, "DEFAULTS", {}) or {})


def _network_options(path: Path, slug: str, node: dict) -> dict[str, Any]:
    """The settings of ``networks.<slug>``, each checked: known key, whole-day windows,
    positive sizes. Windows (``*_days``) say how far back a first run reads
    (``history_days``) and how much every night re-reads (``lookback_days``, ``*_refresh_days``,
    ``comment_days`` ...); see each network's README."""
    defaults = network_defaults(slug)
    allowed = set(defaults) | _COMMON_OPTIONS
    if NETWORKS[slug].provenance == "manual":
        allowed = set()  # nothing to tune: the owner's CSV is read whole
    options: dict[str, Any] = {}
    api = NETWORKS[slug].provenance != "manual"
    overrides = {k for k in node if api and isinstance(k, str) and k.endswith("_metrics")}
    _reject_unknown(path, node, allowed | overrides)
    for key, value in node.items():
        if key == "__line__":
            continue
        if key.endswith("_days") or key.endswith("page_size") or key.endswith("batch_size"):
            minimum = 1 if not key.endswith("_days") or "history" in key else 0
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise _fail(
                    path,
                    node,
                    f"networks.{slug}.{key} must be a whole number >= {minimum} "
                    f"(default {defaults.get(key, 'none')}), not {value!r}.",
                    key,
                )
        elif key in _CHOICES and value not in _CHOICES[key]:
            raise _fail(
                path,
                node,
                f"networks.{slug}.{key} must be one of {', '.join(_CHOICES[key])}, not {value!r}.",
                key,
            )
        elif key in {"api_version", "base_url"}:
            if isinstance(value, dict | list) or value is None:
                raise _fail(path, node, f"networks.{slug}.{key} must be a single value.", key)
            value = str(value)
        options[key] = value
    return options


def _privacy_and_alerts(path: Path, expanded: dict) -> dict[str, Any]:
    """``privacy:`` (retention, pseudonym key) and ``alerts:`` (failure e-mail), parsed by the
    modules that use them (messbar/privacy.py, messbar/notify.py)."""
    from messbar.notify import parse_alerts
    from messbar.privacy import parse_privacy

    def fail(node: dict, message: str) -> ConfigError:
        return _fail(path, node, message)

    return {
        "privacy": parse_privacy(expanded.get("privacy"), fail, expanded),
        "alerts": parse_alerts(expanded.get("alerts"), fail, expanded),
    }
