"""Live updates (rules.md, "Live updates"): publish a committed change, watch for others'.

`publish` writes a `change_events` row inside the change's own transaction — tenant, customer,
kind and who, never the data — and on PostgreSQL runs `pg_notify('renubu_changes', …)` in the
same transaction, which the server delivers only on commit: a rolled-back change publishes
nothing on either backend.

`ChangeWatcher.batches()` yields what other apps (and this one) committed since it started:
- PostgreSQL: a dedicated connection LISTENs on the channel; a notification for this tenant
  reads the events newer than the last one seen (and those the payloads name: ids can commit
  out of order). A dropped connection is reopened with backoff, and the first batch after a
  reconnect says `reload` (something may have been missed).
- SQLite: a standard-library connection reads `PRAGMA data_version` every `interval` seconds
  (it changes when another connection commits); a change reads the newer events.
Events are read through the app's own sessions, so row-level security confines them to the
login's tenants, and the query to this tenant.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.clock import stamp
from renubu_tui.data.engine import Database, sqlite_file
from renubu_tui.data.models import ChangeEvent, Customer

CHANNEL = "renubu_changes"
KEEP_FOR = dt.timedelta(days=1)
log = logging.getLogger(__name__)

# what a kind reads as in a toast: "Sam Lee snoozed Bluesoft Corporation"
VERBS = {
    "snooze": "snoozed",
    "wake": "woke",
    "skip": "skipped",
    "escalate": "escalated",
    "start": "started a workflow for",
    "step": "moved a step for",
    "complete": "completed a step for",
    "branch": "chose a branch for",
    "config": "changed the configuration",
    "workflow": "saved a workflow",
    "notification": "sent notifications",
    "task": "updated a task for",
    "note": "wrote a note about",
    "import": "imported a CRM export",  # import-customers, import-contracts …
}


@dataclass(frozen=True)
class Change:
    id: int
    tenant_id: uuid.UUID
    customer_id: uuid.UUID | None
    kind: str
    actor_id: uuid.UUID | None
    actor_name: str
    customer_name: str | None = None

    def describe(self) -> str:
        """One line: who changed what (plain text: names are untrusted, never markup)."""
        who = self.actor_name or "Someone"
        verb = VERBS.get(self.kind) or next(
            (v for k, v in VERBS.items() if self.kind.startswith(f"{k}-")),
            f"did {self.kind.replace('_', ' ').replace('-', ' ')} for",
        )
        if self.customer_id is None:
            return f"{who} {verb.removesuffix(' for')}"
        return f"{who} {verb} {self.customer_name or 'a customer'}"


@dataclass(frozen=True)
class Batch:
    changes: list[Change] = field(default_factory=list)
    reload: bool = False  # the connection was lost and is back: read everything once


async def publish(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID | None,
    kind: str,
    *,
    actor_id: uuid.UUID | None = None,
    actor_name: str = "",
) -> int:
    """Record a change inside the caller's transaction (and notify on PostgreSQL at commit)."""
    event = ChangeEvent(
        tenant_id=tenant_id,
        customer_id=customer_id,
        kind=kind[:40],
        actor_id=actor_id,
        actor_name=actor_name[:254],
        # dated like every other row, by the installed clock (a demo day, --as-of): a database
        # holds nothing dated after its today; pruning goes by the same clock
        created_at=stamp(),
    )
    session.add(event)
    await session.flush()
    if session.get_bind().dialect.name == "postgresql":
        payload = f"{tenant_id}:{customer_id or ''}:{kind[:40]}:{event.id}"
        await session.execute(
            text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload}
        )
    return event.id


