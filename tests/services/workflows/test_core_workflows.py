"""The three detailed core workflows run end to end (domain.md §8), with scripted step outputs."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

import pytest
from sqlalchemy import select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import ActionExecution, Customer, Notification, StepExecution, User
from renubu_tui.data.seed.ids import key_id
from renubu_tui.services.workflows.executions import ExecutionError, ExecutionService, GateClosed
from renubu_tui.services.workflows.notifications import NotificationService
from tests.conftest import TEST_TODAY

TENANT = key_id("tenant", "acme-cs")
VP, CEO = "grace.holloway@acmecloud.com", "robert.kane@acmecloud.com"


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


async def _sent(db: Database, execution_id: uuid.UUID) -> list[Notification]:
    async with db.sessions() as s:
        return list(
            (
                await s.scalars(
                    select(Notification)
                    .where(Notification.execution_id == execution_id)
                    .order_by(Notification.created_at, Notification.recipient_email)
                )
            ).all()
        )


def _by_type(rows: list[Notification]) -> dict[tuple[str, int], set[str]]:
    out: dict[tuple[str, int], set[str]] = {}
    for n in rows:
        out.setdefault((n.notification_type, n.priority), set()).add(n.recipient_email)
    return out


# --- critical --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "route",
    [
        "SIGNATURE_PENDING",
        "PAYMENT_PENDING",
        "NEGOTIATION_BREAKDOWN",
        "CUSTOMER_GHOSTING",
        "AT_RISK_CHURN",
    ],
)
async def test_critical_blockers_go_to_executive_escalation(
    seeded_db: Database, route: str
) -> None:
    clock = Clock(TEST_TODAY)
    engine = ExecutionService(seeded_db, clock, tenant_slug="acme-cs")
    maya = await _user(seeded_db, "maya.patel@acmecloud.com")
    kestrel = await _customer(seeded_db, "Kestrel Networks")  # 10 days out: Critical
    run = await engine.start(TENANT, kestrel, actor=maya)
    assert (run.workflow_slug, run.current_step_id) == ("critical", "critical-status-assessment")
    again = await engine.start(TENANT, kestrel, actor=maya)
    assert again.id == run.id  # starting twice returns the open execution

    run = await engine.complete_step(
        TENANT,
        run.id,
        actor=maya,
        chosen_route=route,
        outputs={"route": route, "fullRenewalAtRisk": route == "AT_RISK_CHURN", "blocker": route},
    )
    assert run.current_step_id == "executive-escalation"
    assert run.outputs["assessment"]["blocker"] == route

    result, fired = await engine.perform_action(TENANT, run.id, "create-war-room", actor=maya)
    assert result["channel"] == "#war-room-kestrel-networks"
    team = {"liam.foster@acmecloud.com", "owen.schmidt@acmecloud.com", "maya.patel@acmecloud.com"}
    assert _by_type(fired.created) == {
        ("escalation_required", 1): {"maya.patel@acmecloud.com", "jordan.lee@acmecloud.com", VP}
        | team
    }
    _, fired = await engine.perform_action(TENANT, run.id, "create-team-slack-channel", actor=maya)
    assert _by_type(fired.created) == {("key_task_pending", 2): team | {"jordan.lee@acmecloud.com"}}
    _, again_fired = await engine.perform_action(TENANT, run.id, "create-war-room", actor=maya)
    assert again_fired.created == []  # the same day: nothing is sent twice

    run = await engine.complete_step(TENANT, run.id, actor=maya, outputs={"summary": "war room"})
    assert run.current_step_id == "emergency-resolution"
    run = await engine.complete_step(TENANT, run.id, actor=maya, outputs={"resolved": True})
    if route == "AT_RISK_CHURN":
        assert run.current_step_id == "alternative-renewal-options"
        run = await engine.complete_step(TENANT, run.id, actor=maya, outputs={"options": []})
    else:
        assert run.current_step_id == "completion-confirmation"
        assert ("alternative-renewal-options", "condition not met") in run.skipped
    run = await engine.complete_step(TENANT, run.id, actor=maya, outputs={"done": True})
    assert run.status == "completed" and run.current_step_id is None
    statuses = {s.step_id: s.status for s in run.steps}
    assert statuses["alternative-renewal-options"] == (
        "completed" if route == "AT_RISK_CHURN" else "skipped"
    )


async def test_critical_all_complete_goes_straight_to_confirmation(seeded_db: Database) -> None:
    engine = ExecutionService(seeded_db, Clock(TEST_TODAY), tenant_slug="acme-cs")
    maya = await _user(seeded_db, "maya.patel@acmecloud.com")
    run = await engine.start(TENANT, await _customer(seeded_db, "Kestrel Networks"), actor=maya)
    run = await engine.complete_step(TENANT, run.id, actor=maya, chosen_route="ALL_COMPLETE")
    assert run.current_step_id == "completion-confirmation"
    assert [s.status for s in run.steps][:2] == ["completed", "pending"]
    run = await engine.complete_step(TENANT, run.id, actor=maya, outputs={})
    assert run.status == "completed"
    async with seeded_db.sessions() as s:
        durations = (
            await s.scalars(
                select(StepExecution.duration_ms).where(StepExecution.execution_id == run.id)
            )
        ).all()
        trail = (
            await s.scalars(
                select(ActionExecution.action_slug)
                .where(ActionExecution.execution_id == run.id)
                .order_by(ActionExecution.created_at)
            )
        ).all()
    assert all(d is not None and d >= 0 for d in durations)
    assert trail == ["start-workflow", "complete-step", "complete-step"]
    with pytest.raises(ExecutionError, match="This renewal is already completed"):
        await engine.complete_step(TENANT, run.id, actor=maya, outputs={})


async def test_unknown_route_changes_nothing(seeded_db: Database) -> None:
    engine = ExecutionService(seeded_db, Clock(TEST_TODAY), tenant_slug="acme-cs")
    maya = await _user(seeded_db, "maya.patel@acmecloud.com")
    run = await engine.start(TENANT, await _customer(seeded_db, "Kestrel Networks"), actor=maya)
    with pytest.raises(Exception, match="has no route 'MAYBE'"):
        await engine.complete_step(TENANT, run.id, actor=maya, chosen_route="MAYBE")
    assert (await engine.view(TENANT, run.id)).current_step_id == "critical-status-assessment"


# --- emergency -------------------------------------------------------------------------------


async def test_emergency_gate_and_high_value_notifications(seeded_db: Database) -> None:
    engine = ExecutionService(seeded_db, Clock(TEST_TODAY), tenant_slug="acme-cs")
    tom = await _user(seeded_db, "tom.becker@acmecloud.com")
    jordan = await _user(seeded_db, "jordan.lee@acmecloud.com")
    meridian = await _customer(seeded_db, "Meridian Energy")  # due today, ARR 250000, plan expand
    run = await engine.start(TENANT, meridian, actor=tom)
    assert (run.workflow_slug, run.current_step_id) == ("emergency", "emergency-status-check")
    run = await engine.complete_step(
        TENANT, run.id, actor=tom, chosen_route="FINAL_PUSH", outputs={"blocker": "payment"}
    )
    assert run.current_step_id == "mandatory-team-escalation"
    assert run.gate == "manager-acknowledge"
    team = {
        "ethan.brooks@acmecloud.com",
        "ravi.shah@acmecloud.com",
        CEO,
        "tom.becker@acmecloud.com",
    }
    assert _by_type(run.fired.created) == {
        ("approval_needed", 1): {"jordan.lee@acmecloud.com"},
        ("escalation_required", 2): {"tom.becker@acmecloud.com"},
        ("escalation_required", 1): {CEO, VP} | team,
    }
    with pytest.raises(GateClosed, match=r"waits for Jordan Lee \(manager\) to acknowledge"):
        await engine.complete_step(TENANT, run.id, actor=tom, outputs={})
    with pytest.raises(ExecutionError, match="Only a manager"):
        await engine.perform_action(TENANT, run.id, "manager-acknowledge", actor=tom)
    result, fired = await engine.perform_action(TENANT, run.id, "manager-acknowledge", actor=jordan)
    assert result["by"] == "jordan.lee@acmecloud.com"
    assert _by_type(fired.created) == {("manager_notification", 2): {"tom.becker@acmecloud.com"}}
    assert (await engine.view(TENANT, run.id)).gate is None
    choices = await engine.route_choices(TENANT, run.id, actor=tom)
    assert choices.suggested is not None and choices.suggested_by == "rule"
    run = await engine.complete_step(
        TENANT, run.id, actor=tom, chosen_route=choices.suggested.id, outputs={"ok": True}
    )
    assert run.current_step_id == "final-push"  # PROCEED_FINAL_PUSH: the first path chose it
    run = await engine.complete_step(TENANT, run.id, actor=tom, outputs={"paid": True})
    run = await engine.complete_step(TENANT, run.id, actor=tom, outputs={"outcome": "renewed"})
    assert run.status == "completed"
    async with seeded_db.sessions() as s:
        failures = (
            await s.scalars(
                select(ActionExecution.error).where(
                    ActionExecution.execution_id == run.id, ActionExecution.success.is_(False)
                )
            )
        ).all()
    assert failures == ["only a manager can acknowledge"]


async def test_emergency_small_account_without_plan_skips_those_alerts(
    seeded_db: Database,
) -> None:
    engine = ExecutionService(seeded_db, Clock(TEST_TODAY), tenant_slug="acme-cs")
    carlos = await _user(seeded_db, "carlos.mendez@acmecloud.com")
    run = await engine.start(TENANT, await _customer(seeded_db, "Halcyon Travel"), actor=carlos)
    run = await engine.complete_step(TENANT, run.id, actor=carlos, chosen_route="ACCEPT_CHURN")
    assert _by_type(run.fired.created) == {
        ("approval_needed", 1): {"nina.volkova@acmecloud.com"},
        ("escalation_required", 2): {"carlos.mendez@acmecloud.com"},
    }
    assert run.fired.conditions_false == 2


# --- overdue ---------------------------------------------------------------------------------


async def _overdue_follow_up(
    db: Database, name: str, owner: str
) -> tuple[ExecutionService, uuid.UUID, Clock]:
    clock = Clock(TEST_TODAY)
    engine = ExecutionService(db, clock, tenant_slug="acme-cs")
    actor = await _user(db, owner)
    run = await engine.start(TENANT, await _customer(db, name), actor=actor)
    assert run.workflow_slug == "overdue"
    run = await engine.complete_step(TENANT, run.id, actor=actor, chosen_route="SIGNATURES_PENDING")
    assert run.current_step_id == "daily-follow-up"
    return engine, run.id, clock


async def test_overdue_notifications_fire_once_on_their_days(seeded_db: Database) -> None:
    # Atlas Freight: 1 day overdue at TEST_TODAY, plan set, ARR 75000, CSM Lena, manager Nina
    _engine, run_id, _clock = await _overdue_follow_up(
        seeded_db, "Atlas Freight", "lena.fischer@acmecloud.com"
    )
    sweeper = NotificationService(seeded_db)
    assert await _sent(seeded_db, run_id) == []  # 1 day overdue: nothing yet
    first = await sweeper.sweep("acme-cs", TEST_TODAY + dt.timedelta(days=6))  # 7 days overdue
    assert [(n.notification_type, n.recipient_email) for n in first.fire.created] == [
        ("overdue_alert", "nina.volkova@acmecloud.com")
    ]
    again = await sweeper.sweep("acme-cs", TEST_TODAY + dt.timedelta(days=6))
    assert again.fire.created == [] and again.days_evaluated == 0
    # the app was closed for three weeks: the sweep catches up every day, once
    await sweeper.sweep("acme-cs", TEST_TODAY + dt.timedelta(days=29))  # 30 days overdue
    await sweeper.sweep("acme-cs", TEST_TODAY + dt.timedelta(days=29))
    rows = await _sent(seeded_db, run_id)
    per_day: dict[int, set[tuple[str, int, str]]] = {}
    for n in rows:
        overdue = (dt.date.fromisoformat(n.meta["day"]) - TEST_TODAY).days + 1
        per_day.setdefault(overdue, set()).add((n.notification_type, n.priority, n.recipient_email))
    lena, nina = "lena.fischer@acmecloud.com", "nina.volkova@acmecloud.com"
    team = {"ben.carter@acmecloud.com", "isabel.torres@acmecloud.com", lena}
    assert sorted(per_day) == [7, 8, 15, 22, 30]
    assert per_day[7] == {("overdue_alert", 3, nina)}
    assert per_day[8] == {("manager_notification", 3, nina), ("escalation_required", 1, VP)} | {
        ("escalation_required", 1, e) for e in team
    }
    assert per_day[15] == {("escalation_required", 1, VP)}
    assert per_day[22] == {("overdue_alert", 2, lena), ("overdue_alert", 2, nina)}
    assert per_day[30] == {("escalation_required", 1, e) for e in (lena, nina, VP)}
    assert len(rows) == len({n.idempotency_key for n in rows})


async def test_overdue_without_plan_and_big_account_ceo(seeded_db: Database) -> None:
    # Nimbus: 7 days overdue today, no plan → no account-team or VP alert on day 8
    _e, nimbus, _c = await _overdue_follow_up(
        seeded_db, "Nimbus Telecom", "maya.patel@acmecloud.com"
    )
    # Polaris: 30 days overdue today, ARR 320000 → the war room and the CEO fire as the step runs
    _e, polaris, _c = await _overdue_follow_up(
        seeded_db, "Polaris Aerospace", "tom.becker@acmecloud.com"
    )
    polaris_rows = await _sent(seeded_db, polaris)
    assert _by_type(polaris_rows) == {
        ("escalation_required", 1): {
            "tom.becker@acmecloud.com",
            "jordan.lee@acmecloud.com",
            VP,
            CEO,
        }
    }
    await NotificationService(seeded_db).sweep("acme-cs", TEST_TODAY + dt.timedelta(days=10))
    nimbus_rows = await _sent(seeded_db, nimbus)
    days = Counter(n.meta["day"] for n in nimbus_rows)
    assert _by_type(nimbus_rows) == {
        ("overdue_alert", 3): {"jordan.lee@acmecloud.com"},  # day 7: as the step started
        ("manager_notification", 3): {"jordan.lee@acmecloud.com"},  # day 8
        ("escalation_required", 1): {VP},  # day 15
    }
    assert len(days) == 3
    assert len(await _sent(seeded_db, polaris)) == len(polaris_rows)  # nothing twice


async def test_inbox_order_and_read_marks(seeded_db: Database) -> None:
    await _overdue_follow_up(seeded_db, "Polaris Aerospace", "tom.becker@acmecloud.com")
    service = NotificationService(seeded_db)
    inbox = await service.inbox(TENANT, VP)
    assert inbox and all(not item.read for item in inbox)
    # stamped by the app's clock: the day it was set to sees them, the day before does not
    assert len(await service.inbox(TENANT, VP, as_of=TEST_TODAY)) == len(inbox)
    assert await service.inbox(TENANT, VP, as_of=TEST_TODAY - dt.timedelta(days=1)) == []
    assert await service.unread_counts(TENANT, VP) == (len(inbox), len(inbox))
    now = dt.datetime(2025, 9, 24, 12, tzinfo=dt.UTC)
    assert await service.mark_read(TENANT, VP, [inbox[0].id], now) == 1
    reordered = await service.inbox(TENANT, VP)
    assert reordered[-1].id == inbox[0].id and reordered[-1].read
    assert await service.mark_read(TENANT, VP, None, now) == len(inbox) - 1


async def test_a_gate_also_blocks_skipping_the_step(seeded_db: Database) -> None:
    engine = ExecutionService(seeded_db, Clock(TEST_TODAY), tenant_slug="acme-cs")
    tom = await _user(seeded_db, "tom.becker@acmecloud.com")
    run = await engine.start(TENANT, await _customer(seeded_db, "Meridian Energy"), actor=tom)
    run = await engine.complete_step(TENANT, run.id, actor=tom, chosen_route="FINAL_PUSH")
    with pytest.raises(GateClosed):
        await engine.skip_step(TENANT, run.id, actor=tom, reason="in a hurry")
    assert (await engine.view(TENANT, run.id)).current_step_id == "mandatory-team-escalation"
