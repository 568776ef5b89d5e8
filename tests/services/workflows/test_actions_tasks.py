"""Saved actions, tasks and artifacts: each one transaction, audited, failures change nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    ActionExecution,
    AuditEntry,
    Customer,
    Notification,
    TaskArtifact,
    User,
    WorkflowExecution,
    WorkflowTask,
)
from renubu_tui.data.seed.files import workflow_version_id
from renubu_tui.data.seed.ids import key_id
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.queue.service import QueueFilters, QueueService
from renubu_tui.services.workflows.actions import ActionFailed, ActionService
from renubu_tui.services.workflows.tasks import ArtifactService, TaskError, TaskService
from tests.conftest import TEST_TODAY

TENANT = key_id("tenant", "acme-cs")


async def _setup(db: Database) -> tuple[User, uuid.UUID, uuid.UUID]:
    """Maya with an open Critical execution for Kestrel Networks (10 days out)."""
    async with db.sessions() as s, s.begin():
        maya = await s.scalar(select(User).where(User.email == "maya.patel@acmecloud.com"))
        kestrel = await s.scalar(select(Customer).where(Customer.name == "Kestrel Networks"))
        assert maya is not None and kestrel is not None
        wid = key_id("workflow", "core", "critical")
        run = WorkflowExecution(
            id=uuid.uuid4(),
            tenant_id=TENANT,
            customer_id=kestrel.id,
            workflow_id=wid,
            workflow_version_id=workflow_version_id(wid, 1),
            workflow_type="renewal",
            owner_id=maya.id,
            status="in_progress",
            current_step_id="critical-status-assessment",
            outputs={},
            started_at=dt.datetime(2025, 9, 20, 9, tzinfo=dt.UTC),
        )
        s.add(run)
    return maya, kestrel.id, run.id


async def _bluesoft_critical(db: Database) -> uuid.UUID:
    """The journey's Critical execution (started on D−15)."""
    async with db.sessions() as s:
        found = await s.scalar(
            select(WorkflowExecution.id).where(
                WorkflowExecution.customer_id == key_id("customer", "acme-cs", "bluesoft.com"),
                WorkflowExecution.workflow_id == key_id("workflow", "core", "critical"),
            )
        )
    assert found is not None
    return found


async def _status(db: Database, run_id: uuid.UUID) -> WorkflowExecution:
    async with db.sessions() as s:
        run = await s.get(WorkflowExecution, run_id)
    assert run is not None
    return run


