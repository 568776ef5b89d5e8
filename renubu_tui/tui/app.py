"""The renubu terminal app: settings, theme, the keys that work everywhere, and errors.

Posting's shape: the app stays thin and `MainScreen` (tui/screens/main.py) composes the panes and
owns the keys that act on them. A failed worker, wherever it ran, arrives here once as
`WorkerFailed` and becomes one line (or the main screen's database banner).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType

from renubu_tui.tui.errors import WorkerFailed, is_database_error, say_refusal
from renubu_tui.tui.features.demo import DEMO_ACTIONS, DEMO_BINDINGS
from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.screens.main import HUGE, MEDIUM, WIDE, MainScreen
from renubu_tui.tui.text import one_line

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.command import Provider
    from textual.screen import Screen

    from renubu_tui.settings import Settings
    from renubu_tui.tui.session import Session


def _customer_commands() -> type[Provider]:
    """The palette's customer search, imported when the palette first opens."""
    from renubu_tui.tui.commands import CustomerCommands

    return CustomerCommands


class RenubuApp(App[None]):
    TITLE = "renubu"
    # The panes' look, then the app's layout by the screen's classes (which overrides it). A
    # list, as Textual types it; it is only read.
    CSS_PATH = ["styles/main.tcss", "styles/app.tcss"]  # noqa: RUF012
    COMMANDS = App.COMMANDS | {_customer_commands}
    # Textual annotates both `ClassVar[…] | None`, which a checker reads as an instance variable.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [  # type: ignore[misc]
        (0, "-narrow"),
        (MEDIUM, "-medium"),
        (WIDE, "-wide"),
        (HUGE, "-huge"),
    ]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (30, "-tall")]  # type: ignore[misc]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding(
            "ctrl+p", "command_palette", "Jump to…", id="app.palette", priority=True, show=False
        ),
        Binding("q", "quit", "Quit", id="app.quit"),
        *DEMO_BINDINGS,
    ]

    retry_delays: tuple[float, ...] = (2, 5, 10, 30)
    """Seconds between automatic retries while the database is unreachable (the last repeats)."""
    demo_mode: bool = False
    demo_autoplay: bool = False  # renubu demo --play: walk the milestones until a key is pressed
    demo_pace: float = 3.0  # seconds between milestones while playing
    """Set by `renubu demo` before the app runs."""
    live_updates: bool = True
    """Show what other apps on the database commit as it commits (tests turn it on per test)."""
    chat_pace: float = 0.02
    """Seconds between the offline assistant's words (tests set 0)."""
    chat_timer: Callable[[], float] = staticmethod(time.monotonic)
    """Where the chat's elapsed time comes from (snapshot tests fix it)."""

    def __init__(self, settings: Settings, *, keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.settings = settings
        self._remaps = keymap or {}
        self.session: Session | None = None
        today = settings.clock().today()
        self.sub_title = f"{settings.user or 'your queue'} · {settings.tenant} · {today}"

    @property
    def main(self) -> MainScreen:
        """The main screen: the bottom of the stack, whatever is on top of it."""
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, and the queue pane's widths, which follow its table's columns
        (`styles/main.tcss` reads them as $queue-brief-width and $queue-table-width)."""
        from renubu_tui.tui.widgets.queue_table import BRIEF_WIDTH, TABLE_WIDTH

        return {
            **super().get_css_variables(),
            # + the pane's padding (2) and the table's scrollbar (1)
            "queue-brief-width": str(BRIEF_WIDTH + 3),
            "queue-table-width": str(TABLE_WIDTH + 3),
        }

    def get_default_screen(self) -> MainScreen:
        """The main screen, born with the classes its size calls for.

        Textual would add the breakpoint classes (and `_fit` the sidebar's) once the screen is
        composed, and each change of a screen class restyles every widget (~40 ms before the
        first frame); set at birth, they change nothing.
        """
        screen = MainScreen(self.settings)
        width, height = self.size
        for edge, name in self.HORIZONTAL_BREAKPOINTS:
            if width >= edge:
                horizontal = name
        vertical = next(n for edge, n in reversed(self.VERTICAL_BREAKPOINTS) if height >= edge)
        screen.add_class(horizontal, vertical, update=False)
        screen.set_class(width < WIDE, "-sidebar-hidden", update=False)
        return screen

    def on_mount(self) -> None:
        if self._remaps:
            self.set_keymap(self._remaps)

    async def on_unmount(self) -> None:
        if self.session is not None:
            await self.session.close()

    def on_customer_chosen(self, message: CustomerChosen) -> None:
        """From the palette or the inbox (posted to the app): the main screen shows it."""
        if not self.screen_stack:
            return
        self.main.post_message(
            CustomerChosen(
                message.customer_id, message.name, message.workflow_type, open=message.open
            )
        )

    def on_worker_failed(self, message: WorkerFailed) -> None:
        """The one place a failed worker is reported: a line, never a traceback."""
        if message.group != "boot" and say_refusal(self, message.error):
            return  # a service said no (a gate, a state, a value): a warning, not a fault
        text = one_line(message.error)
        lost = message.group == "boot" or is_database_error(message.error)
        if lost and not self.main.database_lost(text):
            return  # an automatic retry failed again: the banner says so, no new toast
        self.notify(text, title="Something went wrong", severity="error", markup=False)

    async def on_event(self, event: events.Event) -> None:
        """While the demo plays by itself, the first key only takes the wheel."""
        if isinstance(event, events.Key) and self.demo_mode and self._demo_playing():
            event.stop()
            self.main.demo_take_over()
            return
        await super().on_event(event)

    def _demo_playing(self) -> bool:
        screens = self.screen_stack
        return bool(screens) and bool(getattr(screens[0], "_demo_playing", False))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in DEMO_ACTIONS and not self.demo_mode:
            return False
        return super().check_action(action, parameters)

    def action_demo_milestone(self, step: int) -> None:
        """`[` / `]`, over any screen: the main screen moves the shared clock."""
        self.main.action_demo_milestone(step)

    def action_demo_day(self, step: int) -> None:
        self.main.action_demo_day(step)

    def action_demo_rejoin(self) -> None:
        self.main.action_demo_rejoin()

    def action_help(self) -> None:
        from renubu_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Keys":  # Textual's help panel: renubu's Keys replaces it
                yield command
        yield SystemCommand("Keys", "Every key of renubu, grouped", self.action_help)
        if isinstance(screen, MainScreen):
            yield from screen.system_commands()