async def prune(db: Database, tenant_id: uuid.UUID, *, now: dt.datetime | None = None) -> int:
    """Drop the tenant's events older than KEEP_FOR; how many went."""
    cutoff = (now or stamp()) - KEEP_FOR
    async with db.sessions() as session, session.begin():
        result = await session.execute(
            delete(ChangeEvent).where(
                ChangeEvent.tenant_id == tenant_id, ChangeEvent.created_at < cutoff
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)


class ChangeWatcher:
    """Yields batches of this tenant's committed changes (see the module's docstring)."""

    def __init__(
        self,
        db: Database,
        tenant_id: uuid.UUID,
        *,
        interval: float = 0.25,
        backoff: tuple[float, ...] = (0.2, 0.5, 1, 2, 5),
    ) -> None:
        self._db = db
        self._tenant = tenant_id
        self._interval = interval
        self._backoff = backoff
        self._last = 0
        self._seen: set[int] = set()
        self.backend_pid: int | None = None  # PostgreSQL: the listening connection's
        self.listening = asyncio.Event()

    async def start(self) -> None:
        """From now on: events already committed are not news."""
        async with self._db.sessions() as session:
            last = await session.scalar(
                select(func.max(ChangeEvent.id)).where(ChangeEvent.tenant_id == self._tenant)
            )
        self._last = int(last or 0)

    async def batches(self) -> AsyncIterator[Batch]:
        await self.start()
        source = self._postgres() if self._db.dialect == "postgresql" else self._sqlite()
        async for batch in source:
            yield batch

    async def read(self, ids: set[int] | None = None) -> list[Change]:
        """The tenant's events after the last seen (and any of `ids` not yet seen)."""
        newer = ChangeEvent.id > self._last
        where = or_(newer, ChangeEvent.id.in_(ids)) if ids else newer
        async with self._db.sessions() as session:
            rows = (
                await session.execute(
                    select(ChangeEvent, Customer.name)
                    .outerjoin(Customer, Customer.id == ChangeEvent.customer_id)
                    .where(ChangeEvent.tenant_id == self._tenant, where)
                    .order_by(ChangeEvent.id)
                )
            ).all()
        changes = []
        for event, name in rows:
            if event.id in self._seen:
                continue
            self._seen.add(event.id)
            self._last = max(self._last, event.id)
            changes.append(
                Change(
                    event.id,
                    event.tenant_id,
                    event.customer_id,
                    event.kind,
                    event.actor_id,
                    event.actor_name,
                    name,
                )
            )
        if len(self._seen) > 10_000:
            self._seen = {i for i in self._seen if i > self._last - 1000}
        return changes

    # --- SQLite -------------------------------------------------------------------------------

    async def _sqlite(self) -> AsyncIterator[Batch]:
        file = sqlite_file(self._db.engine.url)
        if file is None:  # an in-memory database: one connection, nobody else to hear
            self.listening.set()
            await asyncio.Event().wait()
            return
        conn = sqlite3.connect(str(file), check_same_thread=False, isolation_level=None)
        try:

            def version() -> int:
                return int(conn.execute("PRAGMA data_version").fetchone()[0])

            seen = await asyncio.to_thread(version)
            self.listening.set()
            while True:
                await asyncio.sleep(self._interval)
                now = await asyncio.to_thread(version)
                if now == seen:
                    continue
                seen = now
                changes = await self.read()
                if changes:
                    yield Batch(changes)
        finally:
            conn.close()

    # --- PostgreSQL ---------------------------------------------------------------------------

    async def _postgres(self) -> AsyncIterator[Batch]:
        attempt = 0
        reconnected = False
        while True:
            try:
                connection = await self._db.engine.connect()
            except Exception as exc:  # the server is away: try again, waiting longer each time
                log.info("change listener: cannot connect (%s)", exc)
                await asyncio.sleep(self._backoff[min(attempt, len(self._backoff) - 1)])
                attempt += 1
                continue
            try:
                raw = await connection.get_raw_connection()
                pg: Any = raw.driver_connection
                inbox: asyncio.Queue[str] = asyncio.Queue()
                lost = asyncio.Event()

                await pg.add_listener(CHANNEL, _heard(inbox))
                pg.add_termination_listener(_gone(lost))
                self.backend_pid = pg.get_server_pid()
                attempt = 0
                self.listening.set()
                if reconnected:
                    yield Batch(await self.read(), reload=True)
                reconnected = True
                while not lost.is_set() and not pg.is_closed():
                    try:
                        first = await asyncio.wait_for(inbox.get(), timeout=1.0)
                    except TimeoutError:
                        continue
                    payloads = [first]
                    while not inbox.empty():
                        payloads.append(inbox.get_nowait())
                    ids = self._ours(payloads)
                    if ids is None:
                        continue
                    changes = await self.read(ids)
                    if changes:
                        yield Batch(changes)
            except Exception as exc:
                log.info("change listener lost its connection (%s)", exc)
            finally:
                self.listening.clear()
                with contextlib.suppress(Exception):
                    await connection.invalidate()
                with contextlib.suppress(Exception):
                    await connection.close()
            await asyncio.sleep(self._backoff[0])

    def _ours(self, payloads: list[str]) -> set[int] | None:
        """The event ids of this tenant's notifications; None when none was this tenant's."""
        tenant = str(self._tenant)
        ids: set[int] = set()
        mine = False
        for payload in payloads:
            parts = payload.split(":")
            if len(parts) != 4 or parts[0] != tenant:
                continue
            mine = True
            with contextlib.suppress(ValueError):
                ids.add(int(parts[3]))
        return ids if mine else None


def _heard(inbox: asyncio.Queue[str]) -> Any:
    def heard(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
        inbox.put_nowait(payload)

    return heard


def _gone(lost: asyncio.Event) -> Any:
    def gone(_conn: Any) -> None:
        lost.set()

    return gone
