"""The prioritized queue (domain.md §6): which work needs whom today, in what order, and why.

Rows live in the `queue_items` materialization, rebuilt in SQL for a (tenant, day) when it is
missing or was built from another configuration (see queue_sql for why). Pages are read by keyset
in the reference order of `renubu_tui.domain.queue_order`; each shown row gets its explanation
from the Python scoring rules, which also double-check the SQL's score.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import and_, delete, func, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from renubu_tui.data.engine import Database
from renubu_tui.data.models import Customer, QueueItem, QueueState, WorkflowExecution
from renubu_tui.data.models.queue import ORDER_COLUMNS
from renubu_tui.domain.assessment import assess
from renubu_tui.domain.determination import Determination
from renubu_tui.domain.enums import AccountPlan, WorkflowType
from renubu_tui.domain.scoring import ScoreBreakdown
from renubu_tui.services.config.service import ConfigService, LoadedConfig
from renubu_tui.services.queue import new_day
from renubu_tui.services.queue.rows import Cursor, QueueCounts, QueueRow, row_from
from renubu_tui.services.queue.sql import (
    ITEM_COLUMNS,
    Dialect,
    Part,
    assessment_select,
    customer_day,
    rows_select,
)
from renubu_tui.services.refusals import NotFound

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult
    from sqlalchemy.sql import ColumnElement

KEEP_DAYS = 8  # materializations kept per tenant (the demo's milestones fit)
BUILD_CACHE_KIB = 131_072  # SQLite's page cache while a day's rows are written (128 MiB)
MAX_GAP = 14  # a new day is built from a kept day at most this many days earlier, else in full
STALE = "stale"  # the config_key of a kept day that must be rebuilt before it is read


class QueueError(NotFound):
    """A queue request that cannot be answered as asked (bad filter value…)."""


@dataclass(frozen=True)
class QueueFilters:
    """Which rows to show; None means no restriction. `owner_id` None is everyone's work."""

    owner_id: uuid.UUID | None = None
    types: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    min_arr: float | None = None
    max_arr: float | None = None
    min_score: int | None = None
    search: str | None = None
    snoozed: bool = False  # the Snoozed tab: hidden rows whose wake date is still ahead
    escalated_to: uuid.UUID | None = None  # the Escalated-to-me tab: anyone's, escalated to them


@dataclass(frozen=True)
class DayBuild:
    """What building a day's queue did: its rows, how long it took, and whether it was built
    from an earlier day (`from_day`, re-scoring `changed` customers) or in full."""

    day: dt.date
    rows: int
    seconds: float  # until the day is committed: readable by everyone
    total_seconds: float = 0.0  # with the oldest kept day forgotten after
    from_day: dt.date | None = None
    changed: int | None = None


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: Cursor | None


@dataclass(frozen=True)
class TypeExplanation:
    determination: Determination
    stage: str | None
    breakdown: ScoreBreakdown | None  # None when the type does not qualify
    note: str | None = None  # anything the reason and factors do not already say


@dataclass(frozen=True)
class CustomerExplanation:
    """Why a customer is (or is not) in the queue, type by type, from the Python rules."""

    customer_id: uuid.UUID
    customer_name: str
    today: dt.date
    days: int | None
    arr: float | None
    plan: str
    plan_is_set: bool
    health: float | None
    types: list[TypeExplanation]
    stage: str | None = None  # the customer's stage, the same on every row and screen
    stage_note: str | None = None  # why it is more urgent than the days say (a running workflow)


