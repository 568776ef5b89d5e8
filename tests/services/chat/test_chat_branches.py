"""Branches of a step: suggested replies, fixed branches move the execution, threads, actions."""

from __future__ import annotations

import json
from contextlib import aclosing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    ActionExecution,
    ChatBranch,
    ChatMessage,
    ChatThread,
    StepExecution,
)
from renubu_tui.services.chat.store import ChatError
from renubu_tui.services.workflows.executions import GateClosed
from renubu_tui.services.workflows.registry import WorkflowRegistry
from tests.services.chat.helpers import (
    TENANT,
    ScriptedProvider,
    done,
    make_env,
    open_at,
    open_critical,
    text,
)

SEEDS = Path(__file__).resolve().parents[3] / "seeds"


async def _collect(events: Any) -> list[Any]:
    async with aclosing(events) as stream:
        return [event async for event in stream]


async def test_suggested_replies_are_the_fixed_prompts_in_order(seeded_db: Database) -> None:
    env = await make_env(seeded_db)
    run_id = await open_critical(seeded_db)
    listing = await env.chat.branches(TENANT, run_id)
    assert listing.step_id == "critical-status-assessment"
    assert [b.key for b in listing.branches] == [
        "all-complete",
        "signature-pending",
        "customer-ghosting",
        "ask-assistant",
    ]
    assert listing.suggested_replies == [
        "Everything is signed and paid",
        "We're still waiting on signatures",
        "They haven't replied in over a week",
    ]


async def test_a_fixed_branch_records_the_exchange_and_moves_the_execution(
    seeded_db: Database,
) -> None:
    env = await make_env(seeded_db)
    run_id = await open_critical(seeded_db)
    outcome = await env.chat.choose_branch(TENANT, run_id, "signature-pending", actor=env.maya)
    assert outcome.kind == "moved"
    assert outcome.view is not None and outcome.view.current_step_id == "executive-escalation"
    first = next(s for s in outcome.view.steps if s.step_id == "critical-status-assessment")
    assert (first.status, first.route) == ("completed", "SIGNATURE_PENDING")
    thread = outcome.thread
    assert thread is not None and thread.status == "completed"
    assert [(m.seq, m.role) for m in thread.messages] == [
        (1, "system"),
        (2, "user"),
        (3, "assistant"),
    ]
    assert thread.messages[1].content == "We're still waiting on signatures"
    assert thread.messages[2].content.startswith("Understood: signatures are the blocker")
    assert thread.messages[2].provider_label == "workflow (canned response)"
    async with seeded_db.sessions() as s:
        step = await s.scalar(
            select(StepExecution).where(
                StepExecution.execution_id == run_id,
                StepExecution.step_id == "critical-status-assessment",
            )
        )
    assert (
        step is not None
        and step.message_count == 2
        and step.outputs
        == {
            "branch": "signature-pending",
            "route": "SIGNATURE_PENDING",
        }
    )
    with pytest.raises(ChatError, match="no branch 'signature-pending'"):
        await env.chat.choose_branch(TENANT, run_id, "signature-pending", actor=env.maya)


def _fixed_branches() -> list[tuple[str, str, str, str | None]]:
    out = []
    for path in sorted((SEEDS / "chat_branches").glob("*.json")):
        for step_id, branches in json.loads(path.read_text()).items():
            out += [
                (path.stem, step_id, b["key"], b["nextStepId"])
                for b in branches
                if b["type"] == "fixed"
            ]
    return out


async def test_every_seeded_fixed_branch_goes_where_it_says(seeded_db: Database) -> None:
    """Each fixed branch, taken at its step, lands the execution on its nextStepId (or past it,
    over steps whose condition routing found false), or completes it when it names none."""
    env = await make_env(seeded_db)
    manager = await _manager(seeded_db)
    wrong: list[str] = []
    for n, (workflow, step_id, key, target) in enumerate(_fixed_branches()):
        # not Bluesoft: its journey's Critical workflow is open (one open run per workflow)
        customer = ("Kestrel Networks", "Meridian Energy", "Emberline Solar")[n % 3]
        run_id = await open_at(seeded_db, workflow, step_id, customer)
        gate = (await env.executions.view(TENANT, run_id)).gate
        if gate:
            await env.executions.perform_action(TENANT, run_id, gate, actor=manager)
        moved = (await env.chat.choose_branch(TENANT, run_id, key, actor=env.maya)).view
        assert moved is not None
        order = [s["id"] for s in moved.config["steps"]]
        landed = moved.current_step_id
        skipped = {st.step_id for st in moved.steps if st.status == "skipped"}
        if target is None:
            ok = moved.status == "completed"
        else:
            ok = landed is not None and (
                landed == target
                or (
                    order.index(landed) > order.index(target)
                    and set(order[order.index(target) : order.index(landed)]) <= skipped
                )
            )
        if not ok:
            wrong.append(f"{workflow}/{step_id}/{key}: wanted {target}, got {landed}")
        await _close(seeded_db, run_id)
    assert wrong == []


