"""Rendering every string inside a JSON-like value (notification metadata)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from renubu_tui.handlebars.engine import render
from renubu_tui.handlebars.errors import TemplateError

__all__ = ["render_value"]


def render_value(
    value: Any, context: Mapping[str, Any], where: str = "", *, escape: bool = True
) -> Any:
    """A copy of `value` with each string rendered as a template; other literals keep their type.

    Metadata such as `{"arr": "{{customer.arr}}", "urgent": true, "days": 7}` keeps `true` and
    `7` as they are. A failing string raises TemplateError naming its JSON path. `escape=False`
    renders text, not HTML (see `render_text`): metadata is data, not markup.
    """
    if isinstance(value, str):
        try:
            return render(value, context, escape=escape)
        except TemplateError as exc:
            raise TemplateError(f"{where or '$'}: {exc}") from None
    if isinstance(value, Mapping):
        return {
            key: render_value(item, context, f"{where}.{key}" if where else str(key), escape=escape)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [
            render_value(item, context, f"{where}[{i}]", escape=escape)
            for i, item in enumerate(value)
        ]
    return value
