"""Checking an action's parameters against the small JSON-schema subset saved actions use.

Saved actions are data: their parameter rules live in the database (`paramsSchema`, `defaults`).
This reads them — type, enum, minimum/maximum, min/maxLength, pattern, date formats, required —
and returns the parameters with defaults applied, or one sentence per problem.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any


class ParamsError(ValueError):
    """Parameters that do not fit the action; the message lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (dict,),
}


def check_params(
    schema: Mapping[str, Any], params: Mapping[str, Any], defaults: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """`params` with defaults filled in, or ParamsError naming each problem."""
    properties: Mapping[str, Any] = schema.get("properties") or {}
    values: dict[str, Any] = {}
    for name, rule in properties.items():
        if "default" in rule:
            values[name] = rule["default"]
    values.update(defaults or {})
    values.update({k: v for k, v in params.items() if v is not None})
    problems = [
        f"{name}: unknown parameter (expected: {', '.join(properties) or 'none'})"
        for name in values
        if name not in properties
    ]
    for name in schema.get("required") or []:
        if values.get(name) in (None, "", []):
            problems.append(f"{name}: required")
    for name, rule in properties.items():
        if name in values and values[name] is not None:
            problems += [f"{name}: {p}" for p in _check(rule, values[name])]
    if problems:
        raise ParamsError(problems)
    return values


def _check(rule: Mapping[str, Any], value: Any) -> list[str]:
    kind = rule.get("type")
    if kind in _TYPES:
        if isinstance(value, bool) and kind in {"integer", "number"}:
            return [f"expected {kind}, got {value!r}"]
        if not isinstance(value, _TYPES[kind]):
            return [f"expected {kind}, got {value!r}"]
    problems: list[str] = []
    if "enum" in rule and value not in rule["enum"]:
        choices = ", ".join(str(c) for c in rule["enum"])
        problems.append(f"{value!r} is not one of: {choices}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in rule and value < rule["minimum"]:
            problems.append(f"at least {rule['minimum']}, got {value}")
        if "maximum" in rule and value > rule["maximum"]:
            problems.append(f"at most {rule['maximum']}, got {value}")
    if isinstance(value, str):
        if "minLength" in rule and len(value.strip()) < rule["minLength"]:
            problems.append("must not be empty" if rule["minLength"] == 1 else "too short")
        if "maxLength" in rule and len(value) > rule["maxLength"]:
            problems.append(f"at most {rule['maxLength']} characters")
        if "pattern" in rule and not re.fullmatch(rule["pattern"], value):
            problems.append(f"{value!r} does not match the expected form")
        fmt = rule.get("format")
        try:
            if fmt == "date":
                dt.date.fromisoformat(value)
            elif fmt == "date-time":
                dt.datetime.fromisoformat(value)
        except ValueError:
            problems.append(f"{value!r} is not a valid {fmt} (YYYY-MM-DD)")
    if isinstance(value, list | tuple) and isinstance(rule.get("items"), dict):
        for i, item in enumerate(value):
            problems += [f"[{i}] {p}" for p in _check(rule["items"], item)]
    return problems