async def _manager(db: Database) -> Any:
    from renubu_tui.data.models import User

    async with db.sessions() as s:
        return await s.scalar(select(User).where(User.role == "manager").order_by(User.email))


async def _close(db: Database, execution_id: Any) -> None:
    """Take a finished check's execution out of the way (one open run per customer+workflow)."""
    from renubu_tui.data.models import WorkflowExecution

    async with db.sessions() as s, s.begin():
        await s.execute(
            update(WorkflowExecution)
            .where(WorkflowExecution.id == execution_id, WorkflowExecution.status == "in_progress")
            .values(status="rejected")
        )


async def test_a_gate_stops_a_fixed_branch_before_anything_is_recorded(
    seeded_db: Database,
) -> None:
    env = await make_env(seeded_db)
    view = await env.executions.start(
        TENANT, await env.customer("Kestrel Networks"), actor=env.maya, workflow_slug="emergency"
    )
    view = await env.executions.complete_step(
        TENANT, view.id, actor=env.maya, chosen_route="FINAL_PUSH"
    )
    assert view.current_step_id == "mandatory-team-escalation" and view.gate
    with pytest.raises(GateClosed):
        await env.chat.choose_branch(TENANT, view.id, "acknowledged", actor=env.maya)
    async with seeded_db.sessions() as s:
        said = (
            await s.scalars(
                select(ChatMessage.content)
                .join(ChatThread, ChatThread.id == ChatMessage.thread_id)
                .where(ChatMessage.role == "user", ChatThread.execution_id == view.id)
            )
        ).all()
    assert said == []


async def test_at_a_closed_gate_only_what_can_be_taken_is_offered(seeded_db: Database) -> None:
    """ "My manager acknowledged, let's go" is not offered while the gate is closed; the listing
    says why, and who can open it. Once the manager acknowledges, the reply is offered."""
    env = await make_env(seeded_db)
    view = await env.executions.start(
        TENANT, await env.customer("Kestrel Networks"), actor=env.maya, workflow_slug="emergency"
    )
    view = await env.executions.complete_step(
        TENANT, view.id, actor=env.maya, chosen_route="FINAL_PUSH"
    )
    listing = await env.chat.branches(TENANT, view.id, actor=env.maya)
    assert "My manager acknowledged, let's go" not in listing.suggested_replies
    assert [b.key for b in listing.branches] == ["policy-escalation", "ask-assistant"]
    withheld = {w.branch.key: w.reason for w in listing.withheld}
    assert withheld == {
        "acknowledged": "Not yet: waits for Jordan Lee (manager) to acknowledge the escalation "
        "before the workflow can go on",
        "manager-ack": "Only a manager can record this; it waits for Jordan Lee (manager)",
    }
    assert listing.gate is not None
    assert (listing.gate.state, listing.gate.opener, listing.gate.opener_role) == (
        "closed",
        "Jordan Lee (manager)",
        "manager",
    )
    manager = await _manager(seeded_db)
    assert manager.name == "Jordan Lee"
    as_manager = await env.chat.branches(TENANT, view.id, actor=manager)
    assert "manager-ack" in [b.key for b in as_manager.branches]  # the manager can take it
    await env.chat.choose_branch(TENANT, view.id, "manager-ack", actor=manager)
    listing = await env.chat.branches(TENANT, view.id, actor=env.maya)
    assert listing.suggested_replies == ["My manager acknowledged, let's go"]
    assert listing.gate is not None and listing.gate.open
    assert listing.gate.reason == (
        "Jordan Lee acknowledged the escalation on Wed 24 Sep; the workflow can go on"
    )
    assert [w.branch.key for w in listing.withheld] == ["manager-ack"]  # already recorded
    moved = await env.chat.choose_branch(TENANT, view.id, "acknowledged", actor=env.maya)
    assert moved.view is not None and moved.view.current_step_id == "final-push"


