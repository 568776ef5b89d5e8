"""The step pane and its chat through Pilot: start, run, branches, streamed answers, Esc."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from textual.widgets import Input

from renubu_tui.data.models import ActionExecution, ChatMessage, Customer, User, WorkflowExecution
from renubu_tui.tui.app import RenubuApp
from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.widgets.chat_panel import ChatPanel
from renubu_tui.tui.widgets.step_pane import StepPane
from tests.tui.conftest import AppFactory, screen_text, settle, until

WIDE = (160, 48)


async def _open(pilot: Any, name: str = "Kestrel Networks") -> uuid.UUID:
    app: RenubuApp = pilot.app
    app.chat_pace = 0
    await settle(pilot)
    assert app.session is not None
    async with app.session.services.db.sessions() as s:
        cid = await s.scalar(select(Customer.id).where(Customer.name == name))
    assert cid is not None
    app.post_message(CustomerChosen(cid, name, None, open=True))  # as the palette does
    await settle(pilot)
    return cid


async def _executions(app: RenubuApp, cid: uuid.UUID) -> list[WorkflowExecution]:
    assert app.session is not None
    async with app.session.services.db.sessions() as s:
        query = select(WorkflowExecution).where(WorkflowExecution.customer_id == cid)
        return list(await s.scalars(query))


async def _start(pilot: Any) -> None:
    await pilot.press("g")
    await settle(pilot)


async def test_start_kestrels_workflow_then_run_the_step(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        cid = await _open(pilot)
        pane = app.query_one(StepPane)
        assert pane.data is not None and pane.data.execution is None and pane.data.fits
        await _start(pilot)
        [run] = await _executions(app, cid)
        assert run.status == "in_progress" and run.current_step_id == "critical-status-assessment"
        data = app.query_one(StepPane).data
        assert data is not None and data.execution is not None and data.can_chat
        assert data.thread is None  # looking at the step opens no thread: the first message does
        assert data.execution.current_step_id == "critical-status-assessment"
        await pilot.press("x")
        await settle(pilot)
        [run] = await _executions(app, cid)
        # The assistant suggests; nothing moves until the person chooses where the work goes.
        assert run.current_step_id == "critical-status-assessment"
        result = str(app.query_one("#step-result").render())
        said = result.casefold()
        assert said.startswith("offline assistant: ") and said.count("offline assistant") == 1
        assert "suggests:" in said and "_" not in result.split("→", 1)[1]  # words, not a code


async def test_a_running_step_shows_its_progress_live(
    app_factory: AppFactory, monkeypatch: Any
) -> None:
    """While the assistant runs the step the pane says who, how long and tokens so far,
    redrawn as they change; then the line goes and the result says how the output was held
    to its schema (issue 17, item 9)."""
    import asyncio

    from renubu_tui.services.workflows.step_runner import StepRunner

    fed, gate = asyncio.Event(), asyncio.Event()
    original = StepRunner.run_step

    async def slow(self: StepRunner, *args: Any, on_text: Any = None) -> Any:
        on_text("x" * 40)  # ≈10 tokens of answer so far
        fed.set()
        await gate.wait()
        return await original(self, *args, on_text=on_text)

    monkeypatch.setattr(StepRunner, "run_step", slow)
    now = [100.0]
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await _open(pilot)
        await _start(pilot)
        app.chat_timer = lambda: now[0]
        await pilot.press("x")
        await until(pilot, fed.is_set)
        progress = app.query_one("#step-progress")
        now[0] += 12
        await until(pilot, lambda: "· 12 s" in str(progress.render()))
        line = str(progress.render())
        assert line.endswith("Running the step · 12 s · ≈10 tokens · offline assistant")
        assert progress.display and app.query_one("#step-run").disabled
        now[0] += 3
        await until(pilot, lambda: "· 15 s" in str(progress.render()))  # live, not once
        gate.set()
        await settle(pilot)
        assert not progress.display and not app.query_one("#step-run").disabled
        result = str(app.query_one("#step-result").render())
        assert "suggests:" in result.casefold()
        assert result.splitlines()[-1] == "written to fit the schema (offline)"


async def test_completing_a_step_with_routes_asks_where_it_goes(app_factory: AppFactory) -> None:
    """`c` on a routed step opens the route picker, the assistant's suggestion pre-selected;
    Esc leaves the step open; Enter completes on the chosen route."""
    from renubu_tui.tui.screens.route_picker import RoutePickerScreen

    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        cid = await _open(pilot)
        await _start(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, RoutePickerScreen))
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, RoutePickerScreen)
        suggested = picker.choices.suggested
        assert suggested is not None and picker.choices.suggested_by == "assistant"
        shown = screen_text(app)
        assert suggested.description in shown and "(suggested)" in shown
        assert not any(r.id in shown for r in picker.choices.routes)  # no route codes
        await pilot.press("escape")
        await settle(pilot)
        [run] = await _executions(app, cid)
        assert run.current_step_id == "critical-status-assessment"  # nothing moved
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, RoutePickerScreen))
        await pilot.pause()
        await pilot.press("down", "enter")  # not the suggestion: the person's choice wins
        await settle(pilot)
        chosen = picker.choices.routes[(picker.choices.suggested_index or 0) + 1]
        [run] = await _executions(app, cid)
        assert run.current_step_id == chosen.next_step_id
        assert "assessment" in (run.outputs or {})  # the assistant's answer is kept
        assert chosen.description in str(app.query_one("#step-result").render())


async def test_a_fixed_branch_moves_the_execution(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        cid = await _open(pilot)
        await _start(pilot)
        app.query_one(StepPane).choose_branch("signature-pending")
        await settle(pilot)
        [run] = await _executions(app, cid)
        assert run.current_step_id == "executive-escalation"
        data = app.query_one(StepPane).data
        assert data is not None and data.execution is not None
        assert data.execution.current_step_id == "executive-escalation"


async def test_a_digit_takes_that_suggested_reply(app_factory: AppFactory) -> None:
    """Kestrel's first step offers three replies; 2 is "We're still waiting on signatures"."""
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        cid = await _open(pilot)
        await _start(pilot)
        replies = [str(b.label) for b in app.query("#chat-replies Button")]
        assert replies[1] == "2 › We're still waiting on signatures"
        field = app.query_one("#chat-input", Input)
        field.focus()
        await pilot.press("2")  # typing: the digit is text, not a reply
        await settle(pilot)
        assert field.value == "2"
        [run] = await _executions(app, cid)
        assert run.current_step_id == "critical-status-assessment"
        field.value = ""
        app.query_one("#queue-table").focus()
        await pilot.press("9")
        await settle(pilot)
        assert [str(n.message) for n in app._notifications][-1] == "No suggested reply 9 here."
        await pilot.press("2")
        await settle(pilot)
        [run] = await _executions(app, cid)
        assert run.current_step_id == "executive-escalation"


