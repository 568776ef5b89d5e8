"""Handlebars templates for workflow prompts, notifications and routing (domain.md §9).

Compiled by renubu's own port of the Handlebars 4.7 grammar, whitespace control and runtime
(engine.py; it replaced pybars3's code generation, whose compile time grew to seconds for large
templates), so that the output is byte-identical to Handlebars.js 4.x: `render` with HTML
escaping on, `render_text` as with Handlebars' `noEscape: true` compile option.
tests/handlebars/test_oracle.py checks thousands of cases of both against the real handlebars
package (tools/handlebars_oracle). Helpers eq, gte, lte, gt, lt, and, or, not, abs
and renubu's `money` are available to every template (helpers.py).

What people read (notifications, step prompts, recipients, metadata) and what a model reads is
text: rendered with `render_text`, so "Pinnacle & Sons <Edu>" is not shown as
"Pinnacle &amp; Sons &lt;Edu&gt;", and displayed as plain text, never as markup. Conditions
keep HTML mode: only whether the result is empty, "0" or "false" matters.

Templates and contexts have limits (limits.py: 64 KB, 64 levels), refused in one line
(LimitError, a TemplateError).
"""

from __future__ import annotations

from renubu_tui.handlebars.conditions import Condition, evaluate_condition
from renubu_tui.handlebars.engine import check, render, render_text
from renubu_tui.handlebars.errors import TemplateError
from renubu_tui.handlebars.limits import LimitError
from renubu_tui.handlebars.names import unknown_helpers
from renubu_tui.handlebars.paths import guarded_paths, missing_paths, referenced_paths
from renubu_tui.handlebars.recipients import Recipients, render_recipients
from renubu_tui.handlebars.values import render_value

__all__ = [
    "Condition",
    "LimitError",
    "Recipients",
    "TemplateError",
    "check",
    "evaluate_condition",
    "guarded_paths",
    "missing_paths",
    "referenced_paths",
    "render",
    "render_recipients",
    "render_text",
    "render_value",
    "unknown_helpers",
]
