"""Routing order (chosen, output, when, default, next), conditional skips, gates, states."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from renubu_tui.domain.execution_state import TransitionError, check_transition
from renubu_tui.domain.routing import RoutingError, decide_next, first_step, gate_action


def evaluate(template: str, context: Mapping[str, Any]) -> tuple[bool, str | None]:
    """A stand-in for the template engine: `{{name}}` is true when context[name] is truthy."""
    name = template.strip("{} ")
    if name == "boom":
        return False, "render failed"
    return bool(context.get(name)), None


CONFIG = {
    "id": "wf",
    "steps": [
        {
            "id": "assess",
            "routing": {
                "routes": [
                    {"id": "ALL_DONE", "nextStepId": "finish"},
                    {"id": "BLOCKED", "nextStepId": "escalate", "when": "{{blocked}}"},
                    {"id": "LATE", "nextStepId": "resolve", "when": "{{late}}"},
                ],
                "defaultRoute": "resolve",
            },
        },
        {"id": "escalate", "notifications": [{"metadata": {"gate": "manager-acknowledge"}}]},
        {"id": "resolve"},
        {"id": "alternatives", "conditionalLogic": {"condition": "at_risk", "when": "{{risk}}"}},
        {"id": "finish"},
    ],
}


def decide(step: str, chosen: str | None = None, outputs: Any = None, **context: Any):  # type: ignore[no-untyped-def]
    return decide_next(
        CONFIG, step, chosen_route=chosen, outputs=outputs, context=context, evaluate=evaluate
    )


def test_the_csm_choice_wins_over_everything() -> None:
    d = decide("assess", chosen="ALL_DONE", outputs={"route": "BLOCKED"}, blocked=True)
    assert (d.next_step_id, d.route_id, d.how) == ("finish", "ALL_DONE", "chosen")


def test_then_the_output_route_code() -> None:
    d = decide("assess", outputs={"route": "BLOCKED"}, late=True)
    assert (d.next_step_id, d.route_id, d.how) == ("escalate", "BLOCKED", "output")


def test_then_the_first_true_when() -> None:
    d = decide("assess", outputs={"route": "NOT_A_ROUTE"}, late=True, blocked=True)
    assert (d.next_step_id, d.route_id, d.how) == ("escalate", "BLOCKED", "when")
    assert decide("assess", late=True).route_id == "LATE"


def test_then_the_default_route_then_the_next_step() -> None:
    d = decide("assess")
    assert (d.next_step_id, d.how) == ("resolve", "default")
    assert (decide("escalate").next_step_id, decide("escalate").how) == ("resolve", "next")


def test_conditional_steps_are_skipped_with_a_reason() -> None:
    d = decide("resolve")
    assert d.next_step_id == "finish"
    assert [(s.step_id, s.reason) for s in d.skipped] == [("alternatives", "condition not met")]
    assert decide("resolve", risk=True).next_step_id == "alternatives"


def test_the_last_step_ends_the_workflow() -> None:
    d = decide("finish")
    assert (d.next_step_id, d.how) == (None, "end")


def test_unknown_route_and_step_are_refused() -> None:
    with pytest.raises(RoutingError, match="has no route 'NOPE'"):
        decide("assess", chosen="NOPE")
    with pytest.raises(RoutingError, match="no step 'ghost'"):
        decide("ghost")


def test_render_errors_are_reported_not_hidden() -> None:
    config = {
        "id": "x",
        "steps": [
            {
                "id": "a",
                "routing": {"routes": [{"id": "R", "nextStepId": "b", "when": "{{boom}}"}]},
            },
            {"id": "b"},
        ],
    }
    d = decide_next(config, "a", chosen_route=None, outputs=None, context={}, evaluate=evaluate)
    assert d.errors == ("route R: render failed",)
    assert d.next_step_id == "b"  # fell through to the next step


def test_first_step_and_gates() -> None:
    assert first_step(CONFIG, {}, evaluate).next_step_id == "assess"
    assert gate_action(CONFIG["steps"][1]) == "manager-acknowledge"
    assert gate_action(CONFIG["steps"][0]) is None


@pytest.mark.parametrize(
    ("current", "target", "ok"),
    [
        ("not_started", "in_progress", True),
        ("in_progress", "snoozed", True),
        ("snoozed", "in_progress", True),
        ("in_progress", "escalated", True),
        ("escalated", "in_progress", True),
        ("in_progress", "completed", True),
        ("in_progress", "lost", True),
        ("completed", "in_progress", False),
        ("skipped", "in_progress", False),
        ("snoozed", "completed", False),
        ("not_started", "completed", False),
    ],
)
def test_state_machine(current: str, target: str, ok: bool) -> None:
    if ok:
        check_transition(current, target)
    else:
        with pytest.raises(TransitionError, match=f"cannot become {target}"):
            check_transition(current, target)
