"""Actions on the selected customer, the notifications bell and inbox, tasks and artifacts.

A plain mixin of `MainScreen` (which lists `ACTION_BINDINGS` among its keys). Every action
asks with a modal (awaited with `push_screen_wait` in a worker), runs `ActionService.run` in
that worker, confirms the outcome in a toast, and reloads the queue and the bell; a refused
action (`ActionFailed`) is a warning toast and changes nothing. The same actions are keys, buttons
(`ActionBar`, under the panes) and palette commands; all of them act on the selected queue row's
own workflow, and only from the main screen (another screen on top has keys of its own).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches

from renubu_tui.tui.features import ScreenMixin
from renubu_tui.tui.text import clean, one_line

if TYPE_CHECKING:
    import uuid
    from collections.abc import Iterator

    from renubu_tui.services.queue.service import QueueRow
    from renubu_tui.tui.screens.main import MainScreen
    from renubu_tui.tui.session import Session
    from renubu_tui.tui.widgets.bell import Bell


START_HINT = "start one with g"
"""How a refusal tells a person in the app to start the row's workflow."""

ACTION_BINDINGS: list[BindingType] = [
    # Not in the footer: the action bar shows these with their keys (widgets/action_bar.py).
    Binding("s", "snooze", "Snooze", id="actions.snooze", show=False),
    Binding("X", "skip", "Skip", id="actions.skip", show=False),
    Binding("e", "escalate", "Escalate", id="actions.escalate", show=False),
    Binding("M", "meeting", "Meeting", id="actions.meeting", show=False),
    Binding("E", "email", "E-mail draft", id="actions.email", show=False),
    Binding("T", "new_task", "New task", id="actions.new_task", show=False),
    Binding("K", "tasks", "Tasks", id="actions.tasks", show=False),
    Binding("a", "artifacts", "Artifacts", id="actions.artifacts", show=False),
    Binding("n", "inbox", "Inbox", id="actions.inbox", show=False),
    Binding("L", "timeline", "Timeline", id="actions.timeline", show=False),
    Binding("N", "note", "Note", id="actions.note", show=False),
]


