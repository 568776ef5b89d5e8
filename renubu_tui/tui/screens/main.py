"""The main screen: the queue, the workflow step and its chat, the sidebar, and their keys.

Posting's shape: the app stays thin (boot, theme, help, quit) and this screen composes the panes
and owns every key that acts on them. A dialog or another screen pushed on top replaces these
keys with its own, so nothing acts on a customer the person cannot see, with no rule to keep.

Start-up, in order: the first frame (header and the queue's skeleton, no database code loaded);
the day's first page read from an embedded database with the standard library (`peek`), when it
is current; then the data layer is imported on a thread (`preload`), the step pane and the
sidebar are mounted, and the `boot` worker opens the services and hands a `Session` to each pane.
The features (actions, demo, step keys, preferences) are plain mixins: their keys are listed in
`BINDINGS` below, so Textual's CSS and bindings see one DOM class chain (Screen's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header

from renubu_tui.tui import preload, timing
from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.features.actions import ACTION_BINDINGS, ActionsFeature
from renubu_tui.tui.features.demo import ADMIN_BINDINGS, DemoFeatures
from renubu_tui.tui.features.preferences import PREFERENCE_BINDINGS, PreferencesFeature
from renubu_tui.tui.features.step_chat import STEP_CHAT_BINDINGS, StepChatKeys
from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.text import clean
from renubu_tui.tui.widgets.banner import Banner
from renubu_tui.tui.widgets.queue_pane import QueuePane

if TYPE_CHECKING:
    from collections.abc import Iterator

    from textual.timer import Timer
    from textual.widget import Widget

    from renubu_tui.services.changes import Batch, ChangeWatcher
    from renubu_tui.services.queue.peek import QueuePeek
    from renubu_tui.settings import Settings
    from renubu_tui.tui.session import Session
    from renubu_tui.tui.widgets.step_pane import StepChanged

TOASTS_AT_ONCE = 3  # others' changes toasted from one batch; the rest are counted in one line

# Below MEDIUM: queue only; below WIDE: no sidebar unless asked; from HUGE: every queue column.
MEDIUM, WIDE, HUGE = 120, 150, 200

FOCUS_BINDINGS: list[BindingType] = [
    Binding("f1", "focus_pane('queue')", "Queue", id="focus.queue", show=False),
    Binding("f2", "focus_pane('step')", "Step", id="focus.step", show=False),
    Binding("f3", "focus_pane('chat')", "Chat", id="focus.chat", show=False),
    Binding("f4", "focus_pane('sidebar')", "Sidebar", id="focus.sidebar", show=False),
]
"""Visible ways between the panes (Tab and shift+Tab go through every field as well)."""

MAIN_BINDINGS: list[BindingType] = [
    Binding("b", "toggle_sidebar", "Sidebar", id="main.sidebar"),
    Binding("r", "reload", "Reload", id="main.reload"),
    Binding("escape", "back", "Back", show=False, id="main.back"),
    Binding("F", "forecast", "Forecast", show=False, id="main.forecast"),
]


class MainScreen(
    ReportsWorkerErrors,
    DemoFeatures,
    PreferencesFeature,
    StepChatKeys,
    ActionsFeature,
    Screen[None],
):
    BINDINGS: ClassVar[list[BindingType]] = [
        *STEP_CHAT_BINDINGS,
        *ACTION_BINDINGS,
        *MAIN_BINDINGS,
        *FOCUS_BINDINGS,
        *PREFERENCE_BINDINGS,
        *ADMIN_BINDINGS,
    ]

    sidebar_open = reactive(True, init=False)
    """Whether the context sidebar shows; the person's choice is kept for the session."""

    class Opened(Message):
        def __init__(self, session: Session) -> None:
            super().__init__()
            self.session = session

    class Changed(Message):
        """Changes committed on the database (by any app, this one included)."""

        def __init__(self, batch: Batch) -> None:
            super().__init__()
            self.batch = batch

    class Peeked(Message):
        """The day's first page as stored, or None when the services must build or read it."""

        def __init__(self, peek: QueuePeek | None) -> None:
            super().__init__()
            self.peek = peek

    def __init__(self, settings: Settings) -> None:
        super().__init__(id="main-screen")
        self.settings = settings
        self._narrow: bool | None = None
        self._wide_choice = True  # sidebar choice to restore when the terminal widens again
        self._retries = 0  # automatic retries since the database was last reached
        self._retry_timer: Timer | None = None
        self.watcher: ChangeWatcher | None = None  # live updates (rules.md, "Live updates")

    @property
    def session(self) -> Session | None:
        return self.app.session

    @property
    def demo_mode(self) -> bool:
        return bool(getattr(self.app, "demo_mode", False))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Banner(id="banner")
        with Horizontal(id="main"):
            # The first frame is the header and the queue's skeleton; the step pane and the
            # sidebar are mounted once their modules are imported (`_mount_panes`).
            yield QueuePane(id="queue")
        # The footer too (with every key it costs ~0.1 s of styling): `_after_first_page`.

    def on_mount(self) -> None:
        timing.mark("mount")
        self._fit(self.app.size.width)
        # Paint first: the data layer is imported (on a thread) only after the first frame.
        self.call_after_refresh(self._first_frame)

    def _first_frame(self) -> None:
        timing.mark("first frame")
        self._peek()

    @work(thread=True, exclusive=True, group="peek", exit_on_error=False)
    def _peek(self) -> None:
        """Read the day's first page with sqlite3 while nothing else competes for the GIL."""
        from renubu_tui.services.queue.peek import peek_first_page
        from renubu_tui.tui.widgets.queue_pane import PAGE_SIZE

        timing.mark("peek imported")
        try:
            peek = peek_first_page(self.settings, self.settings.clock().today(), PAGE_SIZE)
        except Exception as exc:  # a shortcut only: the boot reads the queue and reports errors
            timing.mark(f"peek failed: {exc!r}")
            peek = None
        timing.mark("peek read")
        self.post_message(self.Peeked(peek))

    def on_main_screen_peeked(self, message: Peeked) -> None:
        peek = message.peek
        if peek is not None and self.session is None:
            tenant, today = clean(self.settings.tenant), self.settings.clock().today()
            self.app.sub_title = f"{clean(peek.user_name)} · {tenant} · {today}"
            self.query_one(QueuePane).show_peek(peek)
            self.call_after_refresh(self._after_first_page)  # once the rows are on screen
        else:
            self._after_first_page()

    def _after_first_page(self) -> None:
        if not self.query(Footer):
            # A footer mounted late shows keys only from the next bindings update: ask for one.
            self.mount(Footer())
            self.call_after_refresh(self.refresh_bindings)
        self.boot()

    @work(exclusive=True, group="boot", exit_on_error=False)
    async def boot(self) -> None:
        from renubu_tui.tui.session import open_session

        await preload.ready()
        timing.mark("data layer imported")
        await self._mount_panes()
        session = await open_session(self.settings)
        timing.mark("services open")
        self.post_message(self.Opened(session))

    async def _mount_panes(self) -> None:
        """The step pane and the sidebar, once (their modules were imported by `preload`)."""
        from renubu_tui.tui.widgets.sidebar import ContextSidebar
        from renubu_tui.tui.widgets.step_pane import StepPane

        if self.query(StepPane):
            return
        main = self.query_one("#main")
        panes: list[Widget] = [StepPane(id="step"), ContextSidebar(id="sidebar")]
        await main.mount_all(panes)

    def on_main_screen_opened(self, message: Opened) -> None:
        app = self.app
        app.session = session = message.session
        user, tenant = session.services.user, session.services.tenant
        app.sub_title = f"{clean(user.name)} · {clean(tenant.slug)} · {session.today}"
        self.database_back()
        self.query_one(QueuePane).attach(session)
        if getattr(app, "live_updates", False):
            self.watch_changes(session)

    def on_queue_pane_loaded(self, message: QueuePane.Loaded) -> None:
        self.database_back()

    # --- routing ----------------------------------------------------------------------------------

    def on_customer_chosen(self, message: CustomerChosen) -> None:
        from renubu_tui.tui.widgets.sidebar import ContextSidebar
        from renubu_tui.tui.widgets.step_pane import StepPane

        message.stop()  # handled here; the app forwards only what other screens post to it
        if self.session is None:
            return
        for step in self.query(StepPane):
            step.show(self.session, message.customer_id, message.workflow_type)
        for sidebar in self.query(ContextSidebar):
            sidebar.show(self.session, message.customer_id)
        if message.open:
            self.query_one(QueuePane).move_to(message.customer_id)
            if self.has_class("-narrow"):
                self.add_class("-detail")
                for step in self.query(StepPane):
                    step.focus()

    def on_step_changed(self, message: StepChanged) -> None:
        """A workflow moved (g, x, c, k, a reply): its rows were re-scored in the same
        transaction, so the queue, Today's One Thing and the sidebar read them again."""
        from renubu_tui.tui.widgets.sidebar import ContextSidebar

        self.query_one(QueuePane).reload()
        for sidebar in self.query(ContextSidebar):
            sidebar.reload()
        self.refresh_bell()

    # --- live updates ---------------------------------------------------------------------------

    @work(exclusive=True, group="live", exit_on_error=False)
    async def watch_changes(self, session: Session) -> None:
        """Every change another app (or this one) commits, as it commits: LISTEN/NOTIFY on
        PostgreSQL, `PRAGMA data_version` on SQLite. Runs as long as the screen."""
        from renubu_tui.services.changes import ChangeWatcher, prune

        self.watcher = watcher = ChangeWatcher(session.services.db, session.tenant_id)
        await prune(session.services.db, session.tenant_id)
        config = session.services.config
        async for batch in watcher.batches():
            if batch.reload or any(c.kind == "config" for c in batch.changes):
                config.invalidate(session.tenant_id)  # another app changed it: read it again
                session.config = await config.get(session.tenant_id)
            self.post_message(self.Changed(batch))

    def on_main_screen_changed(self, message: Changed) -> None:
        """The queue reads its page again in place (the cursor stays on its row), the open
        customer's step view and the sidebar read again when that customer changed, the bell
        counts again, an open timeline or forecast reads again, and someone else's change says
        so in one line."""
        from renubu_tui.tui.screens.forecast import ForecastScreen
        from renubu_tui.tui.screens.timeline import TimelineScreen
        from renubu_tui.tui.widgets.sidebar import ContextSidebar
        from renubu_tui.tui.widgets.step_pane import StepPane

        session = self.session
        if session is None:
            return
        batch = message.batch
        changed = {c.customer_id for c in batch.changes}
        everything = batch.reload or None in changed
        self.query_one(QueuePane).reload(quiet=True)
        for step in self.query(StepPane):
            if everything or step.customer_id in changed:
                step.reload()
        for sidebar in self.query(ContextSidebar):
            if everything or sidebar.customer_id in changed:
                sidebar.reload()
        for screen in self.app.screen_stack:
            if isinstance(screen, TimelineScreen):  # an open timeline (L): when its customer
                if everything or screen.customer_id in changed:  # changed
                    screen.load()
            elif isinstance(screen, ForecastScreen):  # any change can move the forecast (F)
                screen.load()
        self.refresh_bell()
        others = [c for c in batch.changes if c.actor_id != session.user_id]
        for change in others[:TOASTS_AT_ONCE]:
            self.notify(change.describe(), markup=False)
        if len(others) > TOASTS_AT_ONCE:
            self.notify(f"and {len(others) - TOASTS_AT_ONCE} more changes", markup=False)

    # --- a lost database --------------------------------------------------------------------------

    def database_lost(self, text: str) -> bool:
        """Show the banner and retry by itself, waiting longer each time; True when new."""
        delays = self.app.retry_delays
        first = self._retries == 0
        delay = delays[min(self._retries, len(delays) - 1)]
        self._retries += 1
        self.query_one(Banner).show(text, f"retrying in {delay:g} s · r to retry now")
        if self._retry_timer is not None:
            self._retry_timer.stop()
        self._retry_timer = self.set_timer(delay, self.action_reload)
        return first

    def database_back(self) -> None:
        """The database answered: no banner, no pending retry."""
        self.query_one(Banner).hide()
        self._retries = 0
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None

    # --- layout -----------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        """Collapse the sidebar when the terminal gets narrow; restore the choice when wide."""
        narrow = width < WIDE
        if narrow == self._narrow:
            return
        self._narrow = narrow
        if narrow:
            self._wide_choice = self.sidebar_open
            self.sidebar_open = False
        else:
            self.sidebar_open = self._wide_choice
        self._show_sidebar()

    def watch_sidebar_open(self) -> None:
        self._show_sidebar()

    def _show_sidebar(self) -> None:
        self.set_class(not self.sidebar_open, "-sidebar-hidden")  # see styles/app.tcss

    def choose_sidebar(self, open_: bool) -> None:
        """The person's stored choice: shown now when wide, kept for when it widens."""
        self._wide_choice = open_
        if not self._narrow:
            self.sidebar_open = open_

    # --- actions ----------------------------------------------------------------------------------

    def action_toggle_sidebar(self) -> None:
        self.sidebar_open = not self.sidebar_open
        self.remember(sidebar=self.sidebar_open)

    def action_reload(self) -> None:
        if self.session is None:
            self.boot()
        else:
            self.query_one(QueuePane).reload()

    def action_import(self) -> None:
        """The import screen (palette); the queue reloads when something was imported."""
        from renubu_tui.tui.screens.import_screen import ImportScreen

        def imported(done: bool | None) -> None:
            if done:
                self.action_reload()

        self.app.push_screen(ImportScreen(), imported)

    def action_forecast(self) -> None:
        """The renewal forecast of your book (F; the palette)."""
        from renubu_tui.tui.screens.forecast import ForecastScreen

        if self.session is None:
            self.notify("Still opening the database…", severity="warning")
            return
        self.app.push_screen(ForecastScreen(self.session))

    def action_back(self) -> None:
        """Esc: out of the customer view (narrow) or out of a field, back to the queue."""
        if self.has_class("-detail"):
            self.remove_class("-detail")
        self.query_one("#queue-table").focus()

    def action_focus_pane(self, pane: str) -> None:
        """F1…F4: the queue, the step, the chat input, the sidebar (shown first if hidden)."""
        targets = {
            "queue": "#queue-table",
            "step": "#step",
            "chat": "#chat-input",
            "sidebar": "#sidebar",
        }
        if pane == "sidebar" and not self.sidebar_open:
            self.sidebar_open = True
        if pane in {"step", "chat"} and self.has_class("-narrow"):
            self.add_class("-detail")
        if pane == "queue":
            self.remove_class("-detail")
        found = self.query(targets[pane])
        if found:
            found.first().focus()

    def system_commands(self) -> Iterator[SystemCommand]:
        """What the palette offers on this screen (the same actions as the keys)."""
        yield SystemCommand(
            "Sidebar", "Show or hide the context sidebar", self.action_toggle_sidebar
        )
        yield SystemCommand("Reload", "Read the queue again", self.action_reload)
        yield SystemCommand(
            "Import", "Bring customers in from a CRM export (CSV or XLSX)", self.action_import
        )
        yield SystemCommand(
            "Renewal forecast",
            "ARR up for renewal in the next 12 months, weighted, with the risks and GRR/NRR",
            self.action_forecast,
        )
        yield SystemCommand("Compact mode", "Denser layout, remembered", self.action_toggle_compact)
        yield from self.action_commands()
        yield from self.demo_commands()
