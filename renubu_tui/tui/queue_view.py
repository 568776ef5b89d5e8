"""What the queue pane is showing: owner, type, stage, plan, search, tab (UI state, no I/O).

Three tabs: Active (the default), Snoozed, and Escalated to me — escalated work of anyone's
that now waits on this user (so the owner filter does not apply there).

Kept apart from `services.queue.QueueFilters` so the first frame does not import SQLAlchemy;
`to_filters` converts inside the workers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from renubu_tui.domain.enums import AccountPlan, WorkflowType

if TYPE_CHECKING:
    from renubu_tui.services.queue.service import QueueFilters

TYPES: tuple[str | None, ...] = (None, *(t.value for t in WorkflowType))
PLANS: tuple[str, ...] = tuple(p.value for p in AccountPlan)


@dataclass(frozen=True)
class QueueView:
    mine: bool = True
    type: str | None = None
    stage: str | None = None
    plan: str | None = None
    search: str = ""
    snoozed: bool = False
    escalated: bool = False

    @property
    def tab(self) -> str:
        return "escalated" if self.escalated else "snoozed" if self.snoozed else "active"

    def with_tab(self, tab: str) -> QueueView:
        return replace(self, snoozed=tab == "snoozed", escalated=tab == "escalated")

    def next_tab(self) -> QueueView:
        """Active → Snoozed → Escalated to me → Active."""
        order = ("active", "snoozed", "escalated")
        return self.with_tab(order[(order.index(self.tab) + 1) % len(order)])

    def with_(self, **changes: Any) -> QueueView:
        return replace(self, **changes)

    def next_type(self) -> QueueView:
        """Cycle all → renewal → strategic → opportunity → risk → all."""
        index = TYPES.index(self.type) if self.type in TYPES else 0
        return replace(self, type=TYPES[(index + 1) % len(TYPES)])

    def to_filters(self, user_id: uuid.UUID) -> QueueFilters:
        from renubu_tui.services.queue.service import QueueFilters

        return QueueFilters(
            owner_id=user_id if self.mine and not self.escalated else None,
            types=(self.type,) if self.type else (),
            stages=(self.stage,) if self.stage else (),
            plans=(self.plan,) if self.plan else (),
            search=self.search.strip() or None,
            snoozed=self.snoozed,
            escalated_to=user_id if self.escalated else None,
        )

    def describe(self) -> list[tuple[str, str, str]]:
        """(key, label, value) of each filter, for the filter bar."""
        return [
            ("o", "owner", "any" if self.escalated else "me" if self.mine else "everyone"),
            ("t", "type", self.type or "all"),
            ("f", "stage", self.stage or "all"),
            ("f", "plan", self.plan or "all"),
        ]
