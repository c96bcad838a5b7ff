"""``messbar init``: write a first, valid config file for one business."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from extractors.registry import NETWORKS
from messbar.checks import CONNECT, PLACEHOLDER
from messbar.config import DEFAULT_LANGUAGE, LANGUAGES, Config, load_config

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class ScaffoldError(ValueError):
    """An answer to ``messbar init`` cannot be used; the message says what to give instead."""


def slug_for(name: str) -> str:
    """A slug suggestion for a name: ``Bäckerei Sonne GmbH`` -> ``baeckerei-sonne-gmbh``."""
    text = name.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    # other accents lose their mark (é -> e) rather than the letter
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:63] or "my-business"


def token_variable(network: str) -> str:
    return f"MESSBAR_{network.upper()}_TOKEN"


def validate_answers(slug: str, networks: list[str], timezone: str, language: str) -> None:
    """Refuse an answer with what to give instead (before anything is written)."""
    if not SLUG.match(slug):
        raise ScaffoldError(
            f"slug '{slug}': use lower-case letters, digits and '-' (e.g. {slug_for(slug)})."
        )
    unknown = [n for n in networks if n not in NETWORKS]
    if unknown or not networks:
        raise ScaffoldError(
            f"networks {', '.join(unknown) or '(none)'}: choose one or more of "
            f"{', '.join(NETWORKS)}."
        )
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScaffoldError(
            f"time zone '{timezone}': use an IANA name such as Europe/Berlin or Europe/Vienna."
        ) from None
    if language not in LANGUAGES:
        raise ScaffoldError(f"language '{language}': use one of {', '.join(LANGUAGES)}.")


def render(
    *,
    slug: str,
    name: str,
    networks: list[str],
    timezone: str,
    language: str = DEFAULT_LANGUAGE,
    account_ids: dict[str, str] | None = None,
) -> str:
    """The config text (YAML with comments) for one business."""
    ids = account_ids or {}
    lines = [
        f"# messbar configuration written by `messbar init` on {datetime.now(UTC):%Y-%m-%d}.",
        "# `messbar check` validates it; config/example.yml shows every setting.",
        "# Tokens are never written here: `token` names where the secret lives,",
        "#   env:NAME (an environment variable) or conn:ID (an Airflow Connection's password).",
        "data_dir: data",
        f"timezone: {timezone}",
        f"language: {language}                     # owner report: de or en",
        "",
        "businesses:",
        f"  - slug: {slug}",
        f"    name: {json.dumps(name, ensure_ascii=False)}",
        "    accounts:",
    ]
    for network in networks:
        account_id = ids.get(network) or f"{PLACEHOLDER}-{network.upper()}-ID"
        lines.append(f"      {network}:")
        lines.append(f"        - account_id: {json.dumps(account_id, ensure_ascii=False)}")
        if NETWORKS[network].provenance == "manual":
            lines.append(f"          csv: inputs/{network}.csv")
        else:
            lines.append(f"          token: env:{token_variable(network)}")
    return "\n".join(lines) + "\n"


def write(path: Path, text: str, *, force: bool = False) -> Config:
    """Write the config atomically after it loaded cleanly; refuse to overwrite unless
    ``force``. Returns the loaded config."""
    path = path.resolve()
    if path.exists() and not force:
        raise ScaffoldError(
            f"{path} exists already: choose another file with --config, or add --force to "
            "overwrite it."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.init.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        load_config(tmp)  # refuse to write a file `messbar run` would refuse
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return load_config(path)


def instructions(networks: list[str]) -> list[str]:
    """What to do next, per network: where its id is and how to obtain its token."""
    out = []
    for network in networks:
        facts = CONNECT.get(network, {})
        readme = f"extractors/networks/{network}/README.md"
        out.append(f"{NETWORKS[network].title}:")
        out.append(f"  account id: {facts.get('id', 'see ' + readme)}")
        if NETWORKS[network].provenance == "manual":
            out.append(f"  data: {facts.get('token', 'see ' + readme)}")
            out.append(f"  put the CSV at inputs/{network}.csv next to the config ({readme})")
        else:
            out.append(f"  token: {facts.get('token', 'see ' + readme)}")
            out.append(f"  then: export {token_variable(network)}=<token>   (details: {readme})")
    return out
