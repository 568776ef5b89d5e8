"""Which step comes next (domain.md §7, Decision "routing is evaluated"), and gates.

After a step: the route the CSM picked, else the route code the step's output names
(`outputs.route`), else the first route whose `when` is true, else `defaultRoute`, else the next
step in order; the end of the list ends the workflow. A conditional step whose `when` is false is
skipped ("condition not met") and routing continues from it the same way.

Templates are evaluated by a function the caller passes in, so this module stays pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

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


def steps_by_id(config: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {step["id"]: step for step in config.get("steps", [])}


def step_index(config: Mapping[str, Any], step_id: str) -> int:
    for i, step in enumerate(config.get("steps", [])):
        if step["id"] == step_id:
            return i
    raise RoutingError(f"no step {step_id!r} in workflow {config.get('id')!r}")


def route_ids(step: Mapping[str, Any]) -> list[str]:
    return [r["id"] for r in (step.get("routing") or {}).get("routes", [])]


def routes_of(step: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((step.get("routing") or {}).get("routes", []))


def humanise_code(code: str) -> str:
    """PROCEED_FINAL_PUSH → "Proceed final push": a route code said in words, for a route
    whose config has no `condition` text (people never see the code unless they ask)."""
    words = code.replace("_", " ").replace("-", " ").split()
    text = " ".join(words).lower()
    return text[:1].upper() + text[1:]


def route_description(route: Mapping[str, Any]) -> str:
    """What a route means to a person: its `condition` text, else its code in words."""
    text = " ".join(str(route.get("condition") or "").split())
    return text or humanise_code(str(route.get("id", "")))


def describe_route(step: Mapping[str, Any], route_id: str | None) -> str | None:
    """The description of `step`'s route `route_id` (the code in words if the step lacks it)."""
    if not route_id:
        return None
    found = next((r for r in routes_of(step) if r.get("id") == route_id), None)
    return route_description(found) if found is not None else humanise_code(route_id)


def suggest_route(
    step: Mapping[str, Any],
    outputs: Mapping[str, Any] | None,
    context: Mapping[str, Any],
    evaluate: ConditionEvaluator,
) -> tuple[str | None, str, tuple[str, ...]]:
    """The route the evidence points to, before anyone chooses: the one the step's output
    names (`outputs.route`), else the first whose `when` is true.

    Returns (route id or None, how: "output" | "when" | "", condition render errors).
    """
    routes = routes_of(step)
    known = {r["id"] for r in routes}
    if outputs and isinstance(outputs.get("route"), str) and outputs["route"] in known:
        return outputs["route"], "output", ()
    errors: list[str] = []
    for route in routes:
        if not route.get("when"):
            continue
        value, error = evaluate(route["when"], context)
        if error:
            errors.append(f"route {route['id']}: {error}")
        if value:
            return route["id"], "when", tuple(errors)
    return None, "", tuple(errors)


def gate_action(step: Mapping[str, Any]) -> str | None:
    """The action that must succeed before the step may be left, if any.

    A step is gated by the approval one of its notifications asks for (`metadata.gate`, as the
    emergency workflow's manager acknowledgment does): the config stays the only source.
    """
    for notification in step.get("notifications") or []:
        gate = (notification.get("metadata") or {}).get("gate")
        if isinstance(gate, str) and gate:
            return gate
    return None


def decide_next(
    config: Mapping[str, Any],
    step_id: str,
    *,
    chosen_route: str | None,
    outputs: Mapping[str, Any] | None,
    context: Mapping[str, Any],
    evaluate: ConditionEvaluator,
) -> Decision:
    """The step after `step_id`, skipping conditional steps whose condition is false."""
    steps = config.get("steps", [])
    step = steps[step_index(config, step_id)]
    routing = step.get("routing") or {}
    routes = routing.get("routes", [])
    by_id = {r["id"]: r for r in routes}
    errors: list[str] = []
    target: str | None
    route_id: str | None
    if chosen_route is not None:
        if chosen_route not in by_id:
            known = ", ".join(by_id) or "none"
            raise RoutingError(f"step {step_id!r} has no route {chosen_route!r} (routes: {known})")
        target, route_id, how = by_id[chosen_route]["nextStepId"], chosen_route, "chosen"
    else:
        route_id, how, found_errors = suggest_route(step, outputs, context, evaluate)
        errors += found_errors
        target = by_id[route_id]["nextStepId"] if route_id is not None else None
        if target is None and routing.get("defaultRoute"):
            target, how = routing["defaultRoute"], "default"
        if target is None:
            index = step_index(config, step_id) + 1
            target = steps[index]["id"] if index < len(steps) else None
            how = "next" if target else "end"
    skipped: list[Skipped] = []
    seen = {step_id}
    while target is not None:
        if target in seen:
            break  # a loop back is a real route (e.g. a daily follow-up); stop skipping here
        seen.add(target)
        candidate = steps[step_index(config, target)]
        logic = candidate.get("conditionalLogic") or {}
        when = logic.get("when")
        if not when:
            break
        value, error = evaluate(when, context)
        if error:
            errors.append(f"step {target} condition: {error}")
        if value:
            break
        skipped.append(Skipped(target, "condition not met"))
        after = (candidate.get("routing") or {}).get("defaultRoute")
        if after is None:
            index = step_index(config, target) + 1
            after = steps[index]["id"] if index < len(steps) else None
        target = after
    if target is None:
        how = "end" if how in {"next", ""} else how
    return Decision(target, route_id, how, tuple(skipped), tuple(errors))


def first_step(
    config: Mapping[str, Any], context: Mapping[str, Any], evaluate: ConditionEvaluator
) -> Decision:
    """The step a new execution starts at (the first, unless its condition is false)."""
    steps = config.get("steps", [])
    if not steps:
        raise RoutingError(f"workflow {config.get('id')!r} has no steps")
    first = steps[0]
    logic = first.get("conditionalLogic") or {}
    if logic.get("when"):
        value, error = evaluate(logic["when"], context)
        if not value:
            decision = decide_next(
                config,
                first["id"],
                chosen_route=None,
                outputs=None,
                context=context,
                evaluate=evaluate,
            )
            return Decision(
                decision.next_step_id,
                None,
                "next",
                (Skipped(first["id"], "condition not met"), *decision.skipped),
                tuple(e for e in (error, *decision.errors) if e),
            )
    return Decision(first["id"], None, "first")
