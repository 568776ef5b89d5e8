"""A person's own choices (theme, sidebar, compact mode), kept in `user_preferences`.

One JSON object per user, merged key by key, so the app and any later client can each keep
their own keys. Only known keys with values of the right type are written; anything else is a
PreferenceError (one line), and what is stored is never lost to a bad write.
"""

from __future__ import annotations

import uuid
from typing import Any

from renubu_tui.data.engine import Database
from renubu_tui.data.models.tenancy import UserPreferences
from renubu_tui.services.refusals import BadInput

KNOWN: dict[str, type] = {"theme": str, "sidebar": bool, "compact": bool}


class PreferenceError(BadInput):
    """A preference that cannot be stored as given."""


def checked(changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        kind = KNOWN.get(key)
        if kind is None:
            raise PreferenceError(f"unknown preference {key!r} (known: {', '.join(KNOWN)})")
        if type(value) is not kind:
            raise PreferenceError(f"preference {key!r} must be a {kind.__name__}, got {value!r}")
    return changes


class PreferencesService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: uuid.UUID) -> dict[str, Any]:
        async with self._db.sessions() as session:
            row = await session.get(UserPreferences, user_id)
        return dict(row.preferences or {}) if row is not None else {}

    async def update(self, user_id: uuid.UUID, **changes: Any) -> dict[str, Any]:
        """Merge `changes` into the user's preferences; returns them all."""
        checked(changes)
        async with self._db.write() as session:
            row = await session.get(UserPreferences, user_id, with_for_update=True)
            if row is None:
                row = UserPreferences(user_id=user_id, preferences={})
                session.add(row)
            row.preferences = {**(row.preferences or {}), **changes}
            return dict(row.preferences)
