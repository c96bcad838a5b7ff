"""The dbt-duckdb plugin behind staging's commenter pseudonym (insights/dbt_plugin.py): the SQL
function equals the HMAC, and the key is needed only when the function is called."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import duckdb
import pytest
import yaml
from dbt.adapters.duckdb.plugins import BasePlugin

from insights.dbt_plugin import FUNCTION_NAME
from insights.pseudonym import ENV_VAR

PROFILES = Path(__file__).resolve().parents[2] / "dbt_project" / "profiles.yml"


def plugin_connection() -> duckdb.DuckDBPyConnection:
    """A connection configured the way dbt-duckdb does it, from the module the profile names."""
    (module,) = [
        p["module"]
        for p in yaml.safe_load(PROFILES.read_text())["messbar"]["outputs"]["dev"]["plugins"]
    ]
    plugin = BasePlugin.create(module)
    con = duckdb.connect()
    plugin.configure_connection(con)
    return con


def test_sql_function_is_the_keyed_hmac(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "plugin-test-key-0123456789"
    monkeypatch.setenv(ENV_VAR, secret)
    con = plugin_connection()
    rows = con.execute(
        f"select {FUNCTION_NAME}(p, u) from (values ('x', '77'), ('linkedin', "
        "'urn:li:person:ab'), ('x', null), ('x', ''), (null, '77')) t(p, u)"
    ).fetchall()
    assert rows == [
        (hmac.new(secret.encode(), b"x:77", hashlib.sha256).hexdigest(),),
        (hmac.new(secret.encode(), b"linkedin:urn:li:person:ab", hashlib.sha256).hexdigest(),),
        (None,),  # the network did not say who wrote the comment
        (None,),
        (None,),
    ]


def test_key_is_read_only_when_the_function_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    con = plugin_connection()  # dbt parse, sqlfluff's templater: no key needed
    assert con.execute("select 1").fetchall() == [(1,)]
    assert con.execute(f"select {FUNCTION_NAME}('x', null)").fetchall() == [(None,)]
    with pytest.raises(duckdb.Error, match=f"{ENV_VAR} is not set.*secrets.token_hex"):
        con.execute(f"select {FUNCTION_NAME}('x', '77')").fetchall()
