"""Key remaps from the config file's `[keys]` table: binding id → key(s).

    [keys]
    "queue.why" = "y"
    "main.sidebar" = "ctrl+b,f5"

The ids are the ones the help screen (`?`) is built from. The settings loader checks this table
(`check_keys`) whenever it reads the file, so a value that is not text, an empty one or an id
no binding has stops the app and every command with one line (exit 2); the app then reads the
remaps (`load_keymap`). Ids that moved from the app to the main screen are still understood
under their old names.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

RENAMED = {
    "app.sidebar": "main.sidebar",
    "app.reload": "main.reload",
    "app.back": "main.back",
    "app.compact": "main.compact",
    "app.workflow_admin": "main.workflow_admin",
}
"""Binding ids of earlier versions (keys of the main screen once declared on the app)."""

BINDING_IDS = frozenset(
    {
        *("actions.artifacts", "actions.email", "actions.escalate", "actions.inbox"),
        *("actions.meeting", "actions.new_task", "actions.skip", "actions.snooze"),
        *("actions.tasks", "admin.clone", "admin.close", "admin.diff", "admin.json"),
        *("admin.next_pane", "admin.rollback", "admin.validate", "app.help", "app.palette"),
        *("app.quit", "artifacts.approve", "artifacts.close", "artifacts.edit"),
        *("artifacts.export", "artifacts.view", "chat.ask", "chat.copy", "chat.history_next"),
        *("chat.history_prev", "chat.reply", "chat.retry", "chat.stop", "confirm.no"),
        *("confirm.yes", "demo.day_back", "demo.day_back2", "demo.day_on", "demo.day_on2"),
        *("demo.next", "demo.prev", "demo.rejoin", "dialog.cancel", "dialog.next"),
        *("dialog.previous", "dialog.submit", "editor.cancel", "editor.save", "filters.apply"),
        *("filters.cancel", "focus.chat", "focus.queue", "focus.sidebar", "focus.step"),
        *("help.close", "inbox.all", "inbox.close", "inbox.open", "inbox.read", "main.back"),
        *("main.compact", "main.reload", "main.sidebar", "main.workflow_admin"),
        *("queue.close_search", "queue.escalated", "queue.filters", "queue.first"),
        *("queue.last", "queue.open", "queue.owner", "queue.search", "queue.snoozed"),
        *("queue.tabs", "queue.type", "queue.why", "routes.cancel", "routes.choose"),
        *("skip.cancel", "step.ack", "step.complete", "step.run", "step.skip", "step.start"),
        *("tasks.close", "tasks.complete", "tasks.reassign", "tasks.skip", "tasks.snooze"),
        *("viewer.close", "why.close", "import.cancel", "main.forecast", "forecast.open"),
        *("forecast.by", "forecast.everyone", "forecast.close"),
        *("actions.timeline", "actions.note"),
        *("timeline.note", "timeline.edit", "timeline.kind", "timeline.search"),
        *("timeline.close", "import.browse", "picker.cancel", "picker.up"),
    }
)
"""The id of every binding the app declares (`Binding(…, id=…)`): what `[keys]` may remap.

Listed here, not read from the screens, so the settings can be checked without importing
Textual (every command reads them). tests/test_settings.py holds it equal to the bindings the
app declares: a new binding's id goes here too."""


class KeymapError(ValueError):
    """A `[keys]` table that cannot be used; the message is one line."""


def check_keys(table: Any, where: str) -> dict[str, str]:
    """The remaps of a `[keys]` table (earlier ids renamed), or KeymapError saying what is wrong.

    A value must be text naming at least one key ("y", "ctrl+b,f5"); an id must be one the app
    has: a typo would otherwise be ignored without a word and the key stay as it was.
    """
    if not isinstance(table, dict):
        raise KeymapError(f'{where}: keys must be a table ([keys] with "id" = "key" lines)')
    remaps: dict[str, str] = {}
    for key, value in table.items():
        binding = RENAMED.get(str(key), str(key))
        shown = f"{where}: [keys] {str(key)!r}"
        if binding not in BINDING_IDS:
            close = difflib.get_close_matches(binding, sorted(BINDING_IDS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise KeymapError(
                f"{shown}: no binding has this id ({hint}the help screen, ?, lists them)"
            )
        if not isinstance(value, str):
            kind = "a boolean" if isinstance(value, bool) else type(value).__name__
            raise KeymapError(
                f'{shown} = {value!r}: a key must be text, e.g. "y" or "ctrl+b,f5" (got {kind})'
            )
        if not value.strip():
            raise KeymapError(f"{shown}: the key is empty (leave the line out to keep the default)")
        remaps[binding] = value
    return remaps


def load_keymap(config_file: Path | None) -> dict[str, str]:
    """The remaps of the config file's `[keys]` table ({} without a file or a table).

    Raises SettingsError for a table that cannot be used (the settings loader, which runs first,
    says the same thing).
    """
    from renubu_tui.settings import SettingsError

    if config_file is None or not config_file.exists():
        return {}
    try:
        data = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read config file {config_file}: {exc}") from None
    if "keys" not in data:
        return {}
    try:
        return check_keys(data["keys"], str(config_file))
    except KeymapError as exc:
        raise SettingsError(str(exc)) from None
