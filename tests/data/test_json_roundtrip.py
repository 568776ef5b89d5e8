"""JSON columns keep unicode, nesting and types exactly, on every backend (JSONB on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import insert, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import AuditEntry, Tenant, Workflow

TRICKY = {
    "name": "Bluesoft — Überprüfung 続き 🚀",
    "rtl": "مرحبا",
    "quotes": 'he said "hi" \\ back',
    "control": "tab\tnewline\n",
    "nested": {"list": [1, 2.5, True, None, "x"], "empty": {}, "zero": 0},
    "template": "{{#if (gte workflow.renewalARR 250000)}}{{company.ceo}}{{/if}}",
}


async def test_json_round_trip_with_unicode(db: Database) -> None:
    wid = uuid.uuid4()
    async with db.sessions() as s, s.begin():
        await s.execute(
            insert(Workflow).values(
                id=wid,
                is_core=True,
                slug="unicode",
                name=TRICKY["name"],
                workflow_type="risk",
                format="config",
                config=TRICKY,
            )
        )
    async with db.sessions() as s:
        row = await s.get(Workflow, wid)
    assert row is not None
    assert row.config == TRICKY
    assert row.name == TRICKY["name"]


async def test_timestamps_come_back_aware_utc(db: Database) -> None:
    tid = uuid.uuid4()
    when = dt.datetime(2025, 10, 9, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    async with db.sessions() as s, s.begin():
        await s.execute(insert(Tenant).values(id=tid, slug="t", name="T"))
        await s.execute(
            insert(AuditEntry).values(
                tenant_id=tid,
                actor_label="test",
                entity_type="config",
                entity_id="stages",
                action="set",
                old_value=[1, 2],
                new_value={"a": "é"},
                created_at=when,
            )
        )
    async with db.sessions() as s:
        entry = await s.scalar(select(AuditEntry))
    assert entry is not None
    assert entry.created_at == when
    assert entry.created_at.utcoffset() == dt.timedelta(0)
    assert (entry.old_value, entry.new_value) == ([1, 2], {"a": "é"})
