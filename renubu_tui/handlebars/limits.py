"""How big and how deep a template, a template context or a JSON document may be.

Each cap is checked where the input enters (workflow import and edit, `renubu template
render|check|preview`) and again by the template functions themselves, so no path reaches the
compiler or the renderer with more than they can handle in a few milliseconds. Every refusal is
one line that says what was given and what the limit is: "template is 1.0 MB; the limit is
64 KB", "context nests 2000 levels; the limit is 64".

- a template: 64 KB of UTF-8, blocks and subexpressions nested at most 64 levels (the largest
  shipped template is 3 KB and nests 2 levels; compiling 64 KB takes a few tens of ms);
- a context: nested at most 64 levels (a customer's context nests 5); as JSON text at most 1 MB
  (a customer's context is about 5 KB);
- a workflow's JSON: at most 1 MB, nested at most 64 levels (the largest shipped workflow is
  21 KB and nests 10).

Depths are measured without recursion, so a document nested 100 000 levels deep is measured
(and refused) like any other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from renubu_tui.handlebars.errors import TemplateError

__all__ = [
    "MAX_CONTEXT_BYTES",
    "MAX_CONTEXT_DEPTH",
    "MAX_TEMPLATE_BYTES",
    "MAX_TEMPLATE_NESTING",
    "MAX_WORKFLOW_BYTES",
    "MAX_WORKFLOW_DEPTH",
    "LimitError",
    "check_context",
    "check_json_text",
    "check_json_value",
    "check_template_size",
    "json_text_depth",
    "size_text",
    "too_big",
    "value_depth",
]

MAX_TEMPLATE_BYTES = 64 * 1024
MAX_TEMPLATE_NESTING = 64
MAX_CONTEXT_DEPTH = 64
MAX_CONTEXT_BYTES = 1024 * 1024
MAX_WORKFLOW_BYTES = 1024 * 1024
MAX_WORKFLOW_DEPTH = 64

_KB = 1024
_MB = 1024 * 1024
# A JSON string (escapes included; one left open runs to the end, so the scan stays linear) or
# one bracket: all that matters for the nesting of JSON text.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)
_CONTAINERS = (dict, list, tuple)


class LimitError(TemplateError):
    """An input over one of the caps above; the message says how big it is and the limit."""


def size_text(size: int) -> str:
    """Sizes as people read them: 512 bytes, 64 KB, 1.5 KB, 1.0 MB."""
    if size < _KB:
        return f"{size} bytes"
    if size < 1000 * _KB:  # 1 023 KB would read "1023.0 KB": megabytes from 1 000 KB
        return f"{size // _KB} KB" if size % _KB == 0 else f"{size / _KB:.1f} KB"
    return f"{size / _MB:.1f} MB"


def too_big(what: str, size: int, limit: int) -> str:
    """ "template is 1.0 MB; the limit is 64 KB" (in bytes when just over: 64.0 KB would read
    as the limit itself)."""
    if size < limit * 1.1:
        return f"{what} is {size:,} bytes; the limit is {limit:,} bytes ({size_text(limit)})"
    return f"{what} is {size_text(size)}; the limit is {size_text(limit)}"


def check_template_size(template: str, what: str = "template") -> None:
    """LimitError if `template` is over MAX_TEMPLATE_BYTES of UTF-8."""
    if len(template) * 4 <= MAX_TEMPLATE_BYTES:  # cannot be over: no need to encode
        return
    size = len(template.encode("utf-8", "surrogatepass"))
    if size > MAX_TEMPLATE_BYTES:
        raise LimitError(too_big(what, size, MAX_TEMPLATE_BYTES))


def value_depth(value: Any, stop_after: int | None = None) -> int:
    """How many levels of objects and arrays `value` nests (a scalar is 0, `{}` is 1).

    Level by level, without recursion; with `stop_after`, stops as soon as the depth is known
    to exceed it (returning stop_after + 1).
    """
    level = [value] if isinstance(value, Mapping | list | tuple) else []
    depth = 0
    while level:
        depth += 1
        if stop_after is not None and depth > stop_after:
            return depth
        below: list[Any] = []
        for item in level:
            children = item.values() if isinstance(item, Mapping) else item
            below += [c for c in children if type(c) in _CONTAINERS or isinstance(c, Mapping)]
        level = below
    return depth


def check_context(context: Any, what: str = "context") -> None:
    """LimitError if `context` nests more than MAX_CONTEXT_DEPTH levels."""
    depth = value_depth(context)
    if depth > MAX_CONTEXT_DEPTH:
        raise LimitError(f"{what} nests {depth} levels; the limit is {MAX_CONTEXT_DEPTH}")


def check_json_value(value: Any, what: str, *, max_bytes: int, max_depth: int) -> None:
    """LimitError if `value` (parsed JSON) nests over `max_depth` levels or is over `max_bytes`
    as JSON text. The depth is measured first, without recursion (encoding a document nested
    2 000 levels deep would itself fail)."""
    depth = value_depth(value, stop_after=max_depth)
    if depth > max_depth:
        depth = value_depth(value)
        raise LimitError(f"{what} nests {depth} levels; the limit is {max_depth}")
    size = len(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8", "replace"))
    if size > max_bytes:
        raise LimitError(too_big(what, size, max_bytes))


def json_text_depth(text: str) -> int:
    """How deep the arrays and objects of JSON `text` nest (brackets inside strings ignored).

    For text that is not JSON the figure is a bound, good enough to refuse before parsing.
    """
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def check_json_text(text: str, what: str, *, max_bytes: int, max_depth: int) -> None:
    """LimitError if JSON `text` is over `max_bytes` of UTF-8 or nests over `max_depth` levels.

    Checked before parsing: Python's json module recurses per level (2 000 levels raise
    RecursionError) and parsing megabytes only to refuse them costs time.
    """
    if len(text) * 4 > max_bytes:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise LimitError(too_big(what, size, max_bytes))
    depth = json_text_depth(text)
    if depth > max_depth:
        raise LimitError(f"{what} nests {depth} levels; the limit is {max_depth}")
