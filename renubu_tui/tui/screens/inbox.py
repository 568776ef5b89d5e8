"""The notifications inbox: unread first, then priority, then newest (the service's order).

enter/space marks the highlighted one read, `A` marks all read, `o` opens its customer.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.text import clean, plain

if TYPE_CHECKING:
    import uuid

    from renubu_tui.services.workflows.notifications import InboxItem
    from renubu_tui.tui.session import Session

PRIORITY = {1: ("urgent", "bold red"), 2: ("high", "yellow"), 3: ("normal", ""), 4: ("low", "dim")}


class InboxScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "../styles/inbox.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "mark_read", "Mark read", id="inbox.read"),
        Binding("A", "mark_all_read", "Mark all read", id="inbox.all"),
        Binding("o", "open_customer", "Open customer", id="inbox.open"),
        Binding("escape,n", "close", "Close", id="inbox.close"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.items: list[InboxItem] = []

    def compose(self) -> ComposeResult:
        yield Static("Notifications", id="inbox-title", markup=False)
        table: DataTable[Text] = DataTable(id="inbox-table", cursor_type="row")
        yield table
        yield Static("", id="inbox-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("", "Priority", "When", "Title")
        table.focus()
        self.load()

    @work(exclusive=True, group="inbox", exit_on_error=False)
    async def load(self) -> None:
        s = self.session
        items = await s.services.notifications.inbox(
            s.tenant_id, s.services.user.email, as_of=s.today
        )
        self.show(items)

    def show(self, items: list[InboxItem]) -> None:
        self.items = items
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for item in items:
            label, style = PRIORITY.get(item.priority, (str(item.priority), ""))
            weight = "" if item.read else "bold"
            table.add_row(
                Text("●" if not item.read else " ", style="bold"),
                Text(label, style=style),
                Text(_when(item.created_at)),
                plain(item.title, style=weight),
            )
        if items:
            table.move_cursor(row=min(max(row, 0), len(items) - 1), animate=False)
        unread = sum(not i.read for i in items)
        self.query_one("#inbox-title", Static).update(
            f"Notifications · {unread} unread of {len(items)} · as of {self.session.today}"
        )
        self._detail()

    @property
    def current(self) -> InboxItem | None:
        index = self.query_one(DataTable).cursor_row
        return self.items[index] if 0 <= index < len(self.items) else None

    @on(DataTable.RowHighlighted)
    def _detail(self) -> None:
        item = self.current
        self.query_one("#inbox-detail", Static).update(
            Text("")
            if item is None
            else Text.assemble(plain(item.title, "bold"), "\n", plain(item.message))
        )

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_mark_read()

    def action_mark_read(self) -> None:
        item = self.current
        if item is not None and not item.read:
            self._mark([item.id])

    def action_mark_all_read(self) -> None:
        self._mark(None)

    @work(exclusive=True, group="inbox-mark", exit_on_error=False)
    async def _mark(self, ids: list[uuid.UUID] | None) -> None:
        s = self.session
        count = await s.services.notifications.mark_read(
            s.tenant_id, s.services.user.email, ids, s.services.clock.now()
        )
        if ids is None:
            self.notify(f"Marked {count} notification{'s' if count != 1 else ''} read")
        self.load()
        refresh = getattr(self.app.screen_stack[0], "refresh_bell", None)  # the main screen
        if refresh is not None:
            refresh()

    def action_open_customer(self) -> None:
        item = self.current
        if item is None or item.customer_id is None:
            self.notify("This notification is about no customer.", severity="warning")
            return
        self.app.pop_screen()
        self.app.post_message(CustomerChosen(item.customer_id, clean(item.title), None, open=True))

    def action_close(self) -> None:
        self.app.pop_screen()


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d")
