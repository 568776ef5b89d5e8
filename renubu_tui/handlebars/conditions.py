"""Template conditions (routing `when`, notification `condition`, conditional steps)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from renubu_tui.handlebars.engine import render
from renubu_tui.handlebars.errors import TemplateError

__all__ = ["Condition", "evaluate_condition"]

_FALSE_TEXTS = frozenset({"", "0", "false"})


@dataclass(frozen=True, slots=True)
class Condition:
    """The outcome of a condition: its truth, what it rendered, and a render error if any."""

    value: bool
    rendered: str
    error: str | None = None


def evaluate_condition(template: str, context: Mapping[str, Any]) -> Condition:
    """True unless the trimmed render is "", "0" or "false" (any case) (domain.md §9).

    A template that does not compile or fails to render makes the condition false, and the
    reason is kept in `error` so that callers report it instead of silently routing elsewhere.
    """
    try:
        rendered = render(template, context)
    except TemplateError as exc:
        return Condition(False, "", str(exc))
    return Condition(rendered.strip().lower() not in _FALSE_TEXTS, rendered)
