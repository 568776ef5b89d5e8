"""The reference order of the queue (domain.md §6); the SQL ORDER BY must give the same order.

Keys, in order:
1. score, highest first;
2. days until renewal, soonest first (overdue, i.e. negative, before due); no renewal date last;
3. customer name, casefolded (SQL: compare a stored casefolded name, not LOWER(), which differs
   outside ASCII);
4. customer id, as its string (a UUID's lowercase hex text sorts the same as its bytes);
5. workflow type in report order (renewal, strategic, opportunity, risk), so that two rows of one
   customer with the same score still have a fixed order (SQL: a CASE over the type).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from renubu_tui.domain.enums import WORKFLOW_TYPE_ORDER, WorkflowType

__all__ = ["QueueRowLike", "SortKey", "order", "sort_key", "todays_one_thing"]

SortKey = tuple[float, bool, int, str, str, int]


class QueueRowLike(Protocol):
    """What ordering reads from a queue row."""

    @property
    def score(self) -> float: ...
    @property
    def days_until_renewal(self) -> int | None: ...
    @property
    def customer_name(self) -> str: ...
    @property
    def customer_id(self) -> object: ...
    @property
    def workflow_type(self) -> str: ...


R = TypeVar("R", bound=QueueRowLike)


def sort_key(row: QueueRowLike) -> SortKey:
    """Ascending sort key implementing the order above."""
    days = row.days_until_renewal
    try:
        type_rank = WORKFLOW_TYPE_ORDER[WorkflowType(row.workflow_type)]
    except ValueError:
        type_rank = len(WORKFLOW_TYPE_ORDER)
    return (
        -row.score,
        days is None,
        days if days is not None else 0,
        row.customer_name.casefold(),
        str(row.customer_id),
        type_rank,
    )


def order(rows: Iterable[R]) -> list[R]:
    """Rows in queue order (a new list)."""
    return sorted(rows, key=sort_key)


def todays_one_thing(rows: Iterable[R]) -> R | None:
    """The top row of the queue, or None when there is no work."""
    return min(rows, key=sort_key, default=None)
