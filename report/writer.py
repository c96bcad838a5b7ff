"""Render each business's report and write it atomically next to the published file."""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from report.context import BusinessInfo, build
from report.i18n import DEFAULT_LANGUAGE, LANGUAGES, phrase, text
from report.marts import Marts, ReportError
from report.numbers import Num, format_value

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
REPORTS_DIR = "reports"


def _environment() -> Environment:
    # autoescape everywhere: post and comment texts come from strangers on the internet
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def language_of(config: Any, business: Any) -> str:
    """The business's report language: its own ``language``, else the file's, else German.

    Read defensively: older config files have no ``language`` key."""
    for source in (business, config):
        value = getattr(source, "language", None)
        if value:
            value = str(value).lower()
            if value not in LANGUAGES:
                raise ReportError(
                    f"Report language '{value}' is not supported; use one of "
                    f"{', '.join(LANGUAGES)} (key 'language' in the config)."
                )
            return value
    return DEFAULT_LANGUAGE


def render_report(
    marts: Marts, business: BusinessInfo, lang: str, published: Path
) -> tuple[str, Any]:
    """The HTML text of one report and the day it describes (for the dated copy)."""

    def number(num: Num) -> Markup:
        attrs = " ".join(f'{k}="{escape(v)}"' for k, v in num.attrs().items())
        shown = escape(format_value(num, lang, business.timezone))
        return Markup(f'<span class="num" {attrs}>{shown}</span>')  # noqa: S704 - escaped

    context = build(marts, business, lang, number)
    env = _environment()
    env.globals.update(
        t=lambda key, **kw: phrase(lang, key, **kw),
        tx=lambda key: text(lang, key),
        num=number,
    )
    html = env.get_template("report.html.j2").render(
        **context, published_file=str(published), css=(TEMPLATES / "report.css").read_text()
    )
    return html, context["frame"]


def latest_path(published: Path, business: str) -> Path:
    """Where the newest report of ``business`` is, for the published file ``published``."""
    return Path(published).parent / REPORTS_DIR / business / "latest.html"


def _write_atomic(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)  # a reader sees the old report or the new one, never half
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(
    config: Any, published: Path | None = None, *, language: str | None = None
) -> list[Path]:
    """Write one self-contained HTML report per business of ``config`` and return the paths
    of the ``latest.html`` files.

    The reports are written to ``<published dir>/reports/<business>/latest.html`` and a dated
    copy ``<yyyy-mm-dd>.html`` (the day of the publication in the business's time zone). They
    read only ``published`` (default: the config's published file), read-only. ``language``
    overrides the config's ``language`` (``de`` or ``en``)."""
    from messbar.config import Config, load_config

    cfg = config if isinstance(config, Config) else load_config(config)
    published = Path(published or cfg.published_path)
    if language is not None and language not in LANGUAGES:
        raise ReportError(f"Report language '{language}' is not supported; use de or en.")
    written = []
    with Marts(published) as marts:
        published_at = None
        if "_publication" in marts.tables:
            row = marts.one("select max(published_at) as at from marts._publication")
            published_at = row["at"] if row else None
        for business in cfg.businesses:
            info = BusinessInfo(business.slug, business.name, business.timezone)
            lang = language or language_of(cfg, business)
            html, _ = render_report(marts, info, lang, published)
            folder = latest_path(published, business.slug).parent
            stamp = (published_at or datetime.now(UTC)).astimezone(ZoneInfo(business.timezone))
            _write_atomic(folder / f"{stamp.date().isoformat()}.html", html)
            _write_atomic(folder / "latest.html", html)
            written.append(folder / "latest.html")
            log.info("report for %s: %s", business.slug, folder / "latest.html")
    return written
