"""Test-wide environment: the keyed commenter pseudonym needs a secret (MESSBAR_PSEUDONYM_KEY);
every dbt build and DAG run started from the tests inherits this throwaway test key."""

import os

os.environ.setdefault("MESSBAR_PSEUDONYM_KEY", "messbar-test-pseudonym-key-0123456789")
