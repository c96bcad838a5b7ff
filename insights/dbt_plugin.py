"""dbt-duckdb plugin: the keyed commenter pseudonym as a SQL function, so staging can replace a
commenter's platform user id before anything is stored.

``dbt_project/profiles.yml`` loads it (``plugins: - module: insights.dbt_plugin``); every
connection dbt opens then knows

    messbar_commenter_key(platform VARCHAR, user_id VARCHAR) -> VARCHAR

which is :func:`insights.pseudonym.commenter_key` (HMAC-SHA256, 64 hex digits; NULL for a NULL
or empty id). The key comes from ``MESSBAR_PSEUDONYM_KEY`` in dbt's environment
(``messbar.pipeline.transform`` puts a ``conn:``-referenced key there), read at the first call
and never as SQL text, so it cannot reach compiled SQL, logs or target files. Reading it lazily
lets connections that never call the function (``dbt parse``, sqlfluff's dbt templater) work
without the secret; a build that needs it without it fails with
:class:`insights.pseudonym.MissingPseudonymKey`'s message.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection
from duckdb.sqltypes import VARCHAR

from insights.pseudonym import commenter_key, pseudonym_key

FUNCTION_NAME = "messbar_commenter_key"


class Plugin(BasePlugin):
    """Registers :data:`FUNCTION_NAME` on each DuckDB connection dbt-duckdb opens."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self._key: bytes | None = None

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        # SPECIAL null handling: an empty id gives NULL, which DEFAULT handling rejects.
        # side_effects=False: same inputs, same key, same output, so DuckDB may reuse results.
        conn.create_function(
            FUNCTION_NAME,
            self.commenter_key,
            [VARCHAR, VARCHAR],
            VARCHAR,
            null_handling="special",
            side_effects=False,
        )

    def commenter_key(self, platform: str | None, user_id: str | None) -> str | None:
        """The pseudonym of ``user_id`` on ``platform``; the key is resolved on first use."""
        if platform is None or user_id is None or user_id == "":
            return None  # nothing to key: no need for the secret either
        if self._key is None:
            self._key = pseudonym_key()
        return commenter_key(platform, user_id, self._key)