async def test_llm_branch_threads_return_to_their_step_with_their_counts(
    seeded_db: Database,
) -> None:
    provider = ScriptedProvider([text("Check the order form status with David."), done()])
    env = await make_env(seeded_db, lambda: provider)
    run_id = await open_critical(seeded_db, "Emberline Solar")
    outcome = await env.chat.choose_branch(TENANT, run_id, "ask-assistant", actor=env.maya)
    assert outcome.kind == "thread" and outcome.thread is not None
    system = outcome.thread.messages[0]
    assert system.role == "system" and "Emberline Solar" in system.content
    assert "Current step: Critical status assessment." in system.content
    again = await env.chat.choose_branch(TENANT, run_id, "ask-assistant", actor=env.maya)
    assert again.thread is not None and again.thread.id == outcome.thread.id  # reused
    await _collect(env.chat.send(outcome.thread.id, "Help me with critical status assessment"))
    sent = provider.requests[0]
    assert "Customer data (JSON" in sent.messages[0].content
    assert sent.context and sent.context["customer"]["name"] == "Emberline Solar"
    closed = await env.chat.complete_thread(outcome.thread.id, actor=env.maya)
    assert closed.status == "completed"
    view = await env.executions.view(TENANT, run_id)
    assert view.current_step_id == "critical-status-assessment"  # returned to its step
    async with seeded_db.sessions() as s:
        step = await s.scalar(select(StepExecution).where(StepExecution.execution_id == run_id))
    assert step is not None and step.status == "in_progress"
    assert step.message_count == 2 and step.token_count == 17
    with pytest.raises(ChatError, match="completed"):
        await env.chat.complete_thread(outcome.thread.id)


async def test_rag_branches_offer_only_the_knowledge_base(seeded_db: Database) -> None:
    provider = ScriptedProvider([text("Up to 10% yourself."), done()])
    env = await make_env(seeded_db, lambda: provider)
    run_id = await open_critical(seeded_db)
    async with seeded_db.sessions() as s, s.begin():
        await s.execute(
            update(ChatBranch)
            .where(ChatBranch.branch_key == "policy-discount")
            .values(step_id="critical-status-assessment")
        )
    outcome = await env.chat.choose_branch(TENANT, run_id, "policy-discount", actor=env.maya)
    assert outcome.thread is not None and "rag_search" in outcome.thread.system_prompt
    await _collect(env.chat.send(outcome.thread.id, "What discount can I approve myself?"))
    assert [t.name for t in provider.requests[0].tools or []] == ["rag_search"]


async def test_a_saved_action_branch_runs_the_action_and_stays(seeded_db: Database) -> None:
    env = await make_env(seeded_db)
    run_id = await open_critical(seeded_db)
    async with seeded_db.sessions() as s, s.begin():
        await s.execute(
            update(ChatBranch)
            .where(ChatBranch.branch_key == "open-war-room")
            .values(step_id="critical-status-assessment")
        )
    outcome = await env.chat.choose_branch(TENANT, run_id, "open-war-room", actor=env.maya)
    assert outcome.kind == "action" and outcome.action is not None
    assert outcome.action.result["channel"] == "#war-room-kestrel-networks"
    assert outcome.view is not None and outcome.view.current_step_id == "critical-status-assessment"
    async with seeded_db.sessions() as s:
        slugs = (await s.scalars(select(ActionExecution.action_slug))).all()
    assert "create-war-room" in slugs


async def test_a_tenant_clone_has_its_own_branches(seeded_db: Database) -> None:
    env = await make_env(seeded_db)
    registry = WorkflowRegistry(seeded_db)
    clone = await registry.clone(TENANT, "critical", "maya.patel@acmecloud.com")
    async with seeded_db.sessions() as s, s.begin():
        await s.execute(
            update(ChatBranch)
            .where(
                ChatBranch.workflow_id == clone.workflow_id, ChatBranch.branch_key == "all-complete"
            )
            .values(prompts=["All done here"])
        )
    view = await env.executions.start(
        TENANT, await env.customer("Kestrel Networks"), actor=env.maya, workflow_slug="critical"
    )
    listing = await env.chat.branches(TENANT, view.id)
    assert listing.suggested_replies[0] == "All done here"
    core_run = await open_critical(seeded_db, "Emberline Solar")
    assert (await env.chat.branches(TENANT, core_run)).suggested_replies[0] == (
        "Everything is signed and paid"
    )
