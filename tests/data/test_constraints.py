"""The database itself refuses what the domain forbids, on every backend."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    Contract,
    Customer,
    Notification,
    Tenant,
    User,
    Workflow,
    WorkflowExecution,
    WorkflowVersion,
)

CONFIG = {"id": "x", "name": "X", "steps": []}
# What a second valid row must change so that only the column under test can make it fail.
SECOND_ROW: dict[Any, dict[str, Any]] = {
    User: {"email": "c@x.test"},
    Customer: {"slug": "d2", "domain": "d2.test"},
    Workflow: {"slug": "third"},
    Notification: {"idempotency_key": "k2"},
    WorkflowExecution: {"status": "completed"},
}


async def _tenant(db: Database, slug: str = "t1") -> uuid.UUID:
    tid = uuid.uuid4()
    async with db.sessions() as s, s.begin():
        await s.execute(insert(Tenant).values(id=tid, slug=slug, name=slug.upper()))
    return tid


async def _insert(db: Database, model: Any, **values: Any) -> uuid.UUID:
    values.setdefault("id", uuid.uuid4())
    async with db.sessions() as s, s.begin():
        await s.execute(insert(model).values(**values))
    return values["id"]


def _workflow(**values: Any) -> dict[str, Any]:
    return {
        "slug": "critical",
        "name": "Critical",
        "workflow_type": "renewal",
        "format": "config",
        "config": CONFIG,
        **values,
    }


async def test_core_workflow_has_no_tenant(db: Database) -> None:
    tid = await _tenant(db)
    with pytest.raises(IntegrityError):
        await _insert(db, Workflow, **_workflow(is_core=True, tenant_id=tid))
    with pytest.raises(IntegrityError):
        await _insert(db, Workflow, **_workflow(is_core=False, tenant_id=None))
    await _insert(db, Workflow, **_workflow(is_core=True, tenant_id=None))
    await _insert(db, Workflow, **_workflow(is_core=False, tenant_id=tid))


async def test_workflow_slug_unique_per_tenant_and_among_core(db: Database) -> None:
    t1, t2 = await _tenant(db, "t1"), await _tenant(db, "t2")
    await _insert(db, Workflow, **_workflow(is_core=True, tenant_id=None))
    with pytest.raises(IntegrityError):
        await _insert(db, Workflow, **_workflow(is_core=True, tenant_id=None))
    await _insert(db, Workflow, **_workflow(is_core=False, tenant_id=t1))
    await _insert(db, Workflow, **_workflow(is_core=False, tenant_id=t2))
    with pytest.raises(IntegrityError):
        await _insert(db, Workflow, **_workflow(is_core=False, tenant_id=t1))


@pytest.mark.parametrize(
    ("model", "column", "bad"),
    [
        (User, "role", "admin"),
        (User, "experience_level", "godlike"),
        (Customer, "account_plan", "grow"),
        (Workflow, "workflow_type", "upsell"),
        (Notification, "priority", 0),
        (Notification, "priority", 6),
        (Notification, "notification_type", "spam"),
        (WorkflowExecution, "status", "paused"),
    ],
)
async def test_enumerations_are_enforced(db: Database, model: Any, column: str, bad: Any) -> None:
    tid = await _tenant(db)
    uid = await _insert(db, User, tenant_id=tid, email="a@x.test", name="A", role="csm")
    cid = await _insert(db, Customer, tenant_id=tid, name="C", slug="c", domain="c.test")
    wid = await _insert(db, Workflow, **_workflow(is_core=False, tenant_id=tid))
    vid = await _insert(
        db, WorkflowVersion, workflow_id=wid, version_number=1, semver="1.0.0", config=CONFIG
    )
    valid: dict[Any, dict[str, Any]] = {
        User: {"tenant_id": tid, "email": "b@x.test", "name": "B", "role": "csm"},
        Customer: {"tenant_id": tid, "name": "D", "slug": "d", "domain": "d.test"},
        Workflow: _workflow(is_core=False, tenant_id=tid, slug="other"),
        Notification: {
            "tenant_id": tid,
            "recipient_email": "a@x.test",
            "notification_type": "overdue_alert",
            "title": "t",
            "priority": 3,
            "idempotency_key": "k",
        },
        WorkflowExecution: {
            "tenant_id": tid,
            "customer_id": cid,
            "workflow_id": wid,
            "workflow_version_id": vid,
            "workflow_type": "renewal",
            "owner_id": uid,
            "status": "in_progress",
        },
    }
    row = valid[model]
    await _insert(db, model, **row)  # the valid row is accepted…
    with pytest.raises(IntegrityError):  # …and a second one differing only by the bad value is not
        await _insert(db, model, **{**row, **SECOND_ROW[model], column: bad})


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError):
        await _insert(
            db,
            Contract,
            customer_id=uuid.uuid4(),
            start_date=dt.date(2025, 1, 1),
            end_date=dt.date(2025, 12, 31),
            arr=1000,
            term_months=12,
        )
    with pytest.raises(IntegrityError):
        await _insert(db, User, tenant_id=uuid.uuid4(), email="a@x.test", name="A", role="csm")


async def test_one_open_execution_per_customer_and_workflow(db: Database) -> None:
    tid = await _tenant(db)
    cid = await _insert(db, Customer, tenant_id=tid, name="C", slug="c", domain="c.test")
    wid = await _insert(db, Workflow, **_workflow(is_core=False, tenant_id=tid))
    vid = await _insert(
        db, WorkflowVersion, workflow_id=wid, version_number=1, semver="1.0.0", config=CONFIG
    )
    run = {
        "tenant_id": tid,
        "customer_id": cid,
        "workflow_id": wid,
        "workflow_version_id": vid,
        "workflow_type": "renewal",
    }
    await _insert(db, WorkflowExecution, **run, status="completed")
    await _insert(db, WorkflowExecution, **run, status="in_progress")
    with pytest.raises(IntegrityError):
        await _insert(db, WorkflowExecution, **run, status="snoozed")
    async with db.sessions() as s:
        statuses = sorted((await s.scalars(select(WorkflowExecution.status))).all())
    assert statuses == ["completed", "in_progress"]
