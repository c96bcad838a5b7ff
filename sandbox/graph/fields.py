"""The ``fields`` parameter: ``a,b.summary(true).limit(0),c{d,e}`` -> FieldSpec list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.graph.errors import GraphError, nonexisting_field

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    modifiers: tuple[tuple[str, str], ...] = ()
    subfields: tuple[FieldSpec, ...] | None = None

    def modifier(self, name: str) -> str | None:
        return next((value for key, value in self.modifiers if key == name), None)


def _syntax_error(text: str, pos: int) -> GraphError:
    if pos >= len(text):
        problem = "Unexpected end of string."
    else:
        problem = f'Expected end of string instead of "{text[pos]}".'
    return GraphError(f'Syntax error "{problem}" at character {pos}: {text}', 2500)


def parse_fields(text: str) -> tuple[FieldSpec, ...]:
    """Split ``text`` on top-level commas and read each field's ``.name(args)`` modifiers
    and ``{subfields}``. Raises the Graph syntax error (code 2500) on malformed input."""
    specs, pos = _parse_list(text, 0, closing=None)
    if pos != len(text):
        raise _syntax_error(text, pos)
    return specs


def _read_name(text: str, pos: int) -> tuple[str, int]:
    start = pos
    while pos < len(text) and text[pos] in _NAME_CHARS:
        pos += 1
    return text[start:pos], pos


def _read_args(text: str, pos: int) -> tuple[str, int]:
    depth, start = 1, pos
    while pos < len(text):
        if text[pos] == "(":
            depth += 1
        elif text[pos] == ")":
            depth -= 1
            if depth == 0:
                return text[start:pos], pos + 1
        pos += 1
    raise _syntax_error(text, pos)


def _parse_list(text: str, pos: int, closing: str | None) -> tuple[tuple[FieldSpec, ...], int]:
    specs: list[FieldSpec] = []
    while True:
        while pos < len(text) and text[pos] == " ":
            pos += 1
        name, pos = _read_name(text, pos)
        modifiers: list[tuple[str, str]] = []
        subfields: tuple[FieldSpec, ...] | None = None
        while name and pos < len(text):
            if text[pos] == ".":
                modifier, pos = _read_name(text, pos + 1)
                if not modifier or pos >= len(text) or text[pos] != "(":
                    raise _syntax_error(text, pos)
                args, pos = _read_args(text, pos + 1)
                modifiers.append((modifier, args.strip()))
            elif text[pos] == "{" and subfields is None:
                subfields, pos = _parse_list(text, pos + 1, closing="}")
            else:
                break
        if name:
            specs.append(FieldSpec(name, tuple(modifiers), subfields))
        while pos < len(text) and text[pos] == " ":
            pos += 1
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        if closing is not None:
            if pos < len(text) and text[pos] == closing:
                return tuple(specs), pos + 1
            raise _syntax_error(text, pos)
        return tuple(specs), pos


Resolver = Callable[[FieldSpec], Any]


def render(
    specs: tuple[FieldSpec, ...], resolvers: dict[str, Resolver], node_type: str
) -> dict[str, Any]:
    """The node as Graph returns it: the requested fields in order (absent values left out),
    then ``id`` if it was not requested. Unknown fields fail the whole call."""
    for spec in specs:
        if spec.name not in resolvers:
            raise nonexisting_field(spec.name, node_type)
    node: dict[str, Any] = {}
    for spec in specs:
        value = resolvers[spec.name](spec)
        if value is not None:
            node[spec.name] = value
    if "id" not in node and "id" in resolvers:
        node["id"] = resolvers["id"](FieldSpec("id"))
    return node