class QueueService:
    def __init__(self, db: Database, config: ConfigService) -> None:
        self._db = db
        self._config = config
        self._dialect = Dialect(db.dialect)

    async def ensure_fresh(self, tenant_id: uuid.UUID, today: dt.date) -> bool:
        """Build the (tenant, today) materialization if missing or stale; True when it built."""
        if await self.is_built(tenant_id, today):
            return False
        await self.build(tenant_id, today)
        return True

    async def is_built(self, tenant_id: uuid.UUID, today: dt.date) -> bool:
        """Whether pages of `today` can be read now, without building first."""
        loaded = await self._config.load(tenant_id)
        async with self._db.sessions() as session:
            state = await session.get(QueueState, (tenant_id, today))
        return state is not None and state.config_key == loaded.key

    async def preview(
        self, tenant_id: uuid.UUID, today: dt.date, owner_id: uuid.UUID, *, limit: int = 50
    ) -> list[QueueRow]:
        """One CSM's first active rows of `today`, scored on the spot, without the materialization.

        A new day's build takes seconds at 100 000 customers; one owner's rows score in
        milliseconds through the owner index, with the same SQL and in the same order as `page`,
        so the app shows them while the build runs.
        """
        loaded = await self._config.load(tenant_id)
        scored = rows_select(
            tenant_id, today, loaded.config, self._dialect, Part(owners=(owner_id,))
        ).subquery("scored")
        item = aliased(QueueItem, scored, adapt_on_names=True)
        statement = (
            select(item)
            .where(item.visible.is_(True))  # the owner's rows only: `Part` chose them
            .order_by(*[getattr(item, name) for name in ORDER_COLUMNS])
            .limit(limit)
        )
        async with self._db.sessions() as session:
            items = list((await session.scalars(statement)).all())
            session.expunge_all()  # transient look-alikes of rows not stored yet
        return [row_from(i, loaded.config) for i in items]

    async def refresh(self, tenant_id: uuid.UUID, today: dt.date) -> int:
        """Rebuild the tenant's queue for `today` from scratch in one transaction; returns the
        row count."""
        return (await self.build(tenant_id, today, full=True)).rows

    async def build(self, tenant_id: uuid.UUID, today: dt.date, *, full: bool = False) -> DayBuild:
        """Build the tenant's queue for `today` in one transaction, the quick way when it can.

        From the newest kept day before it (built from the configuration now stored, at most
        MAX_GAP days earlier) only the customers whose rows can differ are re-scored, and the
        others' rows are copied with `days` shifted (`services/queue/new_day.py` says which and
        why); without such a day, or with `full`, every row is computed. Either way the rows are
        those a full build gives, row for row.
        """
        started = time.perf_counter()
        loaded = await self._config.load(tenant_id)
        async with self._db.write() as session:
            restore = await self._bulk_write(session, tenant_id)
            before = None if full else await self._base_day(session, tenant_id, today, loaded)
            await session.execute(
                delete(QueueItem).where(QueueItem.tenant_id == tenant_id, QueueItem.as_of == today)
            )
            changed = None
            if before is None:
                await session.execute(
                    insert(QueueItem).from_select(
                        list(ITEM_COLUMNS),
                        rows_select(tenant_id, today, loaded.config, self._dialect),
                    )
                )
            else:
                changed = await self._build_from(session, tenant_id, before, today, loaded)
            count = await session.scalar(
                select(func.count())
                .select_from(QueueItem)
                .where(QueueItem.tenant_id == tenant_id, QueueItem.as_of == today)
            )
            await session.execute(
                delete(QueueState).where(
                    QueueState.tenant_id == tenant_id, QueueState.as_of == today
                )
            )
            session.add(
                QueueState(
                    tenant_id=tenant_id, as_of=today, config_key=loaded.key, row_count=count or 0
                )
            )
            await session.flush()
            await restore()
        ready = time.perf_counter() - started
        # The oldest kept day is forgotten after the new one is readable: deleting a day's rows
        # costs about what copying them does.
        async with self._db.write() as session:
            if self._dialect.sqlite is False:
                await session.execute(select(func.pg_advisory_xact_lock(_lock_key(tenant_id))))
            await self._forget_old_days(session, tenant_id, today)
            if self._dialect.sqlite is False:
                # PostgreSQL's statistics do not know the new day yet: its first pages would
                # walk the primary key and filter 200 000 rows (0.9 s) instead of the owner index
                await session.execute(text("ANALYZE queue_items"))
        await self._db.shrink_log()
        return DayBuild(
            day=today,
            rows=int(count or 0),
            seconds=ready,
            total_seconds=time.perf_counter() - started,
            from_day=before,
            changed=changed,
        )

    async def _bulk_write(
        self, session: AsyncSession, tenant_id: uuid.UUID
    ) -> Callable[[], Awaitable[None]]:
        """Settings for writing a day's rows in this transaction; returns what undoes them.

        PostgreSQL: the tenant's build lock, and no wait for the commit's WAL flush (the rows
        are derived: a crash loses at most this build, and its state row with it, so the day is
        simply built again). SQLite: a page cache that holds the day's index pages (the default
        2 MB spills them while the rows go in), set back before the connection is returned.
        """
        if self._dialect.sqlite is False:
            await session.execute(select(func.pg_advisory_xact_lock(_lock_key(tenant_id))))
            await session.execute(text("SET LOCAL synchronous_commit TO OFF"))

            async def nothing() -> None:
                return None

            return nothing
        before = await session.scalar(text("PRAGMA cache_size"))
        await session.execute(text(f"PRAGMA cache_size=-{BUILD_CACHE_KIB}"))

        async def restore() -> None:
            await session.execute(text(f"PRAGMA cache_size={int(before or -2000)}"))

        return restore

    async def _base_day(
        self, session: AsyncSession, tenant_id: uuid.UUID, today: dt.date, loaded: LoadedConfig
    ) -> dt.date | None:
        """The kept day a new `today` can be built from: the newest one before it, built from
        this configuration, at most MAX_GAP days earlier."""
        return await session.scalar(
            select(func.max(QueueState.as_of)).where(
                QueueState.tenant_id == tenant_id,
                QueueState.as_of < today,
                QueueState.as_of >= today - dt.timedelta(days=MAX_GAP),
                QueueState.config_key == loaded.key,
            )
        )

    async def _build_from(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        before: dt.date,
        today: dt.date,
        loaded: LoadedConfig,
    ) -> int:
        """`today`'s rows from `before`'s: the customers that can differ re-scored, the others
        copied (see new_day); returns how many customers were re-scored."""
        table = new_day.changed_table

        def create(sync: Any) -> None:
            connection = sync.connection()
            if self._dialect.sqlite:  # a temporary table outlives the transaction there
                table.drop(connection, checkfirst=True)
            table.create(connection)

        await session.run_sync(create)
        await session.execute(
            insert(table).from_select(
                ["customer_id"], new_day.changed_select(tenant_id, before, today, loaded.config)
            )
        )
        await session.execute(
            insert(QueueItem).from_select(
                list(ITEM_COLUMNS), new_day.copy_select(tenant_id, before, today)
            )
        )
        part = Part(within=select(table.c.customer_id))
        await session.execute(
            insert(QueueItem).from_select(
                list(ITEM_COLUMNS),
                rows_select(tenant_id, today, loaded.config, self._dialect, part),
            )
        )
        changed = await session.scalar(select(func.count()).select_from(table))
        if self._dialect.sqlite:
            await session.run_sync(lambda sync: table.drop(sync.connection()))
        return int(changed or 0)

    async def _forget_old_days(
        self, session: AsyncSession, tenant_id: uuid.UUID, today: dt.date
    ) -> None:
        days = (
            await session.scalars(
                select(QueueState.as_of)
                .where(QueueState.tenant_id == tenant_id, QueueState.as_of != today)
                .order_by(QueueState.refreshed_at.desc())
                .offset(KEEP_DAYS - 1)
            )
        ).all()
        if days:
            await session.execute(
                delete(QueueItem).where(QueueItem.tenant_id == tenant_id, QueueItem.as_of.in_(days))
            )
            await session.execute(
                delete(QueueState).where(
                    QueueState.tenant_id == tenant_id, QueueState.as_of.in_(days)
                )
            )

    async def invalidate(
        self,
        tenant_id: uuid.UUID,
        customer_id: uuid.UUID | None = None,
        today: dt.date | None = None,
        *,
        session: AsyncSession | None = None,
    ) -> None:
        """Inputs changed: re-score the rows one customer's change can move, or forget every day.

        With `customer_id` and `today` (an execution or action of that customer changed on that
        day) this is `refresh_customer`. Without them, every materialization of the tenant is
        dropped (a configuration change). With `session`, inside the caller's transaction.
        """
        if customer_id is not None and today is not None:
            await self.refresh_customer(tenant_id, customer_id, today, session=session)
            return
        if session is not None:
            await self._forget_tenant(session, tenant_id)
            return
        async with self._db.sessions() as own, own.begin():
            await self._forget_tenant(own, tenant_id)

    async def _forget_tenant(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        await session.execute(delete(QueueState).where(QueueState.tenant_id == tenant_id))
        await session.execute(delete(QueueItem).where(QueueItem.tenant_id == tenant_id))

    async def refresh_customer(
        self,
        tenant_id: uuid.UUID,
        customer_id: uuid.UUID,
        today: dt.date,
        *,
        session: AsyncSession | None = None,
    ) -> None:
        """Re-score at once every row one customer's change can move, in every view.

        A started, moved or finished workflow (or a snooze, an escalation) changes that customer's
        stage and status and its owners' workload, so today's materialization rebuilds in place
        the rows of the owners whose workload it moves (the customer's owner and its executions'
        owners) and of the customer itself — milliseconds at 100 000 customers, where a full
        build takes seconds; the other kept days are marked stale and rebuilt if read again.
        With `session` it runs inside the caller's transaction, so the change and its re-scored
        rows commit (or roll back) together and no reader sees one without the other.
        """
        loaded = await self._config.load(tenant_id)  # before any write: it may read elsewhere
        if session is not None:
            await self._refresh_rows(session, tenant_id, customer_id, today, loaded)
            return
        async with self._db.sessions() as own, own.begin():
            await self._refresh_rows(own, tenant_id, customer_id, today, loaded)

    async def _refresh_rows(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        customer_id: uuid.UUID,
        today: dt.date,
        loaded: LoadedConfig,
    ) -> None:
        q = QueueItem
        if self._dialect.sqlite is False:
            await session.execute(select(func.pg_advisory_xact_lock(_lock_key(tenant_id))))
        owner = await session.scalar(select(Customer.owner_id).where(Customer.id == customer_id))
        runs_owners = (
            await session.scalars(
                select(WorkflowExecution.owner_id)
                .where(
                    WorkflowExecution.customer_id == customer_id,
                    WorkflowExecution.owner_id.is_not(None),
                )
                .distinct()
            )
        ).all()
        owners = {o for o in (*runs_owners, owner) if o is not None}
        # One condition per part, never an OR of two: each part walks its own index.
        parts = [Part(owners=tuple(sorted(owners)))] if owners else []
        if owner is None:  # an unowned customer's rows are not among any owner's
            parts.append(Part(customers=(customer_id,)))
        states = (
            await session.scalars(select(QueueState).where(QueueState.tenant_id == tenant_id))
        ).all()
        for state in states:
            if state.as_of != today or state.config_key != loaded.key:
                state.config_key = STALE  # rebuilt (items included) when next read
                continue
            scope = [q.tenant_id == tenant_id, q.as_of == today]
            for part in parts:
                removed = cast(  # a DELETE's result is a CursorResult (typed as Result)
                    "CursorResult[Any]",
                    await session.execute(delete(q).where(*scope, _item_in(part))),
                )
                await session.execute(
                    insert(q).from_select(
                        list(ITEM_COLUMNS),
                        rows_select(tenant_id, today, loaded.config, self._dialect, part),
                    )
                )
                # counted, not the INSERT's rowcount: SQLite reports -1 for INSERT … SELECT
                added = await session.scalar(
                    select(func.count()).select_from(q).where(*scope, _item_in(part))
                )
                state.row_count += int(added or 0) - removed.rowcount
        await session.flush()

    def _where(self, tenant_id: uuid.UUID, today: dt.date, filters: QueueFilters) -> list[Any]:
        q = QueueItem
        clauses: list[Any] = [q.tenant_id == tenant_id, q.as_of == today]
        if filters.escalated_to is not None:  # shown whoever owns it and whether snoozed or not
            clauses += [q.escalated_to_id == filters.escalated_to, q.status == "escalated"]
        elif filters.snoozed:
            clauses += [q.visible.is_(False)]
        else:
            clauses += [q.visible.is_(True)]
        if filters.owner_id is not None:
            clauses.append(q.owner_id == filters.owner_id)
        if filters.types:
            _check(filters.types, [t.value for t in WorkflowType], "workflow type")
            clauses.append(q.workflow_type.in_(filters.types))
        if filters.stages:
            clauses.append(q.stage.in_(filters.stages))
        if filters.plans:
            _check(filters.plans, [p.value for p in AccountPlan], "plan")
            clauses.append(q.plan.in_(filters.plans))
        if filters.min_arr is not None:
            clauses.append(q.arr >= filters.min_arr)
        if filters.max_arr is not None:
            clauses.append(q.arr <= filters.max_arr)
        if filters.min_score is not None:
            clauses.append(q.neg_score <= -filters.min_score)
        if filters.search:
            needle = filters.search.strip().casefold()
            escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append(q.name_key.like(f"%{escaped}%", escape="\\"))
        return clauses

    async def page(
        self,
        tenant_id: uuid.UUID,
        today: dt.date,
        filters: QueueFilters = QueueFilters(),
        *,
        limit: int = 50,
        after: Cursor | None = None,
    ) -> QueuePage:
        """Up to `limit` rows after `after`, in queue order (keyset: every page costs the same)."""
        await self.ensure_fresh(tenant_id, today)
        config = await self._config.get(tenant_id)
        q = QueueItem
        order = [getattr(q, name) for name in ORDER_COLUMNS]
        clauses = self._where(tenant_id, today, filters)
        if after is not None:
            clauses.append(tuple_(*order) > tuple_(*after))
        statement = select(q).where(and_(*clauses)).order_by(*order).limit(limit + 1)
        async with self._db.sessions() as session:
            items = list((await session.scalars(statement)).all())
        more = len(items) > limit
        rows = [row_from(item, config) for item in items[:limit]]
        return QueuePage(rows=rows, next_cursor=rows[-1].cursor if more and rows else None)

    async def count(self, tenant_id: uuid.UUID, today: dt.date, filters: QueueFilters) -> int:
        await self.ensure_fresh(tenant_id, today)
        async with self._db.sessions() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(QueueItem)
                    .where(*self._where(tenant_id, today, filters))
                )
                or 0
            )

    async def explain(
        self, tenant_id: uuid.UUID, today: dt.date, customer_id: uuid.UUID
    ) -> CustomerExplanation:
        """Determination and score breakdown per workflow type, from `domain.assessment.assess`
        over the same facts the queue's SQL reads (so the numbers are the queue's)."""
        config = await self._config.get(tenant_id)
        statement = assessment_select(tenant_id, today, self._dialect, customer_id=customer_id)
        async with self._db.sessions() as session:
            found = (await session.execute(statement)).one_or_none()
        if found is None:
            raise NotFound(f"no customer {customer_id} in this tenant")
        m = found._mapping
        assessment = assess(customer_day(m), config)
        stage = assessment.stage
        types = [
            TypeExplanation(
                determination=w.determination,
                stage=stage.name,
                breakdown=w.breakdown if w.qualifies else None,
            )
            for w in assessment.work
        ]
        return CustomerExplanation(
            customer_id=customer_id,
            customer_name=m["customer_name"],
            today=today,
            days=m["days"],
            arr=m["arr"],
            plan=assessment.plan.value,
            plan_is_set=m["plan_set"] is not None,
            health=m["health"],
            types=types,
            stage=stage.name,
            stage_note=stage.why(),
        )

    async def counts(
        self, tenant_id: uuid.UUID, today: dt.date, user_id: uuid.UUID | None, *, mine: bool
    ) -> QueueCounts:
        """Active and Snoozed (of the user, or everyone's when not `mine`), Escalated-to-me."""
        await self.ensure_fresh(tenant_id, today)
        q = QueueItem
        scope = [q.tenant_id == tenant_id, q.as_of == today]
        owner = [q.owner_id == user_id] if mine and user_id is not None else []
        async with self._db.sessions() as session:
            active = await session.scalar(
                select(func.count()).select_from(q).where(*scope, *owner, q.visible.is_(True))
            )
            snoozed = await session.scalar(
                select(func.count()).select_from(q).where(*scope, *owner, q.visible.is_(False))
            )
            escalated = await session.scalar(
                select(func.count())
                .select_from(q)
                .where(*scope, q.escalated_to_id == user_id, q.status == "escalated")
            )
        return QueueCounts(int(active or 0), int(snoozed or 0), int(escalated or 0))


def _check(values: tuple[str, ...], known: list[str], what: str) -> None:
    for value in values:
        if value not in known:
            raise QueueError(f"unknown {what} {value!r} (expected one of: {', '.join(known)})")


def _item_in(part: Part) -> ColumnElement[bool]:
    q = QueueItem
    return q.owner_id.in_(part.owners) if part.owners else q.customer_id.in_(part.customers)


def _lock_key(tenant_id: uuid.UUID) -> int:
    return int.from_bytes(tenant_id.bytes[:8], "big", signed=True)
