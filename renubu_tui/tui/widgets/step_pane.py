"""The centre pane: the customer's workflow step above the step's chat.

`show` reads everything in one worker (the use case `services.customers.step_view`); the
actions (start, run with the assistant, complete on a route, skip, choose a branch, a reply the
chat posts) each run in the exclusive "step-act" group and end by reading the pane again. A
closed gate refuses completion with a notice before any I/O, and so does history: a day the
record goes on after (the demo's time travel) is shown, never acted on, since acting would
rewrite the later record.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Collapsible, Static

from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.features import step_render
from renubu_tui.tui.text import bullets, clean, plain, short_label
from renubu_tui.tui.widgets.chat_panel import ChatPanel
from renubu_tui.tui.widgets.determination import render_explanation

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.timer import Timer

    from renubu_tui.services.customers.step_view import StepView
    from renubu_tui.services.workflows.step_runner import StepRunner
    from renubu_tui.tui.session import Session

DEFAULT_PACE = 0.02
PROGRESS_INTERVAL = 0.25  # seconds between redraws of a running step's progress line
FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def progress_line(label: str, seconds: float, chars: int, frame: int = 0) -> str:
    """A running step, as the CLI's spinner says it: who, how long, tokens so far (≈4
    characters a token, as the providers estimate)."""
    tokens = f" · ≈{(chars + 3) // 4:,} tokens" if chars else ""
    spin = FRAMES[frame % len(FRAMES)]
    return f"{spin} Running the step · {seconds:.0f} s{tokens} · {short_label(label, 48)}"


ACKNOWLEDGE = "manager-acknowledge"  # the workflow action a manager's gate waits for


class StepPane(ReportsWorkerErrors, Horizontal):
    """The current customer's workflow step above its chat."""

    can_focus = False

    class Loaded(Message):
        def __init__(self, data: StepView) -> None:
            super().__init__()
            self.data = data

    class Acted(Message):
        """An action finished: a line to show, and the pane is read again."""

        def __init__(self, customer_id: uuid.UUID, summary: str) -> None:
            super().__init__()
            self.customer_id = customer_id
            self.summary = summary

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.customer_id: uuid.UUID | None = None
        self.session: Session | None = None
        self.data: StepView | None = None
        self._progress: Timer | None = None
        self._progress_chars = 0
        self._progress_frame = 0
        self._progress_started = 0.0
        self._progress_label = ""

    @property
    def pace(self) -> float:
        return float(getattr(self.app, "chat_pace", DEFAULT_PACE))

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="step-view"):
            yield Static("Workflow step", id="step-title", markup=False)
            yield Static("Select a customer in the queue.", id="step-head", markup=False)
            with Horizontal(id="step-buttons"):
                yield Button("Start", id="step-start", variant="primary", compact=True)
                yield Button("Run x", id="step-run", variant="primary", compact=True)
                yield Button("Complete c", id="step-complete", compact=True)
                yield Button("Skip k", id="step-skip", compact=True)
                yield Button("Acknowledge A", id="step-ack", variant="warning", compact=True)
            yield Static("", id="step-progress", markup=False)
            yield Static("", id="step-result", markup=False)
            yield Static("Where this step can go · c to choose", classes="dim-head")
            yield Static("", id="step-routes", markup=False)
            with Collapsible(title="Resolved prompt", collapsed=True, id="step-prompt-box"):
                yield Static("", id="step-prompt", markup=False)
            yield Static("", id="step-outputs", markup=False)
            yield Static("", id="step-why", markup=False)
        yield ChatPanel(id="chat")

    def on_mount(self) -> None:
        for widget in self.query(
            "#step-buttons, #step-routes, #step-prompt-box, .dim-head, #step-progress"
        ):
            widget.display = False

    # --- progress while the assistant runs the step ---------------------------------------------

    def _timer(self) -> float:
        clock = getattr(self.app, "chat_timer", None)
        return float(clock()) if callable(clock) else time.monotonic()

    @property
    def running(self) -> bool:
        return self._progress is not None

    def _begin_progress(self, label: str) -> None:
        self._progress_label, self._progress_chars, self._progress_frame = label, 0, 0
        self._progress_started = self._timer()
        self.query_one("#step-result", Static).update("")
        self.query_one("#step-run", Button).disabled = True
        self._progress = self.set_interval(PROGRESS_INTERVAL, self._draw_progress)
        self._draw_progress()

    def _draw_progress(self) -> None:
        line = progress_line(
            self._progress_label,
            self._timer() - self._progress_started,
            self._progress_chars,
            self._progress_frame,
        )
        self._progress_frame += 1
        widget = self.query_one("#step-progress", Static)
        widget.update(Text(line))
        widget.display = True

    def _progress_text(self, text: str) -> None:
        """The step's answer so far grew (the runner's on_text): counted, drawn next tick."""
        self._progress_chars += len(text)

    def _end_progress(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        self.query_one("#step-progress", Static).display = False
        self.query_one("#step-run", Button).disabled = False

    # --- loading ------------------------------------------------------------------------------

    def show(
        self, session: Session, customer_id: uuid.UUID, workflow_type: str | None = None
    ) -> None:
        """Read the customer's workflow step (in a worker)."""
        if customer_id != self.customer_id:
            self.query_one("#step-result", Static).update("")
        self.session, self.customer_id = session, customer_id
        self._load(session, customer_id)

    def reload(self) -> None:
        if self.session is not None and self.customer_id is not None:
            self._load(self.session, self.customer_id)

    @work(exclusive=True, group="step", exit_on_error=False)
    async def _load(self, session: Session, customer_id: uuid.UUID) -> None:
        from renubu_tui.services.customers.step_view import step_view

        chat = session.chat(self.pace)
        view = await step_view(session.services, customer_id, session.today, chat=chat)
        self.post_message(self.Loaded(view))

    def on_step_pane_loaded(self, message: Loaded) -> None:
        data = message.data
        if data.customer_id != self.customer_id:
            return
        self.data = data
        view = data.execution
        self.query_one("#step-head", Static).update(step_render.header(data))
        start = self.query_one("#step-start", Button)
        start.label = Content(f"Start {clean(data.fits)} · g")
        start.refresh(layout=True)  # Button.label repaints only: its auto width would stay stale
        start.display = view is None and data.fits is not None and data.history is None
        has_step = view is not None and view.step is not None
        for ident in ("#step-run", "#step-complete", "#step-skip"):
            # History cannot be acted on: no buttons, rather than greyed-out ones nobody can read.
            self.query_one(ident, Button).display = has_step and data.history is None
        self.query_one("#step-buttons").display = start.display or (
            has_step and data.history is None
        )
        if view and view.gate:
            self.query_one("#step-complete", Button).display = False  # the gate line says why
        ack = self.query_one("#step-ack", Button)
        ack.display = bool(
            view and view.gate == ACKNOWLEDGE and self._is_manager() and data.history is None
        )
        live = view is not None and has_step and data.history is None  # history: nothing to choose
        choices = step_render.routes(view) if live and view is not None else []
        routes = self.query_one("#step-routes", Static)
        routes.update(bullets(choices))
        routes.display = bool(choices)
        self.query_one(".dim-head").display = bool(choices)
        box = self.query_one("#step-prompt-box", Collapsible)
        box.display = has_step
        prompt = Text(clean_block(data.prompt))
        if data.prompt_error:
            prompt = Text.assemble(
                ("The prompt does not render: ", "bold red"),
                plain(data.prompt_error),
                "\n\n",
                prompt,
            )
        self.query_one("#step-prompt", Static).update(prompt)
        outputs = step_render.earlier_outputs(view) if view is not None else None
        self.query_one("#step-outputs", Static).update(outputs or "")
        why = self.query_one("#step-why", Static)
        why.update(render_explanation(data.explanation) if data.explanation else "")
        self.query_one(ChatPanel).show(self.session, data)

    # --- actions ------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        handlers = {
            "step-start": self.action_start,
            "step-run": self.action_run,
            "step-complete": self.action_complete,
            "step-skip": self.action_skip,
            "step-ack": self.action_acknowledge,
        }
        if event.button.id in handlers:
            event.stop()
            handlers[event.button.id]()

    def on_chat_panel_branch_chosen(self, message: ChatPanel.BranchChosen) -> None:
        message.stop()
        self.choose_branch(message.key)

    def on_chat_panel_thread_read(self, message: ChatPanel.ThreadRead) -> None:
        message.stop()
        data = self.data
        if data is not None and data.execution and data.execution.id == message.execution_id:
            self.data = replace(data, thread=message.thread)

    def on_chat_panel_history_refused(self, message: ChatPanel.HistoryRefused) -> None:
        message.stop()
        self.refuse_history(message.line)

    def _ready(self) -> tuple[Session, StepView] | None:
        if self.session is None or self.data is None:
            self.notify("Select a customer first.", severity="warning")
            return None
        if self.data.history is not None:
            self.refuse_history(self.data.history)
            return None
        return self.session, self.data

    def refuse_history(self, line: str) -> None:
        """One line: this day is history, so nothing here may change the stored record."""
        self.notify(
            f"{line}. Nothing can be changed here; move to the latest day to act.",
            title="History",
            severity="warning",
            markup=False,
        )

    def _open_step(self) -> tuple[Session, StepView] | None:
        ready = self._ready()
        if ready is None:
            return None
        view = ready[1].execution
        if view is None or view.step is None:
            self.notify("No step is open: start the workflow first (g).", severity="warning")
            return None
        return ready

    def action_start(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        session, data = ready
        if data.execution is not None:
            self.notify("A workflow is already open for this customer.", severity="warning")
            return
        if data.fits is None:
            self.notify(f"Nothing to start: {data.fits_problem}", severity="warning", markup=False)
            return
        self._start(session, data.customer_id)

    def action_run(self) -> None:
        ready = self._open_step()
        if ready is None:
            return
        session, data = ready
        assert data.execution is not None
        if data.execution.gate:
            self._refuse_gate(data)
            return
        if self.running:
            self.notify("The assistant is still running this step.", severity="warning")
            return
        runner = session.services.step_runner(pace=self.pace)
        self._begin_progress(runner.label)
        self._run(session, data.customer_id, data.execution.id, runner)

    def action_complete(self) -> None:
        ready = self._open_step()
        if ready is None:
            return
        session, data = ready
        assert data.execution is not None
        if data.execution.gate:
            self._refuse_gate(data)
            return
        self._complete(session, data.customer_id, data.execution.id)

    def action_skip(self) -> None:
        ready = self._open_step()
        if ready is None:
            return
        self._skip(*ready)

    def choose_branch(self, key: str) -> None:
        ready = self._open_step()
        if ready is None:
            return
        session, data = ready
        assert data.execution is not None
        branches = data.branches.branches if data.branches else []
        branch = next((b for b in branches if b.key == key), None)
        moves = (
            branch is not None
            and branch.type == "fixed"
            and bool(branch.next_step_id or branch.route)
        )
        if moves and data.execution.gate:
            self._refuse_gate(data)  # the reply would leave the step: not before the gate opens
            return
        self._branch(session, data.customer_id, data.execution.id, key)

    def _is_manager(self) -> bool:
        return self.session is not None and self.session.services.user.role == "manager"

    def action_acknowledge(self) -> None:
        """The manager records the acknowledgment the step's gate waits for."""
        ready = self._open_step()
        if ready is None:
            return
        session, data = ready
        assert data.execution is not None
        if data.execution.gate != ACKNOWLEDGE:
            self.notify("This step waits for no acknowledgment.", severity="warning")
            return
        if not self._is_manager():
            self.notify(
                "Only a manager can acknowledge: the escalation is in your manager's inbox.",
                title="Not yours to record",
                severity="warning",
            )
            return
        self._acknowledge(session, data.customer_id, data.execution.id)

    @work(exclusive=True, group="step-act", exit_on_error=False)
    async def _acknowledge(
        self, session: Session, customer_id: uuid.UUID, execution_id: uuid.UUID
    ) -> None:
        services = session.services
        await services.executions.perform_action(
            session.tenant_id, execution_id, ACKNOWLEDGE, actor=services.user
        )
        self.post_message(self.Acted(customer_id, "Acknowledged: the step can be completed now."))

    def _refuse_gate(self, data: StepView) -> None:
        assert data.execution is not None and data.execution.gate is not None
        self.notify(
            f"{step_render.gate_line(data.execution)}.",
            title="Not yet",
            severity="warning",
            markup=False,
        )

    @work(exclusive=True, group="step-act", exit_on_error=False)
    async def _start(self, session: Session, customer_id: uuid.UUID) -> None:
        services = session.services
        view = await services.executions.start(session.tenant_id, customer_id, actor=services.user)
        at = view.step.name if view.step is not None else "—"
        self.post_message(self.Acted(customer_id, f"Started {view.workflow_name} at {at}."))

    @work(exclusive=True, group="step-act", exit_on_error=False)
    async def _run(
        self,
        session: Session,
        customer_id: uuid.UUID,
        execution_id: uuid.UUID,
        runner: StepRunner,
    ) -> None:
        try:
            run = await runner.run_step(
                session.tenant_id,
                execution_id,
                session.services.user,
                on_text=self._progress_text,
            )
        finally:
            self._end_progress()
        summary = run.outputs.get("summary") if isinstance(run.outputs, dict) else None
        label, said = clean(run.provider_label), clean(summary or "done")
        if not said.casefold().startswith(label.casefold()):  # the offline one signs its summary
            said = f"{short_label(label, 48)}: {said}"
        # a suggestion: nothing moves until c; then how the output was held to the schema and
        # the prompt's size
        how = clean(run.by.removeprefix(run.provider_label).lstrip(" ·"))
        line = f"{said}\n→ {clean(run.line())}" + (f"\n{how}" if how else "")
        self.post_message(self.Acted(customer_id, line))

    @work(exclusive=True, group="step-act", exit_on_error=False)
    async def _complete(
        self, session: Session, customer_id: uuid.UUID, execution_id: uuid.UUID
    ) -> None:
        """A step with routes asks the person where the work goes (nothing moves without it,
        unless they set workflow.autoAdvanceSteps); a step without routes just completes."""
        from renubu_tui.tui.screens.route_picker import RoutePickerScreen

        executions, user = session.services.executions, session.services.user
        choices = await executions.route_choices(session.tenant_id, execution_id, actor=user)
        route = None
        if choices.needs_choice:
            route = await self.app.push_screen_wait(RoutePickerScreen(choices))
            if route is None:
                return  # cancelled: the step stays open
        view = await executions.complete_step(
            session.tenant_id, execution_id, actor=user, chosen_route=route
        )
        self.post_message(self.Acted(customer_id, f"Completed → {_where(view, route)}"))

    @work(exclusive=True, group="step-act", exit_on_error=False)
    async def _skip(self, session: Session, data: StepView) -> None:
        from renubu_tui.tui.screens.skip_reason import SkipReasonScreen

        assert data.execution is not None
        step = data.execution.step
        name = step.name if step is not None else ""
        reason = await self.app.push_screen_wait(SkipReasonScreen(clean(name)))
        if not reason:
            return
        view = await session.services.executions.skip_step(
            session.tenant_id, data.execution.id, actor=session.services.user, reason=reason
        )
        self.post_message(self.Acted(data.customer_id, f"Skipped → {_where(view, None)}"))

    @work(exclusive=True, group="step-act", exit_on_error=False)
    async def _branch(
        self, session: Session, customer_id: uuid.UUID, execution_id: uuid.UUID, key: str
    ) -> None:
        chat = session.chat(self.pace)
        outcome = await chat.choose_branch(
            session.tenant_id, execution_id, key, actor=session.services.user
        )
        where = _where(outcome.view, outcome.branch.route) if outcome.view else "stays here"
        self.post_message(self.Acted(customer_id, f"{clean(outcome.branch.label)} → {where}"))

    def on_step_pane_acted(self, message: Acted) -> None:
        if message.customer_id != self.customer_id:
            return
        self.query_one("#step-result", Static).update(message.summary)
        self.reload()
        self.post_message(StepChanged(message.customer_id))


class StepChanged(Message):
    """The customer's workflow moved (the app may refresh the queue)."""

    def __init__(self, customer_id: uuid.UUID) -> None:
        super().__init__()
        self.customer_id = customer_id


def _where(view: object, route: str | None) -> str:
    """Where the workflow went: the next step's name, or that it finished."""
    from renubu_tui.services.workflows.executions import ExecutionView

    assert isinstance(view, ExecutionView)
    taken = next((s for s in view.steps if route and s.route == route and s.route_text), None)
    via = f" ({clean(taken.route_text)})" if taken and taken.route_text else ""
    step = view.step
    if step is None:
        return f"the workflow is {view.status}{via}"
    return f"now at {clean(step.name)}{via}"


def clean_block(text: str) -> str:
    """Multi-line untrusted text without control sequences (newlines kept)."""
    from renubu_tui.safe_text import printable

    return printable(text, keep_newlines=True)
