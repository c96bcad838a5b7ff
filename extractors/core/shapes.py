"""The fields of an API payload as the loader's schema-drift check counts them.

A field is an object key down to any depth, not entering arrays, named with the path syntax of
DuckDB's JSON functions (``$.a.b``, ``$."a b"``); its type is one of ``number``, ``string``,
``boolean``, ``null``, ``object`` or ``array``. The landing writer counts them per file while it
writes (it holds the parsed payload anyway) and puts the counts in the manifest, so the loader
need not parse every payload again to notice a new field or a changed type
(``loader/drift.py`` computes the same from the raw table when a manifest has no counts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def field_path(parent: str, key: str) -> str:
    """``$`` + ``a`` -> ``$.a``; keys that are not plain names are quoted: ``$."a b"``."""
    name = key if _KEY.fullmatch(key) else '"' + key.replace('"', '\\"') + '"'
    return f"{parent}.{name}"


def payload_fields(payload: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """(field path, JSON type) of every object key of ``payload``, depth first."""
    if not isinstance(payload, dict):
        return
    for key, value in payload.items():
        field = field_path(path, str(key))
        if isinstance(value, dict):
            yield field, "object"
            yield from payload_fields(value, field)
        elif isinstance(value, list | tuple):
            yield field, "array"
        elif isinstance(value, bool):
            yield field, "boolean"
        elif isinstance(value, int | float):
            yield field, "number"
        elif isinstance(value, str):
            yield field, "string"
        elif value is None:
            yield field, "null"
        else:  # json.dumps would have failed already; name it rather than guess
            raise TypeError(f"{field}: {type(value).__name__} is not a JSON value")


def lacks_id(payload: Any) -> bool:
    """True where ``json_extract_string(payload, '$.id')`` is NULL (no object, no id, null)."""
    return not isinstance(payload, dict) or payload.get("id") is None


class FieldCounter:
    """Rows per (field, type) and rows without an id, over the payloads of one landing file."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}
        self.without_id = 0

    def add(self, payload: Any) -> None:
        if lacks_id(payload):
            self.without_id += 1
        if payload is None:
            return
        counts = self.counts
        for key in payload_fields(payload):
            counts[key] = counts.get(key, 0) + 1

    def as_manifest(self) -> dict[str, Any]:
        """The manifest entry's ``fields`` (sorted ``[path, type, rows]``) and ``without_id``."""
        fields = [[path, kind, n] for (path, kind), n in sorted(self.counts.items())]
        return {"fields": fields, "without_id": self.without_id}
