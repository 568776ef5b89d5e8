"""The queue's scoring as SQL, generated from the configuration.

Why SQL: at 100 000 customers, loading every customer into Python to score it costs seconds; the
same rules as SQL expressions run where the data is, once per (tenant, day), and fill the
`queue_items` materialization that pages are then read from in index order. The Python domain
rules stay the reference: a test checks that this SQL orders thousands of random customers
exactly as `renubu_tui.domain` does.

Conventions the Python side mirrors:
- the renewal date is the end of the governing contract: the latest-starting one known today,
  i.e. signed by today, or (no signing day) started by today (`domain.contracts`,
  `governing_contract_id`): a successor signed by today governs, an ended contract with none
  is overdue, and a contract not yet signed never counts;
- ARR is the financial record valid today, else the governing contract's ARR;
- each snapshot is the newest at or before today;
- an execution is open "as of" a day when it had started by the end of that day and had not
  completed by then (so time travel sees past executions as they were);
- a customer's stage (on every row of it) is the more urgent of the stage its days fall in and
  the stage of the renewal workflow running for it (a workflow started early by an early
  trigger): `domain.stages.renewal_stage`;
- the workload is the owner's executions open as of the day and not snoozed (`counts_as_workload`,
  which the template context uses too);
- the score is rounded half up after rounding away float noise (9 decimal places).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Date,
    Integer,
    Numeric,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.sql import ColumnElement, CompoundSelect, Select

from renubu_tui.data.models import (
    Contract,
    Customer,
    CustomerFinancials,
    CustomerIntelligence,
    User,
    Workflow,
    WorkflowExecution,
)
from renubu_tui.data.models.base import UTCDateTime
from renubu_tui.data.models.queue import NO_DAYS
from renubu_tui.domain.assessment import CustomerDay
from renubu_tui.domain.config import DomainConfig, Stage
from renubu_tui.domain.determination import CustomerFacts
from renubu_tui.domain.enums import WORKFLOW_TYPE_ORDER, Experience, WorkflowType
from renubu_tui.domain.plans import parse_plan
from renubu_tui.domain.stages import RunningRenewal

if TYPE_CHECKING:
    from sqlalchemy.engine import RowMapping

ACTIVE_FOR_WORKLOAD = ("not_started", "in_progress", "escalated")
OPEN_NOW = ("not_started", "in_progress", "snoozed", "escalated")


def end_of_day(today: dt.date) -> dt.datetime:
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)


class Dialect:
    """The few expressions whose SQL differs between SQLite and PostgreSQL."""

    def __init__(self, name: str) -> None:
        self.sqlite = name == "sqlite"

    def days_between(self, later: Any, today: dt.date) -> ColumnElement[Any]:
        if self.sqlite:
            return cast(func.julianday(later) - func.julianday(today.isoformat()), Integer)
        return later - cast(literal(today), Date)

    def round_half_up(self, x: ColumnElement[Any]) -> ColumnElement[Any]:
        if self.sqlite:
            y = func.round(x, 9) + 0.5
            truncated = cast(y, Integer)
            return truncated - case((y < truncated, 1), else_=0)
        return cast(func.floor(func.round(cast(x, Numeric), 9) + 0.5), Integer)


def num(value: Any) -> ColumnElement[Any]:
    """A configuration number inlined into the SQL (validated numbers only: never text)."""
    return literal_column(repr(float(value)))


def _stage_case(days: Any, stages: tuple[Stage, ...], pick: str, default: Any) -> Any:
    whens = []
    for stage in stages:
        conditions = []
        if stage.min_days is not None:
            conditions.append(days >= stage.min_days)
        if stage.max_days is not None:
            conditions.append(days <= stage.max_days)
        value = getattr(stage, pick)
        whens.append((and_(true(), *conditions), literal(value) if pick == "name" else num(value)))
    return case((days.is_(None), default), *whens, else_=default)


Day = dt.date | ColumnElement[Any]  # a day, or an expression of its end (a bound parameter)


def _end(today: Day) -> ColumnElement[Any]:
    if isinstance(today, dt.date):
        return literal(end_of_day(today), UTCDateTime())
    return today


def open_execution_for(customer_id: Any, kind: str, today: Day) -> Any:
    """The id of the customer's execution of a type that is open as of `today` (newest)."""
    e_in = WorkflowExecution.__table__.alias(f"e_in_{kind}")
    return (
        select(e_in.c.id)
        .where(
            e_in.c.customer_id == customer_id, e_in.c.workflow_type == kind, open_as_of(e_in, today)
        )
        .order_by(e_in.c.started_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def counts_as_workload(e: Any, today: Day) -> ColumnElement[bool]:
    """An execution on its owner's plate as of `today`: open then, and not snoozed."""
    return and_(
        open_as_of(e, today),
        or_(e.c.completed_at.is_not(None), e.c.status.in_(ACTIVE_FOR_WORKLOAD)),
    )


def open_as_of(e: Any, today: Day) -> ColumnElement[bool]:
    """Open as of a day: started by its end and not completed by then (`today` may also be an
    expression of the day's end, for statements built once with bound parameters)."""
    e = e.c
    eod = _end(today)
    return or_(
        and_(e.completed_at.is_not(None), e.started_at < eod, e.completed_at >= eod),
        and_(
            e.completed_at.is_(None),
            e.status.in_(OPEN_NOW),
            or_(e.started_at.is_(None), e.started_at < eod),
        ),
    )


def contract_known_on(k: Any, today: Any) -> ColumnElement[bool]:
    """`domain.contracts.known_on` in SQL: signed by `today`, or (no signing day) started by it.

    `k` is a contracts table or alias (its `.c`) or the `Contract` entity; `today` a date or a
    bound parameter of one.
    """
    cols = getattr(k, "c", k)
    return func.coalesce(cols.signed_on, cols.start_date) <= today


def governing_contract_id(customer_id: Any, today: Any) -> Any:
    """`domain.contracts.governing_contract` in SQL: the id of the customer's latest-starting
    contract known on `today` (its end is the renewal date), as a scalar subquery."""
    k = Contract.__table__.alias("k_gov")
    return (
        select(k.c.id)
        .where(k.c.customer_id == customer_id, contract_known_on(k, today))
        .order_by(k.c.start_date.desc())
        .limit(1)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class Part:
    """A part of a tenant's customers: those of these owners, or (no owners given) these ones,
    or (neither given) those whose ids `within` selects (a one-column select: a new day's
    changed customers, too many to name one by one)."""

    owners: tuple[uuid.UUID, ...] = ()
    customers: tuple[uuid.UUID, ...] = ()
    within: Any = None

    def workload_owners(self) -> Any:
        """The owners whose workload the part's rows need: its owners, or its customers'."""
        if self.owners:
            return self.owners
        c = Customer.__table__.alias("c_part")
        ids = self.customers if self.within is None else self.within
        return select(c.c.owner_id).where(c.c.id.in_(ids), c.c.owner_id.is_not(None))


def facts_select(
    tenant_id: uuid.UUID,
    today: dt.date,
    d: Dialect,
    customer_id: uuid.UUID | None = None,
    part: Part | None = None,
) -> Select[*tuple[Any, ...]]:
    """One row per customer of the tenant (or `part`) with all its scores read, as of `today`."""
    c = Customer.__table__.alias("c")
    k = Contract.__table__.alias("k")
    f = CustomerFinancials.__table__.alias("f")
    i = CustomerIntelligence.__table__.alias("i")
    u = User.__table__.alias("u")

    contract_id = governing_contract_id(c.c.id, today)
    f_in = CustomerFinancials.__table__.alias("f_in")
    financial_id = (
        select(f_in.c.id)
        .where(
            f_in.c.customer_id == c.c.id,
            f_in.c.valid_from <= today,
            or_(f_in.c.valid_to.is_(None), f_in.c.valid_to >= today),
        )
        .order_by(f_in.c.valid_from.desc())
        .limit(1)
        .scalar_subquery()
    )
    i_in = CustomerIntelligence.__table__.alias("i_in")
    intelligence_id = (
        select(i_in.c.id)
        .where(i_in.c.customer_id == c.c.id, i_in.c.as_of_date <= today)
        .order_by(i_in.c.as_of_date.desc())
        .limit(1)
        .scalar_subquery()
    )
    e = WorkflowExecution.__table__.alias("we")
    workload = (
        select(e.c.owner_id, func.count().label("n"))
        .where(
            e.c.tenant_id == tenant_id,
            counts_as_workload(e, today),
            # count only the owners of the part's customers
            *([] if part is None else [e.c.owner_id.in_(part.workload_owners())]),
        )
        .group_by(e.c.owner_id)
        .subquery("workload")
    )
    return (
        select(
            c.c.tenant_id,
            c.c.id.label("customer_id"),
            c.c.name.label("customer_name"),
            c.c.name_key,
            c.c.owner_id,
            c.c.account_plan.label("plan_set"),
            d.days_between(k.c.end_date, today).label("days"),
            func.coalesce(f.c.current_arr, k.c.arr).label("arr"),
            i.c.health_score.label("health"),
            i.c.risk_score,
            i.c.opportunity_score,
            u.c.experience_level.label("experience"),
            func.coalesce(workload.c.n, 0).label("active_workflows"),
        )
        .select_from(c)
        .outerjoin(k, k.c.id == contract_id)
        .outerjoin(f, f.c.id == financial_id)
        .outerjoin(i, i.c.id == intelligence_id)
        .outerjoin(u, u.c.id == c.c.owner_id)
        .outerjoin(workload, workload.c.owner_id == c.c.owner_id)
        .where(
            c.c.tenant_id == tenant_id,
            *([] if customer_id is None else [c.c.id == customer_id]),
            *([] if part is None else [_in_part(c, part)]),
        )
    )


def assessment_select(
    tenant_id: uuid.UUID,
    today: dt.date,
    d: Dialect,
    customer_id: uuid.UUID | None = None,
    part: Part | None = None,
) -> Select[*tuple[Any, ...]]:
    """The facts of `facts_select` with the renewal workflow open on the day (name and trigger
    range): all that `domain.assessment.assess` reads, for views that score customers in Python
    (the explanation, the summary) from the same SQL as the queue."""
    facts = facts_select(tenant_id, today, d, customer_id, part).subquery("facts")
    run = WorkflowExecution.__table__.alias("run")
    run_wf = Workflow.__table__.alias("run_wf")
    return (
        select(
            *facts.c,
            run_wf.c.name.label("running_name"),
            run_wf.c.trigger_min_days.label("running_min_days"),
            run_wf.c.trigger_max_days.label("running_max_days"),
        )
        .select_from(facts)
        .outerjoin(run, run.c.id == open_execution_for(facts.c.customer_id, "renewal", today))
        .outerjoin(run_wf, run_wf.c.id == run.c.workflow_id)
    )


def customer_day(row: RowMapping) -> CustomerDay:
    """The rules' input from an `assessment_select` row (its mapping)."""
    running = None
    if row["running_name"] is not None:
        running = RunningRenewal(
            row["running_name"], row["running_min_days"], row["running_max_days"]
        )
    return CustomerDay(
        facts=CustomerFacts(
            days_until_renewal=row["days"],
            arr=row["arr"],
            health=row["health"],
            plan=parse_plan(row["plan_set"]),
            opportunity_score=row["opportunity_score"],
            risk_score=row["risk_score"],
        ),
        experience=Experience(row["experience"]) if row["experience"] else None,
        active_workflows=int(row["active_workflows"] or 0),
        running_renewal=running,
    )


def _in_part(c: Any, part: Part) -> ColumnElement[bool]:
    """Owners or customers, not both: an OR of the two would keep SQLite off the owner index."""
    if part.owners:
        return c.c.owner_id.in_(part.owners)
    return c.c.id.in_(part.customers if part.within is None else part.within)


def _multiplier(value: Any, table: dict[str, float]) -> Any:
    whens = [(value == key, num(mult)) for key, mult in table.items()]
    return case(*whens, else_=num(1)) if whens else num(1)


def _effective_plan(facts: Any, cfg: DomainConfig) -> Any:
    rules = cfg.thresholds.plan_rules
    arr = func.coalesce(facts.c.arr, 0)
    health = facts.c.health
    derived = case(
        (health.is_(None), literal(rules.fallback.value)),
        (
            and_(arr > num(rules.expand_arr_above), health > num(rules.expand_health_above)),
            literal("expand"),
        ),
        (
            and_(arr > num(rules.invest_arr_above), health > num(rules.invest_health_above)),
            literal("invest"),
        ),
        (health < num(rules.monitor_health_below), literal("monitor")),
        else_=literal(rules.fallback.value),
    )
    return func.coalesce(facts.c.plan_set, derived)


def _arr_multiplier(arr: Any, cfg: DomainConfig) -> Any:
    whens = [(arr >= num(tier.min_arr), num(tier.multiplier)) for tier in cfg.scoring.arr_tiers]
    return case(*whens, else_=num(1)) if whens else num(1)


def _label(score: Any, cfg: DomainConfig) -> Any:
    whens = [(score >= num(rule.min_score), literal(rule.label)) for rule in cfg.scoring.labels]
    default = literal(cfg.scoring.default_label)
    return case(*whens, else_=default) if whens else default


def derived_select(
    tenant_id: uuid.UUID, today: dt.date, cfg: DomainConfig, d: Dialect, part: Part | None = None
) -> Any:
    """The facts plus what every type shares: effective plan, multipliers, workload penalty, and
    the customer's stage (the open renewal workflow's stage when it is more urgent)."""
    facts = facts_select(tenant_id, today, d, part=part).subquery("facts")
    weights = cfg.scoring
    plan = _effective_plan(facts, cfg)
    run = WorkflowExecution.__table__.alias("run")
    run_wf = Workflow.__table__.alias("run_wf")
    wf_day = func.coalesce(run_wf.c.trigger_max_days, run_wf.c.trigger_min_days)
    days = facts.c.days
    stage_days = case(
        (and_(wf_day.is_not(None), or_(days.is_(None), wf_day < days)), wf_day), else_=days
    )
    planned = (
        select(
            *facts.c,
            plan.label("plan"),
            run.c.id.label("renewal_execution_id"),
            stage_days.label("stage_days"),
        )
        .select_from(facts)
        .outerjoin(run, run.c.id == open_execution_for(facts.c.customer_id, "renewal", today))
        .outerjoin(run_wf, run_wf.c.id == run.c.workflow_id)
        .subquery("planned")
    )
    plan_mult = _multiplier(
        planned.c.plan, {p.value: m for p, m in weights.plan_multipliers.items()}
    )
    exp_mult = _multiplier(
        planned.c.experience, {x.value: m for x, m in weights.experience_multipliers.items()}
    )
    strategic = {p.value: m for p, m in weights.strategic_base.items()}
    return select(
        *planned.c,
        _stage_case(planned.c.stage_days, cfg.stages, "name", null()).label("stage"),
        (_arr_multiplier(planned.c.arr, cfg) * plan_mult * exp_mult).label("mult"),
        (planned.c.active_workflows * num(weights.workload_penalty_per_workflow)).label("penalty"),
        case(
            *[(planned.c.plan == key, num(v)) for key, v in strategic.items()],
            else_=num(weights.strategic_base_default),
        ).label("strategic_base"),
    ).cte("derived")


def rows_select(
    tenant_id: uuid.UUID, today: dt.date, cfg: DomainConfig, d: Dialect, part: Part | None = None
) -> CompoundSelect[*tuple[Any, ...]]:
    """Every qualifying (customer, type) row with its score, in `queue_items` column order."""
    facts = derived_select(tenant_id, today, cfg, d, part)
    branches = [_branch(kind, facts, today, cfg, d) for kind in WorkflowType]
    return union_all(*branches)


def _branch(kind: WorkflowType, facts: Any, today: dt.date, cfg: DomainConfig, d: Dialect) -> Any:
    """The rows of one workflow type: qualification, base, raw score, execution state."""
    e = WorkflowExecution.__table__.alias(f"e_{kind.value}")
    days = facts.c.days
    weights = cfg.scoring
    if kind is WorkflowType.RENEWAL:
        execution_id: Any = facts.c.renewal_execution_id  # found once, with the stage
        base: Any = _stage_case(facts.c.stage_days, cfg.stages, "urgency", num(0))
        bonus: Any = _stage_case(facts.c.stage_days, cfg.stages, "bonus", num(0))
        limit = cfg.thresholds.renewal_max_days_overdue
        qualifies = and_(
            days.is_not(None),
            or_(days > -limit, e.c.id.is_not(None)),
        )
    else:
        execution_id = open_execution_for(facts.c.customer_id, kind.value, today)
        bonus = num(0)
        if kind is WorkflowType.STRATEGIC:
            base = facts.c.strategic_base
            qualifies = facts.c.plan.in_([p.value for p in cfg.thresholds.strategic_account_plans])
        else:
            opportunity = kind is WorkflowType.OPPORTUNITY
            points = facts.c.opportunity_score if opportunity else facts.c.risk_score
            linear = weights.opportunity_base if opportunity else weights.risk_base
            minimum = (
                cfg.thresholds.opportunity_score_min
                if opportunity
                else cfg.thresholds.risk_score_min
            )
            base = num(linear.base) + num(linear.per_point) * points
            qualifies = and_(points.is_not(None), points > 0, points >= num(minimum))
    snoozed = and_(e.c.id.is_not(None), e.c.completed_at.is_(None), e.c.status == "snoozed")
    inner = (
        select(
            facts.c.tenant_id,
            literal(today, Date).label("as_of"),
            facts.c.customer_id,
            literal(kind.value).label("workflow_type"),
            literal(WORKFLOW_TYPE_ORDER[kind]).label("type_rank"),
            facts.c.owner_id,
            facts.c.customer_name,
            facts.c.name_key,
            ((base + bonus) * facts.c.mult + facts.c.penalty).label("raw"),
            days.label("days"),
            func.coalesce(days, NO_DAYS).label("days_key"),
            facts.c.stage,
            facts.c.arr,
            facts.c.plan,
            facts.c.plan_set.is_not(None).label("plan_is_set"),
            facts.c.health,
            facts.c.opportunity_score,
            facts.c.risk_score,
            facts.c.experience,
            facts.c.active_workflows,
            e.c.id.label("execution_id"),
            e.c.workflow_id.label("running_workflow_id"),
            case(
                (e.c.id.is_(None), literal("new")),
                (e.c.completed_at.is_not(None), literal("in_progress")),
                else_=e.c.status,
            ).label("status"),
            case((snoozed, e.c.snoozed_until), else_=null()).label("snoozed_until"),
            case((and_(snoozed, e.c.snoozed_until <= today), true()), else_=false()).label(
                "snooze_ended"
            ),
            case((e.c.completed_at.is_(None), e.c.escalated_to_id), else_=null()).label(
                "escalated_to_id"
            ),
            case((and_(snoozed, e.c.snoozed_until > today), false()), else_=true()).label(
                "visible"
            ),
        )
        .select_from(facts)
        .outerjoin(e, e.c.id == execution_id)
        .where(qualifies)
        .subquery(f"raw_{kind.value}")
    )
    scored = select(
        *[c for c in inner.c if c.name != "raw"], d.round_half_up(inner.c.raw).label("score")
    ).subquery(f"scored_{kind.value}")
    head = ("tenant_id", "as_of", "customer_id", "workflow_type", "type_rank", "owner_id")
    return select(
        *[scored.c[name] for name in head],
        scored.c.customer_name,
        scored.c.name_key,
        scored.c.score,
        (-scored.c.score).label("neg_score"),
        _label(scored.c.score, cfg).label("label"),
        *[scored.c[name] for name in ITEM_TAIL],
    )


ITEM_TAIL = (
    "days",
    "days_key",
    "stage",
    "arr",
    "plan",
    "plan_is_set",
    "health",
    "opportunity_score",
    "risk_score",
    "experience",
    "active_workflows",
    "execution_id",
    "running_workflow_id",
    "status",
    "snoozed_until",
    "snooze_ended",
    "escalated_to_id",
    "visible",
)
ITEM_COLUMNS = (
    "tenant_id",
    "as_of",
    "customer_id",
    "workflow_type",
    "type_rank",
    "owner_id",
    "customer_name",
    "name_key",
    "score",
    "neg_score",
    "label",
    *ITEM_TAIL,
)
