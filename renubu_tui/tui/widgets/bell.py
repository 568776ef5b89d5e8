"""The notification bell in the header: unread count, urgent ones highlighted; click opens it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.widgets import Static

from renubu_tui.tui.errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from renubu_tui.tui.session import Session

REFRESH_EVERY = 60.0  # seconds


class Bell(ReportsWorkerErrors, Static):
    DEFAULT_CSS = """
    Bell {
        dock: right;
        width: auto;
        height: 1;
        padding: 0 1;
        margin-right: 10;
        background: $panel;
    }
    Bell.-urgent { background: $error; color: auto 95%; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.unread = 0
        self.urgent = 0
        self._session: Session | None = None

    def on_mount(self) -> None:
        self.set_interval(REFRESH_EVERY, self.refresh_counts, name="bell-refresh")

    def attach(self, session: Session) -> None:
        self._session = session
        self.refresh_counts()

    def refresh_counts(self) -> None:
        if self._session is not None:
            self._count(self._session)

    @work(exclusive=True, group="bell", exit_on_error=False)
    async def _count(self, session: Session) -> None:
        services = session.services
        unread, urgent = await services.notifications.unread_counts(
            session.tenant_id, services.user.email, as_of=session.today
        )
        self.show(unread, urgent)

    def show(self, unread: int, urgent: int) -> None:
        self.unread, self.urgent = unread, urgent
        text = Text(f"✉ {unread}")
        if urgent:
            text.append(f" · {urgent} urgent")
        self.update(text)
        self.set_class(urgent > 0, "-urgent")
        self.tooltip = "Notifications (n)"

    async def on_click(self, event: events.Click) -> None:
        event.stop()
        await self.screen.run_action("inbox")  # a coroutine: not awaited, it never ran