async def _ask(pilot: Any, text: str) -> None:
    field = pilot.app.query_one("#chat-input")
    field.focus()
    field.value = text
    await pilot.press("enter")


async def test_a_question_streams_and_is_stored_with_its_label(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await _open(pilot)
        await _start(pilot)
        await _ask(pilot, "What is the risk here?")
        await settle(pilot)
        panel = app.query_one(ChatPanel)
        assert panel.answer_text
        assert app.session is not None
        async with app.session.services.db.sessions() as s:
            rows = (
                await s.scalars(select(ChatMessage).where(ChatMessage.thread_id == panel.thread_id))
            ).all()
        answer = [m for m in rows if m.role == "assistant"][-1]
        assert answer.status == "complete" and answer.provider_label == "offline assistant"
        assert answer.content == panel.answer_text


async def test_escape_stops_the_answer(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await _open(pilot)
        await _start(pilot)
        app.chat_pace = 0.3  # slow enough that the answer is still coming when Esc is pressed
        await _ask(pilot, "What is the risk here?")
        for _ in range(100):
            await pilot.pause(0.05)
            if app.query_one(ChatPanel).answer_text:
                break
        panel = app.query_one(ChatPanel)
        assert panel.answer_text and panel.streaming
        # while it comes, the status says for how long and how much (issue 17, item 9)
        await until(pilot, lambda: "tokens · " in str(app.query_one("#chat-status").render()))
        status = str(app.query_one("#chat-status").render())
        assert status.startswith("asking… ") and status.endswith(" · Esc stops")
        await pilot.press("escape")
        await settle(pilot)
        assert app.session is not None
        async with app.session.services.db.sessions() as s:
            rows = (
                await s.scalars(select(ChatMessage).where(ChatMessage.thread_id == panel.thread_id))
            ).all()
        assert [m for m in rows if m.role == "assistant"][-1].status == "stopped"


async def test_a_configuration_error_is_not_offered_a_retry(app_factory: AppFactory) -> None:
    """Asking again cannot mend a bad base URL: the status says what to fix, without the
    ctrl+r hint a dropped connection gets (issue 17, item 8)."""
    app = app_factory(llm_provider="openai", llm_base_url="ftp://127.0.0.1:1")
    async with app.run_test(size=WIDE) as pilot:
        await _open(pilot)
        await _start(pilot)
        await _ask(pilot, "What is the risk here?")
        await settle(pilot)
        status = str(app.query_one("#chat-status").render())
        assert status.startswith("failed: openai: 'ftp://127.0.0.1:1' is not an http(s) URL")
        assert "ctrl+r" not in status


def test_the_status_line_puts_the_numbers_first() -> None:
    from renubu_tui.llm.events import Done, Usage
    from renubu_tui.tui.widgets.chat_panel import answer_status

    done = Done("ollama · smol", "smol", "end_turn", Usage(2100, 120), 2083, 4096)
    assert answer_status(done, 4.25) == (
        "prompt ≈2,083 of 4,096 tokens · answer 120 · 4.2s · ollama · smol"
    )
    offline = Done("offline assistant", "", "end_turn", Usage(1401, 102, estimated=True))
    assert answer_status(offline, 0.0) == "1,401+102 tokens · 0.0s · offline assistant"


# --- snapshots (160×48; regenerate with --snapshot-update and look at each) -------------------


def _shot(*, branch: str | None = None, ask: str | None = None, wide_chat: bool = False) -> Any:
    async def run(pilot: Any) -> None:
        pilot.app.chat_timer = lambda: 0.0
        await _open(pilot)
        await _start(pilot)
        if wide_chat:  # the sidebar hidden: the chat stands beside the step, full height
            await pilot.press("b")
        if branch:
            pilot.app.query_one(StepPane).choose_branch(branch)
            await settle(pilot)
        if ask:
            await _ask(pilot, ask)
            await settle(pilot)
        for field in pilot.app.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run


def test_snapshot_customer_with_its_step(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=_shot())


def test_snapshot_fixed_branch_chosen(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(
        app_factory(), terminal_size=WIDE, run_before=_shot(branch="signature-pending")
    )


def test_snapshot_streamed_answer(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(
        app_factory(), terminal_size=WIDE, run_before=_shot(ask="What is the risk here?")
    )


def test_snapshot_chart_message(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(
        app_factory(),
        terminal_size=WIDE,
        run_before=_shot(ask="Show me the usage trend", wide_chat=True),
    )


async def _at_the_manager_gate(pilot: Any) -> tuple[uuid.UUID, uuid.UUID]:
    """Cobalt's Emergency workflow, its first step done: the step that waits for the manager."""
    app: RenubuApp = pilot.app
    cid = await _open(pilot, "Cobalt Financial Group")
    await _start(pilot)
    [run] = await _executions(app, cid)
    assert app.session is not None
    services = app.session.services
    async with services.db.sessions() as s:
        maya = await s.scalar(select(User).where(User.email == "maya.patel@acmecloud.com"))
    assert maya is not None
    await services.executions.complete_step(
        app.session.tenant_id, run.id, actor=maya, chosen_route="FINAL_PUSH"
    )
    app.query_one(StepPane).reload()
    await settle(pilot)
    data = app.query_one(StepPane).data
    assert data is not None and data.execution is not None
    assert data.execution.gate == "manager-acknowledge"
    return cid, run.id


def _toasts(app: RenubuApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_csm_at_the_gate_is_told_why_and_nothing_moves(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        cid, _ = await _at_the_manager_gate(pilot)
        [before] = await _executions(app, cid)
        assert not app.query_one("#step-ack").display  # Maya is a CSM: no button to press
        # The reply that would leave the gated step is not offered; the gate says why.
        replies = [str(b.label) for b in app.query("#chat-replies Button")]
        assert not any("acknowledged" in r.casefold() for r in replies)
        gate = str(app.query_one("#chat-replies .gate").render())
        assert "Jordan Lee" in gate and "acknowledge" in gate
        await pilot.press("A")
        await settle(pilot)
        assert _toasts(app)[-1].startswith("Only a manager can acknowledge")
        [after] = await _executions(app, cid)
        assert after.current_step_id == before.current_step_id
        assert not any("Something went wrong" in str(n.title) for n in app._notifications)


async def test_the_manager_acknowledges_and_the_gate_opens(app_factory: AppFactory) -> None:
    app = app_factory(user="jordan.lee@acmecloud.com")
    async with app.run_test(size=WIDE) as pilot:
        cid, run_id = await _at_the_manager_gate(pilot)
        assert app.query_one("#step-ack").display
        await pilot.press("A")
        await settle(pilot)
        data = app.query_one(StepPane).data
        assert data is not None and data.execution is not None and data.execution.gate is None
        assert not app.query_one("#step-ack").display
        assert app.session is not None
        async with app.session.services.db.sessions() as s:
            acks = (
                await s.scalars(
                    select(ActionExecution).where(
                        ActionExecution.execution_id == run_id,
                        ActionExecution.action_slug == "manager-acknowledge",
                        ActionExecution.success.is_(True),
                    )
                )
            ).all()
        assert len(acks) == 1
        app.query_one(StepPane).choose_branch("acknowledged")  # now the reply moves the workflow
        await settle(pilot)
        [run] = await _executions(app, cid)
        assert run.current_step_id == "final-push"


async def test_the_queue_rescores_at_once_after_a_workflow_moves(app_factory: AppFactory) -> None:
    """`g` adds to the CSM's workload: every row of theirs re-scores, on screen, no restart."""
    from renubu_tui.tui.queue_view import QueueView
    from renubu_tui.tui.widgets.queue_pane import QueuePane

    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        cid = await _open(pilot)
        pane = app.query_one(QueuePane)
        before = {(r.customer_id, r.workflow_type): r.score for r in pane.rows}
        await _start(pilot)
        session = app.session
        assert session is not None
        filters = QueueView().to_filters(session.user_id)
        page = await session.services.queue.page(session.tenant_id, session.today, filters)
        stored = {(r.customer_id, r.workflow_type): r.score for r in page.rows}
        shown = {(r.customer_id, r.workflow_type): r.score for r in pane.rows}
        assert shown == stored  # what the database says right after, on screen
        assert shown[(cid, "renewal")] != before[(cid, "renewal")]
        current = pane.current  # the cursor stayed on the row the person is working on
        assert current is not None and current.customer_id == cid
        assert str(shown[pane.rows[0].customer_id, pane.rows[0].workflow_type]) in pane_text_of(app)


def pane_text_of(app: RenubuApp) -> str:
    """Today's One Thing as shown (it follows the queue's top row)."""
    return str(app.query_one("#one-thing").render())
