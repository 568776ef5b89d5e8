"""A customer's tasks: complete, skip with a reason, snooze (7-day limit), reassign by e-mail."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.screens.forms import prompt
from renubu_tui.tui.text import DASH, clean, plain

if TYPE_CHECKING:
    from renubu_tui.services.workflows.tasks import TaskView
    from renubu_tui.tui.screens.forms import FormScreen
    from renubu_tui.tui.session import Session

STATUS_STYLE = {"completed": "green", "skipped": "dim", "snoozed": "yellow"}
PRIORITY_STYLE = {"urgent": "bold red", "high": "yellow", "low": "dim"}


class TasksScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "../styles/tasks.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "complete", "Complete", id="tasks.complete"),
        Binding("x", "skip", "Skip", id="tasks.skip"),
        Binding("z", "snooze", "Snooze", id="tasks.snooze"),
        Binding("R", "reassign", "Reassign", id="tasks.reassign"),
        Binding("escape,K", "close", "Close", id="tasks.close"),
    ]

    def __init__(self, session: Session, customer_id: uuid.UUID, customer: str) -> None:
        super().__init__()
        self.session = session
        self.customer_id = customer_id
        self.customer = clean(customer)
        self.tasks: list[TaskView] = []

    def compose(self) -> ComposeResult:
        yield Static(f"Tasks · {self.customer}", id="tasks-title", markup=False)
        yield DataTable(id="tasks-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Status", "Due", "Priority", "Owner", "Title")
        table.focus()
        self.load()

    @work(exclusive=True, group="tasks", exit_on_error=False)
    async def load(self) -> None:
        s = self.session
        as_of = s.today if s.services.clock.is_fixed else None  # time travel shows that day
        tasks = await s.services.tasks.list(s.tenant_id, customer_id=self.customer_id, as_of=as_of)
        self.show(tasks)

    def show(self, tasks: list[TaskView]) -> None:
        self.tasks = tasks
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for task in tasks:
            status = task.status
            if task.status == "snoozed" and task.snoozed_until:
                status = f"snoozed → {task.snoozed_until.isoformat()}"
            table.add_row(
                Text(status, style=STATUS_STYLE.get(task.status, "")),
                Text(task.due_date.isoformat() if task.due_date else DASH),
                Text(task.priority, style=PRIORITY_STYLE.get(task.priority, "")),
                plain(task.owner_email or DASH),
                plain(task.title),
            )
        if tasks:
            table.move_cursor(row=min(max(row, 0), len(tasks) - 1), animate=False)
        title = f"Tasks · {self.customer} · {len(tasks)}"
        if not tasks:
            title += " · none yet (create one with T on the main screen)"
        self.query_one("#tasks-title", Static).update(title)

    @property
    def current(self) -> TaskView | None:
        index = self.query_one(DataTable).cursor_row
        return self.tasks[index] if 0 <= index < len(self.tasks) else None

    def _change(self, what: Callable[[TaskView], Awaitable[Any] | None]) -> None:
        task = self.current
        if task is None:
            self.notify("No task selected.", severity="warning")
            return
        self._run(task, what)

    @work(exclusive=True, group="tasks-change", exit_on_error=False)
    async def _run(self, task: TaskView, what: Callable[[TaskView], Awaitable[Any] | None]) -> None:
        result = what(task)  # a refusal rises: said once, as a warning (tui/errors.py)
        if result is None:
            return
        done = await result
        if done is not None:
            self.notify(f"{done.status.capitalize()}: {clean(done.title)}", markup=False)
        self.load()

    def action_complete(self) -> None:
        s = self.session
        self._change(lambda t: s.services.tasks.complete(s.tenant_id, t.id, s.services.user))

    def action_skip(self) -> None:
        self._ask(
            "Skip the task",
            "Reason",
            lambda t, v: self.session.services.tasks.skip(
                self.session.tenant_id, t.id, self.session.services.user, v
            ),
        )

    def action_snooze(self) -> None:
        tomorrow = (self.session.today + dt.timedelta(days=1)).isoformat()
        self._ask(
            "Snooze the task (at most 7 days after its first snooze)",
            "Until",
            lambda t, v: self.session.services.tasks.snooze(
                self.session.tenant_id, t.id, self.session.services.user, dt.date.fromisoformat(v)
            ),
            kind="date",
            default=tomorrow,
        )

    def action_reassign(self) -> None:
        self._ask(
            "Reassign the task",
            "New owner's e-mail",
            lambda t, v: self.session.services.tasks.reassign(
                self.session.tenant_id, t.id, self.session.services.user, v
            ),
        )

    def _ask(
        self,
        title: str,
        label: str,
        call: Callable[[TaskView, str], Awaitable[Any]],
        *,
        kind: str = "text",
        default: str = "",
    ) -> None:
        task = self.current
        if task is None:
            self.notify("No task selected.", severity="warning")
            return
        self._ask_then_run(task, prompt(title, label, kind=kind, default=default), call)

    @work(exclusive=True, group="tasks-ask", exit_on_error=False)
    async def _ask_then_run(
        self, task: TaskView, form: FormScreen, call: Callable[[TaskView, str], Awaitable[Any]]
    ) -> None:
        values = await self.app.push_screen_wait(form)
        if values is None:
            return
        self._run(task, lambda t: call(t, values["value"]))

    def action_close(self) -> None:
        self.app.pop_screen()
