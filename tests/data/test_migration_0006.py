"""Revision 0006: existing databases get the new label scale, unless a person changed theirs.

The scale lives in stored `scoring` sections (a global row from the seed, and a tenant's row
once anyone changes any scoring figure), so the new defaults reach an existing database only
through this data migration. Both backends.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from sqlalchemy import insert, select

from renubu_tui.data.engine import Database
from renubu_tui.data.migrate import upgrade
from renubu_tui.data.models import AuditEntry, ConfigEntry, Tenant
from renubu_tui.domain.config import DomainConfig, default_config_dict
from renubu_tui.services.config.values import merge_config

OLD_SCALE = {
    "labels": [{"minScore": 80, "label": "Critical"}, {"minScore": 60, "label": "High"}],
    "defaultLabel": "Medium",
}
NEW_SCALE = {
    "labels": [
        {"minScore": 200, "label": "Urgent"},
        {"minScore": 120, "label": "High"},
        {"minScore": 60, "label": "Normal"},
    ],
    "defaultLabel": "Low",
}


def _scoring(**changes: Any) -> dict[str, Any]:
    scoring = copy.deepcopy(default_config_dict()["scoring"])
    scoring.update(copy.deepcopy(OLD_SCALE))
    scoring.update(changes)
    return scoring


async def test_old_default_scales_are_replaced_and_changed_ones_kept(empty_db: Database) -> None:
    await upgrade(empty_db, "0005")
    untouched, penalty_only, own_scale = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    person_scale = {
        "labels": [{"minScore": 250, "label": "Critical"}, {"minScore": 90, "label": "Hot"}],
        "defaultLabel": "Cool",
    }
    async with empty_db.sessions() as s, s.begin():
        # the columns of 0005's tenants only (a Tenant object would name later columns too)
        for tid in (untouched, penalty_only, own_scale):
            await s.execute(
                insert(Tenant.__table__).values(id=tid, slug=f"t-{tid.hex[:6]}", name="T")
            )
        s.add(ConfigEntry(tenant_id=None, key="scoring", value=_scoring()))
        # a person changed the workload penalty: the tenant row copies the whole section, old
        # default scale included — that scale was never chosen, so it is replaced
        s.add(
            ConfigEntry(
                tenant_id=penalty_only,
                key="scoring",
                value=_scoring(workloadPenaltyPerWorkflow=-3),
            )
        )
        s.add(ConfigEntry(tenant_id=own_scale, key="scoring", value=_scoring(**person_scale)))

    await upgrade(empty_db)

    async with empty_db.sessions() as s:
        rows = {
            e.tenant_id: e.value
            for e in (await s.scalars(select(ConfigEntry).where(ConfigEntry.key == "scoring")))
        }
        audit = (
            await s.scalars(select(AuditEntry).where(AuditEntry.entity_id == "scoring.labels"))
        ).all()
    assert {k: rows[None][k] for k in NEW_SCALE} == NEW_SCALE
    assert {k: rows[penalty_only][k] for k in NEW_SCALE} == NEW_SCALE
    assert rows[penalty_only]["workloadPenaltyPerWorkflow"] == -3  # the person's change stays
    # the person's thresholds and words stay; only the stage's word gets one of its own
    assert rows[own_scale]["labels"] == [
        {"minScore": 250, "label": "Urgent"},
        {"minScore": 90, "label": "Hot"},
    ]
    assert rows[own_scale]["defaultLabel"] == "Cool"
    # every change is audited: who, old value, new value
    assert {(a.tenant_id, a.actor_label.startswith("renubu db upgrade")) for a in audit} == {
        (None, True),
        (penalty_only, True),
        (own_scale, True),
    }
    by_tenant = {a.tenant_id: a for a in audit}
    assert by_tenant[None].old_value == OLD_SCALE and by_tenant[None].new_value == NEW_SCALE
    # and every stored configuration loads (a stage's name would have refused to)
    for tid in (untouched, penalty_only, own_scale):
        merged = merge_config([(t, "scoring", v) for t, v in rows.items() if t in (None, tid)], tid)
        assert isinstance(merged.config, DomainConfig)


async def test_a_database_without_stored_scoring_is_left_alone(empty_db: Database) -> None:
    await upgrade(empty_db)
    async with empty_db.sessions() as s:
        assert (await s.scalars(select(AuditEntry))).all() == []
