"""`renubu export customers|queue|tasks`: the book on the way back out, as records (dicts of
plain values: numbers as numbers, dates as ISO text, missing as None) a front end writes as CSV
(None an empty cell) or JSON (null). Records are produced lazily, a page at a time,
so `renubu export queue | head` stops reading early.

The customers export's headers are ones `renubu import customers` recognises (External ID, Name,
Owner, ARR, Renewal Date, Industry, Domain): a file exported and imported again changes nothing
for the customers that have an external id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from sqlalchemy import select

from renubu_tui.data.models import Contract, Customer, User
from renubu_tui.services.queue.service import QueueFilters
from renubu_tui.services.refusals import BadInput

EXPORT_KINDS = ("customers", "queue", "tasks")
CUSTOMER_COLUMNS = [
    "External ID",
    "Name",
    "Owner",
    "ARR",
    "Renewal Date",
    "Industry",
    "Domain",
    "Plan",
    "Renubu ID",
]
QUEUE_COLUMNS = [
    "Rank",
    "Customer",
    "Type",
    "Stage",
    "Days",
    "ARR",
    "Plan",
    "Score",
    "Label",
    "Status",
    "Owner",
    "Renubu ID",
]
TASK_COLUMNS = ["Due", "Customer", "Title", "Owner", "Status", "Priority", "Snoozed Until", "ID"]
PAGE = 1000


class ExportRefused(BadInput):
    """An export kind or format that does not exist."""


def columns_of(kind: str) -> list[str]:
    if kind == "customers":
        return CUSTOMER_COLUMNS
    if kind == "queue":
        return QUEUE_COLUMNS
    if kind == "tasks":
        return TASK_COLUMNS
    raise ExportRefused(f"unknown export {kind!r} (one of {', '.join(EXPORT_KINDS)})")


async def records(services: Any, kind: str) -> AsyncGenerator[dict[str, Any], None]:
    """The kind's records in order (see the module docstring). `services` is the container."""
    columns_of(kind)
    if kind == "customers":
        async for record in _customers(services):
            yield record
    elif kind == "queue":
        async for record in _queue(services):
            yield record
    else:
        for task in await services.tasks.list(services.tenant.id):
            yield {
                "Due": _plain(task.due_date),
                "Customer": task.customer_name,
                "Title": task.title,
                "Owner": task.owner_email,
                "Status": task.status,
                "Priority": task.priority,
                "Snoozed Until": _plain(task.snoozed_until),
                "ID": str(task.id),
            }


def _term_for(terms: list[tuple[dt.date, dt.date, float]], today: dt.date) -> Any:
    """The term that gives the renewal: in force today, else the next to start, else the last."""
    in_force = [t for t in terms if t[0] <= today <= t[1]]
    if in_force:
        return max(in_force)
    future = [t for t in terms if t[0] > today]
    if future:
        return min(future)
    return max(terms) if terms else None


async def _customers(services: Any) -> AsyncIterator[dict[str, Any]]:
    tid = services.tenant.id
    today = services.clock.today()
    async with services.db.sessions() as session:
        emails = dict(
            (await session.execute(select(User.id, User.email).where(User.tenant_id == tid))).all()
        )
        terms: dict[uuid.UUID, list[tuple[dt.date, dt.date, float]]] = {}
        for cid, start, end, arr in (
            await session.execute(
                select(Contract.customer_id, Contract.start_date, Contract.end_date, Contract.arr)
                .join(Customer, Customer.id == Contract.customer_id)
                .where(Customer.tenant_id == tid, Contract.status != "cancelled")
            )
        ).all():
            terms.setdefault(cid, []).append((start, end, arr))
        customers = (
            await session.execute(
                select(
                    Customer.id,
                    Customer.external_id,
                    Customer.name,
                    Customer.owner_id,
                    Customer.industry,
                    Customer.domain,
                    Customer.account_plan,
                )
                .where(Customer.tenant_id == tid)
                .order_by(Customer.name_key)
            )
        ).all()
    # yielded after the session is closed: a reader that stops early (`| head`) leaves no
    # connection behind
    for c in customers:
        term = _term_for(terms.get(c.id, []), today)
        yield {
            "External ID": c.external_id or "",
            "Name": c.name,
            "Owner": emails.get(c.owner_id, "") if c.owner_id else "",
            "ARR": None if term is None else term[2],
            "Renewal Date": None if term is None else term[1].isoformat(),
            "Industry": c.industry,
            "Domain": c.domain,
            "Plan": c.account_plan,
            "Renubu ID": str(c.id),
        }


async def _queue(services: Any) -> AsyncIterator[dict[str, Any]]:
    tid = services.tenant.id
    today = services.clock.today()
    async with services.db.sessions() as session:
        emails = dict(
            (await session.execute(select(User.id, User.email).where(User.tenant_id == tid))).all()
        )
    rank, after = 0, None
    while True:
        page = await services.queue.page(tid, today, QueueFilters(), limit=PAGE, after=after)
        for row in page.rows:
            rank += 1
            yield {
                "Rank": rank,
                "Customer": row.customer_name,
                "Type": row.workflow_type,
                "Stage": row.stage,
                "Days": row.days,
                "ARR": row.arr,
                "Plan": row.plan,
                "Score": row.score,
                "Label": row.label,
                "Status": row.status,
                "Owner": emails.get(row.owner_id) if row.owner_id else None,
                "Renubu ID": str(row.customer_id),
            }
        if page.next_cursor is None:
            return
        after = page.next_cursor


def _plain(value: Any) -> str | None:
    return None if value is None else value.isoformat()
