"""The Bluesoft walkthrough (time travel) and the workflow admin screen, as a mixin of RenubuApp.

`renubu demo` sets `demo_mode`; then a timeline strip sits under the header and `[` / `]` move the
as-of date to the previous / next milestone of the Bluesoft journey (`{` / `}` or ctrl+←/→ one
day). Moving sets the session's shared Clock and reloads every pane, so the queue, the step pane,
the sidebar and the inbox count all follow the date. `W` (any mode) opens the workflow admin.

The mixin derives from DOMNode only so that Textual merges its BINDINGS (textual.dom's
`_merge_bindings` reads BINDINGS from DOMNode bases of the MRO only); its `on_*` handlers run
after RenubuApp's, as Textual dispatches a message to each class of the MRO.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.message import Message

from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.text import clean

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.screen import Screen

    from renubu_tui.tui.session import Session
    from renubu_tui.tui.widgets.timeline import Milestone, TimelineStrip

JOURNEY_FILE = ("demo", "bluesoft.json")
DEMO_CUSTOMER = "Bluesoft Corporation"
DEMO_USER = "maya.patel@acmecloud.com"
DEMO_ACTIONS = frozenset({"demo_milestone", "demo_day"})


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


class DemoFeatures(DOMNode):
    """Mixed into RenubuApp (before App): the demo's time travel and the admin screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("W", "workflow_admin", "Workflows", show=False, id="app.workflow_admin"),
        Binding("left_square_bracket", "demo_milestone(-1)", "◀ milestone", id="demo.prev"),
        Binding("right_square_bracket", "demo_milestone(1)", "milestone ▶", id="demo.next"),
        Binding("left_curly_bracket", "demo_day(-1)", "-1 day", show=False, id="demo.day_back"),
        Binding("right_curly_bracket", "demo_day(1)", "+1 day", show=False, id="demo.day_on"),
        Binding("ctrl+left", "demo_day(-1)", "-1 day", show=False, id="demo.day_back2"),
        Binding("ctrl+right", "demo_day(1)", "+1 day", show=False, id="demo.day_on2"),
    ]

    demo_mode: bool = False
    """Set by `renubu demo` before the app runs."""

    _demo_customer: tuple[uuid.UUID, str] | None = None
    _demo_focus_pending: bool = True

    # --- hooks (run after RenubuApp's handlers of the same message) ------------------------------

    def on_mount(self) -> None:
        if not self.demo_mode:
            return
        from textual.widgets import Header

        from renubu_tui.tui.widgets.timeline import TimelineStrip

        _, milestones = load_journey()
        strip = TimelineStrip(milestones, id="timeline")
        app: Any = self
        app.screen.mount(strip, after=app.query_one(Header))
        strip.set_day(app.settings.clock().today())

    def on_renubu_app_opened(self, message: Any) -> None:
        if self.demo_mode:
            self._demo_refresh_strip(message.session)

    def on_queue_pane_loaded(self, message: Any) -> None:
        """After a date change, keep Bluesoft current (in the queue if it is there, else shown)."""
        self._demo_focus()

    def _demo_focus(self) -> None:
        """Once both the day's queue and Bluesoft's id are known (either may come first)."""
        if not (self.demo_mode and self._demo_focus_pending) or self._demo_customer is None:
            return
        app: Any = self
        from renubu_tui.tui.widgets.queue_pane import QueuePane

        queue = self._main().query_one(QueuePane)
        if queue.loading_page:
            return  # its Loaded comes next and focuses
        self._demo_focus_pending = False
        customer_id, name = self._demo_customer
        if not queue.move_to(customer_id):
            queue._cancel("highlight")  # the first row would replace Bluesoft in the panes
            app.post_message(CustomerChosen(customer_id, name, None))

    # --- time travel ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in DEMO_ACTIONS and not self.demo_mode:
            return False
        return super().check_action(action, parameters)  # type: ignore[misc, no-any-return]

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
            self._app().bell()
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

        app: Any = self
        session.services.clock.set(day)
        user, tenant = session.services.user, session.services.tenant
        app.sub_title = f"{clean(user.name)} · {clean(tenant.slug)} · {day}"
        main = self._main()
        for sidebar in main.query(ContextSidebar):
            sidebar._loaded_id = None  # same customer, another day: load it again
        queue = main.query_one(QueuePane)
        queue._chosen = None  # the first row must be announced again, even if unchanged
        self._demo_focus_pending = True
        queue.reload()
        self._demo_refresh_strip(session)
        refresh_bell = getattr(self, "refresh_bell", None)  # the inbox bell, when there is one
        if callable(refresh_bell):
            refresh_bell()
        app.post_message(AsOfChanged(day))

    def _app(self) -> Any:
        return self

    def _main(self) -> Any:
        """The main screen (the queue, panes and strip), whatever screen is on top of it."""
        return self._app().screen_stack[0]

    def _demo_session(self) -> Session | None:
        app: Any = self
        return app.session if self.demo_mode else None

    def _demo_refresh_strip(self, session: Session) -> None:
        for strip in self._main().query("#timeline").results(_timeline()):
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
            for strip in self._main().query("#timeline").results(_timeline()):
                strip.set_day(today, inbox)

    # --- workflow admin ---------------------------------------------------------------------------

    def action_workflow_admin(self) -> None:
        app: Any = self
        if app.session is None:
            app.notify("The database is not open yet.", severity="warning")
            return
        from renubu_tui.tui.screens.admin import WorkflowAdminScreen

        app.push_screen(WorkflowAdminScreen(app.session))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)  # type: ignore[misc]
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
