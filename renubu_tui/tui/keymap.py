"""Key remaps from the config file's `[keys]` table: binding id → key(s).

    [keys]
    "queue.why" = "y"
    "main.sidebar" = "ctrl+b,f5"

The ids are the ones the help screen (`?`) is built from. The settings loader leaves this table
to the UI; it is read before the app starts (a missing or broken file means no remaps).
Ids that moved from the app to the main screen are still understood under their old names.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

RENAMED = {
    "app.sidebar": "main.sidebar",
    "app.reload": "main.reload",
    "app.back": "main.back",
    "app.compact": "main.compact",
    "app.workflow_admin": "main.workflow_admin",
}
"""Binding ids of earlier versions (keys of the main screen once declared on the app)."""


def load_keymap(config_file: Path | None) -> dict[str, str]:
    if config_file is None or not config_file.exists():
        return {}
    try:
        table = tomllib.loads(config_file.read_text(encoding="utf-8")).get("keys", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {
        RENAMED.get(str(k), str(k)): str(v)
        for k, v in table.items()
        if isinstance(v, str) and v.strip()
    }