async def _trail(db: Database, customer_id: uuid.UUID) -> list[tuple[str, bool, str | None]]:
    async with db.sessions() as s:
        rows = (
            await s.execute(
                select(ActionExecution.action_slug, ActionExecution.success, ActionExecution.error)
                .where(ActionExecution.customer_id == customer_id)
                .order_by(ActionExecution.created_at)
            )
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_snooze_is_durable_and_hides_the_work_until_its_date(seeded_db: Database) -> None:
    maya, kestrel, run_id = await _setup(seeded_db)
    queue = QueueService(seeded_db, ConfigService(seeded_db))
    actions = ActionService(seeded_db, Clock(TEST_TODAY), on_change=queue.invalidate)
    outcome = await actions.run(
        TENANT, "snooze-3-days", actor=maya, customer_id=kestrel, params={"reason": "OOO"}
    )
    assert outcome.message.startswith("Snoozed Kestrel Networks until")
    run = await _status(seeded_db, run_id)
    assert (run.status, run.snoozed_until, run.snooze_reason) == (
        "snoozed",
        TEST_TODAY + dt.timedelta(days=3),
        "OOO",
    )
    mine = QueueFilters(owner_id=maya.id, search="kestrel", types=("renewal",))
    assert (await queue.page(TENANT, TEST_TODAY, mine)).rows == []
    back = (await queue.page(TENANT, TEST_TODAY + dt.timedelta(days=3), mine)).rows
    assert len(back) == 1 and back[0].snooze_ended
    assert await _trail(seeded_db, kestrel) == [("snooze-3-days", True, None)]


async def test_a_refused_action_changes_nothing_and_says_why(seeded_db: Database) -> None:
    maya, kestrel, run_id = await _setup(seeded_db)
    actions = ActionService(seeded_db, Clock(TEST_TODAY))
    with pytest.raises(ActionFailed, match="days: at most 30, got 31"):
        await actions.run(TENANT, "snooze", actor=maya, customer_id=kestrel, params={"days": 31})
    with pytest.raises(ActionFailed, match="reason: required"):
        await actions.run(TENANT, "skip", actor=maya, customer_id=kestrel)
    with pytest.raises(ActionFailed, match="is not one of"):
        await actions.run(TENANT, "skip", actor=maya, customer_id=kestrel, params={"reason": "meh"})
    with pytest.raises(ActionFailed, match="dueDate: required"):
        await actions.run(
            TENANT, "create-task", actor=maya, customer_id=kestrel, params={"title": "x"}
        )
    with pytest.raises(ActionFailed, match="unknown action 'teleport'"):
        await actions.run(TENANT, "teleport", actor=maya, customer_id=kestrel)
    assert (await _status(seeded_db, run_id)).status == "in_progress"
    assert [(slug, ok) for slug, ok, _ in await _trail(seeded_db, kestrel)] == [
        ("snooze", False),
        ("skip", False),
        ("skip", False),
        ("create-task", False),
    ]


async def test_skip_escalate_meeting_email_task(seeded_db: Database) -> None:
    maya, kestrel, run_id = await _setup(seeded_db)
    actions = ActionService(seeded_db, Clock(TEST_TODAY))
    out = await actions.run(
        TENANT,
        "escalate",
        actor=maya,
        customer_id=kestrel,
        params={"level": "manager", "reason": "legal blocked"},
    )
    assert out.result["to"] == "jordan.lee@acmecloud.com"
    run = await _status(seeded_db, run_id)
    assert run.status == "escalated" and run.escalation_level == "manager"
    async with seeded_db.sessions() as s:
        note = await s.scalar(select(Notification).where(Notification.execution_id == run_id))
    assert note is not None and note.recipient_email == "jordan.lee@acmecloud.com"
    assert "legal blocked" in note.message
    with pytest.raises(ActionFailed, match="Kestrel Networks's renewal is already escalated"):
        await actions.run(
            TENANT,
            "escalate",
            actor=maya,
            customer_id=kestrel,
            params={"level": "vp_cs", "reason": "again"},
        )

    await actions.run(
        TENANT,
        "schedule-meeting",
        actor=maya,
        customer_id=kestrel,
        params={"duration": 45, "attendees": ["sam@kestrelnet.com"]},
    )
    await actions.run(
        TENANT,
        "create-task",
        actor=maya,
        customer_id=kestrel,
        params={"title": "Chase PO", "dueDate": "2025-09-30", "priority": "high"},
    )
    email = await actions.run(
        TENANT,
        "send-email",
        actor=maya,
        customer_id=kestrel,
        params={"to": ["sam@kestrelnet.com"], "subject": "Renewal", "body": "Hi Sam"},
    )
    assert "nothing was sent" in email.message
    async with seeded_db.sessions() as s:
        tasks = (
            await s.scalars(
                select(WorkflowTask.title)
                .where(WorkflowTask.execution_id == run_id)
                .order_by(WorkflowTask.title)
            )
        ).all()
        draft = await s.scalar(select(TaskArtifact).where(TaskArtifact.kind == "email_draft"))
    assert tasks == ["Chase PO", "Meeting: Renewal call with Kestrel Networks (45 min)"]
    assert draft is not None and draft.content.startswith("To: sam@kestrelnet.com\n")
    assert draft.status == "draft"


async def test_skip_is_final(seeded_db: Database) -> None:
    maya, kestrel, run_id = await _setup(seeded_db)
    actions = ActionService(seeded_db, Clock(TEST_TODAY))
    assert await actions.refusal(TENANT, "skip", kestrel) is None
    await actions.run(
        TENANT,
        "skip",
        actor=maya,
        customer_id=kestrel,
        params={"reason": "Already completed", "note": "signed on paper"},
    )
    run = await _status(seeded_db, run_id)
    assert run.status == "skipped" and run.skip_reason == "Already completed: signed on paper"
    with pytest.raises(ActionFailed, match="has no open workflow"):
        await actions.run(TENANT, "snooze", actor=maya, customer_id=kestrel)
    # Asked before any dialog, the same refusal; actions that need no workflow have none.
    for slug, verb in (("snooze", "snooze"), ("skip", "skip"), ("escalate", "escalate")):
        refusal = await actions.refusal(TENANT, slug, kestrel)
        assert refusal == f"Kestrel Networks has no open workflow to {verb}"
    assert await actions.refusal(TENANT, "create-task", kestrel) is None
    assert (
        await actions.refusal(TENANT, "no-such-action", kestrel)
        == "unknown action 'no-such-action'"
    )


async def test_an_action_acts_on_the_selected_rows_workflow_only(seeded_db: Database) -> None:
    """Escalating the opportunity row of a customer whose renewal is snoozed: refused in words,
    before the dialog and on running; the snoozed renewal is untouched."""
    maya, kestrel, run_id = await _setup(seeded_db)
    actions = ActionService(seeded_db, Clock(TEST_TODAY))
    await actions.run(TENANT, "snooze-7-days", actor=maya, customer_id=kestrel)
    said = "Kestrel Networks's opportunity has no workflow running; start one with g"
    for slug in ("escalate", "snooze", "skip"):
        refusal = await actions.refusal(
            TENANT, slug, kestrel, None, workflow_type="opportunity", start_hint="start one with g"
        )
        assert refusal == said
    with pytest.raises(ActionFailed) as refused:
        await actions.run(
            TENANT,
            "escalate",
            actor=maya,
            customer_id=kestrel,
            params={"level": "manager", "reason": "legal blocked"},
            workflow_type="opportunity",
            start_hint="start one with g",
        )
    assert str(refused.value) == said
    run = await _status(seeded_db, run_id)
    assert (run.status, run.escalation_level) == ("snoozed", None)
    # a task on that row belongs to the customer, not to the renewal
    await actions.run(
        TENANT,
        "create-task",
        actor=maya,
        customer_id=kestrel,
        params={"title": "Scope the upsell", "dueDate": "2025-10-03"},
        workflow_type="opportunity",
    )
    async with seeded_db.sessions() as s:
        task = await s.scalar(select(WorkflowTask).where(WorkflowTask.title == "Scope the upsell"))
    assert task is not None and task.execution_id is None


async def test_a_refused_move_is_said_in_the_csms_words(seeded_db: Database) -> None:
    maya, kestrel, run_id = await _setup(seeded_db)
    actions = ActionService(seeded_db, Clock(TEST_TODAY))
    await actions.run(TENANT, "snooze-7-days", actor=maya, customer_id=kestrel)
    said = "Kestrel Networks's renewal is snoozed until Wed 01 Oct; wake it before escalating"
    assert await actions.refusal(TENANT, "escalate", kestrel, run_id) == said  # before the dialog
    with pytest.raises(ActionFailed) as refused:
        await actions.run(
            TENANT,
            "escalate",
            actor=maya,
            customer_id=kestrel,
            params={"level": "manager", "reason": "legal blocked"},
            execution_id=run_id,
        )
    assert str(refused.value) == said
    for code in ("in_progress", "escalated", "allowed", "snoozed cannot"):
        assert code not in said
    woke = await actions.wake(TENANT, actor=maya, customer_id=kestrel, execution_id=run_id)
    assert woke.message == "Kestrel Networks's renewal is awake again"
    assert await actions.refusal(TENANT, "escalate", kestrel, run_id) is None
    await actions.run(
        TENANT,
        "escalate",
        actor=maya,
        customer_id=kestrel,
        params={"level": "manager", "reason": "legal blocked"},
        execution_id=run_id,
    )
    assert (await _status(seeded_db, run_id)).status == "escalated"
    assert [slug for slug, ok, _ in await _trail(seeded_db, kestrel) if ok] == [
        "snooze-7-days",
        "wake",
        "escalate",
    ]


async def test_a_snooze_that_is_over_no_longer_blocks_an_action(seeded_db: Database) -> None:
    """The row is back in the queue on its wake date (⏰): escalating it then just works."""
    maya, kestrel, run_id = await _setup(seeded_db)
    await ActionService(seeded_db, Clock(TEST_TODAY)).run(
        TENANT, "snooze-3-days", actor=maya, customer_id=kestrel
    )
    later = ActionService(seeded_db, Clock(TEST_TODAY + dt.timedelta(days=3)))
    assert await later.refusal(TENANT, "escalate", kestrel, run_id) is None
    await later.run(
        TENANT,
        "escalate",
        actor=maya,
        customer_id=kestrel,
        params={"level": "manager", "reason": "no reply"},
        execution_id=run_id,
    )
    run = await _status(seeded_db, run_id)
    assert (run.status, run.snoozed_until) == ("escalated", None)


async def test_tasks_snooze_limit_reassign_complete(seeded_db: Database) -> None:
    maya, _kestrel, _run = await _setup(seeded_db)
    clock = Clock(TEST_TODAY)
    tasks = TaskService(seeded_db, clock)
    mine = await tasks.list(TENANT, owner_id=maya.id)
    # D−15 of the journey: the war room is set up, the signatures are still to collect; the
    # earlier stages' tasks (QBR deck, pricing justification…) were each done on their day
    critical = await _bluesoft_critical(seeded_db)
    bluesoft = [t for t in mine if t.customer_name == "Bluesoft Corporation"]
    assert {t.title: t.status for t in bluesoft if t.execution_id == critical} == {
        "Set up the Bluesoft renewal war room": "completed",
        "Collect signatures from Sarah Chen and David Kim": "pending",
    }
    earlier = [t for t in bluesoft if t.execution_id != critical]
    assert "Send the QBR deck" in {t.title for t in earlier}
    assert {t.status for t in earlier} == {"completed"}
    [task] = [t for t in bluesoft if t.title == "Collect signatures from Sarah Chen and David Kim"]
    snoozed = await tasks.snooze(TENANT, task.id, maya, TEST_TODAY + dt.timedelta(days=4))
    assert snoozed.status == "snoozed"
    clock.set(TEST_TODAY + dt.timedelta(days=4))
    with pytest.raises(TaskError, match="may not be snoozed past 2025-10-01"):
        await tasks.snooze(TENANT, task.id, maya, TEST_TODAY + dt.timedelta(days=8))
    assert (await tasks.snooze(TENANT, task.id, maya, TEST_TODAY + dt.timedelta(days=7))).status
    moved = await tasks.reassign(TENANT, task.id, maya, "tom.becker@acmecloud.com")
    assert moved.owner_email == "tom.becker@acmecloud.com"
    done = await tasks.complete(TENANT, task.id, maya)
    assert done.status == "completed"
    with pytest.raises(TaskError, match="already completed"):
        await tasks.skip(TENANT, task.id, maya, "no")
    async with seeded_db.sessions() as s:
        audits = (
            await s.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.entity_type == "task", AuditEntry.entity_id == str(task.id)
                )
            )
        ).all()
    assert sorted(audits) == ["complete", "reassign", "snooze", "snooze"]


