"""Checking a step's structured output against its `outputSchema` (a small JSON-schema subset).

The subset the workflow configs use: `type` (one or a list), `enum`, `required`, `properties`
(nested objects) and `items` (arrays). Properties a schema lists under a non-object type (some
configs describe a string's intended content that way) are ignored, as JSON Schema does. Every
problem is reported with its JSON path, so a model can be told exactly what to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _is(kind: str, value: Any) -> bool:
    if kind in {"integer", "number"} and isinstance(value, bool):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(kind, (object,)))


def problems(schema: Mapping[str, Any], value: Any, path: str = "$") -> list[str]:
    """Every way `value` does not fit `schema`, as "path: problem" lines (empty: it fits)."""
    found: list[str] = []
    kinds = schema.get("type")
    if kinds is not None:
        allowed = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_is(k, value) for k in allowed):
            return [f"{path}: expected {' or '.join(allowed)}, got {_kind(value)}"]
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        found.append(f"{path}: must be one of {', '.join(map(str, enum))}, got {value!r}")
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties") or {}
        for name in schema.get("required") or []:
            if value.get(name) is None:
                found.append(f"{path}.{name}: required")
        for name, rule in properties.items():
            if value.get(name) is not None and isinstance(rule, Mapping):
                found += problems(rule, value[name], f"{path}.{name}")
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for i, item in enumerate(value):
            found += problems(schema["items"], item, f"{path}[{i}]")
    return found


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


__all__ = ["problems"]
