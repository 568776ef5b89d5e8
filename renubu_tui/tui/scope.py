"""Which of the app's keys work while another screen is on top: the one rule, in one place.

The keys renubu binds on the app (snooze, skip, escalate…, run / complete a step, ask, sidebar,
reload, workflow admin, back) act on the main screen: its selected customer, its
panes. With a dialog, the inbox, tasks, artifacts, admin or help on top they would act on a
customer the person cannot see (`s` in the inbox snoozing the queue's row, `c` completing a step),
so they are off there: `RenubuApp.check_action` returns False (the footer hides them too), the
command palette leaves them out, and help does not list them.

Keys that make sense anywhere stay on: quit, help (`?` shows the keys of the screen on top), the
command palette, and the demo's time travel (the clock is the whole app's: the admin screen and
the inbox follow it too). A screen's own bindings come before the app's in Textual's key chain, so a
screen may still use the same letter for its own action (`c` completes a task in Tasks, `q`
closes help). Actions Textual itself binds on the app (focus_next, ctrl+q…) are not renubu's and
are left alone.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from textual.binding import Binding

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from textual.app import App, SystemCommand
    from textual.screen import Screen

EVERYWHERE = frozenset({"quit", "help", "command_palette", "demo_milestone", "demo_day"})
"""App actions that work on every screen."""


@cache
def main_screen_actions(app_class: type) -> frozenset[str]:
    """The actions of the bindings renubu declares on the app (its class and mixins), but not
    the ones that work everywhere."""
    names: set[str] = set()
    for cls in app_class.__mro__:
        if not cls.__module__.startswith("renubu_tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            action = binding.action if isinstance(binding, Binding) else binding[1]
            names.add(action.split("(", 1)[0].removeprefix("app."))
    return frozenset(names - EVERYWHERE)


def is_main(app: App[object], screen: Screen[object]) -> bool:
    """The main screen is the bottom of the stack (the queue and the panes)."""
    return bool(app.screen_stack) and screen is app.screen_stack[0]


def allowed(app: App[object], screen: Screen[object], action: str) -> bool:
    """Whether the app action `action` may run while `screen` is on top."""
    return is_main(app, screen) or action not in main_screen_actions(type(app))


def hidden_on(app: App[object], screen: Screen[object]) -> frozenset[str]:
    """The app actions that are off while `screen` is on top (for help)."""
    return frozenset() if is_main(app, screen) else main_screen_actions(type(app))


def palette_commands(
    app: App[object], screen: Screen[object], commands: Iterable[SystemCommand]
) -> Iterator[SystemCommand]:
    """The palette's commands that may run from `screen` (a command calls an `action_*`)."""
    for command in commands:
        name = getattr(command.callback, "__name__", "").removeprefix("action_")
        if allowed(app, screen, name):
            yield command
