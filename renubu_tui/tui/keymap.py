"""Key remaps from the config file's `[keys]` table: binding id → key(s).

    [keys]
    "queue.why" = "y"
    "app.sidebar" = "ctrl+b,f2"

The ids are the ones the help screen (`?`) is built from. The settings loader leaves this table
to the UI; it is read before the app starts (a missing or broken file means no remaps).
"""

from __future__ import annotations

import tomllib
from pathlib import Path


def load_keymap(config_file: Path | None) -> dict[str, str]:
    if config_file is None or not config_file.exists():
        return {}
    try:
        table = tomllib.loads(config_file.read_text(encoding="utf-8")).get("keys", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {str(k): str(v) for k, v in table.items() if isinstance(v, str) and v.strip()}
