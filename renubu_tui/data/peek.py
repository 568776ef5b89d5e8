"""A read-only look at the day's materialized queue in an SQLite file, with the standard library.

The app shows its first page from here while SQLAlchemy (~0.4 s to import) is still loading.
It only reads what is already there — the schema at HEAD_REVISION, the tenant, the user and a
materialization of the day — and answers None for anything else, so the full data layer then
does the work (creating, migrating, building) and reports any problem. Opened `mode=ro`: it never
creates, locks for writing or changes the file.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from renubu_tui.data.migrate import HEAD_REVISION

ORDER = "neg_score, days_key, name_key, customer_id, type_rank"


@dataclass(frozen=True)
class PeekUser:
    id: uuid.UUID
    name: str
    email: str


@dataclass(frozen=True)
class RawPeek:
    """What is stored, as Python values; whether it is current is for the caller to decide."""

    tenant_id: uuid.UUID
    user: PeekUser
    config_rows: list[tuple[uuid.UUID | None, str, Any]]
    state_key: str
    items: list[dict[str, Any]]  # queue_items rows of the user, visible, in queue order
    active: int
    snoozed: int
    escalated_to_me: int
    preferences: dict[str, Any]  # the user's stored choices (theme, sidebar, compact)


def read_queue(
    path: Path, tenant_slug: str, user_email: str | None, today: dt.date, limit: int
) -> RawPeek | None:
    """The user's first `limit` + 1 visible rows of `today`, or None when not simply readable."""
    if not path.is_file():
        return None
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.2)
    try:
        conn.row_factory = sqlite3.Row
        return _read(conn, tenant_slug, user_email, today.isoformat(), limit)
    finally:
        conn.close()


def _read(
    conn: sqlite3.Connection, slug: str, email: str | None, day: str, limit: int
) -> RawPeek | None:
    version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    if version is None or version[0] != HEAD_REVISION:
        return None
    tenant = conn.execute("SELECT id FROM tenants WHERE slug = ?", (slug,)).fetchone()
    if tenant is None:
        return None
    tenant_hex = tenant[0]
    if email is None:
        company = conn.execute(
            "SELECT settings FROM company_settings WHERE tenant_id = ?", (tenant_hex,)
        ).fetchone()
        email = (json.loads(company[0]) or {}).get("defaultUser") if company else None
        if not isinstance(email, str):
            return None
    user = conn.execute(
        "SELECT id, name, email FROM users WHERE tenant_id = ? AND email = ?",
        (tenant_hex, email.strip().lower()),
    ).fetchone()
    state = conn.execute(
        "SELECT config_key FROM queue_state WHERE tenant_id = ? AND as_of = ?", (tenant_hex, day)
    ).fetchone()
    if user is None or state is None:
        return None
    config_rows = [
        (uuid.UUID(row[0]) if row[0] else None, row[1], json.loads(row[2]))
        for row in conn.execute(
            'SELECT tenant_id, "key", value FROM config_entries '
            "WHERE tenant_id IS NULL OR tenant_id = ?",
            (tenant_hex,),
        )
    ]
    scope = (tenant_hex, day, user["id"])
    items = [
        _item(row)
        for row in conn.execute(
            "SELECT * FROM queue_items WHERE tenant_id = ? AND as_of = ? AND owner_id = ? "
            f"AND visible = 1 ORDER BY {ORDER} LIMIT ?",
            (*scope, limit + 1),
        )
    ]

    def count(where: str, args: tuple[Any, ...]) -> int:
        sql = f"SELECT count(*) FROM queue_items WHERE tenant_id = ? AND as_of = ? AND {where}"
        return int(conn.execute(sql, (tenant_hex, day, *args)).fetchone()[0])

    stored = conn.execute(
        "SELECT preferences FROM user_preferences WHERE user_id = ?", (user["id"],)
    ).fetchone()
    preferences = json.loads(stored[0]) if stored and stored[0] else {}
    return RawPeek(
        tenant_id=uuid.UUID(tenant_hex),
        user=PeekUser(uuid.UUID(user["id"]), user["name"], user["email"]),
        config_rows=config_rows,
        state_key=state[0],
        items=items,
        active=count("owner_id = ? AND visible = 1", (user["id"],)),
        snoozed=count("owner_id = ? AND visible = 0", (user["id"],)),
        escalated_to_me=count("escalated_to_id = ? AND status = 'escalated'", (user["id"],)),
        preferences=preferences if isinstance(preferences, dict) else {},
    )


_UUIDS = ("tenant_id", "customer_id", "owner_id", "execution_id", "running_workflow_id")
_DATES = ("as_of", "snoozed_until")
_BOOLS = ("plan_is_set", "snooze_ended", "visible")


def _item(row: sqlite3.Row) -> dict[str, Any]:
    """A queue_items row with the values SQLAlchemy would give (UUIDs, dates, booleans)."""
    item = dict(row)
    for name in _UUIDS:
        if item.get(name) is not None:
            item[name] = uuid.UUID(item[name])
    for name in _DATES:
        if item.get(name) is not None:
            item[name] = dt.date.fromisoformat(item[name])
    for name in _BOOLS:
        item[name] = bool(item[name])
    return item
