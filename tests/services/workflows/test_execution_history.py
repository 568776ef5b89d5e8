"""Executions as of a day: Bluesoft's journey on days 105 (D−15), 115 (D−5) and 120 (D).

A database seeded on a journey day holds the journey as it stands that day: its executions are
the live ones, read as they are. A database seeded later still reads an earlier day as history
(what was open then, at which step, which gate was closed), as `--as-of` does.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import Customer, User
from renubu_tui.data.seed.ids import key_id
from renubu_tui.services.workflows.as_of import ExecutionHistory, ViewAsOf
from renubu_tui.services.workflows.executions import ExecutionService, ExecutionView
from tests.conftest import JourneyAt, journey_day

TENANT = key_id("tenant", "acme-cs")
D = journey_day(0)  # Bluesoft's renewal day: journey day 120


def _day(n: int) -> dt.date:
    """Journey day n (120 is D)."""
    return journey_day(n - 120)


def _history(db: Database, day: dt.date) -> ExecutionHistory:
    return ExecutionHistory(db, ExecutionService(db, Clock(day), tenant_slug="acme-cs"))


async def _customer(db: Database, domain: str) -> uuid.UUID:
    async with db.sessions() as s:
        found = await s.scalar(select(Customer.id).where(Customer.domain == domain))
    assert found is not None
    return found


def _statuses(view: ExecutionView) -> dict[str, str]:
    return {s.step_id: s.status for s in view.steps}


CRITICAL_ON_105 = {
    "critical-status-assessment": "completed",
    "executive-escalation": "completed",
    "emergency-resolution": "in_progress",
    "alternative-renewal-options": "pending",
    "completion-confirmation": "pending",
}
EMERGENCY_ON_115 = {
    "emergency-status-check": "completed",
    "mandatory-team-escalation": "in_progress",
    "final-push": "pending",
    "outcome-resolution": "pending",
}


async def test_day_105_the_critical_workflow_runs(seeded_db: Database) -> None:
    """Seeded on D−15: the Critical workflow is live at its third step, nothing later exists."""
    bluesoft = await _customer(seeded_db, "bluesoft.com")
    [view] = await _history(seeded_db, _day(105)).open_as_of(TENANT, bluesoft, _day(105))
    assert not isinstance(view, ViewAsOf)  # the present: the stored view, which can be acted on
    assert (view.workflow_slug, view.status) == ("critical", "in_progress")
    assert view.current_step_id == "emergency-resolution"
    assert _statuses(view) == CRITICAL_ON_105
    assert set(view.outputs) == {"assessment", "escalation"}
    assert view.outputs["assessment"]["route"] == "SIGNATURE_PENDING"
    assert view.gate is None
    history = _history(seeded_db, _day(105))
    assert await history.later(TENANT, bluesoft, _day(105)) is None  # no Emergency yet


async def test_day_115_the_emergency_workflow_waits_at_its_gate(journey_db_at: JourneyAt) -> None:
    """Seeded on D−5: Critical closed by escalating, Emergency waits for the manager."""
    database = await journey_db_at(-5)
    bluesoft = await _customer(database, "bluesoft.com")
    history = _history(database, _day(115))
    [view] = await history.open_as_of(TENANT, bluesoft, _day(115))
    assert not isinstance(view, ViewAsOf)
    assert (view.workflow_slug, view.status) == ("emergency", "in_progress")
    assert view.current_step_id == "mandatory-team-escalation"
    assert view.gate == "manager-acknowledge"  # Jordan Lee acknowledges on D−4
    assert _statuses(view) == EMERGENCY_ON_115
    closed = await history.last_closed(TENANT, bluesoft, _day(115))
    assert closed is not None and (closed.status, closed.completed_on) == (
        "completed",
        _day(115),
    )
    assert "Critical" in closed.workflow_name


async def test_day_120_the_renewal_is_secured(journey_db_at: JourneyAt) -> None:
    """Seeded on D: both workflows completed, the outcome recorded; nothing open."""
    database = await journey_db_at(0)
    bluesoft = await _customer(database, "bluesoft.com")
    history = _history(database, D)
    assert await history.open_as_of(TENANT, bluesoft, D) == []
    closed = await history.last_closed(TENANT, bluesoft, D)
    assert closed is not None and (closed.status, closed.completed_on) == ("completed", D)
    assert "Emergency" in closed.workflow_name
    [emergency] = await history.open_as_of(TENANT, bluesoft, _day(119))
    final = await ExecutionService(database, Clock(D), tenant_slug="acme-cs").view(
        TENANT, emergency.id
    )
    assert final.status == "completed" and final.current_step_id is None
    assert (final.outputs["outcome"]["outcome"], final.outputs["outcome"]["newArr"]) == (
        "renewed",
        198000,
    )
    assert await history.later(TENANT, bluesoft, D) is None
    later = await history.later(TENANT, bluesoft, _day(0))  # Prepare runs on day 0
    assert later is not None and later.started_on == _day(10)
    assert "Engage" in later.workflow_name
    later = await history.later(TENANT, bluesoft, _day(90))  # Signature runs on day 90
    assert later is not None and later.started_on == _day(105)
    assert "Critical" in later.workflow_name


async def test_an_earlier_day_reads_as_history_on_a_later_database(
    journey_db_at: JourneyAt,
) -> None:
    """On the D database, --as-of D−15 / D−5 / D−4 shows each execution as it stood then."""
    database = await journey_db_at(0)
    bluesoft = await _customer(database, "bluesoft.com")
    [critical] = await _history(database, _day(105)).open_as_of(TENANT, bluesoft, _day(105))
    assert isinstance(critical, ViewAsOf) and critical.history is not None
    assert (critical.workflow_slug, critical.status) == ("critical", "in_progress")
    assert critical.current_step_id == "emergency-resolution"
    assert _statuses(critical) == CRITICAL_ON_105
    assert set(critical.outputs) == {"assessment", "escalation"}  # only what was done by then
    assert critical.gate is None
    assert critical.history.completed_on == _day(115)
    # the line says the record goes on, never what it holds later (that is the future then)
    assert critical.history.line() == (
        "as of 2025-09-24 · history: the record goes on after this day (read only)"
    )
    [emergency] = await _history(database, _day(115)).open_as_of(TENANT, bluesoft, _day(115))
    assert isinstance(emergency, ViewAsOf) and emergency.history is not None
    assert (emergency.workflow_slug, emergency.current_step_id) == (
        "emergency",
        "mandatory-team-escalation",
    )
    assert emergency.gate == "manager-acknowledge"  # acknowledged the next day
    assert _statuses(emergency) == EMERGENCY_ON_115
    day_after = await _history(database, _day(116)).open_as_of(TENANT, bluesoft, _day(116))
    assert [(v.current_step_id, v.gate) for v in day_after] == [("final-push", None)]


async def test_the_present_is_the_stored_view(seeded_db: Database) -> None:
    """With nothing in the record after today, the as-of read is the stored state, unchanged."""
    kestrel = await _customer(seeded_db, "kestrelnet.com")
    clock = Clock(_day(105)).install()  # as the app does: new rows are dated on its day
    executions = ExecutionService(seeded_db, clock, tenant_slug="acme-cs")
    async with seeded_db.sessions() as s:
        maya = await s.scalar(select(User).where(User.email == "maya.patel@acmecloud.com"))
    assert maya is not None
    started = await executions.start(TENANT, kestrel, actor=maya)
    history = ExecutionHistory(seeded_db, executions)
    [view] = await history.open_as_of(TENANT, kestrel, _day(105))
    assert not isinstance(view, ViewAsOf)
    assert view.current_step_id == started.current_step_id
    assert await history.open_as_of(TENANT, kestrel, _day(104)) == []


async def test_history_templates_read_only_the_outputs_of_that_day(
    journey_db_at: JourneyAt,
) -> None:
    from renubu_tui.services.customers.context import build_context
    from renubu_tui.services.workflows.as_of import dated_context

    database = await journey_db_at(0)
    bluesoft = await _customer(database, "bluesoft.com")
    [view] = await _history(database, _day(105)).open_as_of(TENANT, bluesoft, _day(105))
    stored = await build_context(database, "acme-cs", bluesoft, _day(105), execution_id=view.id)
    assert {"resolution", "completion"} <= set(stored["outputs"])  # the final record
    dated = dated_context(stored, view)
    assert set(dated["outputs"]) == {"assessment", "escalation"}
    assert dated["assessment"]["route"] == "SIGNATURE_PENDING"
    assert "resolution" not in dated and "completion" not in dated
    assert dated["customer"] == stored["customer"]
