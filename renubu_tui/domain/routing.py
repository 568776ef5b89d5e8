"""Which step comes next (domain.md §7, Decision "routing is evaluated"), and gates.

After a step: the route the CSM picked, else the route code the step's output names
(`outputs.route`), else the first route whose `when` is true, else `defaultRoute`, else the next
step in order; the end of the list ends the workflow. A conditional step whose `when` is false is
skipped ("condition not met") and routing continues from it the same way.

Templates are evaluated by a function the caller passes in, so this module stays pure. The
rules read typed configs (`workflow_model`); the stored form is accepted too and parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from renubu_tui.domain.workflow_model import (
    Route,
    Step,
    WorkflowConfig,
    as_config,
    as_route,
    as_step,
)

# (template, context) -> (value, error or None)
ConditionEvaluator = Callable[[str, Mapping[str, Any]], tuple[bool, str | None]]


class RoutingError(ValueError):
    """A route that does not exist for this step, or a config that points nowhere."""


@dataclass(frozen=True)
class Skipped:
    step_id: str
    reason: str


@dataclass(frozen=True)
class Decision:
    """Where to go after a step, how that was decided, and the steps skipped on the way."""

    next_step_id: str | None  # None: the workflow is finished
    route_id: str | None
    how: str  # chosen | output | when | default | next | end
    skipped: tuple[Skipped, ...] = ()
    errors: tuple[str, ...] = field(default=())  # condition render errors, reported not hidden


def steps_by_id(config: WorkflowConfig | Mapping[str, Any]) -> dict[str, Step]:
    return {step.id: step for step in as_config(config).steps}


def step_index(config: WorkflowConfig | Mapping[str, Any], step_id: str) -> int:
    workflow = as_config(config)
    index = workflow.index(step_id)
    if index is None:
        raise RoutingError(f"no step {step_id!r} in workflow {workflow.raw.get('id')!r}")
    return index


def route_ids(step: Step | Mapping[str, Any]) -> list[str]:
    return as_step(step).route_ids


def routes_of(step: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A stored step's routes as stored (typed code reads `Step.routes`)."""
    return list((step.get("routing") or {}).get("routes", []))


def humanise_code(code: str) -> str:
    """PROCEED_FINAL_PUSH → "Proceed final push": a route code said in words, for a route
    whose config has no `condition` text (people never see the code unless they ask)."""
    words = code.replace("_", " ").replace("-", " ").split()
    text = " ".join(words).lower()
    return text[:1].upper() + text[1:]


def route_description(route: Route | Mapping[str, Any]) -> str:
    """What a route means to a person: its `condition` text, else its code in words."""
    route = as_route(route)
    text = " ".join(route.condition.split())
    return text or humanise_code(route.id)


def describe_route(step: Step | None, route_id: str | None) -> str | None:
    """The description of `step`'s route `route_id` (the code in words if the step lacks it,
    or when the step is no longer in the config)."""
    if not route_id:
        return None
    found = step.route(route_id) if step is not None else None
    return route_description(found) if found is not None else humanise_code(route_id)


def suggest_route(
    step: Step,
    outputs: Mapping[str, Any] | None,
    context: Mapping[str, Any],
    evaluate: ConditionEvaluator,
) -> tuple[str | None, str, tuple[str, ...]]:
    """The route the evidence points to, before anyone chooses: the one the step's output
    names (`outputs.route`), else the first whose `when` is true.

    Returns (route id or None, how: "output" | "when" | "", condition render errors).
    """
    known = set(step.route_ids)
    if outputs and isinstance(outputs.get("route"), str) and outputs["route"] in known:
        return outputs["route"], "output", ()
    errors: list[str] = []
    for route in step.routes:
        if not route.when:
            continue
        value, error = evaluate(route.when, context)
        if error:
            errors.append(f"route {route.id}: {error}")
        if value:
            return route.id, "when", tuple(errors)
    return None, "", tuple(errors)


def gate_action(step: Step | Mapping[str, Any]) -> str | None:
    """The action that must succeed before the step may be left, if any.

    A step is gated by the approval one of its notifications asks for (`metadata.gate`, as the
    emergency workflow's manager acknowledgment does): the config stays the only source.
    """
    return as_step(step).gate


def decide_next(
    config: WorkflowConfig | Mapping[str, Any],
    step_id: str,
    *,
    chosen_route: str | None,
    outputs: Mapping[str, Any] | None,
    context: Mapping[str, Any],
    evaluate: ConditionEvaluator,
) -> Decision:
    """The step after `step_id`, skipping conditional steps whose condition is false."""
    config = as_config(config)
    steps = config.steps
    step = steps[step_index(config, step_id)]
    by_id = {r.id: r for r in step.routes}
    errors: list[str] = []
    target: str | None
    route_id: str | None
    if chosen_route is not None:
        if chosen_route not in by_id:
            known = ", ".join(by_id) or "none"
            raise RoutingError(f"step {step_id!r} has no route {chosen_route!r} (routes: {known})")
        target, route_id, how = by_id[chosen_route].next_step_id, chosen_route, "chosen"
    else:
        route_id, how, found_errors = suggest_route(step, outputs, context, evaluate)
        errors += found_errors
        target = by_id[route_id].next_step_id if route_id is not None else None
        if target is None and step.routing.default_route:
            target, how = step.routing.default_route, "default"
        if target is None:
            index = step_index(config, step_id) + 1
            target = steps[index].id if index < len(steps) else None
            how = "next" if target else "end"
    skipped: list[Skipped] = []
    seen = {step_id}
    while target is not None:
        if target in seen:
            break  # a loop back is a real route (e.g. a daily follow-up); stop skipping here
        seen.add(target)
        candidate = steps[step_index(config, target)]
        when = candidate.when
        if not when:
            break
        value, error = evaluate(when, context)
        if error:
            errors.append(f"step {target} condition: {error}")
        if value:
            break
        skipped.append(Skipped(target, "condition not met"))
        after = candidate.routing.default_route
        if after is None:
            index = step_index(config, target) + 1
            after = steps[index].id if index < len(steps) else None
        target = after
    if target is None:
        how = "end" if how in {"next", ""} else how
    return Decision(target, route_id, how, tuple(skipped), tuple(errors))


def first_step(
    config: WorkflowConfig | Mapping[str, Any],
    context: Mapping[str, Any],
    evaluate: ConditionEvaluator,
) -> Decision:
    """The step a new execution starts at (the first, unless its condition is false)."""
    config = as_config(config)
    if not config.steps:
        raise RoutingError(f"workflow {config.raw.get('id')!r} has no steps")
    first = config.steps[0]
    if first.when:
        value, error = evaluate(first.when, context)
        if not value:
            decision = decide_next(
                config,
                first.id,
                chosen_route=None,
                outputs=None,
                context=context,
                evaluate=evaluate,
            )
            return Decision(
                decision.next_step_id,
                None,
                "next",
                (Skipped(first.id, "condition not met"), *decision.skipped),
                tuple(e for e in (error, *decision.errors) if e),
            )
    return Decision(first.id, None, "first")
