"""The Bluesoft walkthrough (time travel) and the workflow admin screen: a mixin of MainScreen.

`renubu demo` sets `demo_mode`; then a timeline strip sits under the header and `[` / `]` move the
as-of date to the previous / next milestone of the Bluesoft journey (`{` / `}` or ctrl+←/→ one
day). Moving sets the session's shared Clock and reloads every pane, so the queue, the step pane,
the sidebar and the inbox count all follow the date. `W` (any mode) opens the workflow admin.

A plain mixin: MainScreen lists `ADMIN_BINDINGS` among its keys, and the app lists
`DEMO_BINDINGS` (the clock is the whole app's) and hands them to `action_demo_*` here; the `on_*`
handlers run after MainScreen's, as Textual dispatches a message to each class of the MRO.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message

from renubu_tui.tui.features import ScreenMixin
from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.text import clean

if TYPE_CHECKING:
    from collections.abc import Iterator

    from renubu_tui.tui.session import Session
    from renubu_tui.tui.widgets.timeline import Milestone, TimelineStrip

JOURNEY_FILE = ("demo", "bluesoft.json")
DEMO_CUSTOMER = "Bluesoft Corporation"
DEMO_USER = "maya.patel@acmecloud.com"
DEMO_ACTIONS = frozenset({"demo_milestone", "demo_day"})
"""The app's keys for time travel (the clock is the whole app's: they work under any screen)."""


def load_journey() -> tuple[dt.date, list[Milestone]]:
    """The renewal day D and the milestones (journey day 0 = D−120) from the shipped seed."""
    import json

    from renubu_tui.domain.journey import DEMO_ANCHOR, renewal_day
    from renubu_tui.resources import seeds_dir
    from renubu_tui.tui.widgets.timeline import Milestone

    data = json.loads(seeds_dir().joinpath(*JOURNEY_FILE).read_text(encoding="utf-8"))
    renewal = renewal_day(DEMO_ANCHOR, data)
    milestones = [
        Milestone(
            day=120 + int(m["day"]),
            date=renewal + dt.timedelta(days=int(m["day"])),
            label=str(m["label"]),
        )
        for m in sorted(data["milestones"], key=lambda m: int(m["day"]))
    ]
    return renewal, milestones


def journey_date(day: int) -> dt.date:
    """The date of journey day `day` (0 = D−120 … 120 = D)."""
    renewal, _ = load_journey()
    return renewal + dt.timedelta(days=day - 120)


def _timeline() -> type[TimelineStrip]:
    """The strip's class, imported when the demo needs it (not on every start)."""
    from renubu_tui.tui.widgets.timeline import TimelineStrip

    return TimelineStrip


class AsOfChanged(Message):
    """The demo moved the as-of date (the session's clock already says `today`)."""

    def __init__(self, today: dt.date) -> None:
        super().__init__()
        self.today = today


ADMIN_BINDINGS: list[BindingType] = [
    Binding("W", "workflow_admin", "Workflows", show=False, id="main.workflow_admin"),
]

DEMO_BINDINGS: list[BindingType] = [
    Binding("left_square_bracket", "demo_milestone(-1)", "◀ milestone", id="demo.prev"),
    Binding("right_square_bracket", "demo_milestone(1)", "milestone ▶", id="demo.next"),
    Binding("left_curly_bracket", "demo_day(-1)", "-1 day", show=False, id="demo.day_back"),
    Binding("right_curly_bracket", "demo_day(1)", "+1 day", show=False, id="demo.day_on"),
    Binding("ctrl+left", "demo_day(-1)", "-1 day", show=False, id="demo.day_back2"),
    Binding("ctrl+right", "demo_day(1)", "+1 day", show=False, id="demo.day_on2"),
]


