"""Work goes where the person points: a step with routes is completed on the route chosen.

The picker's query lists each route in words with the suggestion marked; completing without a
choice is refused (unless the user's workflow.autoAdvanceSteps allows it); the step view says a
gate's state and the chosen route in words; outputs read as text, not JSON.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import ActionExecution, Customer, User, UserPreferences
from renubu_tui.data.seed.ids import key_id
from renubu_tui.domain.execution_state import in_words
from renubu_tui.domain.routing import humanise_code, route_description
from renubu_tui.services.workflows.executions import ExecutionService, RouteRequired
from renubu_tui.services.workflows.step_text import output_sections
from tests.conftest import TEST_TODAY

TENANT = key_id("tenant", "acme-cs")


async def _user(db: Database, email: str) -> User:
    async with db.sessions() as s:
        user = await s.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


async def _customer(db: Database, name: str) -> uuid.UUID:
    async with db.sessions() as s:
        cid = await s.scalar(select(Customer.id).where(Customer.name == name))
    assert cid is not None
    return cid


async def test_completing_a_step_with_routes_needs_a_choice(seeded_db: Database) -> None:
    engine = ExecutionService(seeded_db, Clock(TEST_TODAY), tenant_slug="acme-cs")
    maya = await _user(seeded_db, "maya.patel@acmecloud.com")
    run = await engine.start(TENANT, await _customer(seeded_db, "Kestrel Networks"), actor=maya)
    with pytest.raises(RouteRequired) as refused:
        await engine.complete_step(TENANT, run.id, actor=maya, outputs={"route": "ALL_COMPLETE"})
    assert str(refused.value) == (
        "Choose where Critical status assessment goes next; nothing moves without your choice"
    )
    assert refused.value.routes[0][0] == "ALL_COMPLETE"
    assert refused.value.routes[0][1].startswith("Order form signed")
    after = await engine.view(TENANT, run.id)
    assert after.current_step_id == "critical-status-assessment"
    async with seeded_db.sessions() as s:
        trail = (
            await s.scalars(
                select(ActionExecution.action_slug).where(ActionExecution.execution_id == run.id)
            )
        ).all()
    assert trail == ["start-workflow"]  # nothing was recorded
    # a step without routes goes on without a choice
    moved = await engine.complete_step(TENANT, run.id, actor=maya, chosen_route="PAYMENT_PENDING")
    assert moved.current_step_id == "executive-escalation"
    moved = await engine.complete_step(TENANT, moved.id, actor=maya)
    assert moved.current_step_id == "emergency-resolution"


async def test_auto_advance_lets_the_evidence_choose(seeded_db: Database) -> None:
    engine = ExecutionService(seeded_db, Clock(TEST_TODAY), tenant_slug="acme-cs")
    maya = await _user(seeded_db, "maya.patel@acmecloud.com")
    async with seeded_db.sessions() as s, s.begin():
        s.add(
            UserPreferences(user_id=maya.id, preferences={"workflow": {"autoAdvanceSteps": True}})
        )
    run = await engine.start(TENANT, await _customer(seeded_db, "Kestrel Networks"), actor=maya)
    choices = await engine.route_choices(TENANT, run.id, actor=maya)
    assert choices.auto_advance and not choices.needs_choice
    run = await engine.complete_step(TENANT, run.id, actor=maya, outputs={"route": "ALL_COMPLETE"})
    assert run.current_step_id == "completion-confirmation"


async def test_route_choices_say_each_route_and_mark_the_suggestion(seeded_db: Database) -> None:
    engine = ExecutionService(seeded_db, Clock(TEST_TODAY), tenant_slug="acme-cs")
    tom = await _user(seeded_db, "tom.becker@acmecloud.com")
    run = await engine.start(TENANT, await _customer(seeded_db, "Meridian Energy"), actor=tom)
    first = await engine.route_choices(TENANT, run.id, actor=tom)
    assert first.has_routes and first.needs_choice
    assert first.suggested is None and first.suggested_index is None  # no run, no rule yet
    assert [r.id for r in first.routes] == ["FINAL_PUSH", "EXTENSION_OFFER", "ACCEPT_CHURN"]
    run = await engine.complete_step(TENANT, run.id, actor=tom, chosen_route="EXTENSION_OFFER")
    done = next(s for s in run.steps if s.step_id == "emergency-status-check")
    assert done.route_text == "Customer intends to renew but needs more time than remains"
    assert run.outputs["emergencyStatus"]["route"] == "EXTENSION_OFFER"  # what was chosen
    choices = await engine.route_choices(TENANT, run.id, actor=tom)
    assert choices.step_name == "Mandatory team escalation"
    assert [(r.id, r.next_step_name, r.suggested) for r in choices.routes] == [
        ("PROCEED_FINAL_PUSH", "Final push", True),  # its `when` reads the chosen route
        ("CHURN_ACCEPTED", "Outcome resolution", False),
    ]
    assert choices.suggested_by == "rule" and choices.suggested_index == 0
    assert choices.routes[0].description == "Final push or extension: execute the chosen path"
    assert (
        choices.suggestion_line() == "Suggested: Final push or extension: execute the chosen path"
    )


async def test_the_step_view_says_the_gates_state(seeded_db: Database) -> None:
    clock = Clock(TEST_TODAY)
    engine = ExecutionService(seeded_db, clock, tenant_slug="acme-cs")
    tom = await _user(seeded_db, "tom.becker@acmecloud.com")
    jordan = await _user(seeded_db, "jordan.lee@acmecloud.com")
    run = await engine.start(TENANT, await _customer(seeded_db, "Meridian Energy"), actor=tom)
    assert run.gate_state is None  # the first step has no gate
    run = await engine.complete_step(TENANT, run.id, actor=tom, chosen_route="FINAL_PUSH")
    gate = run.gate_state
    assert gate is not None and (gate.state, gate.action) == ("closed", "manager-acknowledge")
    assert gate.reason == (
        "Waits for Jordan Lee (manager) to acknowledge the escalation before the workflow can go on"
    )
    await engine.perform_action(TENANT, run.id, "manager-acknowledge", actor=jordan)
    opened = (await engine.view(TENANT, run.id)).gate_state
    assert opened is not None and opened.open and opened.opened_by == "Jordan Lee"
    assert opened.opened_on == TEST_TODAY


async def test_outputs_read_as_words_not_json(seeded_db: Database) -> None:
    engine = ExecutionService(seeded_db, Clock(TEST_TODAY), tenant_slug="acme-cs")
    tom = await _user(seeded_db, "tom.becker@acmecloud.com")
    run = await engine.start(TENANT, await _customer(seeded_db, "Meridian Energy"), actor=tom)
    run = await engine.complete_step(
        TENANT,
        run.id,
        actor=tom,
        chosen_route="FINAL_PUSH",
        outputs={
            "missing": ["Only 4 days to renewal (Emergency).", "Payment is pending."],
            "customerCommitted": True,
            "hoursNeeded": 48.0,
        },
    )
    [section] = output_sections(run)
    assert section.step_name == "Emergency status check" and not section.draft
    lines = {line.label: line for line in section.lines}
    assert lines["Missing"].text == "Only 4 days to renewal (Emergency).; Payment is pending."
    assert lines["Missing"].items == ("Only 4 days to renewal (Emergency).", "Payment is pending.")
    assert lines["Customer committed"].text == "yes" and lines["Hours needed"].text == "48"
    route = lines["Route"]
    assert (route.text, route.code) == (
        "Customer intends to renew and the blocker can clear in time",
        "FINAL_PUSH",
    )
    assert all("[" not in line.text and "_" not in line.text for line in section.lines)


def test_a_route_without_condition_text_is_said_in_words() -> None:
    assert humanise_code("PROCEED_FINAL_PUSH") == "Proceed final push"
    assert route_description({"id": "CHURN_ACCEPTED"}) == "Churn accepted"
    assert route_description({"id": "X", "condition": "  Signed\n and paid "}) == "Signed and paid"


def test_state_refusals_are_said_without_state_codes() -> None:
    until = dt.date(2025, 10, 1)
    assert in_words("snoozed", "escalated", subject="This renewal", snoozed_until=until) == (
        "This renewal is snoozed until Wed 01 Oct; wake it before escalating"
    )
    assert in_words("completed", "skipped", subject="This renewal") == (
        "This renewal is already completed; there is nothing left to skip"
    )
    assert in_words("escalated", "snoozed", subject="This risk") == (
        "This risk is already escalated; it can be snoozed once it is handed back"
    )
