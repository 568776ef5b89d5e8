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
from typing import TYPE_CHECKING

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message

from renubu_tui.tui.features import ScreenMixin
from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.text import clean

if TYPE_CHECKING:
    from collections.abc import Iterator

    from renubu_tui.services.demo.store import DemoStore
    from renubu_tui.settings import Settings
    from renubu_tui.tui.screens.main import MainScreen
    from renubu_tui.tui.session import Session
    from renubu_tui.tui.widgets.queue_pane import QueuePane
    from renubu_tui.tui.widgets.step_pane import StepChanged
    from renubu_tui.tui.widgets.timeline import Milestone, TimelineStrip

JOURNEY_FILE = ("demo", "bluesoft.json")
DEMO_CUSTOMER = "Bluesoft Corporation"
DEMO_USER = "maya.patel@acmecloud.com"
DEMO_ACTIONS = frozenset({"demo_milestone", "demo_day", "demo_rejoin"})
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


class DemoMoved(Message):
    """The demo database now holds `day` (events applied or a day restored)."""

    def __init__(self, day: dt.date, narration: list[str]) -> None:
        super().__init__()
        self.day = day
        self.narration = narration


def demo_store(settings: Settings) -> DemoStore:
    """The store over the app's demo database (its SQLite file)."""
    from pathlib import Path

    from renubu_tui.services.demo.store import DemoStore

    path = settings.sqlite_path()
    if path is None:
        raise RuntimeError("the demo runs on its own SQLite database")
    return DemoStore(Path(path))


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
    Binding("R", "demo_rejoin", "Back on the script", show=False, id="demo.rejoin"),
]


