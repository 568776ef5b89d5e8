"""The first page of the day, read before the data layer is loaded (embedded SQLite only).

Trusted only when it is exactly what the queue service would show: the materialization of
(tenant, today) exists and was built from the configuration now stored (same digest). Anything
else — PostgreSQL, a new day, a changed configuration, a locked or missing file — is None, and
the app waits for the queue service as before.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from renubu_tui.services.config.values import ConfigValueError, merge_config
from renubu_tui.services.queue.rows import Cursor, QueueCounts, QueueRow, row_from

if TYPE_CHECKING:
    from renubu_tui.settings import Settings


@dataclass(frozen=True)
class QueuePeek:
    """The default view (the user's active work): its first page, total and tab counts."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    user_name: str
    rows: list[QueueRow]
    next_cursor: Cursor | None
    total: int
    counts: QueueCounts
    preferences: dict[str, Any]
    user_email: str = ""


def peek_first_page(settings: Settings, today: dt.date, limit: int) -> QueuePeek | None:
    """The user's first `limit` active rows of `today` if current and readable, else None."""
    from renubu_tui.data.peek import read_queue

    path = settings.sqlite_path()
    if path is None:
        return None
    try:
        raw = read_queue(path, settings.tenant, settings.user, today, limit)
        if raw is None:
            return None
        loaded = merge_config(raw.config_rows, raw.tenant_id)
    except (sqlite3.Error, ValueError, KeyError, TypeError, ConfigValueError):
        return None  # not simply readable: the queue service will say what is wrong
    if loaded.key != raw.state_key:
        return None
    rows = [row_from(SimpleNamespace(**item), loaded.config) for item in raw.items[:limit]]
    more = len(raw.items) > limit
    return QueuePeek(
        tenant_id=raw.tenant_id,
        user_id=raw.user.id,
        user_name=raw.user.name,
        rows=rows,
        next_cursor=rows[-1].cursor if more and rows else None,
        total=raw.active,
        counts=QueueCounts(raw.active, raw.snoozed, raw.escalated_to_me),
        preferences=raw.preferences,
        user_email=raw.user.email,
    )
