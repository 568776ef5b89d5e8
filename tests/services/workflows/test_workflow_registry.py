"""The workflow registry on both backends: precedence, versions, concurrency, tenant isolation."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import AuditEntry, ChatBranch, Tenant, Workflow, WorkflowVersion
from renubu_tui.data.seed.files import core_workflow_id, workflow_version_id
from renubu_tui.data.seed.ids import key_id
from renubu_tui.services.workflows import versions as workflow_versions
from renubu_tui.services.workflows.registry import (
    CoreWorkflowReadOnly,
    StaleWorkflow,
    WorkflowExists,
    WorkflowInvalid,
    WorkflowNotFound,
    WorkflowRegistry,
)

ACME = key_id("tenant", "acme-cs")
MAYA = "maya.patel@acmecloud.com"
STAGE_BOUNDARIES = [
    (-1, "overdue"),
    (0, "emergency"),
    (6, "emergency"),
    (7, "critical"),
    (14, "critical"),
    (15, "signature"),
    (30, "signature"),
    (31, "finalize"),
    (60, "finalize"),
    (61, "negotiate"),
    (90, "negotiate"),
    (91, "engage"),
    (119, "engage"),
    (120, "prepare"),
    (179, "prepare"),
    (180, "monitor"),
]


async def _second_tenant(db: Database, slug: str = "globex") -> uuid.UUID:
    tenant_id = uuid.uuid4()
    async with db.sessions() as s, s.begin():
        s.add(Tenant(id=tenant_id, slug=slug, name=slug.title()))
    return tenant_id


async def _count(db: Database, model: Any, *where: Any) -> int:
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _private(slug: str = "acme-private", low: int = 7, high: int = 14) -> dict[str, Any]:
    return {
        "id": slug,
        "name": "Acme private",
        "description": "Only for Acme.",
        "version": "1.0.0",
        "trigger": {"daysUntilRenewal": {"min": low, "max": high}},
        "context": {"systemPrompt": "Help {{csm.name}}."},
        "steps": [
            {
                "id": "only",
                "name": "Only step",
                "type": "action",
                "execution": {"llmPrompt": "Do it for {{customer.name}}", "storeIn": "only"},
                "notifications": [
                    {
                        "type": "workflow_started",
                        "title": "Started",
                        "recipients": ["{{csm.email}}"],
                    }
                ],
            }
        ],
    }


# --- reading ----------------------------------------------------------------------------------


async def test_list_and_get_core_workflows(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    listed = await registry.list(ACME)
    assert [w.slug for w in listed][:9] == [
        "overdue",
        "emergency",
        "critical",
        "signature",
        "finalize",
        "negotiate",
        "engage",
        "prepare",
        "monitor",
    ]
    assert len(listed) == 14 and all(w.is_core and not w.overrides_core for w in listed)
    assert {w.slug for w in listed if w.format == "composition"} == {
        "standard-renewal",
        "executive-contact-lost",
    }
    critical = await registry.get(ACME, "critical")
    assert (critical.is_core, critical.tenant_id, critical.version_number) == (True, None, 1)
    assert critical.version_id == workflow_version_id(core_workflow_id("critical"), 1)
    assert critical.workflow_id == core_workflow_id("critical")
    assert critical.config == critical.raw_config and critical.semver == "1.0.0"
    with pytest.raises(WorkflowNotFound, match="no workflow 'nope'"):
        await registry.get(ACME, "nope")


async def test_compositions_load_expanded_or_raw(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    loaded = await registry.get(ACME, "executive-contact-lost")
    assert loaded.format == "composition"
    assert "composition" in loaded.raw_config and "steps" not in loaded.raw_config
    assert [s["id"] for s in loaded.config["steps"]][:3] == [
        "greeting",
        "assess-departure",
        "identify-replacement",
    ]
    raw = await registry.get(ACME, "executive-contact-lost", expanded=False)
    assert raw.config == raw.raw_config == loaded.raw_config
    assert (await registry.validate_all(ACME)) == [(w.slug, []) for w in await registry.list(ACME)]


async def test_renewal_for_days_follows_the_stage_table(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    found = {days: await registry.renewal_for_days(ACME, days) for days, _ in STAGE_BOUNDARIES}
    assert {d: w.slug if w else None for d, w in found.items()} == dict(STAGE_BOUNDARIES)
    assert (await registry.renewal_for_days(ACME, -400)).slug == "overdue"  # type: ignore[union-attr]
    assert (await registry.renewal_for_days(ACME, 5000)).slug == "monitor"  # type: ignore[union-attr]


async def test_tenant_renewal_workflow_comes_first(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    other = await _second_tenant(seeded_db)
    await registry.import_config(ACME, _private(low=15, high=20), MAYA, "renewal")
    assert (await registry.renewal_for_days(ACME, 17)).slug == "acme-private"  # type: ignore[union-attr]
    assert (await registry.renewal_for_days(ACME, 21)).slug == "signature"  # type: ignore[union-attr]
    assert (await registry.renewal_for_days(other, 17)).slug == "signature"  # type: ignore[union-attr]
    # a clone with a moved trigger replaces the core one for its tenant only
    clone = await registry.clone(ACME, "critical", MAYA)
    moved = copy.deepcopy(clone.raw_config)
    moved["trigger"]["daysUntilRenewal"] = {"min": 8, "max": 14}
    await registry.save(ACME, "critical", moved, expected_version=1, actor=MAYA)
    assert (await registry.renewal_for_days(ACME, 7)) is None
    assert (await registry.renewal_for_days(other, 7)).slug == "critical"  # type: ignore[union-attr]


# --- saving -----------------------------------------------------------------------------------


async def test_save_writes_a_version_row_the_row_and_an_audit_entry(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    clone = await registry.clone(ACME, "critical", MAYA)
    assert (clone.is_core, clone.tenant_id, clone.version_number) == (False, ACME, 1)
    config = copy.deepcopy(clone.raw_config)
    config["name"] = "Critical (Acme)"
    config["version"] = "1.1.0"
    config["trigger"]["daysUntilRenewal"] = {"min": 5, "max": 14}
    saved = await registry.save(
        ACME, "critical", config, expected_version=1, actor=MAYA, note="tighter"
    )
    assert (saved.version_number, saved.semver, saved.config["name"]) == (
        2,
        "1.1.0",
        config["name"],
    )
    async with seeded_db.sessions() as s:
        row = await s.get(Workflow, clone.workflow_id)
        assert row is not None
        assert (row.current_version, row.name, row.trigger_min_days) == (2, "Critical (Acme)", 5)
        assert row.config == config
        version = await s.scalar(
            select(WorkflowVersion).where(
                WorkflowVersion.workflow_id == row.id, WorkflowVersion.version_number == 2
            )
        )
        assert version is not None
        assert (version.config, version.change_note, version.created_by) == (
            config,
            "tighter",
            MAYA,
        )
        audit = (
            await s.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity_type == "workflow", AuditEntry.tenant_id == ACME)
                .order_by(AuditEntry.created_at)
            )
        ).all()
    assert [(a.action, a.entity_id) for a in audit] == [("clone", "critical"), ("save", "critical")]
    assert (audit[1].old_value, audit[1].new_value) == (
        {"version": 1, "semver": "1.0.0"},
        {"version": 2, "semver": "1.1.0"},
    )
    again = await registry.save(ACME, "critical", config, expected_version=2, actor=MAYA)
    assert again.version_number == 2  # saving the same config writes nothing


async def test_a_failure_inside_the_save_rolls_everything_back(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = WorkflowRegistry(seeded_db)
    clone = await registry.clone(ACME, "critical", MAYA)
    config = copy.deepcopy(clone.raw_config)
    config["name"] = "Never saved"

    def broken_audit(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(workflow_versions, "audit", broken_audit)
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        await registry.save(ACME, "critical", config, expected_version=1, actor=MAYA)
    monkeypatch.undo()
    assert (
        await _count(seeded_db, WorkflowVersion, WorkflowVersion.workflow_id == clone.workflow_id)
        == 1
    )
    reloaded = await registry.get(ACME, "critical")
    assert reloaded.version_number == 1 and reloaded.raw_config == clone.raw_config
    async with seeded_db.sessions() as s:
        row = await s.get(Workflow, clone.workflow_id)
        assert row is not None and row.current_version == 1 and row.name != "Never saved"


async def test_a_stale_save_is_refused_and_changes_nothing(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    clone = await registry.clone(ACME, "critical", MAYA)
    theirs = copy.deepcopy(clone.raw_config)
    theirs["name"] = "Jordan's edit"
    await registry.save(
        ACME, "critical", theirs, expected_version=1, actor="jordan.lee@acmecloud.com"
    )
    mine = copy.deepcopy(clone.raw_config)
    mine["name"] = "Maya's edit"
    with pytest.raises(StaleWorkflow) as caught:
        await registry.save(ACME, "critical", mine, expected_version=1, actor=MAYA)
    message = str(caught.value)
    assert "was changed by jordan.lee@acmecloud.com at " in message
    assert "(now version 2); your edit was not saved" in message
    assert caught.value.current_version == 2
    current = await registry.get(ACME, "critical")
    assert (current.version_number, current.raw_config["name"]) == (2, "Jordan's edit")
    assert (
        await _count(seeded_db, WorkflowVersion, WorkflowVersion.workflow_id == clone.workflow_id)
        == 2
    )


async def test_an_invalid_save_is_refused_with_every_problem(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    clone = await registry.clone(ACME, "critical", MAYA)
    broken = copy.deepcopy(clone.raw_config)
    broken["steps"][0]["routing"]["routes"][0]["nextStepId"] = "nowhere"
    broken["steps"][1]["notifications"][0]["priority"] = 9
    broken["id"] = "renamed"
    with pytest.raises(WorkflowInvalid) as caught:
        await registry.save(ACME, "critical", broken, expected_version=1, actor=MAYA)
    assert {p.path for p in caught.value.problems} == {
        "$.id",
        "$.steps[0].routing.routes[0].nextStepId",
        "$.steps[1].notifications[0].priority",
    }
    assert (await registry.get(ACME, "critical")).version_number == 1
    with pytest.raises(WorkflowInvalid):
        await registry.save(ACME, "critical", "not a dict", expected_version=1, actor=MAYA)


async def test_core_workflows_cannot_be_edited_through_a_tenant(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    core = await registry.get(ACME, "critical")
    with pytest.raises(CoreWorkflowReadOnly, match="clone it"):
        await registry.save(ACME, "critical", core.raw_config, expected_version=1, actor=MAYA)
    with pytest.raises(CoreWorkflowReadOnly):
        await registry.rollback(ACME, "critical", 1, MAYA)


async def test_rollback_makes_a_new_version_equal_to_the_old_one(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    v1 = await registry.clone(ACME, "critical", MAYA)
    edited = copy.deepcopy(v1.raw_config)
    edited["description"] = "Changed."
    await registry.save(ACME, "critical", edited, expected_version=1, actor=MAYA)
    rolled = await registry.rollback(ACME, "critical", 1, MAYA)
    assert rolled.version_number == 3 and rolled.raw_config == v1.raw_config
    versions = await registry.versions(ACME, "critical")
    assert [(v.number, v.is_current) for v in versions] == [(1, False), (2, False), (3, True)]
    assert versions[-1].note == "rollback to version 1"
    assert (await registry.version(ACME, "critical", 2)).raw_config == edited
    with pytest.raises(WorkflowNotFound, match="no version 9"):
        await registry.rollback(ACME, "critical", 9, MAYA)


async def test_diff_is_a_readable_unified_diff(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    v1 = await registry.clone(ACME, "critical", MAYA)
    edited = copy.deepcopy(v1.raw_config)
    edited["name"] = "Critical (Acme)"
    await registry.save(ACME, "critical", edited, expected_version=1, actor=MAYA)
    text = await registry.diff(ACME, "critical", 1, 2)
    lines = text.splitlines()
    assert lines[:2] == ["--- critical version 1", "+++ critical version 2"]
    assert '-  "name": "Critical renewal (7-14 days)",' in lines
    assert '+  "name": "Critical (Acme)",' in lines
    assert sum(1 for line in lines if line.startswith(("+ ", "- ", '+"', '-"'))) <= 2
    assert await registry.diff(ACME, "critical", 2, 2) == ""


# --- clone, import, export ----------------------------------------------------------------


async def test_clone_wins_for_its_tenant_only_and_copies_chat_branches(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    other = await _second_tenant(seeded_db)
    clone = await registry.clone(ACME, "critical", MAYA)
    listed = {w.slug: w for w in await registry.list(ACME)}
    assert len(listed) == 14 and listed["critical"].overrides_core
    assert listed["critical"].workflow_id == clone.workflow_id
    assert (await registry.get(other, "critical")).is_core
    assert {w.slug: w.is_core for w in await registry.list(other)}["critical"] is True
    core_branches = await _count(
        seeded_db, ChatBranch, ChatBranch.workflow_id == core_workflow_id("critical")
    )
    assert core_branches > 0
    async with seeded_db.sessions() as s:
        copied = (
            await s.scalars(select(ChatBranch).where(ChatBranch.workflow_id == clone.workflow_id))
        ).all()
        originals = (
            await s.scalars(
                select(ChatBranch).where(ChatBranch.workflow_id == core_workflow_id("critical"))
            )
        ).all()
    assert len(copied) == core_branches
    assert {(b.step_id, b.branch_key, b.label) for b in copied} == {
        (b.step_id, b.branch_key, b.label) for b in originals
    }
    assert not {b.id for b in copied} & {b.id for b in originals}
    with pytest.raises(WorkflowExists, match="already has its own 'critical'"):
        await registry.clone(ACME, "critical", MAYA)
    with pytest.raises(WorkflowNotFound, match="no core workflow"):
        await registry.clone(ACME, "nope", MAYA)


async def test_import_creates_then_versions_and_export_round_trips(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    created = await registry.import_config(ACME, _private(), MAYA, "risk")
    assert (created.workflow_type, created.version_number, created.is_core) == ("risk", 1, False)
    text = await registry.export(ACME, "acme-private")
    assert text.endswith("\n") and text.startswith('{\n  "id": "acme-private"')
    changed = text.replace('"Acme private"', '"Acme private v2"')
    again = await registry.import_config(ACME, changed, MAYA)
    assert (again.version_number, again.raw_config["name"]) == (2, "Acme private v2")
    assert await registry.export(ACME, "acme-private") == changed
    with pytest.raises(WorkflowInvalid) as caught:
        await registry.import_config(ACME, '{"id": "x",\n "name": }', MAYA)
    assert "line 2, column 10" in caught.value.problems[0].message
    with pytest.raises(WorkflowInvalid, match="risk workflow, not renewal"):
        await registry.import_config(ACME, changed, MAYA, "renewal")
    # a core id creates the tenant's override, keeping the core type
    core = await registry.get(ACME, "standard-renewal", expanded=False)
    override = await registry.import_config(ACME, core.raw_config, MAYA)
    assert (override.is_core, override.workflow_type, override.format) == (
        False,
        "renewal",
        "composition",
    )
    assert len(override.config["steps"]) == 9


# --- tenant isolation -----------------------------------------------------------------------


async def test_a_tenant_never_sees_or_touches_another_tenants_workflow(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    other = await _second_tenant(seeded_db)
    mine = await registry.import_config(ACME, _private(), MAYA, "renewal")
    await registry.clone(ACME, "critical", MAYA)
    assert "acme-private" not in {w.slug for w in await registry.list(other)}
    for attempt in (
        registry.get(other, "acme-private"),
        registry.versions(other, "acme-private"),
        registry.version(other, "acme-private", 1),
        registry.diff(other, "acme-private", 1, 1),
        registry.export(other, "acme-private"),
        registry.save(other, "acme-private", _private(), expected_version=1, actor="x"),
        registry.rollback(other, "acme-private", 1, "x"),
        registry.clone(other, "acme-private", "x"),
    ):
        with pytest.raises(WorkflowNotFound):
            await attempt
    # the other tenant sees the core critical, not Acme's clone, and cannot edit it
    with pytest.raises(CoreWorkflowReadOnly):
        await registry.save(other, "critical", _private("critical"), expected_version=1, actor="x")
    assert (await registry.renewal_for_days(other, 10)).slug == "critical"  # type: ignore[union-attr]
    assert (await registry.renewal_for_days(other, 10)).is_core  # type: ignore[union-attr]
    # its own import of the same id is a separate workflow; Acme's is untouched
    theirs = await registry.import_config(other, _private(), "x", "renewal")
    assert theirs.workflow_id != mine.workflow_id
    assert (await registry.get(ACME, "acme-private")).version_number == 1
    with pytest.raises(WorkflowNotFound, match="unknown tenant"):
        await registry.clone(uuid.uuid4(), "critical", "x")
    assert await _count(seeded_db, Workflow, Workflow.slug == "acme-private") == 2
