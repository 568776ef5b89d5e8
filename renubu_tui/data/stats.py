"""Row counts per table, for `renubu db stats` and for comparing backends."""

from __future__ import annotations

from sqlalchemy import func, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import Base


async def table_counts(db: Database) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with db.engine.connect() as conn:
        for name in sorted(Base.metadata.tables):
            table = Base.metadata.tables[name]
            counts[name] = int(await conn.scalar(select(func.count()).select_from(table)) or 0)
    return counts
