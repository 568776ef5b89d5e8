"""Handlebars templates for workflow prompts, notifications and routing (DOMAIN §9).

Rendered with pybars3 extended so that the output is byte-identical to Handlebars.js 4.x with
HTML escaping on: tests/templates/test_oracle.py checks thousands of cases against the real
handlebars package (tools/handlebars_oracle). Helpers eq, gte, lte, gt, lt, and, or, not, abs
are available to every template (helpers.py).

Importing this package does not import pybars3 (about half a second): the first compile does.
"""

from __future__ import annotations

from renubu_tui.domain.templates.conditions import Condition, evaluate_condition
from renubu_tui.domain.templates.engine import check, render
from renubu_tui.domain.templates.errors import TemplateError
from renubu_tui.domain.templates.paths import missing_paths, referenced_paths
from renubu_tui.domain.templates.recipients import Recipients, render_recipients
from renubu_tui.domain.templates.values import render_value

__all__ = [
    "Condition",
    "Recipients",
    "TemplateError",
    "check",
    "evaluate_condition",
    "missing_paths",
    "referenced_paths",
    "render",
    "render_recipients",
    "render_value",
]
