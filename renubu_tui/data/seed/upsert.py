"""Idempotent upsert by primary key, counting what it inserted and updated.

Portable on both backends (no ON CONFLICT dialect code): read the existing rows by key, insert the
missing ones, update the ones whose seeded columns differ. Seed volumes are small, so clarity wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

CHUNK = 500


@dataclass
class SeedReport:
    """Per table: how many rows were inserted and updated."""

    counts: dict[str, list[int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, table: str, inserted: int, updated: int) -> None:
        entry = self.counts.setdefault(table, [0, 0])
        entry[0] += inserted
        entry[1] += updated

    @property
    def inserted(self) -> int:
        return sum(c[0] for c in self.counts.values())

    @property
    def updated(self) -> int:
        return sum(c[1] for c in self.counts.values())


def _differs(existing: Any, wanted: Any) -> bool:
    if isinstance(existing, float) or isinstance(wanted, float):
        if existing is None or wanted is None:
            return existing is not wanted
        return abs(float(existing) - float(wanted)) > 1e-9
    return bool(existing != wanted)


async def upsert(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], report: SeedReport
) -> None:
    """Insert or update `rows` (each with an `id`) in `table`, in the caller's transaction."""
    if not rows:
        report.add(table.name, 0, 0)
        return
    existing: dict[Any, Any] = {}
    ids = [r["id"] for r in rows]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        result = await session.execute(select(table).where(table.c.id.in_(chunk)))
        existing.update({row.id: row for row in result})
    to_insert = [r for r in rows if r["id"] not in existing]
    changed = [
        r
        for r in rows
        if r["id"] in existing
        and any(_differs(getattr(existing[r["id"]], k), v) for k, v in r.items())
    ]
    for start in range(0, len(to_insert), CHUNK):
        await session.execute(insert(table), to_insert[start : start + CHUNK])
    for row in changed:
        values = {k: v for k, v in row.items() if k != "id"}
        await session.execute(update(table).where(table.c.id == row["id"]).values(**values))
    report.add(table.name, len(to_insert), len(changed))
