"""A workflow step's `outputSchema` (a small subset: type, enum, required, properties, items)
as standard JSON Schema, for constrained decoding.

Providers that can hold a model to a schema get this once per step run: OpenAI-compatible
servers as `response_format: json_schema` (strict), ollama as `format`, Anthropic as a forced
tool's `input_schema`. Strict mode (OpenAI) wants every object closed and every property
listed as required, so a property the workflow leaves optional becomes nullable instead:
the model may answer null, and `drop_optional_nulls` removes those before the output is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_NAME = re.compile(r"[^a-zA-Z0-9_-]+")


def schema_name(text: str) -> str:
    """A name the APIs accept (letters, digits, _ and -, at most 64)."""
    return (_NAME.sub("_", text).strip("_") or "output")[:64]


def standard_schema(subset: Mapping[str, Any]) -> dict[str, Any]:
    """Standard, strict-mode JSON Schema for the subset (properties under a non-object type,
    which some configs use to describe a string's content, are dropped as JSON Schema does)."""
    return _convert(subset, nullable=False)


def _types(rule: Mapping[str, Any]) -> list[str] | None:
    kinds = rule.get("type")
    if kinds is None:
        return None
    return [kinds] if isinstance(kinds, str) else [str(k) for k in kinds]


def _convert(rule: Mapping[str, Any], *, nullable: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    kinds = _types(rule)
    is_object = (kinds is not None and "object" in kinds) or (
        kinds is None and isinstance(rule.get("properties"), Mapping)
    )
    if kinds is None and is_object:
        kinds = ["object"]
    if kinds is not None:
        if nullable and "null" not in kinds:
            kinds = [*kinds, "null"]
        out["type"] = kinds[0] if len(kinds) == 1 else kinds
    if isinstance(rule.get("description"), str):
        out["description"] = rule["description"]
    if isinstance(rule.get("enum"), list):
        values = list(rule["enum"])
        out["enum"] = [*values, None] if nullable and None not in values else values
    if is_object:
        properties: Mapping[str, Any] = rule.get("properties") or {}
        required = set(rule.get("required") or ())
        out["properties"] = {
            name: _convert(sub if isinstance(sub, Mapping) else {}, nullable=name not in required)
            for name, sub in properties.items()
        }
        out["required"] = list(properties)
        out["additionalProperties"] = False
    if kinds is not None and "array" in kinds:
        items = rule.get("items")
        out["items"] = _convert(items, nullable=False) if isinstance(items, Mapping) else {}
    return out


def drop_optional_nulls(subset: Mapping[str, Any], value: Any) -> Any:
    """`value` without the nulls strict mode made the model write for optional properties."""
    if isinstance(value, dict):
        properties: Mapping[str, Any] = subset.get("properties") or {}
        required = set(subset.get("required") or ())
        kept: dict[str, Any] = {}
        for name, item in value.items():
            if item is None and name not in required:
                continue
            rule = properties.get(name)
            kept[name] = drop_optional_nulls(rule, item) if isinstance(rule, Mapping) else item
        return kept
    if isinstance(value, list) and isinstance(subset.get("items"), Mapping):
        return [drop_optional_nulls(subset["items"], item) for item in value]
    return value


__all__ = ["drop_optional_nulls", "schema_name", "standard_schema"]
