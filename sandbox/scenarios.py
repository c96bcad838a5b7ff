"""Scenario helpers that change what a running sandbox serves, for the schema drift and hostile
content tests (reliability plan 11.2 #16, #17).

The network modules render objects from the seeded world; these helpers rewrite the objects in
the JSON answers on their way out, so every network, page and Graph batch gets the same
treatment without touching the network modules:

    with sandbox.serve(now=NOW) as sb:
        scenarios.set_fields(sb, r"/instagram/", {"17900000000000001": {"like_count": "1.2K"}})

Objects are matched by their ``id``; list answers (``data``, ``elements``) and the bodies inside
a Graph batch answer are walked. A mutation stays until :func:`clear` is called.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from sandbox.protocol import Response
from sandbox.server import Sandbox

ObjectFn = Callable[[dict[str, Any]], dict[str, Any] | None]

_MISSING = object()
_lock = threading.Lock()


def mutate_objects(sb: Sandbox, path: str, fn: ObjectFn) -> None:
    """Apply ``fn`` to every JSON object served under ``path`` (a regex searched in the request
    path, network prefix included). ``fn`` changes the object in place or returns a
    replacement; returning ``None`` keeps the (changed) object."""
    pattern = re.compile(path)
    with _lock:
        mutations = sb.__dict__.setdefault("_scenario_mutations", [])
        mutations.append((pattern, fn))
        if "handle" not in sb.__dict__:  # wrap this instance's dispatcher once
            original = sb.handle

            def handle(method: str, target: str, headers: dict[str, str], body: bytes):
                response = original(method, target, headers, body)
                request_path = target.split("?", 1)[0]
                active = [m for p, m in mutations if p.search(request_path)]
                return _rewrite(response, active) if active else response

            sb.handle = handle  # type: ignore[method-assign]


def set_fields(sb: Sandbox, path: str, changes: Mapping[str, Mapping[str, Any]]) -> None:
    """Give the objects with these ids new field values (``{object_id: {field: value}}``): a
    changed type, a new field, hostile text. A value of :data:`DROP` removes the field."""

    def change(obj: dict[str, Any]) -> None:
        fields = changes.get(str(obj.get("id")))
        if fields is None:
            return
        for name, value in fields.items():
            if value is DROP:
                obj.pop(name, None)
            else:
                obj[name] = value

    mutate_objects(sb, path, change)


def add_field(sb: Sandbox, path: str, name: str, value: Any) -> None:
    """A field the API starts sending on every object that has an ``id`` (a new API field)."""

    def add(obj: dict[str, Any]) -> None:
        if "id" in obj and name not in obj:
            obj[name] = value

    mutate_objects(sb, path, add)


def drop_ids(
    sb: Sandbox, path: str, which: set[str] | Callable[[dict[str, Any]], bool], *, limit: int = 1
) -> None:
    """Serve objects without their ``id`` (an API bug): the objects with these ids, or the
    first ``limit`` objects for which the predicate ``which`` is true."""
    dropped = 0

    def drop(obj: dict[str, Any]) -> None:
        nonlocal dropped
        if "id" not in obj:
            return
        if callable(which):
            if dropped >= limit or not which(obj):
                return
            dropped += 1
        elif str(obj["id"]) not in which:
            return
        del obj["id"]

    mutate_objects(sb, path, drop)


def clear(sb: Sandbox) -> None:
    """Serve the world unchanged again."""
    with _lock:
        sb.__dict__.get("_scenario_mutations", []).clear()


DROP = _MISSING


def _rewrite(response: Response, mutations: list[ObjectFn]) -> Response:
    if response.status != 200 or not response.body:
        return response
    try:
        data = json.loads(response.body)
    except ValueError:
        return response
    data = _walk(data, mutations)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(response.status, response.headers, body, response.log)


def _walk(value: Any, mutations: list[ObjectFn]) -> Any:
    if isinstance(value, list):
        return [_walk(item, mutations) for item in value]
    if not isinstance(value, dict):
        return value
    if isinstance(value.get("body"), str) and "code" in value:  # one answer of a Graph batch
        try:
            inner = json.loads(value["body"])
        except ValueError:
            return value
        value["body"] = json.dumps(_walk(inner, mutations), ensure_ascii=False)
        return value
    for key, item in list(value.items()):
        value[key] = _walk(item, mutations)
    for fn in mutations:
        replaced = fn(value)
        if replaced is not None:
            value = replaced
    return value