class ActionsFeature(ScreenMixin):
    """Snooze, skip, escalate, meeting, e-mail, task; the bell, inbox, tasks and artifacts."""

    show_action_bar: ClassVar[bool] = True
    """The row of action buttons under the panes (for the mouse; widgets/action_bar.py)."""

    # --- wiring -----------------------------------------------------------------------------------

    def on_mount(self) -> None:
        from textual.widgets import Header

        from renubu_tui.tui.widgets.bell import Bell

        self.query_one(Header).mount(Bell(id="bell"))

    def on_main_screen_opened(self, message: MainScreen.Opened) -> None:
        if self.session is not None:
            self._bell().attach(self.session)
            self._mount_action_bar()

    def _mount_action_bar(self) -> None:
        """Under the panes, once the actions can run (so it costs the first frame nothing)."""
        from renubu_tui.tui.widgets.action_bar import ActionBar

        if self.show_action_bar and not self.query(ActionBar):
            self.mount(ActionBar(id="action-bar"), after=self.query_one("#main"))

    def _bell(self) -> Bell:
        from renubu_tui.tui.widgets.bell import Bell

        return self.query_one(Bell)

    def refresh_bell(self) -> None:
        with contextlib.suppress(NoMatches):
            self._bell().refresh_counts()

    def _selected(self) -> tuple[Session, QueueRow] | None:
        from renubu_tui.tui.widgets.queue_pane import QueuePane

        if self.session is None:
            self.notify("Still opening the database…", severity="warning")
            return None
        row = self.query_one(QueuePane).current
        if row is None:
            self.notify("No customer selected.", severity="warning")
            return None
        return self.session, row

    def _reload_queue(self) -> None:
        from renubu_tui.tui.widgets.queue_pane import QueuePane

        self.query_one(QueuePane).reload()

    # --- the saved actions ------------------------------------------------------------------------

    def action_snooze(self) -> None:
        self._ask_and_run("snooze")

    def action_skip(self) -> None:
        self._ask_and_run("skip")

    def action_escalate(self) -> None:
        self._ask_and_run("escalate")

    def action_meeting(self) -> None:
        self._ask_and_run("schedule-meeting")

    def action_email(self) -> None:
        self._ask_and_run("send-email")

    def action_new_task(self) -> None:
        self._ask_and_run("create-task")

    def _ask_and_run(self, slug: str) -> None:
        chosen = self._selected()
        if chosen is not None:
            self._action_flow(slug, *chosen)

    @work(exclusive=True, group="action", exit_on_error=False)
    async def _action_flow(self, slug: str, session: Session, row: QueueRow) -> None:
        refusal = await session.services.actions.refusal(
            session.tenant_id,
            slug,
            row.customer_id,
            row.execution_id,
            workflow_type=row.workflow_type,  # the selected row's own workflow, no other
            start_hint=START_HINT,
        )
        if refusal is not None:  # said before the dialog, not after it was filled in
            self.notify(one_line(refusal), title="Not possible", severity="warning", markup=False)
            return
        params = await self._ask(slug, session, row)
        if params is not None:
            await self.perform(slug, session, row, params)

    async def _ask(self, slug: str, session: Session, row: QueueRow) -> dict[str, Any] | None:
        from renubu_tui.tui.screens import forms

        name, today = clean(row.customer_name), session.today
        if slug == "snooze":
            from renubu_tui.tui.screens.snooze import SnoozeScreen

            snooze = await self.app.push_screen_wait(SnoozeScreen(name, today))
            if snooze is None:
                return None
            return {"days": snooze.days, **({"reason": snooze.reason} if snooze.reason else {})}
        if slug == "skip":
            from renubu_tui.tui.screens.reason import SkipScreen

            skip = await self.app.push_screen_wait(SkipScreen(name))
            if skip is None:
                return None
            return {"reason": skip.reason, **({"note": skip.note} if skip.note else {})}
        if slug == "escalate":
            from renubu_tui.tui.screens.escalate import EscalateScreen

            escalation = await self.app.push_screen_wait(EscalateScreen(name))
            if escalation is None:
                return None
            return {"level": escalation.level, "reason": escalation.reason}
        if slug == "schedule-meeting":
            values = await self.app.push_screen_wait(forms.meeting_form(name, today))
            if values is None:
                return None
            time = values.pop("time", "") or "10:00"
            values["start"] = f"{values.pop('day')}T{time}:00"
            values["duration"] = int(values.get("duration") or 30)
            return values
        if slug == "send-email":
            return await self.app.push_screen_wait(forms.email_form(name))
        if slug == "create-task":
            return await self.app.push_screen_wait(forms.task_form(name, today))
        raise ValueError(f"no dialog for {slug}")

    async def perform(
        self, slug: str, session: Session, row: QueueRow, params: dict[str, Any]
    ) -> None:
        """Run the action; toast what happened; reload queue and bell. A refusal rises out of
        the worker and is said once, as a warning (tui/errors.py)."""
        services = session.services
        outcome = await services.actions.run(
            session.tenant_id,
            slug,
            actor=services.user,
            customer_id=row.customer_id,
            params=params,
            execution_id=row.execution_id,
            workflow_type=row.workflow_type,
            start_hint=START_HINT,
        )
        self.notify(clean(outcome.message), title="Done", markup=False)
        self._reload_queue()
        self.refresh_bell()

    # --- screens ---------------------------------------------------------------------------------

    def action_inbox(self) -> None:
        from renubu_tui.tui.screens.inbox import InboxScreen

        if self.session is None:
            self.notify("Still opening the database…", severity="warning")
            return
        self.app.push_screen(InboxScreen(self.session))

    def action_tasks(self) -> None:
        from renubu_tui.tui.screens.tasks import TasksScreen

        chosen = self._selected()
        if chosen is not None:
            session, row = chosen
            self.app.push_screen(TasksScreen(session, row.customer_id, row.customer_name))

    def action_artifacts(self) -> None:
        from renubu_tui.tui.screens.artifacts import ArtifactsScreen

        chosen = self._selected()
        if chosen is not None:
            session, row = chosen
            self.app.push_screen(ArtifactsScreen(session, row.customer_id, row.customer_name))

    def action_timeline(self) -> None:
        from renubu_tui.tui.screens.timeline import TimelineScreen

        chosen = self._selected()
        if chosen is not None:
            session, row = chosen
            self.app.push_screen(TimelineScreen(session, row.customer_id, row.customer_name))

    def action_note(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            session, row = chosen
            self._write_note(session, row.customer_id, row.customer_name)

    @work(exclusive=True, group="note", exit_on_error=False)
    async def _write_note(self, session: Session, customer_id: uuid.UUID, name: str) -> None:
        """N: a note on the selected customer (shown on its timeline, L)."""
        from renubu_tui.tui.screens.forms import note_form

        values = await self.app.push_screen_wait(note_form(f"A note on {clean(name)}"))
        if values is None:
            return
        tag = None if values["tag"] in ("", "none") else values["tag"]
        await session.services.notes().add(customer_id, values["body"], tag)
        self.notify(f"Note added to {clean(name)} (L shows its timeline).", markup=False)

    def action_commands(self) -> Iterator[SystemCommand]:
        for title, help_text, action in [
            ("Snooze", "Hide the selected customer's work until a later day", "snooze"),
            ("Skip", "Skip the selected customer's workflow (with a reason)", "skip"),
            ("Escalate", "Hand the selected customer to a manager, VP or CEO", "escalate"),
            ("Schedule meeting", "A meeting with the selected customer", "meeting"),
            ("E-mail draft", "Draft an e-mail to the selected customer", "email"),
            ("New task", "Create a task for the selected customer", "new_task"),
            ("Tasks", "The selected customer's tasks", "tasks"),
            ("Artifacts", "The selected customer's artifacts", "artifacts"),
            ("Timeline", "Every touch with the selected customer, and its notes", "timeline"),
            ("Note", "Write a note on the selected customer (Markdown)", "note"),
            ("Notifications", "Your inbox", "inbox"),
        ]:
            yield SystemCommand(title, help_text, getattr(self, f"action_{action}"))
