"""Resolve a token reference from the config (``env:NAME`` or ``conn:CONNECTION_ID``)."""

from __future__ import annotations

import os
import sys


class SecretNotFound(LookupError):
    pass


def resolve_secret(ref: str, *, what: str) -> str:
    """Return the secret behind ``ref``; the error says where it was looked for, never a value."""
    kind, _, name = ref.partition(":")
    if kind == "env":
        value = os.environ.get(name, "")
        if not value:
            raise SecretNotFound(
                f"{what}: environment variable {name} is empty or not set; export it with the "
                "access token (see the network's README for how to obtain one)."
            )
    elif kind == "conn":
        value = _airflow_connection_secret(name, what)
    else:
        raise SecretNotFound(f"{what}: token reference must be env:NAME or conn:ID.")
    _mask(value)
    return value


def _airflow_connection_secret(conn_id: str, what: str) -> str:
    try:
        from airflow.sdk import BaseHook  # heavy import: only when a conn: reference is used
    except ImportError:  # pragma: no cover - older layouts
        from airflow.hooks.base import BaseHook  # type: ignore[no-redef]
    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception:
        raise SecretNotFound(
            f"{what}: Airflow Connection '{conn_id}' not found; create it with "
            f"`airflow connections add {conn_id} --conn-type http --conn-password <token>`."
        ) from None
    value = conn.password or ""
    if not value:
        raise SecretNotFound(f"{what}: Airflow Connection '{conn_id}' has no password (token).")
    return value


def _mask(value: str) -> None:
    """Register the token with Airflow's log masker when running inside an Airflow task."""
    if "airflow.sdk" not in sys.modules:
        return
    from airflow.sdk import log as airflow_log
    from airflow.sdk.execution_time import task_runner

    comms = getattr(task_runner, "SUPERVISOR_COMMS", None)
    if type(comms).__name__ == "InProcessSupervisorComms":
        # `airflow dags test` runs the supervisor in this process and logs every message it
        # is sent at DEBUG, MaskSecret bodies included (the real supervisor omits them). The
        # masker is shared in-process, so registering it locally masks it everywhere.
        airflow_log._secrets_masker().add_mask(value)
        return
    airflow_log.mask_secret(value)
