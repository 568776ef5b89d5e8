"""A row of the queue as the app and the CLI show it, with its score explained.

Kept free of SQLAlchemy so the app can show the first page of the day before the data layer is
imported (services.queue_peek reads it with the standard library's sqlite3).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from renubu_tui.domain.config import DomainConfig
from renubu_tui.domain.enums import AccountPlan, Experience, WorkflowType
from renubu_tui.domain.scoring import ScoreBreakdown, ScoreInputs, score
from renubu_tui.domain.stages import stage_for_days

Cursor = tuple[int, int, str, str, int]


@dataclass(frozen=True)
class QueueRow:
    customer_id: uuid.UUID
    customer_name: str
    workflow_type: str
    owner_id: uuid.UUID | None
    stage: str | None
    days: int | None
    arr: float | None
    plan: str | None
    plan_is_set: bool
    score: int
    label: str
    status: str
    snoozed_until: dt.date | None
    snooze_ended: bool
    execution_id: uuid.UUID | None
    breakdown: ScoreBreakdown
    cursor: Cursor = field(repr=False)

    @property
    def label_rank(self) -> int:
        """The label's step on the configured scale, 0 at the top: colour by this, not by the
        word (the words are configuration)."""
        return self.breakdown.label_rank

    @property
    def top_factors(self) -> list[str]:
        """The base, then the factors that moved the score most (in points), as sentences."""
        b = self.breakdown
        product = b.arr_mult * b.plan_mult * b.exp_mult
        multiplied = (b.base + b.stage_bonus) * product

        def points(factor: Any) -> float:
            if factor.name in {"arr", "plan", "experience"}:
                return multiplied * (1 - 1 / factor.value) if factor.value else 0.0
            if factor.name == "stage_bonus":
                return factor.value * product
            return factor.value

        rest = sorted(b.factors[1:], key=lambda f: -abs(points(f)))
        return [f.text for f in (b.factors[:1] + tuple(rest))[:3]]


@dataclass(frozen=True)
class QueueCounts:
    active: int
    snoozed: int
    escalated_to_me: int


def row_from(item: Any, config: DomainConfig) -> QueueRow:
    """A shown row from a `queue_items` record (an ORM object or any object with its columns).

    The stage is the one the SQL decided (a running renewal workflow can raise it above the
    days' stage); when it differs from the days' own stage, the explanation says why.
    """
    stage = next((s for s in config.stages if s.name == item.stage), None)
    by_days = stage_for_days(item.days, config.stages)
    breakdown = score(
        ScoreInputs(
            workflow_type=WorkflowType(item.workflow_type),
            stage=stage,
            raised_from=by_days if stage is not None and by_days != stage else None,
            arr=item.arr,
            plan=AccountPlan(item.plan) if item.plan else None,
            experience=Experience(item.experience) if item.experience else None,
            active_workflows=item.active_workflows,
            opportunity_score=item.opportunity_score,
            risk_score=item.risk_score,
        ),
        config,
    )
    return QueueRow(
        customer_id=item.customer_id,
        customer_name=item.customer_name,
        workflow_type=item.workflow_type,
        owner_id=item.owner_id,
        stage=item.stage,
        days=item.days,
        arr=item.arr,
        plan=item.plan,
        plan_is_set=item.plan_is_set,
        score=item.score,
        label=item.label,
        status=item.status,
        snoozed_until=item.snoozed_until,
        snooze_ended=item.snooze_ended,
        execution_id=item.execution_id,
        breakdown=breakdown,
        cursor=(
            item.neg_score,
            item.days_key,
            item.name_key,
            _cursor_id(item.customer_id),
            item.type_rank,
        ),
    )


def _cursor_id(customer_id: uuid.UUID) -> Any:
    return customer_id
