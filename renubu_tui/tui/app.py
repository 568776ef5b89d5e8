"""The renubu terminal app: composes the panes and routes messages between them (nothing else).

Startup, in order: the first frame (header and the queue's skeleton, no database code loaded);
the day's first page read from an embedded database with the standard library (`peek`), when
it is current; then the data layer is imported on a thread (`preload`), the step pane and the
sidebar are mounted, and the `boot` worker opens the services and hands a `Session` to each pane.
Panes load their own data in their own workers; a failed worker, wherever it ran, arrives here
once as `WorkerFailed`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header

from renubu_tui.tui import preload, scope, timing
from renubu_tui.tui.errors import (
    ReportsWorkerErrors,
    WorkerFailed,
    is_database_error,
    is_refusal,
)
from renubu_tui.tui.features.actions import ActionsFeature
from renubu_tui.tui.features.demo import DemoFeatures
from renubu_tui.tui.features.preferences import PreferencesFeature
from renubu_tui.tui.features.step_chat import StepChatKeys
from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.text import clean, one_line
from renubu_tui.tui.widgets.banner import Banner
from renubu_tui.tui.widgets.queue_pane import QueuePane

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.command import Provider
    from textual.timer import Timer
    from textual.widget import Widget

    from renubu_tui.services.queue_peek import QueuePeek
    from renubu_tui.settings import Settings
    from renubu_tui.tui.session import Session


def _customer_commands() -> type[Provider]:
    """The palette's customer search, imported when the palette first opens."""
    from renubu_tui.tui.commands import CustomerCommands

    return CustomerCommands


# Below MEDIUM: queue only; below WIDE: no sidebar unless asked; from HUGE: every queue column.
MEDIUM, WIDE, HUGE = 120, 150, 200