class DemoFeatures(ScreenMixin):
    """The demo's time travel (when the app runs `renubu demo`) and the admin screen."""

    _demo_customer: tuple[uuid.UUID, str] | None = None
    _demo_focus_pending: bool = True

    # --- hooks (run after MainScreen's handlers of the same message) -----------------------------

    def on_mount(self) -> None:
        if not self.demo_mode:
            return
        from textual.widgets import Header

        from renubu_tui.tui.widgets.timeline import TimelineStrip

        _, milestones = load_journey()
        strip = TimelineStrip(milestones, id="timeline")
        self.mount(strip, after=self.query_one(Header))
        strip.set_day(self.settings.clock().today())

    def on_main_screen_opened(self, message: Any) -> None:
        if self.demo_mode:
            self._demo_refresh_strip(message.session)

    def on_queue_pane_loaded(self, message: Any) -> None:
        """After a date change, keep Bluesoft current (in the queue if it is there, else shown)."""
        self._demo_focus()

    def _demo_focus(self) -> None:
        """Once both the day's queue and Bluesoft's id are known (either may come first)."""
        if not (self.demo_mode and self._demo_focus_pending) or self._demo_customer is None:
            return
        from renubu_tui.tui.widgets.queue_pane import QueuePane

        queue = self.query_one(QueuePane)
        if queue.loading_page:
            return  # its Loaded comes next and focuses
        self._demo_focus_pending = False
        customer_id, name = self._demo_customer
        if not queue.move_to(customer_id):  # (a pending highlight of the first row is dropped)
            self.post_message(CustomerChosen(customer_id, name, None))

    # --- time travel ------------------------------------------------------------------------------

    def action_demo_milestone(self, step: int) -> None:
        session = self._demo_session()
        if session is None:
            return
        today = session.today
        _, milestones = load_journey()
        dates = [m.date for m in milestones]
        if step > 0:
            later = [d for d in dates if d > today]
            target = later[0] if later else None
        else:
            earlier = [d for d in dates if d < today]
            target = earlier[-1] if earlier else None
        if target is None:
            self.app.bell()
            return
        self.demo_set_day(target)

    def action_demo_day(self, step: int) -> None:
        session = self._demo_session()
        if session is not None:
            self.demo_set_day(session.today + dt.timedelta(days=step))

    def demo_set_day(self, day: dt.date) -> None:
        """Move the shared clock to `day` and reload every pane from the database."""
        session = self._demo_session()
        if session is None:
            return
        from renubu_tui.tui.widgets.queue_pane import QueuePane
        from renubu_tui.tui.widgets.sidebar import ContextSidebar

        session.services.clock.set(day)
        user, tenant = session.services.user, session.services.tenant
        self.app.sub_title = f"{clean(user.name)} · {clean(tenant.slug)} · {day}"
        for sidebar in self.query(ContextSidebar):
            sidebar.reload()  # same customer, another day
        queue = self.query_one(QueuePane)
        queue._chosen = None  # the first row must be announced again, even if unchanged
        self._demo_focus_pending = True
        queue.reload()
        self._demo_refresh_strip(session)
        self.refresh_bell()
        self.app.post_message(AsOfChanged(day))

    def _demo_session(self) -> Session | None:
        return self.session if self.demo_mode else None

    def _demo_refresh_strip(self, session: Session) -> None:
        for strip in self.query("#timeline").results(_timeline()):
            strip.set_day(session.today, strip.inbox)
        self._demo_load(session, session.today)

    @work(exclusive=True, group="demo", exit_on_error=False)
    async def _demo_load(self, session: Session, today: dt.date) -> None:
        from sqlalchemy import select

        from renubu_tui.data.models.customers import Customer

        services = session.services
        if self._demo_customer is None:
            async with services.db.sessions() as db:
                row = await db.scalar(
                    select(Customer).where(
                        Customer.tenant_id == session.tenant_id, Customer.name == DEMO_CUSTOMER
                    )
                )
            if row is not None:
                self._demo_customer = (row.id, row.name)
                self._demo_focus()  # the queue may have loaded before the id was known
        items = await services.notifications.inbox(
            session.tenant_id, services.user.email, unread_only=True, limit=1, as_of=today
        )
        unread, urgent = await services.notifications.unread_counts(
            session.tenant_id, services.user.email, as_of=today
        )
        inbox = f"inbox {unread} unread ({urgent} urgent)"
        if items:
            inbox += f": {clean(items[0].title)}"
        if session.today == today:
            for strip in self.query("#timeline").results(_timeline()):
                strip.set_day(today, inbox)

    # --- workflow admin ---------------------------------------------------------------------------

    def action_workflow_admin(self) -> None:
        if self.session is None:
            self.notify("The database is not open yet.", severity="warning")
            return
        from renubu_tui.tui.screens.admin import WorkflowAdminScreen

        self.app.push_screen(WorkflowAdminScreen(self.session))

    def demo_commands(self) -> Iterator[SystemCommand]:
        yield SystemCommand(
            "Workflow admin",
            "Workflows, versions, diffs, rollback, clone, validation",
            self.action_workflow_admin,
        )
        if self.demo_mode:
            yield SystemCommand(
                "Next milestone", "Bluesoft journey: the next milestone", self._next_milestone
            )
            yield SystemCommand(
                "Previous milestone",
                "Bluesoft journey: the previous milestone",
                self._previous_milestone,
            )

    def _next_milestone(self) -> None:
        self.action_demo_milestone(1)

    def _previous_milestone(self) -> None:
        self.action_demo_milestone(-1)
