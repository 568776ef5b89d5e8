"""A new day's queue from the previous day's materialization: what can differ, and the rest.

`sql.rows_select` reads the day at these places, and nowhere else (`tests/services/queue/
test_queue_new_day.py` fails when any one of the sources of change below is left out):

- the governing contract: the latest-starting contract known on the day (signed by then, or
  with no signing day started by then);
- the financial record valid on the day (`valid_from <= day <= valid_to`);
- the newest intelligence snapshot at or before the day;
- each open execution of the customer (started by the end of the day, not completed by then),
  and its snooze (`snoozed_until` against the day: whether it has ended, whether it is shown);
- the workload of the customer's owner: that owner's executions open on the day;
- `days` to renewal, the end of the governing contract minus the day: the stage (and so the
  renewal row's base and bonus) is a function of it, and so is whether an overdue renewal still
  qualifies.

Between a built day P and a later day D (same data, same configuration) a customer's rows can
therefore differ only if: one of its contracts became known in (P, D]; one of its financial
records began in (P, D] or ended in [P, D); one of its snapshots is dated (P, D]; one of its
executions started or completed between the ends of P and D, or its snooze ends in (P, D]; an
execution of its owner started or completed then (the owner's workload); or its `days` crossed a
boundary of the stage table or of the overdue limit. Every other customer's rows at D are its
rows at P with `days` (and the `days_key` it sorts by) smaller by D − P: copied, not recomputed.
A customer with no rows at P gains none at D unless one of its facts changed: only a renewal row
depends on `days` alone, and `days` falling cannot requalify an overdue renewal.

The customers that can change are written to a temporary table once and read twice (copy the
others, recompute them through `Part(within=…)`, the same SQL as a full build).

This trusts the earlier day as the materialization is trusted on its own day: every change made
through the services re-scores it in place or marks it stale (`QueueService.refresh_customer`), so
it equals a full build of that day on the data as it is now. Data written behind the services'
back (a bulk import) needs `renubu queue build --full`, as it did before for the day itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    MetaData,
    Table,
    Uuid,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.sql import ColumnElement, CompoundSelect, Select

from renubu_tui.data.models import (
    Contract,
    Customer,
    CustomerFinancials,
    CustomerIntelligence,
    QueueItem,
    WorkflowExecution,
)
from renubu_tui.data.models.base import UTCDateTime
from renubu_tui.domain.config import DomainConfig
from renubu_tui.services.queue.sql import ITEM_COLUMNS, end_of_day

# The customers a new day re-scores; one per transaction (PostgreSQL drops it at commit, SQLite
# drops it at the end of the build).
changed_table = Table(
    "renubu_queue_changed",
    MetaData(),
    Column("customer_id", Uuid(), primary_key=True),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


def boundaries(cfg: DomainConfig) -> list[int]:
    """The values b of `days` where a row can change between b − 1 and b: each stage's bounds
    (`min_days`, `max_days` + 1) and the overdue limit (`days > −limit`)."""
    found = {1 - cfg.thresholds.renewal_max_days_overdue}
    for stage in cfg.stages:
        if stage.min_days is not None:
            found.add(stage.min_days)
        if stage.max_days is not None:
            found.add(stage.max_days + 1)
    return sorted(found)


def crosses(days: Any, shift: int, cfg: DomainConfig) -> ColumnElement[bool]:
    """`days` (as of the earlier day) falls past a boundary in `shift` days: for a boundary b,
    days − shift < b ≤ days."""
    return or_(*[days.between(b, b + shift - 1) for b in boundaries(cfg)])


def changed_select(
    tenant_id: uuid.UUID, before: dt.date, today: dt.date, cfg: DomainConfig
) -> CompoundSelect[Any]:
    """The ids of the tenant's customers whose rows can differ between `before` and `today`
    (`before` < `today`, both built from the same data): see the module docstring."""
    shift = (today - before).days
    eod_before = literal(end_of_day(before), UTCDateTime())
    eod_today = literal(end_of_day(today), UTCDateTime())

    def between_ends(column: Any) -> ColumnElement[bool]:
        return and_(column >= eod_before, column < eod_today)

    k = Contract.__table__.alias("k_new")
    known = func.coalesce(k.c.signed_on, k.c.start_date)
    f = CustomerFinancials.__table__.alias("f_new")
    i = CustomerIntelligence.__table__.alias("i_new")
    e = WorkflowExecution.__table__.alias("e_new")
    moved = or_(between_ends(e.c.started_at), between_ends(e.c.completed_at))
    w = WorkflowExecution.__table__.alias("w_new")
    c = Customer.__table__.alias("c_new")
    q = QueueItem.__table__.alias("q_new")
    owners_moved = select(w.c.owner_id).where(
        w.c.tenant_id == tenant_id,
        w.c.owner_id.is_not(None),
        or_(between_ends(w.c.started_at), between_ends(w.c.completed_at)),
    )
    return union(
        select(k.c.customer_id).where(known > before, known <= today),
        select(f.c.customer_id).where(
            or_(
                and_(f.c.valid_from > before, f.c.valid_from <= today),
                and_(f.c.valid_to >= before, f.c.valid_to < today),
            )
        ),
        select(i.c.customer_id).where(i.c.as_of_date > before, i.c.as_of_date <= today),
        select(e.c.customer_id).where(
            e.c.tenant_id == tenant_id,
            or_(moved, and_(e.c.snoozed_until > before, e.c.snoozed_until <= today)),
        ),
        select(c.c.id).where(c.c.tenant_id == tenant_id, c.c.owner_id.in_(owners_moved)),
        # days_key is days where there are days (else far beyond any boundary), and the
        # queue's indexes hold it: these are read from an index, not from 200 000 rows
        select(q.c.customer_id).where(
            q.c.tenant_id == tenant_id, q.c.as_of == before, crosses(q.c.days_key, shift, cfg)
        ),
    )


def copy_select(tenant_id: uuid.UUID, before: dt.date, today: dt.date) -> Select[Any]:
    """The rows of `before` of every customer not in `changed_table`, as rows of `today`: the
    same but for `as_of`, and `days` and `days_key` smaller by the days in between."""
    q = QueueItem.__table__
    shift = (today - before).days
    shifted = {
        "as_of": literal(today, Date),
        "days": q.c.days - shift,
        "days_key": case((q.c.days.is_(None), q.c.days_key), else_=q.c.days_key - shift),
    }
    return select(*[shifted.get(name, q.c[name]) for name in ITEM_COLUMNS]).where(
        q.c.tenant_id == tenant_id,
        q.c.as_of == before,
        q.c.customer_id.not_in(select(changed_table.c.customer_id)),
    )
