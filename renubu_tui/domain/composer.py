"""Expanding a composition (an ordered list of library steps) into a full workflow config (§7).

Expansion is deterministic: the same composition and library always give the same config, so an
execution that pins a composition's version always sees the same steps. The result passes
`validate_config` whenever the composition passes `validate_composition`.

How a step is built from its library entry, in order:
1. the library definition, minus the library's own bookkeeping (`dataRequired` and `collects` are
   kept: the runtime checks `dataRequired` before running a step);
2. the prompt is extended with the step's context: purpose, urgency and variables (inserted as
   written: they may use templates, and are checked as part of the prompt);
3. `overrides` are deep-merged (objects merge, everything else replaces);
4. without routing of its own, a step routes to the next step of the sequence (`defaultRoute`).
A repeated library step gets the id `<stepId>-2`, `-3`, … (its `storeIn` likewise) so ids stay
unique. When no step carries a notification, the first step gets a `workflow_started` notice.
"""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

_LIBRARY_ONLY = ("id",)


class CompositionError(ValueError):
    """The composition names a step the library does not have (validate it first)."""


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A new dict: `overrides` merged into `base` (nested objects merge; lists replace)."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _context_block(ctx: dict[str, Any]) -> str:
    lines = []
    if ctx.get("purpose"):
        lines.append(f"Purpose of this step: {ctx['purpose']}")
    if ctx.get("urgency"):
        lines.append(f"Urgency: {ctx['urgency']}")
    variables = ctx.get("variables") or {}
    if variables:
        lines.append("Variables:")
        for key in variables:
            value = variables[key]
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            lines.append(f"- {key}: {text}")
    return "\n".join(lines)


def _step_context(entry: dict[str, Any], shared: object) -> dict[str, Any]:
    """The entry's context over the composition's `stepContext` for that step id."""
    base = shared.get(entry.get("stepId"), {}) if isinstance(shared, dict) else {}
    return deep_merge(base if isinstance(base, dict) else {}, entry.get("context") or {})


def expand(composition: dict[str, Any], library: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The full config of `composition`, its steps taken from `library` (slug → definition)."""
    sequence = composition.get("composition") or []
    shared = composition.get("stepContext") or {}
    counts: dict[str, int] = {}
    steps: list[dict[str, Any]] = []
    for entry in sequence:
        slug = entry.get("stepId")
        if slug not in library:
            raise CompositionError(f"no library step {slug!r}")
        counts[slug] = counts.get(slug, 0) + 1
        suffix = "" if counts[slug] == 1 else f"-{counts[slug]}"
        ctx = _step_context(entry, shared)
        step = {k: copy.deepcopy(v) for k, v in library[slug].items() if k not in _LIBRARY_ONLY}
        step = {"id": slug + suffix, **step}
        execution = step.get("execution")
        if isinstance(execution, dict):
            if suffix and isinstance(execution.get("storeIn"), str):
                execution["storeIn"] += suffix.replace("-", "_")
            block = _context_block(ctx)
            if block:
                prompt = execution.get("llmPrompt") or ""
                execution["llmPrompt"] = f"{prompt}\n\n{block}" if prompt else block
        step = deep_merge(step, ctx.get("overrides") or {})
        step["id"] = slug + suffix  # overrides never rename a step
        steps.append(step)
    for step, following in itertools.pairwise(steps):
        if "routing" not in step:
            step["routing"] = {"routes": [], "defaultRoute": following["id"]}
    if steps and not any(step.get("notifications") for step in steps):
        steps[0]["notifications"] = [_started_notice(composition)]
    return {
        "id": composition.get("id"),
        "name": composition.get("name"),
        "description": composition.get("description"),
        "version": composition.get("version"),
        "trigger": copy.deepcopy(composition.get("trigger")),
        "context": copy.deepcopy(composition.get("context")),
        "steps": steps,
    }


def _started_notice(composition: dict[str, Any]) -> dict[str, Any]:
    """Every workflow notifies at least once (§7): tell the CSM the workflow has started."""
    name = str(composition.get("name") or composition.get("id") or "workflow")
    return {
        "type": "workflow_started",
        "title": f"{{{{customer.name}}}}: {name} started",
        "message": f"{name} has started for {{{{customer.name}}}}.",
        "priority": 4,
        "recipients": ["{{csm.email}}"],
        "metadata": {"customerId": "{{customer.id}}", "composition": composition.get("id")},
    }