class RenubuApp(
    ReportsWorkerErrors,
    DemoFeatures,
    PreferencesFeature,
    StepChatKeys,
    ActionsFeature,
    App[None],
):
    TITLE = "renubu"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {_customer_commands}
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"),
        (MEDIUM, "-medium"),
        (WIDE, "-wide"),
        (HUGE, "-huge"),
    ]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (30, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("b", "toggle_sidebar", "Sidebar", id="app.sidebar"),
        Binding(
            "ctrl+p", "command_palette", "Jump to…", id="app.palette", priority=True, show=False
        ),
        Binding("r", "reload", "Reload", id="app.reload"),
        Binding("escape", "back", "Back", show=False, id="app.back"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    retry_delays: tuple[float, ...] = (2, 5, 10, 30)
    """Seconds between automatic retries while the database is unreachable (the last repeats)."""

    sidebar_open = reactive(True, init=False)
    """Whether the context sidebar shows; the person's choice is kept for the session."""

    class Opened(Message):
        def __init__(self, session: Session) -> None:
            super().__init__()
            self.session = session

    class Peeked(Message):
        """The day's first page as stored, or None when the services must build or read it."""

        def __init__(self, peek: QueuePeek | None) -> None:
            super().__init__()
            self.peek = peek

    def __init__(self, settings: Settings, *, keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.settings = settings
        self._remaps = keymap or {}
        self.session: Session | None = None
        self._narrow: bool | None = None
        self._wide_choice = True  # sidebar choice to restore when the terminal widens again
        self._retries = 0  # automatic retries since the database was last reached
        self._retry_timer: Timer | None = None
        today = settings.clock().today()
        self.sub_title = f"{settings.user or 'your queue'} · {settings.tenant} · {today}"

    def get_default_screen(self) -> Screen[object]:
        """The main screen, born with the classes its size calls for.

        Textual would add the breakpoint classes (and `_fit` the sidebar's) once the screen is
        composed, and each change of a screen class restyles every widget (~40 ms before the
        first frame); set at birth, they change nothing.
        """
        screen = super().get_default_screen()
        width, height = self.size
        for edge, name in self.HORIZONTAL_BREAKPOINTS:
            if width >= edge:
                horizontal = name
        vertical = next(n for edge, n in reversed(self.VERTICAL_BREAKPOINTS) if height >= edge)
        screen.add_class(horizontal, vertical, update=False)
        screen.set_class(width < WIDE, "-sidebar-hidden", update=False)
        return screen

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
        if self._remaps:
            self.set_keymap(self._remaps)
        self._fit(self.size.width)
        # Paint first: the data layer is imported (on a thread) only after the first frame.
        self.call_after_refresh(self._first_frame)

    def _first_frame(self) -> None:
        timing.mark("first frame")
        self._peek()

    @work(thread=True, exclusive=True, group="peek", exit_on_error=False)
    def _peek(self) -> None:
        """Read the day's first page with sqlite3 while nothing else competes for the GIL."""
        from renubu_tui.services.queue_peek import peek_first_page
        from renubu_tui.tui.widgets.queue_pane import PAGE_SIZE

        timing.mark("peek imported")
        try:
            peek = peek_first_page(self.settings, self.settings.clock().today(), PAGE_SIZE)
        except Exception as exc:  # a shortcut only: the boot reads the queue and reports errors
            timing.mark(f"peek failed: {exc!r}")
            peek = None
        timing.mark("peek read")
        self.post_message(self.Peeked(peek))

    def on_renubu_app_peeked(self, message: Peeked) -> None:
        peek = message.peek
        if peek is not None and self.session is None:
            tenant, today = clean(self.settings.tenant), self.settings.clock().today()
            self.sub_title = f"{clean(peek.user_name)} · {tenant} · {today}"
            self.query_one(QueuePane).show_peek(peek)
            self.call_after_refresh(self._after_first_page)  # once the rows are on screen
        else:
            self._after_first_page()

    def _after_first_page(self) -> None:
        screen = self.screen
        if not screen.query(Footer):
            # A footer mounted late shows keys only from the next bindings update: ask for one.
            screen.mount(Footer())
            self.call_after_refresh(screen.refresh_bindings)
        self._boot()

    @work(exclusive=True, group="boot", exit_on_error=False)
    async def _boot(self) -> None:
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

    def on_renubu_app_opened(self, message: Opened) -> None:
        self.session = session = message.session
        user, tenant = session.services.user, session.services.tenant
        self.sub_title = f"{clean(user.name)} · {clean(tenant.slug)} · {session.today}"
        self._database_back()
        self.query_one(QueuePane).attach(session)

    def on_queue_pane_loaded(self) -> None:
        self._database_back()

    async def on_unmount(self) -> None:
        if self.session is not None:
            await self.session.close()

    # --- routing ----------------------------------------------------------------------------------

    def on_customer_chosen(self, message: CustomerChosen) -> None:
        from renubu_tui.tui.widgets.sidebar import ContextSidebar
        from renubu_tui.tui.widgets.step_pane import StepPane

        if self.session is None:
            return
        for step in self.query(StepPane):
            step.show(self.session, message.customer_id, message.workflow_type)
        for sidebar in self.query(ContextSidebar):
            sidebar.show(self.session, message.customer_id)
        if message.open:
            self.query_one(QueuePane).move_to(message.customer_id)
            if self.screen.has_class("-narrow"):
                self.screen.add_class("-detail")
                for step in self.query(StepPane):
                    step.focus()

    def on_worker_failed(self, message: WorkerFailed) -> None:
        """The one place a failed worker is reported: a line, never a traceback."""
        text = one_line(message.error)
        if is_refusal(message.error):  # the workflow said no (a gate, a state): not a fault
            self.notify(text, title="Not done", severity="warning", markup=False)
            return
        lost = message.group == "boot" or is_database_error(message.error)
        if lost and not self._database_lost(text):
            return  # an automatic retry failed again: the banner says so, no new toast
        self.notify(text, title="Something went wrong", severity="error", markup=False)

    def _database_lost(self, text: str) -> bool:
        """Show the banner and retry by itself, waiting longer each time; True when new."""
        first = self._retries == 0
        delay = self.retry_delays[min(self._retries, len(self.retry_delays) - 1)]
        self._retries += 1
        self.query_one(Banner).show(text, f"retrying in {delay:g} s · r to retry now")
        if self._retry_timer is not None:
            self._retry_timer.stop()
        self._retry_timer = self.set_timer(delay, self.action_reload)
        return first

    def _database_back(self) -> None:
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
        self.screen.set_class(not self.sidebar_open, "-sidebar-hidden")  # see app.tcss

    # --- actions ----------------------------------------------------------------------------------

    def action_toggle_sidebar(self) -> None:
        self.sidebar_open = not self.sidebar_open
        self.remember(sidebar=self.sidebar_open)

    def choose_sidebar(self, open_: bool) -> None:
        """The person's stored choice: shown now when wide, kept for when it widens."""
        self._wide_choice = open_
        if not self._narrow:
            self.sidebar_open = open_

    def action_help(self) -> None:
        from renubu_tui.tui.screens.help import HelpScreen

        top = self.screen
        self.push_screen(
            HelpScreen([self, top, *top.walk_children()], hidden=scope.hidden_on(self, top))
        )

    def action_reload(self) -> None:
        if self.session is None:
            self._boot()
        else:
            self.query_one(QueuePane).reload()

    def action_back(self) -> None:
        if self.screen.has_class("-detail"):
            self.screen.remove_class("-detail")
            self.query_one("#queue-table").focus()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        commands = [
            *super().get_system_commands(screen),
            SystemCommand("Keys", "Every key of renubu", self.action_help),
            SystemCommand(
                "Sidebar", "Show or hide the context sidebar", self.action_toggle_sidebar
            ),
            SystemCommand("Reload", "Read the queue again", self.action_reload),
            SystemCommand("Compact mode", "Denser layout, remembered", self.action_toggle_compact),
        ]
        yield from scope.palette_commands(self, screen, commands)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The app's keys for the main screen are off while another screen is on top (scope.py)."""
        if not scope.allowed(self, self.screen, action):
            return False
        return super().check_action(action, parameters)
