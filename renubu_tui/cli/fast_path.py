"""`renubu` with only global options, in a terminal: the app, without click or any command.

Loading click and every subcommand module costs ~50 ms before Textual can even start importing;
the bare `renubu` a person types every morning should not pay for commands it does not run.
Anything this parser does not recognise (a subcommand, --help, a malformed option) goes to the
click group, which gives the usual messages.
"""

from __future__ import annotations

import sys
from pathlib import Path

from renubu_tui.settings import Settings, load_settings

GLOBAL_OPTIONS = {
    "--database-url": "database_url",
    "--tenant": "tenant",
    "--user": "user",
    "--as-of": "today",
    "--config": "config",
}


def app_flags(args: list[str]) -> dict[str, str] | None:
    """The flags when `args` are only global options with values; otherwise None."""
    flags: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        name, equals, value = arg.partition("=")
        key = GLOBAL_OPTIONS.get(name)
        if key is None:
            return None
        if not equals:
            following = next(rest, None)
            if following is None or following.startswith("-"):
                return None
            value = following
        flags[key] = value
    return flags


def in_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def settings_from(flags: dict[str, str]) -> Settings:
    given = dict(flags)
    config = given.pop("config", None)
    return load_settings(given, config_file=Path(config) if config else None)


def start_app(settings: Settings) -> None:
    """Run the terminal UI with these settings (Textual is imported here, not before)."""
    from renubu_tui.tui import timing

    timing.mark("cli ready")
    from renubu_tui.tui.app import RenubuApp
    from renubu_tui.tui.keymap import load_keymap

    timing.mark("app imported")
    RenubuApp(settings, keymap=load_keymap(settings.config_file)).run()