class DemoFeatures(ScreenMixin):
    """The demo's time travel (when the app runs `renubu demo`) and the admin screen."""

    _demo_customer: tuple[uuid.UUID, str] | None = None
    _demo_selected: uuid.UUID | None = None  # the customer shown when the day last changed
    _demo_focus_pending: bool = True
    _demo_narration: tuple[str, ...] = ()  # what the last move's events were, in words
    _demo_off_script: bool = False
    _demo_playing: bool = False

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

    def on_main_screen_opened(self, message: MainScreen.Opened) -> None:
        if self.demo_mode:
            self._demo_refresh_strip(message.session)
            if getattr(self.app, "demo_autoplay", False):
                self._demo_playing = True
                self._demo_play(message.session)

    # --- autoplay (renubu demo --play) ------------------------------------------------------------

    @work(exclusive=True, group="demo-play", exit_on_error=False)
    async def _demo_play(self, session: Session) -> None:
        """Walk the milestones with a pause and a line of narration per event; any key stops."""
        import asyncio

        pace: float = getattr(self.app, "demo_pace", 3.0)
        _, milestones = load_journey()
        try:
            for milestone in [m for m in milestones if m.date > session.today]:
                await asyncio.sleep(pace)
                for line in await self._demo_moving(session, milestone.date) or ["…"]:
                    for strip in self.query("#timeline").results(_timeline()):
                        strip.set_note(line)
                    await asyncio.sleep(pace / 2)
        finally:
            self._demo_playing = False
        self._demo_load(session, session.today)

    def demo_take_over(self) -> None:
        """A key pressed while the demo plays: the person has the wheel from here."""
        self._demo_playing = False
        self.workers.cancel_group(self, "demo-play")
        self.notify("You have the wheel: the demo stopped playing.", markup=False)

    def on_queue_pane_loaded(self, message: QueuePane.Loaded) -> None:
        """After a date change, keep the person's customer current (Bluesoft at first): in the
        queue if it is there, else shown on its own."""
        self._demo_focus()

    def on_step_changed(self, message: StepChanged) -> None:
        """A person acted: the strip and header say whether the demo is still on the script."""
        if self.demo_mode and self.session is not None:
            self._demo_load(self.session, self.session.today)

    def _demo_focus(self) -> None:
        """Once both the day's queue and the customer are known (either may come first)."""
        if not (self.demo_mode and self._demo_focus_pending) or self._demo_customer is None:
            return
        from renubu_tui.tui.widgets.queue_pane import QueuePane

        queue = self.query_one(QueuePane)
        if queue.loading_page:
            return  # its Loaded comes next and focuses
        self._demo_focus_pending = False
        customer_id, name = self._demo_customer
        if self._demo_selected is not None and self._demo_selected != customer_id:
            row = next((r for r in queue.rows if r.customer_id == self._demo_selected), None)
            if row is None:
                return  # not in today's queue: the queue's reload kept its cursor where it could
            customer_id, name = row.customer_id, row.customer_name
        if not queue.announce(customer_id):  # (a pending highlight of the first row is dropped)
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

    def action_demo_rejoin(self) -> None:
        """`R`: back onto the script at the current day (what the person did there is dropped)."""
        session = self._demo_session()
        if session is not None:
            self._demo_move(session, session.today, rejoin=True)

    def demo_set_day(self, day: dt.date) -> None:
        """Move the demo database and the shared clock to `day`, then reload every pane."""
        session = self._demo_session()
        if session is None:
            return
        _, milestones = load_journey()
        first, last = milestones[0].date, milestones[-1].date
        if not first <= day <= last:
            self.app.bell()
            return
        self._demo_move(session, day)

    @work(exclusive=True, group="demo-move", exit_on_error=False)
    async def _demo_move(self, session: Session, day: dt.date, *, rejoin: bool = False) -> None:
        await self._demo_moving(session, day, rejoin=rejoin)

    async def _demo_moving(
        self, session: Session, day: dt.date, *, rejoin: bool = False
    ) -> list[str]:
        """Forward applies the script's events; back (or rejoining) restores that day. Returns
        the narration of the events applied (the panes reload on DemoMoved)."""
        for strip in self.query("#timeline").results(_timeline()):
            strip.set_note(f"moving to {day}…")
        try:
            move = await demo_store(self.settings).move(session.services.db, day, rejoin=rejoin)
        except Exception as exc:  # said in one line; the day and the database stay as they were
            from renubu_tui.data.engine import database_error

            known = database_error(exc, self.settings.database_url)
            if known is None:
                raise
            for strip in self.query("#timeline").results(_timeline()):
                strip.set_note(f"could not move to {day}")
            self.notify(
                f"Could not move the demo to {day}: {known}", severity="error", markup=False
            )
            return []
        session.services.config.invalidate()  # the database may be another copy now
        events = move.applied.applied if move.applied else []
        narration = [e.narration for e in events if e.narration]
        self.post_message(DemoMoved(day, narration))
        return narration

    def on_demo_moved(self, message: DemoMoved) -> None:
        session = self._demo_session()
        if session is None:
            return
        from renubu_tui.tui.widgets.queue_pane import QueuePane
        from renubu_tui.tui.widgets.sidebar import ContextSidebar
        from renubu_tui.tui.widgets.step_pane import StepPane

        day = message.day
        session.services.clock.set(day)
        self._demo_narration = tuple(message.narration)
        for sidebar in self.query(ContextSidebar):
            sidebar.reload()  # same customer, another day
        steps = list(self.query(StepPane))
        if steps and steps[0].customer_id is not None:
            self._demo_selected = steps[0].customer_id  # the person's customer stays current
        queue = self.query_one(QueuePane)
        queue.forget_chosen()  # the row must be announced again, even if unchanged
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
        from renubu_tui.services.demo.status import demo_day

        services = session.services
        if self._demo_customer is None:
            found = await services.find_customer(DEMO_CUSTOMER)
            if found is not None:
                self._demo_customer = found
                self._demo_focus()  # the queue may have loaded before the id was known
        state = await demo_day(services, today)
        inbox = f"inbox {state.unread} unread ({state.urgent} urgent)"
        if state.newest_unread is not None:
            inbox += f": {clean(state.newest_unread)}"
        note = ""
        if state.scripted:
            if not state.on_script:
                note = "off the script: you have the wheel (] moves the clock only)"
            elif state.ended is not None:
                note = f"the journey has ended: {state.ended}"
            elif self._demo_narration:
                note = " · ".join(self._demo_narration[-2:])
            self._demo_off_script = not state.on_script
        user, tenant = services.user, services.tenant
        wheel = " · off the script" if self._demo_off_script else ""
        self.app.sub_title = f"{clean(user.name)} · {clean(tenant.slug)} · {today}{wheel}"
        if session.today == today:
            for strip in self.query("#timeline").results(_timeline()):
                strip.set_day(today, inbox)
                strip.set_note(note)

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