async def test_artifacts_edit_approve_export_delete(seeded_db: Database, tmp_path: Path) -> None:
    maya, kestrel, run_id = await _setup(seeded_db)
    artifacts = ArtifactService(seeded_db, Clock(TEST_TODAY))
    made = await artifacts.create(
        TENANT,
        kestrel,
        actor=None,
        kind="status_assessment",
        title="Status: Kestrel",
        content="Draft",
        execution_id=run_id,
        model="offline",
        prompt="Assess",
    )
    assert made.created_by_ai and made.status == "draft"
    approved = await artifacts.approve(TENANT, made.id, maya)
    assert approved.status == "approved" and approved.approved_by_id == maya.id
    edited = await artifacts.edit(TENANT, made.id, maya, "Final text")
    assert edited.status == "draft" and edited.approved_at is None
    listed = await artifacts.list(TENANT, execution_id=run_id)
    [path] = await artifacts.export(listed, tmp_path)
    assert path.read_text(encoding="utf-8").startswith("# Status: Kestrel\n")
    await artifacts.delete(TENANT, made.id, maya)
    assert await artifacts.list(TENANT, execution_id=run_id) == []
    bluesoft = await artifacts.list(
        TENANT, customer_id=key_id("customer", "acme-cs", "bluesoft.com")
    )
    # D−15 of the journey: the status assessment and the escalation brief, both approved, after
    # the earlier stages' (strategy plan, QBR summary, pricing justification, final quote)
    critical = await _bluesoft_critical(seeded_db)
    assert sorted((a.title, a.status) for a in bluesoft if a.execution_id == critical) == [
        ("Bluesoft critical status assessment", "approved"),
        ("Bluesoft escalation brief", "approved"),
    ]
    assert sorted((a.title, a.status) for a in bluesoft if a.execution_id != critical) == [
        ("Bluesoft QBR summary", "approved"),
        ("Bluesoft final renewal quote", "approved"),
        ("Bluesoft renewal strategy plan", "approved"),
        ("Pricing justification for David Kim", "approved"),
    ]
