"""Tell the owner or operator that a nightly run failed, what broke and what to do, by e-mail.

One plain-language message per cause: an expired or revoked token (account and network named),
a metric the network retired, the quality gate (tables and expectations), anything else (step
and a short error summary). Called from the Airflow failure callback (``on_task_failure``) and
from ``pipeline.run_nightly`` (``notify_failure``). SMTP settings come from ``alerts:`` in the
config; the SMTP login is read by reference (``env:`` / ``conn:``), never written in the file.
A failing notifier only logs: it must never hide the failure it reports.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from extractors.core.redact import mask_assigned_secrets

if TYPE_CHECKING:
    from messbar.config import Config

log = logging.getLogger(__name__)

_REF = re.compile(r"^(env|conn):[A-Za-z0-9_]+$")
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_ACCOUNT = re.compile(r"\b(?P<network>[a-z]+) account (?P<account>[^\s:()]+)")
_TITLES = {"facebook": "Facebook", "instagram": "Instagram", "linkedin": "LinkedIn", "x": "X"}


@dataclass(frozen=True)
class AlertSettings:
    """``alerts: {email: {...}}`` in the config."""

    host: str
    port: int = 587
    starttls: bool = True
    sender: str = ""
    to: tuple[str, ...] = ()
    username: str | None = None  # env:NAME or conn:ID (the connection's login)
    password: str | None = None  # env:NAME or conn:ID (the connection's password)
    timeout: float = 30.0


def parse_alerts(
    raw: Any, fail: Callable[[dict, str], Exception], root: dict
) -> AlertSettings | None:
    """Validate ``alerts:``; ``fail(node, message)`` builds the config error."""
    if raw is None:
        return None
    example = (
        "alerts: {email: {host: smtp.example.org, port: 587, starttls: true, "
        "from: messbar@example.org, to: [owner@example.org], username: env:SMTP_USER, "
        "password: env:SMTP_PASSWORD}}"
    )
    if not isinstance(raw, dict) or not isinstance(raw.get("email"), dict):
        raise fail(raw if isinstance(raw, dict) else root, f"'alerts' must look like {example}.")
    unknown = sorted(k for k in raw if k not in {"__line__", "email"})
    if unknown:
        raise fail(raw, f"unknown key(s) {', '.join(unknown)} under 'alerts'; allowed: email.")
    email = raw["email"]
    allowed = {"host", "port", "starttls", "from", "to", "username", "password", "timeout"}
    unknown = sorted(k for k in email if k != "__line__" and k not in allowed)
    if unknown:
        raise fail(
            email,
            f"unknown key(s) {', '.join(unknown)} under 'alerts.email'; allowed: "
            f"{', '.join(sorted(allowed))}.",
        )
    host = str(email.get("host") or "").strip()
    if not host:
        raise fail(email, "alerts.email needs host (the SMTP server, e.g. smtp.example.org).")
    port = email.get("port", 587)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise fail(email, f"alerts.email.port must be a port number (587, 465, 25), not {port!r}.")
    starttls = email.get("starttls", True)
    if not isinstance(starttls, bool):
        raise fail(email, "alerts.email.starttls must be true or false.")
    sender = str(email.get("from") or "").strip()
    if not _ADDRESS.match(sender):
        raise fail(email, f"alerts.email.from must be one e-mail address, not {sender!r}.")
    to = email.get("to")
    to = [to] if isinstance(to, str) else to
    if not isinstance(to, list) or not to or not all(_ADDRESS.match(str(a)) for a in to):
        raise fail(
            email, "alerts.email.to must be a list of e-mail addresses, e.g. [owner@example.org]."
        )
    refs = {}
    for name in ("username", "password"):
        value = email.get(name)
        if value is not None and not _REF.match(str(value).strip()):
            raise fail(
                email,
                f"alerts.email.{name} must reference a secret as env:VARIABLE or "
                "conn:AIRFLOW_CONNECTION_ID; never write it in the file.",
            )
        refs[name] = str(value).strip() if value is not None else None
    if (refs["username"] is None) != (refs["password"] is None):
        raise fail(email, "alerts.email needs both username and password, or neither.")
    timeout = email.get("timeout", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise fail(email, "alerts.email.timeout must be a positive number of seconds.")
    return AlertSettings(
        host=host,
        port=port,
        starttls=starttls,
        sender=sender,
        to=tuple(str(a) for a in to),
        username=refs["username"],
        password=refs["password"],
        timeout=float(timeout),
    )


@dataclass(frozen=True)
class Alert:
    subject: str
    body: str
    cause: str  # "token", "retired_metric", "quality_gate", "other"


def describe_failure(
    error: BaseException | str,
    *,
    step: str = "",
    run_id: str = "",
    cfg: Config | None = None,
) -> Alert:
    """The plain-language message for one failure."""
    kind = type(error).__name__ if isinstance(error, BaseException) else ""
    text = mask_assigned_secrets(str(error))
    where = f"step '{step}'" if step else "the nightly run"
    run = f" (run {run_id})" if run_id else ""
    match = _ACCOUNT.search(text)
    network = getattr(error, "network", "") or (match["network"] if match else "")
    account = match["account"] if match else ""
    title = _TITLES.get(network, network or "A network")
    if kind == "TokenError" or (not kind and "access token was rejected" in text):
        ref, business = _account_details(cfg, network, account)
        secret = f" (the secret {ref})" if ref else ""
        body = (
            f"The nightly messbar run{run} stopped: the {title} access token for account "
            f"{account or '(unknown)'}{business} was rejected. It has expired or was revoked "
            f"(for example after a password change or when an admin removed the app).\n\n"
            f"What to do: log in to {title} with an admin of that account, create a new token "
            f"as described in extractors/networks/{network or '<network>'}/README.md, store it "
            f"where the config says{secret}, then rerun the day (`messbar run --date ...` or "
            "clear the failed tasks in Airflow). Data fetched before the failure is kept; the "
            "published file is unchanged.\n\nDetail: " + _first_lines(text)
        )
        return Alert(f"messbar: {title} token expired for account {account}", body, "token")
    if kind == "InvalidMetric" or "retired" in text.lower():
        body = (
            f"The nightly messbar run{run} stopped in {where}: {title} no longer accepts a "
            "metric messbar asks for (it was retired or renamed).\n\nWhat to do: update messbar, "
            "or mark the metric retired (retired_on) in "
            f"dbt_project/seeds/metric_registry__{network or '<network>'}.csv "
            "so it is no longer requested; the KPI tables show the gap in their "
            "provenance columns. The published file is unchanged.\n\nDetail: " + _first_lines(text)
        )
        return Alert(f"messbar: {title} retired a metric", body, "retired_metric")
    if kind == "GateFailed" or text.startswith("Quality gate failed"):
        body = (
            f"The nightly messbar run{run} built new numbers, but the quality gate refused them, "
            "so BI tools keep yesterday's published file.\n\nWhat failed (table, expectation, "
            "sample keys):\n" + _first_lines(text, 40) + "\n\nWhat to do: look at the report in "
            "data/published/quality/ (result.json and the Data Docs HTML). A sudden drop in "
            "volume usually means an account lost a permission or a token; a schema change "
            "means a network changed its API. Fix the cause and rerun the day."
        )
        return Alert("messbar: quality gate blocked publishing", body, "quality_gate")
    body = (
        f"The nightly messbar run{run} failed in {where}"
        + (f" ({kind})" if kind else "")
        + ". The published file is unchanged.\n\nError: "
        + _first_lines(text)
        + "\n\nWhat to do: read the step's log (Airflow task log, or the output of `messbar "
        "run`), fix the cause it names and rerun the day."
    )
    return Alert(f"messbar: nightly run failed in {step or 'run'}", body, "other")


def send(settings: AlertSettings, alert: Alert) -> None:
    """Send one alert by SMTP (STARTTLS when configured; login only with credentials)."""
    msg = EmailMessage()
    msg["Subject"] = alert.subject
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.to)
    msg.set_content(alert.body)
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username and settings.password:
            smtp.login(_secret(settings.username, "login"), _secret(settings.password, "password"))
        smtp.send_message(msg)


def notify_failure(
    cfg: Config | None,
    error: BaseException | str,
    *,
    step: str = "",
    run_id: str = "",
) -> Alert:
    """Describe a failure, log it, and e-mail it when ``alerts:`` is configured. Never raises:
    a broken mail setup is logged and the original failure stays what the caller reports."""
    alert = describe_failure(error, step=step, run_id=run_id, cfg=cfg)
    log.error("%s\n%s", alert.subject, alert.body)
    settings = getattr(cfg, "alerts", None)
    if settings is None:
        return alert
    try:
        send(settings, alert)
        log.info("failure alert sent to %s", ", ".join(settings.to))
    except Exception as exc:  # the alert must not replace the real failure
        log.error(
            "Could not send the failure alert through %s:%s: %s. Check alerts.email in the "
            "config and the SMTP credentials it references.",
            settings.host,
            settings.port,
            mask_assigned_secrets(f"{type(exc).__name__}: {exc}"),
        )
    return alert


def on_task_failure(context: dict[str, Any]) -> None:
    """Airflow ``on_failure_callback`` of every messbar task (runs after the last retry)."""
    try:
        from messbar.config import load_config

        ti = context.get("task_instance") or context.get("ti")
        step = getattr(ti, "task_id", "") or ""
        label = context.get("account_label") or ""
        if label and "account" not in step:
            step = f"{step} ({label})"
        cfg = None
        try:
            cfg = load_config(os.environ.get("MESSBAR_CONFIG") or None)
        except Exception as exc:  # still log the alert without config
            log.error("failure alert: config not readable (%s); the alert is only logged", exc)
        error = context.get("exception") or context.get("reason") or "unknown error"
        notify_failure(cfg, error, step=step, run_id=str(context.get("run_id") or ""))
    except Exception:  # a callback must never raise
        log.exception("failure callback could not build the alert")


def _account_details(cfg: Config | None, network: str, account: str) -> tuple[str, str]:
    """(token reference, ' (business name)') of an account from the config, if known."""
    if cfg is None:
        return "", ""
    for business in cfg.businesses:
        for acc in business.accounts:
            if acc.network == network and acc.account_id == account:
                return acc.token_ref, f" ({business.name})"
    return "", ""


def _secret(ref: str, part: str) -> str:
    kind, _, name = ref.partition(":")
    if kind == "env":
        value = os.environ.get(name, "")
        if not value:
            raise LookupError(f"environment variable {name} for the SMTP {part} is not set")
        return value
    from airflow.sdk import BaseHook  # only when a conn: reference is configured

    conn = BaseHook.get_connection(name)
    value = (conn.login if part == "login" else conn.password) or ""
    if not value:
        raise LookupError(f"Airflow Connection '{name}' has no SMTP {part}")
    return value


def _first_lines(text: str, lines: int = 12) -> str:
    kept = text.strip().splitlines()[:lines]
    out = "\n".join(line[:500] for line in kept)
    return out if len(out) < 6000 else out[:6000] + " ..."
