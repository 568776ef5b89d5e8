"""What a person types every morning, answered without click or the data layer.

`renubu` with only global options, in a terminal, starts the app: loading click and every
subcommand module costs ~50 ms before Textual can even start importing. `renubu queue` (the
default view: your active work, `--limit`, `--json`) on the embedded database is printed from
the day's materialized queue with the standard library's sqlite3 — the app's first-frame read —
when that materialization is current; SQLAlchemy and the services (~0.6 s to import) are then
never loaded. Anything else (other options, a new day, PostgreSQL, a problem) goes to the click
group, which computes the same answer the long way or gives the usual messages.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from renubu_tui.settings import Settings, SettingsError, load_settings

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
    return load_settings(given, config_file=named_config(config))


def named_config(given: Path | str | None) -> Path | None:
    """The config file named by --config (else RENUBU_CONFIG), which must exist; None if unnamed.

    The default file is optional (most people have none), but a file someone named that is not
    there is a typo or a wrong folder, and ignoring it would quietly run on other settings.
    """
    source = "--config"
    if given is None:
        given, source = os.environ.get("RENUBU_CONFIG") or None, "RENUBU_CONFIG"
    if given is None:
        return None
    path = Path(given).expanduser()
    if not path.exists():
        raise SettingsError(f"config file {path} does not exist (named by {source})")
    return path


QUEUE_LIMIT = 25  # `renubu queue --limit` default (cli/queue.py)


def queue_options(args: list[str]) -> tuple[dict[str, str], int, bool] | None:
    """(global flags, limit, json) when `args` are `queue` with only what the peek can answer.

    Global options may come before or after `queue` (later ones win, as in click); after it,
    only `--limit N` and `--json`. Anything else, or a value click would refuse, is None.
    """
    flags: dict[str, str] = {}
    limit, as_json, seen = QUEUE_LIMIT, False, False
    rest = iter(args)
    for arg in rest:
        if arg == "queue" and not seen:
            seen = True
            continue
        name, equals, value = arg.partition("=")
        if name not in GLOBAL_OPTIONS and not (seen and name in {"--limit", "--json"}):
            return None
        if name == "--json":
            if equals:
                return None
            as_json = True
            continue
        if not equals:
            following = next(rest, None)
            if following is None or following.startswith("-"):
                return None
            value = following
        if name == "--limit":
            if not value.isdigit() or not 1 <= int(value) <= 10_000:
                return None
            limit = int(value)
        else:
            flags[GLOBAL_OPTIONS[name]] = value
    return (flags, limit, as_json) if seen else None


def print_queue(args: list[str]) -> bool:
    """Print `renubu queue` from the day's materialized queue; False when it cannot be done so.

    Only when the peek is exactly what the queue service would read (see services/queue_peek):
    otherwise the full command runs, and builds, migrates or reports whatever is the matter.
    """
    parsed = queue_options(args)
    if parsed is None:
        return False
    flags, limit, as_json = parsed
    try:
        settings = settings_from(flags)
        if settings.sqlite_path() is None:
            return False
        today = settings.clock().today()
        from renubu_tui.services.queue.peek import peek_first_page

        peek = peek_first_page(settings, today, limit)
    except Exception:  # bad settings, a bad date…: the full command says what is wrong
        return False
    if peek is None:
        return False
    from renubu_tui.cli import queue_text as text

    if as_json:
        import json

        data = text.queue_json(peek.rows, peek.total, today)
        lines = [json.dumps(data, indent=2, ensure_ascii=False)]
    else:
        counts = peek.counts
        header = text.header_line(
            f"{peek.user_name} <{peek.user_email}>",
            today,
            counts.active,
            counts.snoozed,
            counts.escalated_to_me,
        )
        empty = text.empty_line("active", [])
        lines = [header, *text.result_lines(peek.rows, peek.total, empty)]
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    sys.stdout.flush()  # a closed pipe fails here, where main() ends quietly, not at exit
    return True


def start_app(settings: Settings) -> None:
    """Run the terminal UI with these settings (Textual is imported here, not before)."""
    from renubu_tui.tui import timing

    timing.mark("cli ready")
    from renubu_tui.tui.app import RenubuApp
    from renubu_tui.tui.keymap import load_keymap

    timing.mark("app imported")
    RenubuApp(settings, keymap=load_keymap(settings.config_file)).run()
