"""Replaying the Bluesoft journey's notifications through the real notification rules.

The seed holds what happened (executions, steps, actions); what the engine would have sent is
derived here — each step's notifications on the day it started, each action's on the day it was
taken — with the customer's context as of that day. Idempotency keys make the replay safe to run
again, so `renubu db seed` stays idempotent.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    ActionExecution,
    CompanySettings,
    User,
    WorkflowExecution,
    WorkflowVersion,
)
from renubu_tui.data.seed.files import TenantKeys, at_nine, read_json
from renubu_tui.data.seed.ids import key_id
from renubu_tui.domain.journey import renewal_day
from renubu_tui.services.notifications import fire


async def replay_journey(db: Database, root: Path) -> int:
    """Create the journey's notifications and action records; returns how many were new."""
    from renubu_tui.services.context import build_context

    tenant = read_json(root / "demo" / "tenant.json")["tenant"]["slug"]
    keys = TenantKeys(tenant)
    journey = read_json(root / "demo" / "bluesoft.json")
    async with db.sessions() as session:
        anchor = await session.scalar(
            select(CompanySettings.seed_anchor_date).where(
                CompanySettings.tenant_id == keys.tenant_id
            )
        )
    if anchor is None:
        return 0  # the demo tenant is not seeded
    d = renewal_day(anchor, journey)
    customer_id = keys.customer(journey["customer"]["domain"])
    events: list[tuple[str, dict[str, Any], int, str | None, dict[str, Any] | None]] = []
    for e in journey.get("executions", []):
        for s in e.get("steps", []):
            if s.get("status", "completed") != "skipped" and s.get("started") is not None:
                events.append((e["workflow"], e, int(s["started"]), s["stepId"], None))
    for a in journey.get("actions", []):
        execution = next(x for x in journey["executions"] if x["workflow"] == a["execution"])
        events.append((a["execution"], execution, int(a["day"]), None, a))
    created = 0
    for workflow_slug, e, offset, step_id, action in sorted(events, key=lambda x: x[2]):
        execution_id = key_id("execution", customer_id, workflow_slug, e["started"])
        day = d + dt.timedelta(days=offset)
        context = await build_context(db, tenant, customer_id, day, execution_id=execution_id)
        async with db.sessions() as session, session.begin():
            execution = await session.get(WorkflowExecution, execution_id)
            if execution is None:
                continue
            version = await session.get(WorkflowVersion, execution.workflow_version_id)
            assert version is not None
            steps = version.config.get("steps", [])
            when = at_nine(d, offset)
            if action is None:
                chosen = [s for s in steps if s["id"] == step_id]
                slug = None
            else:
                slug = action["action"]
                chosen = [
                    s
                    for s in steps
                    if any(n.get("actionTriggered") == slug for n in s.get("notifications") or [])
                ]
                await _record_action(session, keys, execution, action, when)
            for step in chosen:
                report = await fire(
                    session,
                    tenant_id=keys.tenant_id,
                    execution=execution,
                    step=step,
                    context=context,
                    day=day,
                    action=slug,
                    at=when,
                )
                created += len(report.created)
    return created


async def _record_action(
    session: Any,
    keys: TenantKeys,
    execution: WorkflowExecution,
    action: dict[str, Any],
    when: dt.datetime | None,
) -> None:
    action_id = key_id("journey-action", execution.id, action["action"], action["day"])
    if await session.get(ActionExecution, action_id) is not None:
        return
    user = await session.scalar(select(User).where(User.id == keys.user(action.get("by"))))
    session.add(
        ActionExecution(
            id=action_id,
            tenant_id=keys.tenant_id,
            action_slug=action["action"],
            execution_id=execution.id,
            customer_id=execution.customer_id,
            user_id=user.id if user else None,
            params=action.get("params", {}),
            result={"action": action["action"], "by": action.get("by")},
            success=True,
            created_at=when,
        )
    )
