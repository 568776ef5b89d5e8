"""A customer's standing on one day: its renewal stage, and each kind of work with its score.

`assess` is the one function that decides them. The queue's explanation, the template context
(`workflow.currentStage`, `workflow.priorityScore`), the sidebar, Today's One Thing and the
plain-text summary all show its result; the queue's SQL (services.queue_sql) implements the same
rules for scale, and a test holds the two equal on thousands of random customers.
"""

from __future__ import annotations

from dataclasses import dataclass

from renubu_tui.domain.config import DomainConfig
from renubu_tui.domain.determination import CustomerFacts, Determination, determine
from renubu_tui.domain.enums import AccountPlan, Experience, WorkflowType
from renubu_tui.domain.plans import effective_plan
from renubu_tui.domain.scoring import ScoreBreakdown, ScoreInputs, score
from renubu_tui.domain.stages import RunningRenewal, StageCall, renewal_stage

__all__ = ["Assessment", "CustomerDay", "RunningRenewal", "WorkAssessment", "assess"]


@dataclass(frozen=True)
class CustomerDay:
    """Everything the rules read about one customer on one day; None means unknown."""

    facts: CustomerFacts
    experience: Experience | None = None  # of the owning CSM
    active_workflows: int = 0  # the owning CSM's open, unsnoozed workflows (any customer's)
    running_renewal: RunningRenewal | None = None  # the renewal workflow open on the day


@dataclass(frozen=True)
class WorkAssessment:
    """One workflow type: whether it is queued, and its score (also when it is not queued, for
    a workflow of that type already running); None for renewal work without a renewal date."""

    determination: Determination
    breakdown: ScoreBreakdown | None

    @property
    def type(self) -> WorkflowType:
        return self.determination.type

    @property
    def qualifies(self) -> bool:
        return self.determination.qualifies


@dataclass(frozen=True)
class Assessment:
    stage: StageCall
    plan: AccountPlan  # the effective plan: set by a person, else derived (§3)
    work: tuple[WorkAssessment, ...]  # every type, in report order

    def of(self, kind: WorkflowType | str) -> WorkAssessment:
        wanted = WorkflowType(kind)
        return next(w for w in self.work if w.type is wanted)


def assess(day: CustomerDay, config: DomainConfig | None = None) -> Assessment:
    """The customer's stage and every type of work with its determination and score."""
    cfg = config or DomainConfig.default()
    facts = day.facts
    call = renewal_stage(facts.days_until_renewal, day.running_renewal, cfg.stages)
    plan = effective_plan(facts.plan, facts.arr, facts.health, cfg.thresholds)
    determinations = determine(
        facts, cfg, has_open_renewal_execution=day.running_renewal is not None, stage=call
    )
    work = []
    for det in determinations:
        breakdown = None
        if det.type is not WorkflowType.RENEWAL or facts.days_until_renewal is not None:
            breakdown = score(
                ScoreInputs(
                    workflow_type=det.type,
                    stage=call.stage,
                    raised_from=call.by_days if call.raised_by is not None else None,
                    arr=facts.arr,
                    plan=plan,
                    experience=day.experience,
                    active_workflows=day.active_workflows,
                    opportunity_score=facts.opportunity_score,
                    risk_score=facts.risk_score,
                ),
                cfg,
            )
        work.append(WorkAssessment(det, breakdown))
    return Assessment(stage=call, plan=plan, work=tuple(work))
