"""Which work a customer needs, and why (domain.md §4).

Every type is always reported, in WorkflowType order, with a sentence: the queue shows why a row
is there and the customer screen shows why another is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from renubu_tui.domain import _format as fmt
from renubu_tui.domain._format import Number
from renubu_tui.domain.config import DomainConfig
from renubu_tui.domain.enums import AccountPlan, WorkflowType
from renubu_tui.domain.plans import derive_plan_explained, parse_plan
from renubu_tui.domain.stages import StageCall, stage_for_days

__all__ = ["CustomerFacts", "Determination", "WorkflowType", "determine", "qualifying"]


@dataclass(frozen=True)
class CustomerFacts:
    """What the rules need to know about one customer on `today`; None means unknown."""

    days_until_renewal: int | None  # to the governing contract's end (domain.contracts)
    arr: Number | None = None
    health: Number | None = None
    plan: AccountPlan | None = None  # set by a person; derived from ARR and health when None
    opportunity_score: Number | None = None
    risk_score: Number | None = None


@dataclass(frozen=True)
class Determination:
    """Whether one workflow type applies; `reason` starts with "none:" when it does not."""

    type: WorkflowType
    qualifies: bool
    reason: str


def determine(
    facts: CustomerFacts,
    config: DomainConfig | None = None,
    *,
    has_open_renewal_execution: bool = False,
    stage: StageCall | None = None,
) -> list[Determination]:
    """One determination per workflow type, in order: renewal, strategic, opportunity, risk.

    `has_open_renewal_execution` keeps a renewal 30+ days overdue (Decision in §4): the cut-off
    only stops new renewal work, it never drops work already under way. `stage` is the
    customer's stage as `stages.renewal_stage` decided it (a running workflow can raise it), so
    the reason names the stage every screen shows; without it, the stage of the days.
    """
    cfg = config or DomainConfig.default()
    return [
        _renewal(facts, cfg, has_open_renewal_execution, stage),
        _strategic(facts, cfg),
        _scored(
            WorkflowType.OPPORTUNITY,
            "opportunity",
            facts.opportunity_score,
            cfg.thresholds.opportunity_score_min,
        ),
        _scored(WorkflowType.RISK, "risk", facts.risk_score, cfg.thresholds.risk_score_min),
    ]


def qualifying(determinations: Iterable[Determination]) -> list[WorkflowType]:
    """The types that apply, in report order."""
    return [d.type for d in determinations if d.qualifies]


def _renewal(
    facts: CustomerFacts, cfg: DomainConfig, has_open: bool, call: StageCall | None
) -> Determination:
    kind = WorkflowType.RENEWAL
    days = facts.days_until_renewal
    if days is None:
        return Determination(kind, False, "none: no renewal date.")
    stage = call.stage if call is not None else stage_for_days(days, cfg.stages)
    why = call.why() if call is not None else None
    where = f" ({stage.name} stage)" if stage is not None else " (no stage)"
    if why is not None:
        where = f" ({why})"
    if days > 0:
        return Determination(kind, True, f"Renewal in {fmt.days(days)}{where}.")
    if days == 0:
        return Determination(kind, True, f"Renewal is due today{where}.")
    overdue = -days
    limit = cfg.thresholds.renewal_max_days_overdue
    if overdue < limit:
        return Determination(kind, True, f"Renewal is {fmt.days(overdue)} overdue{where}.")
    if has_open:
        return Determination(
            kind,
            True,
            f"Renewal is {fmt.days(overdue)} overdue{where}; kept because its renewal "
            "workflow is still open.",
        )
    return Determination(
        kind,
        False,
        f"none: renewal is {fmt.days(overdue)} overdue; no new renewal work is created "
        f"{fmt.days(limit)} or more after the renewal date.",
    )


def _strategic(facts: CustomerFacts, cfg: DomainConfig) -> Determination:
    kind = WorkflowType.STRATEGIC
    strategic = cfg.thresholds.strategic_account_plans
    listed = ", ".join(p.value for p in strategic) or "none configured"
    set_plan = parse_plan(facts.plan)
    if set_plan is not None:
        plan, source = set_plan, ""
    else:
        plan, why = derive_plan_explained(facts.arr, facts.health, cfg.thresholds)
        source = f" (derived: {why})"
    if plan in strategic:
        return Determination(
            kind, True, f"Account plan {plan.value}{source} is strategic ({listed})."
        )
    return Determination(
        kind, False, f"none: account plan {plan.value}{source} is not strategic ({listed})."
    )


def _scored(kind: WorkflowType, label: str, value: Number | None, minimum: Number) -> Determination:
    """Opportunity and risk: a score at or above the threshold; 0 or missing never qualifies."""
    if value is None:
        return Determination(kind, False, f"none: no {label} score.")
    if value <= 0:
        return Determination(kind, False, f"none: {label} score is {fmt.num(value)}.")
    if value >= minimum:
        return Determination(
            kind, True, f"{label.capitalize()} score {fmt.num(value)} ≥ {fmt.num(minimum)}."
        )
    return Determination(
        kind, False, f"none: {label} score {fmt.num(value)} is below {fmt.num(minimum)}."
    )
