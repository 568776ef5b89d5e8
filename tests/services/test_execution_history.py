"""Executions as of a day: Bluesoft's journey read back at days 105, 115 and 120."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import Customer, User
from renubu_tui.data.seed.ids import key_id
from renubu_tui.services.execution_history import ExecutionHistory, ViewAsOf
from renubu_tui.services.executions import ExecutionService, ExecutionView

TENANT = key_id("tenant", "acme-cs")
D = dt.date(2025, 10, 9)  # Bluesoft's renewal day: journey day 120


def _day(journey_day: int) -> dt.date:
    return D + dt.timedelta(days=journey_day - 120)


def _history(db: Database, day: dt.date) -> ExecutionHistory:
    return ExecutionHistory(db, ExecutionService(db, Clock(day), tenant_slug="acme-cs"))


async def _customer(db: Database, domain: str) -> uuid.UUID:
    async with db.sessions() as s:
        found = await s.scalar(select(Customer.id).where(Customer.domain == domain))
    assert found is not None
    return found


def _statuses(view: ExecutionView) -> dict[str, str]:
    return {s.step_id: s.status for s in view.steps}


async def test_day_105_the_critical_workflow_runs(seeded_db: Database) -> None:
    bluesoft = await _customer(seeded_db, "bluesoft.com")
    [view] = await _history(seeded_db, _day(105)).open_as_of(TENANT, bluesoft, _day(105))
    assert isinstance(view, ViewAsOf) and view.history is not None
    assert (view.workflow_slug, view.status) == ("critical", "in_progress")
    assert view.current_step_id == "emergency-resolution"
    assert _statuses(view) == {
        "critical-status-assessment": "completed",
        "executive-escalation": "completed",
        "emergency-resolution": "in_progress",
        "alternative-renewal-options": "pending",
        "completion-confirmation": "pending",
    }
    assert set(view.outputs) == {"assessment", "escalation"}  # only what was done by then
    assert view.gate is None
    assert view.history.completed_on == _day(115)
    assert "history: this execution was completed on 2025-10-04" in view.history.line()


async def test_day_115_the_emergency_workflow_waits_at_its_gate(seeded_db: Database) -> None:
    bluesoft = await _customer(seeded_db, "bluesoft.com")
    [view] = await _history(seeded_db, _day(115)).open_as_of(TENANT, bluesoft, _day(115))
    assert (view.workflow_slug, view.status) == ("emergency", "in_progress")
    assert view.current_step_id == "mandatory-team-escalation"
    assert view.gate == "manager-acknowledge"  # acknowledged the next day
    assert _statuses(view) == {
        "emergency-status-check": "completed",
        "mandatory-team-escalation": "in_progress",
        "final-push": "pending",
        "outcome-resolution": "pending",
    }
    day_after = await _history(seeded_db, _day(116)).open_as_of(TENANT, bluesoft, _day(116))
    assert [(v.current_step_id, v.gate) for v in day_after] == [("final-push", None)]


async def test_day_120_the_renewal_is_secured(seeded_db: Database) -> None:
    bluesoft = await _customer(seeded_db, "bluesoft.com")
    history = _history(seeded_db, D)
    assert await history.open_as_of(TENANT, bluesoft, D) == []
    closed = await history.last_closed(TENANT, bluesoft, D)
    assert closed is not None and closed.completed_on == D
    assert closed.outcome is not None and "198000" in closed.outcome
    assert await history.later(TENANT, bluesoft, D) is None
    later = await history.later(TENANT, bluesoft, _day(0))
    assert later is not None and later.started_on == _day(105)


async def test_the_present_is_the_stored_view(seeded_db: Database) -> None:
    """With nothing in the record after today, the as-of read is the stored state, unchanged."""
    kestrel = await _customer(seeded_db, "kestrelnet.com")
    executions = ExecutionService(seeded_db, Clock(_day(105)), tenant_slug="acme-cs")
    async with seeded_db.sessions() as s:
        maya = await s.scalar(select(User).where(User.email == "maya.patel@acmecloud.com"))
    assert maya is not None
    started = await executions.start(TENANT, kestrel, actor=maya)
    history = ExecutionHistory(seeded_db, executions)
    [view] = await history.open_as_of(TENANT, kestrel, _day(105))
    assert not isinstance(view, ViewAsOf)
    assert view.current_step_id == started.current_step_id
    assert await history.open_as_of(TENANT, kestrel, _day(104)) == []


async def test_history_templates_read_only_the_outputs_of_that_day(seeded_db: Database) -> None:
    from renubu_tui.services.context import build_context
    from renubu_tui.services.execution_history import dated_context

    bluesoft = await _customer(seeded_db, "bluesoft.com")
    [view] = await _history(seeded_db, _day(105)).open_as_of(TENANT, bluesoft, _day(105))
    stored = await build_context(seeded_db, "acme-cs", bluesoft, _day(105), execution_id=view.id)
    assert {"resolution", "completion"} <= set(stored["outputs"])  # the final record
    dated = dated_context(stored, view)
    assert set(dated["outputs"]) == {"assessment", "escalation"}
    assert dated["assessment"]["route"] == "SIGNATURE_PENDING"
    assert "resolution" not in dated and "completion" not in dated
    assert dated["customer"] == stored["customer"]
